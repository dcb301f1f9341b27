"""The plain ``VALUES`` models must check and normalise exactly like the SQLModel shapes.

They exist only for speed; if a field, default or rule ever differed, the server and
devices would accept different data depending on which path validated it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from arxos_desktop.demo import demo_repo_path
from arxos_desktop.repo_format.reader import read_repo
from sync.schema import SHAPES, VALUES


def _outcome(model: Any, data: dict[str, Any]) -> Any:
    try:
        instance = model.__pydantic_validator__.validate_python(data)
    except ValidationError as exc:
        return [(e["loc"], e["type"]) for e in exc.errors()]
    return model.__pydantic_serializer__.to_python(instance, mode="json")


def test_same_fields_in_the_same_order() -> None:
    for entity, shape in SHAPES.items():
        assert list(VALUES[entity].model_fields) == list(shape.model_fields), entity


def _demo_rows() -> list[tuple[str, dict[str, Any]]]:
    snapshot = read_repo(Path(demo_repo_path()))
    rows: list[tuple[str, dict[str, Any]]] = [
        ("building", snapshot.building.model_dump(mode="json"))
    ]
    for entity, models in snapshot.entity_lists().items():
        rows.extend((entity, model.model_dump(mode="json")) for model in models)  # type: ignore[attr-defined]
    return rows


def test_demo_rows_normalise_identically() -> None:
    rows = _demo_rows()
    assert len(rows) > 500
    for entity, row in rows:
        assert _outcome(VALUES[entity], row) == _outcome(SHAPES[entity], row), (entity, row)


@pytest.mark.parametrize(
    ("entity", "change"),
    [
        ("equipment", {"system": "not-a-system"}),
        ("equipment", {"tag": ""}),
        ("room", {"area_m2": math.nan}),
        ("room", {"area_m2": math.inf}),
        ("floor", {"level": "ground"}),
        ("document", {"blob_sha256": "XYZ"}),
        ("workorder", {"due": "next tuesday"}),
        ("equipment", {"properties": ["not", "a", "dict"]}),
    ],
)
def test_bad_values_fail_identically(entity: str, change: dict[str, Any]) -> None:
    base = next(row for e, row in _demo_rows() if e == entity)
    bad = {**base, **change}
    expected = _outcome(SHAPES[entity], bad)
    assert isinstance(expected, list), "the shape must refuse this value"
    assert _outcome(VALUES[entity], bad) == expected
