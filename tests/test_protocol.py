"""Wire messages: what a pushed change may carry before the server looks at it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sync.clock import Stamp
from sync.ids import new_id
from sync.protocol import ChangeIn

NOT_FINITE = (float("inf"), float("-inf"), float("nan"))


def _change(fields: dict[str, Any]) -> ChangeIn:
    return ChangeIn(
        change_id=new_id(),
        entity="equipment",
        entity_id=new_id(),
        building_id=new_id(),
        op="update",
        fields=fields,
        base_rev=0,
        hlc=Stamp(1_700_000_000_000, 0, "dev").pack(),
    )


@pytest.mark.parametrize("bad", NOT_FINITE, ids=["inf", "-inf", "nan"])
def test_a_number_that_is_not_finite_is_refused_however_deep(bad: float) -> None:
    """No database or JSON writer takes one; text, numbers and null beside it do not hide it."""
    for fields in (
        {"name": "AHU", "rating": bad},
        {"properties": {"tag": "x", "count": 3, "spare": None, "on": True, "kw": [1.5, bad]}},
        {"position": [{"x": 1, "y": "2"}, {"x": bad}]},
    ):
        with pytest.raises(ValidationError, match="numbers must be finite"):
            _change(fields)


def test_finite_numbers_text_booleans_and_null_pass() -> None:
    fields = {"name": "AHU", "properties": {"kw": [1.5, -2, 0.0], "on": False, "spare": None}}
    assert _change(fields).fields == fields
