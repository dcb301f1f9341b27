"""Property: devices that edit offline and sync through a flaky network converge.

Three devices of the building's owner and one of a contractor limited to HVAC
on level 1 edit, insert, delete, restore conflicts and overstep their grant,
sync in random order while the network fails before requests or loses their
answers (refreshes of expired sign-ins included); then everyone syncs on a
healthy network and discards what the server refused. The owner's devices must
hold exactly the server's rows, the contractor's device exactly what a fresh
device of theirs pulls, every field its newest accepted edit, and an edit that
lost without its author having seen the winner must have a conflict record.

``make test`` runs 30 examples per database; ``make test-long`` runs 300
(``HYPOTHESIS_PROFILE=long``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from arxos_desktop.store import Replica
from arxos_desktop.store.deletes import delete_row
from arxos_desktop.store.discard import discard_rejected
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.errors import StoreError
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.remote import dismiss_conflict, open_conflicts, restore_losing_value
from arxos_desktop.store.workorders import create_work_order
from sync.client import ClientSyncError
from sync.clock import Stamp
from sync.outbox import ChangeState, read_changes
from sync.server.core import security
from sync.server.db import session_scope
from sync.server.replication import ChangeLogEntry, ConflictEntry
from tests.conftest import build_sample
from tests.server.conftest import BACKENDS, fresh_postgres_database, postgres_admin_url
from tests.server.convergence_world import (
    Device,
    World,
    live_state,
    make_world,
)

settings.register_profile("ci", max_examples=30)
settings.register_profile("long", max_examples=300)
settings.register_profile("debug", max_examples=30, phases=[Phase.explicit, Phase.generate])
EXAMPLES = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")).max_examples

#: Few rows, fields and values, so devices collide often.
FIELDS = {
    "status": ["operational", "needs_service", "out_of_service"],
    "name": ["north", "south", "east"],
}
CONTRACTOR_DEVICE = 3


@dataclass(frozen=True)
class Edit:
    change_id: str
    entity_id: str
    field: str
    value: Any
    hlc: str
    base_rev: int
    device: int


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    home = tmp_path_factory.mktemp("server")
    with pytest.MonkeyPatch.context() as patch:
        # Cheap Argon2: every example signs four devices in.
        patch.setattr(
            security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        if request.param == "sqlite":
            with make_world(home, f"sqlite:///{home / 's.sqlite3'}") as world:
                yield world
        else:
            with (
                fresh_postgres_database(postgres_admin_url()) as url,
                make_world(home, url) as world,
            ):
                yield world


step = st.one_of(
    st.tuples(
        st.just("edit"),
        st.integers(0, 3),
        st.integers(0, 2),
        st.sampled_from(sorted(FIELDS)),
        st.integers(0, 3),
    ),
    st.tuples(st.just("delete"), st.integers(0, 3), st.integers(1, 2)),
    st.tuples(st.just("insert"), st.integers(0, 3), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("sync"), st.integers(0, 3)),
    # Two devices edit the same field; the later edit syncs first, so the earlier one loses.
    st.tuples(
        st.just("clash"),
        st.integers(0, 3),
        st.integers(0, 1),
        st.sampled_from(sorted(FIELDS)),
        st.integers(1, 3),
    ),
    st.tuples(st.just("resolve"), st.integers(0, 3), st.integers(0, 3), st.booleans()),
    # The contractor moves a unit out of the systems they were granted: refused.
    st.tuples(st.just("overstep"), st.integers(0, 1)),
    st.tuples(st.just("expire"), st.integers(0, 3)),
    st.tuples(st.just("discard"), st.integers(0, 3)),
    st.tuples(st.just("unit"), st.integers(0, 3), st.booleans()),
)


@settings(
    settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci")),
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(step, min_size=4, max_size=30), seed=st.integers(0, 2**16))
def test_devices_converge_and_nothing_is_lost_silently(
    world: World, steps: list[tuple[Any, ...]], seed: int
) -> None:
    world.transport.rng.seed(seed)
    world.transport.fail_rate = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        replicas = [Replica.open(Path(tmp) / f"d{i}") for i in range(5)]
        try:
            sample = build_sample(replicas[0])
            owner_email, contractor = world.add_user("owner"), world.add_user("contractor")
            owner = [world.sign_in(owner_email, r) for r in replicas[:3]]
            owner[0].sync()
            world.grant_contractor(contractor, sample.building_id)
            devices = [*owner, world.sign_in(contractor, replicas[3])]
            for device in devices:
                device.sync()
            targets = [
                sample.ahu_id,
                sample.vav_id,
                replicas[0]
                .conn.execute("SELECT id FROM equipment WHERE tag = 'RTU-9'")
                .fetchone()[0],
            ]
            made: list[Edit] = []
            world.transport.fail_rate = 0.3
            for s in steps:
                run_step(s, devices, targets, made)
            world.transport.fail_rate = 0.0
            settle(devices)
            rejected = {c.change_id for d in devices for c in refused(d)}
            assert all(c.change_id in rejected for d in devices for c in d.pending()), (
                "everything but refused changes acknowledged"
            )
            for device in devices:
                discard_rejected(device.replica)
                assert read_changes(device.replica.conn, state=None) == [], "nothing left waiting"
            for device in devices[:3]:
                assert live_state(device.replica, sample.building_id) == world.rows(
                    sample.building_id
                )
            check_contractor_view(
                world, devices[CONTRACTOR_DEVICE], replicas[4], sample.building_id
            )
            event(f"refused changes: {bool(rejected)}")
            with session_scope(world.app.state.engine) as session:
                mine = select(ConflictEntry.id).where(
                    ConflictEntry.building_id == sample.building_id
                )
                recorded = session.exec(mine).first() is not None
            event(f"conflict records on the server: {recorded}")
            check_resolutions_everywhere(world, devices[:3], sample.building_id)
            accepted = [edit for edit in made if edit.change_id not in rejected]
            check_nothing_lost(world, accepted, world.rows(sample.building_id))
        finally:
            for replica in replicas:
                replica.close()


def run_step(
    s: tuple[Any, ...], devices: list[Device], targets: list[str], made: list[Edit]
) -> None:
    kind, who = s[0], devices[s[1]] if s[0] != "overstep" else devices[CONTRACTOR_DEVICE]
    try:
        if kind == "edit":
            field, value = s[3], FIELDS[s[3]][s[4] % len(FIELDS[s[3]])]
            edit(who, devices, targets[s[2]], {field: value}, made)
        elif kind == "delete":
            # AHU-1 has a work order, so deleting it is refused: pick the others. Notes and
            # connections go with the unit; another device may add one meanwhile.
            delete_row(who.replica, "equipment", targets[s[2]])
            c = who.pending()[-1]
            made.append(Edit(c.change_id, c.entity_id, "deleted", True, c.hlc, c.base_rev, s[1]))
        elif kind == "insert":
            target = targets[s[2]]
            if s[3]:
                add_note(
                    who.replica, target_kind="equipment", target_id=target, text=f"seen {s[1]}"
                )
            else:
                building = who.replica.conn.execute(
                    "SELECT building_id FROM equipment WHERE id = ? AND deleted = 0", (target,)
                ).fetchone()
                if building is not None:
                    create_work_order(
                        who.replica,
                        building_id=building[0],
                        title=f"Check {s[1]}",
                        equipment_id=target,
                    )
        elif kind == "clash":
            first, second = who, devices[(s[1] + s[4]) % len(devices)]
            for n, device in enumerate((first, second)):
                value = FIELDS[s[3]][(s[4] + n) % len(FIELDS[s[3]])]
                edit(device, devices, targets[s[2]], {s[3]: value}, made)
            second.sync()
            first.sync()
        elif kind == "resolve":
            conflicts = open_conflicts(who.replica)
            if conflicts:
                chosen = conflicts[s[2] % len(conflicts)]
                if s[3]:
                    changed = restore_losing_value(who.replica, chosen["id"])
                    field = chosen["field"]
                    if (
                        changed
                        and chosen["entity"] == "equipment"
                        and field in (*FIELDS, "deleted")
                    ):
                        c = who.pending()[-1]
                        value = c.fields.get(field, False)
                        made.append(
                            Edit(c.change_id, c.entity_id, field, value, c.hlc, c.base_rev, s[1])
                        )
                else:
                    dismiss_conflict(who.replica, chosen["id"])
        elif kind == "overstep":
            update_equipment(who.replica, targets[s[1]], {"system": "electrical"})
        elif kind == "expire":
            who.expire_access_token()
        elif kind == "discard":
            discard_rejected(who.replica)
        elif kind == "unit":
            # A new unit: in the contractor's systems on level 1, or an electrical one
            # (which the contractor may not add, so it is refused and later discarded).
            building, floor = who.replica.conn.execute(
                "SELECT building_id, id FROM floors WHERE level = 1 AND deleted = 0"
            ).fetchone()
            create_equipment(
                who.replica,
                building_id=building,
                tag=f"N-{len(made)}-{s[1]}-{s[2]}",
                system="hvac" if s[2] else "electrical",
                floor_id=floor,
            )
        else:
            who.sync()
    except StoreError:
        pass  # the row was deleted on this device, or a delete is blocked by its children
    except ClientSyncError:
        pass  # the network failed; the next sync resumes


def edit(
    device: Device, devices: list[Device], target: str, changes: dict[str, Any], made: list[Edit]
) -> None:
    if update_equipment(device.replica, target, changes):
        c = device.pending()[-1]
        ((field, value),) = changes.items()
        made.append(
            Edit(c.change_id, c.entity_id, field, value, c.hlc, c.base_rev, devices.index(device))
        )


def refused(device: Device) -> list[Any]:
    return read_changes(device.replica.conn, state=ChangeState.REJECTED)


def settle(devices: list[Device]) -> None:
    """Everyone syncs on a healthy network until nothing more arrives."""
    for _ in range(2):
        for device in devices:
            device.sync()


def check_resolutions_everywhere(world: World, devices: list[Device], building_id: str) -> None:
    """A conflict a person kept or restored anywhere shows as such on every device."""
    with session_scope(world.app.state.engine) as session:
        resolved = select(ConflictEntry).where(
            ConflictEntry.building_id == building_id, ConflictEntry.resolution != ""
        )
        chosen = {entry.id: entry.resolution for entry in session.exec(resolved)}
    event(f"conflicts resolved on the server: {bool(chosen)}")
    for device in devices:
        conn = device.replica.conn
        assert conn.execute("SELECT count(*) FROM resolution_outbox").fetchone()[0] == 0
        local = dict(conn.execute("SELECT id, resolution FROM conflicts").fetchall())
        assert {key: local.get(key) for key in chosen} == chosen, "resolutions reach every device"


def check_contractor_view(world: World, device: Device, fresh: Replica, building_id: str) -> None:
    """The contractor, having discarded what was refused, holds exactly what a new device
    of theirs pulls."""
    newcomer = world.sign_in(device.email, fresh)
    newcomer.sync()
    assert live_state(device.replica, building_id) == live_state(fresh, building_id)


def check_nothing_lost(
    world: World, made: list[Edit], truth: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """Each field holds its newest edit; every other edit was either seen by a later
    edit of the same field (its author knowingly replaced it), has a conflict record,
    or was agreed with by a newer edit of the same value (whose fate it shares)."""
    with session_scope(world.app.state.engine) as session:
        losers = {
            (c.entity_id, c.field, repr(c.loser_value)) for c in session.exec(select(ConflictEntry))
        }
        # Accepted changes are known by their log entry; merged ones also store an answer.
        seq_of = {e.change_id: int(e.seq or 0) for e in session.exec(select(ChangeLogEntry))}
    newest: dict[tuple[str, str], Edit] = {}
    for edit_ in made:
        key = (edit_.entity_id, edit_.field)
        if key not in newest or edit_.hlc > newest[key].hlc:
            newest[key] = edit_
    for (entity_id, field), edit_ in newest.items():
        assert truth[("equipment", entity_id)][field] == edit_.value, (
            f"{field} of {entity_id} is not its newest edit"
        )
    for edit_ in made:
        if truth[("equipment", edit_.entity_id)][edit_.field] == edit_.value:
            continue
        node = Stamp.parse(edit_.hlc).node
        replaced_knowingly = any(
            later.entity_id == edit_.entity_id
            and later.field == edit_.field
            and later.hlc > edit_.hlc
            and (
                Stamp.parse(later.hlc).node == node
                or later.base_rev >= seq_of.get(edit_.change_id, 0)
            )
            for later in made
        )
        recorded = (edit_.entity_id, edit_.field, repr(edit_.value)) in losers
        # Another device later wrote the same value: agreement, not a conflict (see the
        # merge rule); this edit's fate is that one's, which this loop checks as well.
        agreed = any(
            later.entity_id == edit_.entity_id
            and later.field == edit_.field
            and later.value == edit_.value
            and later.hlc > edit_.hlc
            for later in made
        )
        assert replaced_knowingly or recorded or agreed, (
            f"edit {edit_.field}={edit_.value!r} lost without a conflict record"
        )
