"""The replica under threads: readers see only committed states; an emptied file is refused."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from arxos_desktop.config import REPLICA_FILE
from arxos_desktop.store import Replica, ReplicaOpenError
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.clock import Stamp
from sync.outbox import count_changes
from sync.protocol import ChangeResult, PulledChange, PullResponse, ResultStatus

ROWS = 40
ROUNDS = 30


def _seed(replica: Replica) -> tuple[str, list[str]]:
    building = create_building(replica, name="Threaded Tower")
    with replica.transaction() as w:
        ids = [
            w.insert(
                "equipment",
                {
                    "building_id": building.id,
                    "tag": f"AHU-{n}",
                    "name": "gen-0",
                    "system": "hvac",
                    "status": "operational",
                },
            )["id"]
            for n in range(ROWS)
        ]
    target = ReplicaSyncTarget(replica)
    batch = target.pending_changes(10_000)
    target.record_push(
        batch,
        [ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED) for c in batch],
    )
    return building.id, ids


def _page(building_id: str, ids: list[str], generation: int) -> PullResponse:
    """Every row renamed to ``gen-N`` in one page: a committed state has one name only."""
    stamp = Stamp(int(time.time() * 1000) + generation, 0, "server0").pack()
    return PullResponse(
        changes=[
            PulledChange(
                seq=generation * ROWS + k,
                entity="equipment",
                entity_id=entity_id,
                building_id=building_id,
                fields={
                    "tag": f"AHU-{k}",
                    "name": f"gen-{generation}",
                    "system": "hvac",
                    "status": "operational",
                },
                deleted=False,
                hlc=stamp,
                device_id="server0",
            )
            for k, entity_id in enumerate(ids)
        ],
        cursor=generation * ROWS + ROWS,
        has_more=False,
    )


def test_a_reader_thread_sees_only_committed_states(replica: Replica) -> None:
    """Pages and pushes run in a worker thread while this thread keeps reading.

    A page renames every row at once and a push's edits and their answers each
    commit whole, so every read must find one name across all rows and an outbox
    that is either empty or holds all of one round's edits.
    """
    building_id, ids = _seed(replica)
    target = ReplicaSyncTarget(replica)
    failures: list[BaseException] = []
    done = threading.Event()

    def sync_worker() -> None:
        try:
            for generation in range(1, ROUNDS + 1):
                target.apply_pull(_page(building_id, ids, generation))
                with replica.transaction():
                    for entity_id in ids:
                        update_equipment(replica, entity_id, {"status": "needs_service"})
                        update_equipment(replica, entity_id, {"status": "operational"})
                batch = target.pending_changes(10_000)
                target.record_push(
                    batch,
                    [
                        ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED)
                        for c in batch
                    ],
                )
        except BaseException as exc:  # handed to the test thread below
            failures.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=sync_worker)
    worker.start()
    observed: list[tuple[set[str], int]] = []
    while not done.is_set():
        names = {row[0] for row in replica.conn.execute("SELECT name FROM equipment")}
        waiting = count_changes(replica.conn)
        observed.append((names, waiting))
    worker.join()
    assert not failures, failures
    torn = [(names, waiting) for names, waiting in observed if len(names) != 1]
    assert not torn, f"{len(torn)} of {len(observed)} reads saw a page half applied"
    partial = [waiting for _, waiting in observed if waiting not in (0, 2 * ROWS)]
    assert not partial, f"reads saw {sorted(set(partial))} changes waiting mid-transaction"
    assert {row[0] for row in replica.conn.execute("SELECT name FROM equipment")} == {
        f"gen-{ROUNDS}"
    }


def test_each_thread_has_its_own_connection_and_close_closes_all(tmp_path: Path) -> None:
    replica = Replica.open(tmp_path)
    mine = replica.conn
    theirs: list[object] = []
    thread = threading.Thread(target=lambda: theirs.append(replica.conn))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine
    replica.close()
    for conn in (mine, theirs[0]):
        with pytest.raises(Exception, match="closed"):
            conn.execute("SELECT 1")  # type: ignore[attr-defined]
    errors: list[BaseException] = []

    def late_reader() -> None:
        try:
            replica.conn.execute("SELECT 1")
        except ReplicaOpenError as exc:
            errors.append(exc)

    late = threading.Thread(target=late_reader)
    late.start()
    late.join()
    assert len(errors) == 1 and "closed" in str(errors[0])


def test_an_empty_replica_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    """A file that lost its contents must not silently become a new, empty replica."""
    path = tmp_path / REPLICA_FILE
    path.write_bytes(b"")
    with pytest.raises(ReplicaOpenError, match="empty") as caught:
        Replica.open(tmp_path)
    assert "not synced" in str(caught.value)
    assert path.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == [REPLICA_FILE]


def test_a_new_replica_is_still_created_where_there_is_no_file(tmp_path: Path) -> None:
    with Replica.open(tmp_path / "fresh") as replica:
        assert replica.path.stat().st_size > 0


def test_the_replica_folder_and_files_are_owner_only(tmp_path: Path) -> None:
    """Building data on a shared laptop: another account may not read the replica."""
    home = tmp_path / "shared-laptop" / "arxos"
    with Replica.open(home) as replica:
        replica.conn.execute("SELECT 1").fetchone()
        assert home.stat().st_mode & 0o777 == 0o700
        for name in ("replica.sqlite3", "replica.sqlite3-wal", "replica.sqlite3-shm"):
            if (home / name).exists():
                assert (home / name).stat().st_mode & 0o777 == 0o600, name
    home.chmod(0o755)
    (home / "replica.sqlite3").chmod(0o644)
    Replica.open(home).close()  # an existing replica is narrowed when opened
    assert home.stat().st_mode & 0o777 == 0o700
    assert (home / "replica.sqlite3").stat().st_mode & 0o777 == 0o600
