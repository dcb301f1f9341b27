"""Request bodies parsed and validated in one pass by pydantic's Rust core.

FastAPI decodes a JSON body with the standard library and then validates the
resulting Python objects: for a push of a few hundred changes that was a third
of the server's time per change. ``model_validate_json`` does both at once, several
times faster. The price is that FastAPI no longer sees the body model, so
:func:`body_openapi` describes it in the route's OpenAPI entry and
:func:`add_body_schemas` adds the model's schema to the published components;
errors keep FastAPI's 422 shape (``loc`` starts with ``"body"``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

#: Models parsed by :func:`json_body`, whose schemas the OpenAPI document must carry.
BODY_MODELS: list[type[BaseModel]] = []


def json_body(model: type[Model]) -> Callable[[Request], Awaitable[Model]]:
    """A dependency that returns the request body as a validated *model*."""
    if model not in BODY_MODELS:
        BODY_MODELS.append(model)

    async def parse(request: Request) -> Model:
        raw = await request.body()
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise RequestValidationError(_body_errors(exc)) from None

    return parse


def _body_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic's errors as FastAPI reports body errors (``loc`` from ``"body"``), without
    the input: a 422 never carries the request back (``sync.server.api.errors``)."""
    return [
        {**error, "loc": ("body", *error["loc"])}
        for error in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def body_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route whose body :func:`json_body` parses."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def add_body_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    """Put the schemas of every :data:`BODY_MODELS` model into *openapi*'s components."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for model in BODY_MODELS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas.setdefault(model.__name__, schema)
    return openapi
