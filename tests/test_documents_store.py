"""The drawing library: documents grouped by discipline, and whether each file is here."""

from __future__ import annotations

import pytest

from arxos_desktop.store import Replica
from arxos_desktop.store.documents import drawing_entry, drawing_library, local_drawing_path
from arxos_desktop.store.errors import NotFoundError
from sync.schema import Discipline
from tests.conftest import SampleBuilding, make_pdf

_ABSENT_SHA = "ab" * 32


def _add(replica: Replica, building_id: str, title: str, discipline: str, sha: str) -> str:
    with replica.transaction() as w:
        row = w.insert(
            "document",
            {
                "building_id": building_id,
                "discipline": discipline,
                "title": title,
                "file_name": f"{title}.pdf",
                "blob_sha256": sha,
                "page_count": 1,
            },
        )
    return str(row["id"])


def test_library_groups_by_discipline_in_drawing_set_order_and_says_what_is_local(
    replica: Replica, sample: SampleBuilding
) -> None:
    sha = replica.blobs.put_bytes(make_pdf(1, "A"))
    _add(replica, sample.building_id, "b plan", "architectural", sha)
    _add(replica, sample.building_id, "A plan", "architectural", _ABSENT_SHA)
    _add(replica, sample.building_id, "Riser", "electrical", sha)
    groups = drawing_library(replica, sample.building_id)
    assert [g.discipline for g in groups] == [
        Discipline.ARCHITECTURAL,
        Discipline.MECHANICAL,
        Discipline.ELECTRICAL,
    ]
    assert [(d.title, d.is_local) for d in groups[0].drawings] == [
        ("A plan", False),
        ("b plan", True),
    ]
    mechanical = groups[1].drawings[0]
    assert (mechanical.title, mechanical.page_count, mechanical.is_local) == (
        "Mechanical plan L1",
        2,
        True,
    )


def test_library_shows_only_the_buildings_live_drawings(
    replica: Replica, sample: SampleBuilding
) -> None:
    other = _add(replica, sample.building_id, "Gone", "plumbing", _ABSENT_SHA)
    with replica.transaction() as w:
        w.tombstone("document", other)
    assert [g.discipline for g in drawing_library(replica, sample.building_id)] == [
        Discipline.MECHANICAL
    ]
    assert drawing_library(replica, "00000000-0000-0000-0000-000000000000") == []


def test_local_path_of_a_drawing_is_its_blob_and_a_missing_file_says_so(
    replica: Replica, sample: SampleBuilding
) -> None:
    path = local_drawing_path(replica, sample.document_id)
    assert path.read_bytes().startswith(b"%PDF-")
    absent = _add(replica, sample.building_id, "Later", "mechanical", _ABSENT_SHA)
    assert drawing_entry(replica, absent).is_local is False
    with pytest.raises(NotFoundError, match="not on this tablet yet"):
        local_drawing_path(replica, absent)
    with pytest.raises(NotFoundError):
        local_drawing_path(replica, "00000000-0000-0000-0000-000000000000")
