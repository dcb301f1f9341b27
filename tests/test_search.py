"""Search: prefix words across equipment, rooms, notes and work orders."""

from __future__ import annotations

import pytest

from arxos_desktop.store import Replica, StoreError
from arxos_desktop.store.equipment import delete_equipment, update_equipment
from arxos_desktop.store.search import fts_query, search
from tests.conftest import SampleBuilding


def test_exact_tag_comes_first(replica: Replica, sample: SampleBuilding) -> None:
    hits = search(replica, "ahu-1")
    assert (hits[0].kind, hits[0].title) == ("equipment", "AHU-1")
    assert [h.title for h in hits] == ["AHU-1"]  # found exactly, not again by its words


def test_prefixes_find_each_kind(replica: Replica, sample: SampleBuilding) -> None:
    assert [h.title for h in search(replica, "tra")] == ["AHU-1"]  # manufacturer Trane
    assert [h.kind for h in search(replica, "squeal")] == ["note"]
    assert [h.title for h in search(replica, "mechan", kinds=("room",))] == ["Room 101"]
    assert [h.title for h in search(replica, "filters")] == ["Replace filters"]


def test_search_follows_edits_and_deletes(replica: Replica, sample: SampleBuilding) -> None:
    update_equipment(replica, sample.vav_id, {"name": "Variable air volume box 101"})
    assert [h.title for h in search(replica, "variable")] == ["VAV-101"]
    delete_equipment(replica, sample.vav_id)
    assert search(replica, "variable") == []


def test_search_is_scoped_to_a_building(replica: Replica, sample: SampleBuilding) -> None:
    assert search(replica, "ahu", building_id="0" * 36) == []
    assert search(replica, "ahu", building_id=sample.building_id)


@pytest.mark.parametrize("text", ['"', "AND OR NOT", "ahu*", "(", "NEAR(a b)", "col:tag", "-", ""])
def test_fts_syntax_in_user_text_never_errors(
    replica: Replica, sample: SampleBuilding, text: str
) -> None:
    assert isinstance(search(replica, text), list)
    for term in fts_query(text).split():
        assert term.startswith('"') and term.endswith('"*') and '"' not in term[1:-2]


def test_unknown_kind_is_a_clear_error(replica: Replica) -> None:
    with pytest.raises(StoreError, match="choose from"):
        search(replica, "x", kinds=("pumps",))
