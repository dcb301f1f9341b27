"""Error answers that never carry the request's input back.

FastAPI's 422 lists each error with the offending ``input`` (and sometimes the
whole body): a 50 MB login came back as a 50 MB answer, and a caller's text
could be reflected into someone's screen or log. Here each error keeps only
where it is (``loc``), what kind it is (``type``) and the sentence (``msg``);
the name of a field that should not be there is not repeated either, and at
most :data:`MAX_ERRORS` errors are listed.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MAX_ERRORS: Final = 20
#: Stands in for a field name the caller made up (``extra_forbidden``).
UNKNOWN_FIELD: Final = "(unknown field)"


def scrub(errors: Any) -> list[dict[str, Any]]:
    """*errors* without the input: ``loc``, ``type`` and ``msg`` of the first few."""
    clean = []
    for error in list(errors)[:MAX_ERRORS]:
        loc = list(error.get("loc", ()))
        kind = str(error.get("type", "value_error"))
        if kind == "extra_forbidden" and loc:
            loc[-1] = UNKNOWN_FIELD
        clean.append({"loc": loc, "msg": str(error.get("msg", "")), "type": kind})
    return clean


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": scrub(exc.errors())}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
