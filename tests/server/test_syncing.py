"""Push/pull semantics against the server's tables, without HTTP, on SQLite and PostgreSQL.

The tables come from the real migrations, not ``create_all``, so these tests
also cover what Alembic builds on each backend (e.g. the change-log sequence).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from sync.clock import Stamp
from sync.ids import new_id
from sync.protocol import ChangeIn, PullResponse, PushRequest, ResultStatus
from sync.server.db import create_db_engine, run_migrations
from sync.server.syncing import pull_page, push
from tests.server.conftest import on_both_databases

pytestmark = on_both_databases


@dataclass(frozen=True)
class FakeAccess:
    role: str = "technician"
    systems: frozenset[str] | None = None
    floors: frozenset[int] | None = None

    @property
    def can_write(self) -> bool:
        return self.role != "viewer"


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = create_db_engine(database_url)
    run_migrations(engine)
    try:
        with Session(engine) as s:
            yield s
    finally:
        engine.dispose()


B = new_id()
clock_ms = iter(range(1_700_000_000_000, 1_800_000_000_000, 10))


def hlc(node: str = "devA") -> str:
    return Stamp(next(clock_ms), 0, node).pack()


def change(
    entity: str,
    entity_id: str,
    op: str,
    fields: dict[str, object],
    *,
    base: int = 0,
    node: str = "devA",
) -> ChangeIn:
    return ChangeIn(
        change_id=new_id(),
        entity=entity,
        entity_id=entity_id,
        building_id=B,
        op=op,
        fields=fields,
        base_rev=base,
        hlc=hlc(node),
    )


def seed(session: Session, access: FakeAccess | None = None) -> dict[str, str]:
    ids = {"floor1": new_id(), "floor2": new_id(), "ahu": new_id(), "panel": new_id()}
    changes = [
        change(
            "building", B, "insert", {"name": "Tower", "address": "", "org_id": None, "meta": {}}
        ),
        change("floor", ids["floor1"], "insert", {"level": 1, "name": "L1"}),
        change("floor", ids["floor2"], "insert", {"level": 2, "name": "L2"}),
        change(
            "equipment",
            ids["ahu"],
            "insert",
            {"tag": "AHU-1", "system": "hvac", "floor_id": ids["floor1"]},
        ),
        change(
            "equipment",
            ids["panel"],
            "insert",
            {"tag": "LP-2", "system": "electrical", "floor_id": ids["floor2"]},
        ),
    ]
    out = push(
        session,
        PushRequest(device_id="devA", changes=changes),
        user_id="u1",
        accesses={},
        claim_building=lambda b: FakeAccess(role="admin"),
    )
    assert [r.status for r in out.results] == [ResultStatus.ACCEPTED] * 5
    return ids


ADMIN = {B: FakeAccess(role="admin")}


def test_retried_batch_applies_nothing_twice(session: Session) -> None:
    ids = seed(session)
    edit = change("equipment", ids["ahu"], "update", {"status": "needs_service"}, base=4)
    first = push(
        session,
        PushRequest(device_id="devA", changes=[edit]),
        user_id="u1",
        accesses=ADMIN,
        claim_building=lambda b: None,
    )
    again = push(
        session,
        PushRequest(device_id="devA", changes=[edit]),
        user_id="u1",
        accesses=ADMIN,
        claim_building=lambda b: None,
    )
    assert first.results == again.results
    assert first.cursor == again.cursor


def test_concurrent_edits_merge_and_record_a_conflict(session: Session) -> None:
    ids = seed(session)
    a = change(
        "equipment",
        ids["ahu"],
        "update",
        {"status": "needs_service", "name": "Air handler"},
        base=4,
        node="devA",
    )
    b = change("equipment", ids["ahu"], "update", {"status": "out_of_service"}, base=4, node="devB")
    # devB's edit is newer (made later), devA's arrives last.
    a_late = a.model_copy(update={"hlc": Stamp(1_600_000_000_000, 0, "devA").pack()})
    push(
        session,
        PushRequest(device_id="devB", changes=[b]),
        user_id="u2",
        accesses=ADMIN,
        claim_building=lambda x: None,
    )
    out = push(
        session,
        PushRequest(device_id="devA", changes=[a_late]),
        user_id="u1",
        accesses=ADMIN,
        claim_building=lambda x: None,
    )
    (result,) = out.results
    assert result.status is ResultStatus.MERGED
    assert result.winning == {"status": "out_of_service"}
    page = pull_page(session, accesses=ADMIN, cursor=0, limit=100).response()
    ahu = next(c for c in page.changes if c.entity_id == ids["ahu"])
    assert ahu.fields["status"] == "out_of_service" and ahu.fields["name"] == "Air handler"
    (conflict,) = page.conflicts
    assert (conflict.field, conflict.winner_value, conflict.loser_value) == (
        "status",
        "out_of_service",
        "needs_service",
    )
    assert (conflict.winner_device, conflict.loser_device) == ("devB", "devA")
    # What the route sends (the page's own JSON) parses to exactly this page, scopes or not.
    for with_scopes in (False, True):
        sent = pull_page(session, accesses=ADMIN, cursor=0, limit=100, with_scopes=with_scopes)
        assert PullResponse.model_validate_json(sent.json()) == sent.response()
        assert ('"scopes"' in sent.json().decode()) is with_scopes
    assert sent.response().changes == page.changes and sent.response().conflicts == page.conflicts


def test_rejections_name_the_reason_and_change_nothing(session: Session) -> None:
    ids = seed(session)
    before = pull_page(session, accesses=ADMIN, cursor=0, limit=100).response()
    bad = [
        change("equipment", ids["ahu"], "update", {"status": "broken"}, base=4),
        change("equipment", ids["ahu"], "update", {"colour": "red"}, base=4),
        change("equipment", new_id(), "update", {"name": "ghost"}),
    ]
    viewer = {B: FakeAccess(role="viewer")}
    out = push(
        session,
        PushRequest(device_id="devA", changes=bad),
        user_id="u1",
        accesses=ADMIN,
        claim_building=lambda x: None,
    )
    reasons = [r.reason for r in out.results]
    assert all(r.status is ResultStatus.REJECTED for r in out.results)
    assert "status" in reasons[0] and "colour" in reasons[1] and "does not exist" in reasons[2]
    ro = push(
        session,
        PushRequest(
            device_id="devV",
            changes=[change("equipment", ids["ahu"], "update", {"name": "x"}, base=4)],
        ),
        user_id="v",
        accesses=viewer,
        claim_building=lambda x: None,
    )
    assert "read-only" in ro.results[0].reason
    after = pull_page(session, accesses=ADMIN, cursor=0, limit=100).response()
    assert before.changes == after.changes


def test_scope_limits_push_and_pull(session: Session) -> None:
    ids = seed(session)
    hvac_l1 = {B: FakeAccess(role="contractor", systems=frozenset({"hvac"}), floors=frozenset({1}))}
    page = pull_page(session, accesses=hvac_l1, cursor=0, limit=100).response()
    seen = {(c.entity, c.fields.get("tag") or c.fields.get("name")) for c in page.changes}
    assert seen == {("building", "Tower"), ("floor", "L1"), ("equipment", "AHU-1")}
    out = push(
        session,
        PushRequest(
            device_id="devC",
            changes=[
                change(
                    "equipment",
                    ids["panel"],
                    "update",
                    {"status": "needs_service"},
                    base=5,
                    node="devC",
                ),
                change(
                    "equipment", ids["ahu"], "update", {"system": "electrical"}, base=4, node="devC"
                ),
                change(
                    "equipment",
                    ids["ahu"],
                    "update",
                    {"status": "needs_service"},
                    base=4,
                    node="devC",
                ),
            ],
        ),
        user_id="c",
        accesses=hvac_l1,
        claim_building=lambda x: None,
    )
    assert [r.status for r in out.results] == [
        ResultStatus.REJECTED,
        ResultStatus.REJECTED,
        ResultStatus.ACCEPTED,
    ]
    assert "outside" in out.results[0].reason and "outside" in out.results[1].reason


def test_pull_pages_resume_from_the_cursor_and_end_at_the_newest(session: Session) -> None:
    seed(session)
    first = pull_page(session, accesses=ADMIN, cursor=0, limit=2).response()
    assert first.has_more and len(first.changes) == 2
    rest = pull_page(session, accesses=ADMIN, cursor=first.cursor, limit=100).response()
    assert not rest.has_more and len(rest.changes) == 3
    assert (
        pull_page(session, accesses=ADMIN, cursor=rest.cursor, limit=100).response().changes == []
    )


def test_unknown_building_is_refused_when_the_organisation_forbids_it(session: Session) -> None:
    other = new_id()
    c = ChangeIn(
        change_id=new_id(),
        entity="building",
        entity_id=other,
        building_id=other,
        op="insert",
        fields={"name": "Nope", "address": "", "org_id": None, "meta": {}},
        base_rev=0,
        hlc=hlc(),
    )
    out = push(
        session,
        PushRequest(device_id="d", changes=[c]),
        user_id="u",
        accesses={},
        claim_building=lambda b: None,
    )
    assert (
        out.results[0].status is ResultStatus.REJECTED
        and "does not let you add" in out.results[0].reason
    )


def _push(session: Session, node: str, *changes: ChangeIn) -> list[ResultStatus]:
    out = push(
        session,
        PushRequest(device_id=node, changes=list(changes)),
        user_id="u1",
        accesses=ADMIN,
        claim_building=lambda b: None,
    )
    session.commit()
    return [r.status for r in out.results]


def _contested(session: Session, after: int = 0) -> list[tuple[str, str, str, str]]:
    page = pull_page(session, accesses=ADMIN, cursor=after, limit=1000).response()
    return [
        (c.entity_id, c.field, c.winner_device, c.loser_device)
        for c in page.conflicts
        if c.field == "deleted"
    ]


def test_a_delete_others_still_point_at_is_kept_but_contested(session: Session) -> None:
    """Deletes are never refused or cascaded on the server: a conflict marks what needs it."""
    ids = seed(session)
    session.commit()
    ok = ResultStatus.ACCEPTED
    # devA deletes the AHU then its floor, children first: nothing points at them.
    assert _push(
        session,
        "devA",
        change("equipment", ids["ahu"], "delete", {}, base=4),
        change("floor", ids["floor1"], "delete", {}, base=2),
    ) == [ok, ok]
    assert _contested(session) == []

    # devB, which had not pulled that delete, puts new equipment on floor 1: kept, and the
    # delete contested (its device tells the server how far it had pulled: not that far).
    fan = new_id()
    late = change("equipment", fan, "insert", {"tag": "EF-9", "system": "hvac",
                  "floor_id": ids["floor1"]}, node="devB")  # fmt: skip
    out = push(
        session,
        PushRequest(device_id="devB", changes=[late], cursor=5),
        user_id="u1",
        accesses=ADMIN,
        claim_building=lambda b: None,
    )
    session.commit()
    assert [r.status for r in out.results] == [ok]
    assert _contested(session) == [(ids["floor1"], "deleted", "devA", "devB")]

    # devA deletes floor 2 while the panel is still on it: kept, delete contested.
    before = pull_page(session, accesses=ADMIN, cursor=0, limit=1000).cursor
    assert _push(session, "devA", change("floor", ids["floor2"], "delete", {}, base=3)) == [ok]
    assert _contested(session, before) == [(ids["floor2"], "deleted", "devA", "devA")]

    # Restoring the losing value ("not deleted") brings the floor back; nothing new to contest.
    mark = pull_page(session, accesses=ADMIN, cursor=0, limit=1000).cursor
    restore = change("floor", ids["floor2"], "update", {"deleted": False}, base=mark)
    assert _push(session, "devB", restore) == [ok]
    rows = {
        c.entity_id: c
        for c in pull_page(session, accesses=ADMIN, cursor=mark, limit=10).response().changes
    }
    assert rows[ids["floor2"]].deleted is False
    assert _contested(session, mark) == []


def test_children_and_parent_deleted_in_one_push_contest_nothing(session: Session) -> None:
    ids = seed(session)
    session.commit()
    out = _push(
        session,
        "devA",
        change("equipment", ids["panel"], "delete", {}, base=5),
        change("floor", ids["floor2"], "delete", {}, base=3),
        change(
            "equipment",
            new_id(),
            "insert",
            {"tag": "X-1", "system": "hvac", "floor_id": ids["floor1"]},
        ),
    )
    assert out == [ResultStatus.ACCEPTED] * 3
    assert _contested(session) == []


def test_a_note_still_on_a_deleted_unit_contests_the_delete(session: Session) -> None:
    ids = seed(session)
    note = change(
        "note", new_id(), "insert",
        {"target_kind": "equipment", "target_id": ids["ahu"], "text": "Belt squeals"},
        node="devB",
    )  # fmt: skip
    assert _push(session, "devB", note) == [ResultStatus.ACCEPTED]
    gone = change("equipment", ids["ahu"], "delete", {}, base=4)
    assert _push(session, "devA", gone) == [ResultStatus.ACCEPTED]
    assert _contested(session) == [(ids["ahu"], "deleted", "devA", "devB")]


def test_a_building_deleted_with_floors_still_on_it_is_contested(session: Session) -> None:
    """A floor points at its building through the row's own column, not a value."""
    seed(session)
    gone = change("building", B, "delete", {}, base=1)
    assert _push(session, "devA", gone) == [ResultStatus.ACCEPTED]
    assert _contested(session) == [(B, "deleted", "devA", "devA")]
