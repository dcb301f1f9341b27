"""Replicas made by older versions upgrade in place; the DDL matches the schema."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from arxos_desktop.config import REPLICA_FILE
from arxos_desktop.store import Replica, ReplicaOpenError
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.migration_names import MIGRATION_NAMES, MIGRATION_SET
from arxos_desktop.store.migrations import known_migrations, migrations
from arxos_desktop.store.search import search
from sync.outbox import read_changes
from sync.schema import ENTITIES

FIXTURE = Path(__file__).parent / "fixtures" / "replica-v1.sqlite3"
BUILDING = "0193b6c0-0000-7000-8000-000000000001"


@pytest.fixture
def old_home(tmp_path: Path) -> Path:
    shutil.copyfile(FIXTURE, tmp_path / REPLICA_FILE)
    return tmp_path


def test_fixture_really_is_an_old_version() -> None:
    conn = sqlite3.connect(FIXTURE)
    applied = [m.name for m in migrations.applied(Database(conn, execute_plugins=False))]
    conn.close()
    assert applied == ["m001_core_tables"]
    assert applied != known_migrations()


def test_old_replica_upgrades_in_place_keeping_data_and_pending_changes(old_home: Path) -> None:
    with Replica.open(old_home) as rep:
        applied = [m.name for m in migrations.applied(Database(rep.conn, execute_plugins=False))]
        assert applied == known_migrations()
        boiler = find_by_tag(rep, BUILDING, "b-1")
        assert (boiler.name, boiler.status, boiler.properties) == (
            "Gas boiler",
            "needs_service",
            {"kw": 311},
        )
        assert rep.device_id == "fixturedevice01"
        pending = read_changes(rep.conn)
        assert [(c.entity, c.fields) for c in pending] == [
            ("equipment", {"status": "needs_service"})
        ]
        # Rows that existed before the search index are found by it.
        assert {h.title for h in search(rep, "boiler")} >= {"B-1"}
        assert [h.kind for h in search(rep, "lockout")] == ["note"]
        assert [h.title for h in search(rep, "descale")] == ["Descale heat exchanger"]
        # And the upgraded replica takes new edits with their base revision.
        update_equipment(rep, boiler.id, {"status": "operational"})
        assert read_changes(rep.conn)[-1].base_rev == 3


def test_upgrade_twice_is_a_no_op(old_home: Path) -> None:
    def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        conn = sqlite3.connect(old_home / REPLICA_FILE)
        try:
            applied = conn.execute("SELECT * FROM _sqlite_migrations ORDER BY id").fetchall()
            rows = conn.execute("SELECT * FROM equipment").fetchall()
        finally:
            conn.close()
        return applied, rows

    Replica.open(old_home).close()
    first = snapshot()
    Replica.open(old_home).close()
    assert snapshot() == first
    assert [row[2] for row in first[0]] == known_migrations()


def test_replica_from_a_newer_version_is_refused_untouched(old_home: Path) -> None:
    conn = sqlite3.connect(old_home / REPLICA_FILE)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('arxos_replica', 'm999_future', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(ReplicaOpenError, match="newer version"):
        Replica.open(old_home)
    conn = sqlite3.connect(old_home / REPLICA_FILE)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 2
    conn.close()


def test_written_out_migration_names_are_the_registered_ones() -> None:
    assert list(MIGRATION_NAMES) == known_migrations()
    assert migrations.name == MIGRATION_SET


def test_replica_missing_a_middle_migration_gets_it(old_home: Path) -> None:
    """Only the count of known names decides "up to date", so a gap must still be filled."""
    Replica.open(old_home).close()
    conn = sqlite3.connect(old_home / REPLICA_FILE)
    conn.execute("DROP TABLE server_shadow")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_server_shadow'")
    conn.commit()
    conn.close()
    with Replica.open(old_home) as rep:
        applied = [m.name for m in migrations.applied(Database(rep.conn, execute_plugins=False))]
        assert sorted(applied) == sorted(known_migrations())
        assert rep.conn.execute("SELECT count(*) FROM server_shadow").fetchone()[0] == 0


def test_corrupt_replica_file_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / REPLICA_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(ReplicaOpenError, match="Cannot open the replica"):
        Replica.open(tmp_path)


def test_migrated_tables_match_the_schema(replica: Replica) -> None:
    for entity in ENTITIES:
        codec = codec_for(entity)
        columns = [r[1] for r in replica.conn.execute(f"PRAGMA table_info({codec.table})")]
        assert columns == list(codec.columns), entity
