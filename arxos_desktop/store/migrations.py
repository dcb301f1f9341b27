"""Versioned migrations of the local replica (sqlite-utils ``Migrations``).

Each migration is frozen once released: a replica made by any older version is
upgraded in place by applying the ones it lacks, in order, each in its own
transaction. The DDL is written out here rather than generated from
``sync.schema`` so that later schema changes cannot silently rewrite history;
``tests/test_migrations.py`` checks the result still matches the schema.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from sqlite_utils import Database, Migrations

from arxos_desktop.store.migration_names import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)

_REPLICATED = """
    id TEXT PRIMARY KEY NOT NULL,
    building_id TEXT,
    created_hlc TEXT NOT NULL DEFAULT '',
    updated_hlc TEXT NOT NULL DEFAULT '',
    deleted INTEGER NOT NULL DEFAULT 0,
    server_rev INTEGER NOT NULL DEFAULT 0"""

_CORE_TABLES = f"""
CREATE TABLE organizations ({_REPLICATED},
    name TEXT NOT NULL
);
CREATE TABLE buildings ({_REPLICATED},
    org_id TEXT REFERENCES organizations(id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    meta TEXT NOT NULL DEFAULT '{{}}'
);
CREATE TABLE floors ({_REPLICATED},
    level INTEGER NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX floors_building ON floors(building_id);
CREATE TABLE rooms ({_REPLICATED},
    floor_id TEXT NOT NULL REFERENCES floors(id),
    number TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    area_m2 REAL,
    outline TEXT NOT NULL DEFAULT '{{}}'
);
CREATE INDEX rooms_building ON rooms(building_id);
CREATE INDEX rooms_floor ON rooms(floor_id);
CREATE TABLE equipment ({_REPLICATED},
    tag TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    system TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT '',
    manufacturer TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    floor_id TEXT REFERENCES floors(id),
    room_id TEXT REFERENCES rooms(id),
    install_date TEXT,
    properties TEXT NOT NULL DEFAULT '{{}}',
    position TEXT NOT NULL DEFAULT '{{}}'
);
CREATE INDEX equipment_building_tag ON equipment(building_id, tag COLLATE NOCASE);
CREATE INDEX equipment_floor ON equipment(floor_id);
CREATE INDEX equipment_room ON equipment(room_id);
CREATE TABLE connections ({_REPLICATED},
    source_id TEXT NOT NULL REFERENCES equipment(id),
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX connections_source ON connections(source_id);
CREATE INDEX connections_target ON connections(target_id);
CREATE TABLE documents ({_REPLICATED},
    discipline TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    page_count INTEGER NOT NULL DEFAULT 0,
    floor_id TEXT REFERENCES floors(id)
);
CREATE INDEX documents_building ON documents(building_id);
CREATE TABLE annotations ({_REPLICATED},
    document_id TEXT NOT NULL REFERENCES documents(id),
    page INTEGER NOT NULL,
    kind TEXT NOT NULL,
    geometry TEXT NOT NULL DEFAULT '{{}}',
    style TEXT NOT NULL DEFAULT '{{}}',
    text TEXT NOT NULL DEFAULT '',
    equipment_id TEXT REFERENCES equipment(id)
);
CREATE INDEX annotations_document ON annotations(document_id, page);
CREATE TABLE work_orders ({_REPLICATED},
    equipment_id TEXT REFERENCES equipment(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT NOT NULL DEFAULT '',
    due TEXT
);
CREATE INDEX work_orders_building ON work_orders(building_id, status);
CREATE INDEX work_orders_equipment ON work_orders(equipment_id);
CREATE TABLE notes ({_REPLICATED},
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    audio_sha256 TEXT
);
CREATE INDEX notes_target ON notes(target_id);
CREATE TABLE attachments ({_REPLICATED},
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attachments_target ON attachments(target_id);

-- Local edits waiting to be pushed, in the order they were made.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    building_id TEXT,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    fields TEXT NOT NULL,
    base_rev INTEGER NOT NULL,
    hlc TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_entity ON outbox(entity_id);

-- Replica-wide settings: device id, last clock stamp.
CREATE TABLE replica_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
"""

#: Columns each searchable table contributes to its full-text index.
SEARCH_COLUMNS: Final = {
    "equipment": ["tag", "name", "type", "manufacturer", "model", "serial"],
    "rooms": ["number", "name"],
    "notes": ["text"],
    "work_orders": ["title", "description", "assignee"],
}


def run_script(db: Database, script: str) -> None:
    """Run SQL statements one by one inside the migration's transaction.

    ``executescript`` would commit first, breaking the all-or-nothing upgrade.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:60]!r}")


@migrations(name="m001_core_tables")
def m001_core_tables(db: Database) -> None:
    """Replicated entities, the outbox and replica settings."""
    run_script(db, _CORE_TABLES)


@migrations(name="m002_search_index")
def m002_search_index(db: Database) -> None:
    """FTS5 over equipment, rooms, notes and work orders, kept current by triggers.

    Rows already in an older replica are indexed as the index is created.
    """
    for table, columns in SEARCH_COLUMNS.items():
        db.table(table).enable_fts(
            columns, create_triggers=True, tokenize="unicode61 remove_diacritics 2"
        )
        db.table(table).populate_fts(columns)


@migrations(name="m003_equipment_tag_index")
def m003_equipment_tag_index(db: Database) -> None:
    """Exact-tag lookups without a building (search across buildings) use an index."""
    db.conn.execute("CREATE INDEX equipment_tag ON equipment(tag COLLATE NOCASE)")


_SYNC_STATE = """
-- Values that lost a concurrent edit on the server, pulled so the user can review them.
CREATE TABLE conflicts (
    id TEXT PRIMARY KEY NOT NULL,
    building_id TEXT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    winner_value TEXT,
    loser_value TEXT,
    winner_hlc TEXT NOT NULL,
    loser_hlc TEXT NOT NULL,
    winner_device TEXT NOT NULL,
    loser_device TEXT NOT NULL,
    seq INTEGER NOT NULL,
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE INDEX conflicts_open ON conflicts(resolution, seq);
CREATE INDEX outbox_state ON outbox(state, seq);
"""


@migrations(name="m004_sync_state")
def m004_sync_state(db: Database) -> None:
    """Pulled conflict records; an index to read pending changes in order."""
    run_script(db, _SYNC_STATE)


_SERVER_SHADOW = """
-- The server's last known state of each row that has local changes in the outbox, so
-- a change can be discarded offline and the row put back as the server has it.
CREATE TABLE server_shadow (
    entity_id TEXT PRIMARY KEY NOT NULL,
    entity TEXT NOT NULL,
    fields TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    server_rev INTEGER NOT NULL,
    hlc TEXT NOT NULL
);
"""


@migrations(name="m005_server_shadow")
def m005_server_shadow(db: Database) -> None:
    """The server's version of locally edited rows (for discarding a change)."""
    run_script(db, _SERVER_SHADOW)


_CONFLICT_RESOLUTIONS = """
-- Who closed a conflict, from which device and when (ISO 8601 UTC), as the server recorded it.
ALTER TABLE conflicts ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE conflicts ADD COLUMN resolved_device TEXT NOT NULL DEFAULT '';
ALTER TABLE conflicts ADD COLUMN resolved_at TEXT NOT NULL DEFAULT '';
-- Conflicts closed here (kept or restored) whose resolution the server has not taken yet.
CREATE TABLE resolution_outbox (
    conflict_id TEXT PRIMARY KEY NOT NULL,
    resolution TEXT NOT NULL
);
"""


@migrations(name="m006_conflict_resolutions")
def m006_conflict_resolutions(db: Database) -> None:
    """Conflict resolutions queued for the server and pulled back from it."""
    run_script(db, _CONFLICT_RESOLUTIONS)


_ACCESS = """
-- What this device trusts to check access passes offline, replaced whole at every sync.
CREATE TABLE access_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE access_revoked (token_id TEXT PRIMARY KEY NOT NULL);
CREATE TABLE access_buildings (
    building_id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL
);
-- Every pass this device checked, accepted or refused: append-only and hash-chained.
CREATE TABLE access_audit (
    seq INTEGER PRIMARY KEY NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TRIGGER access_audit_no_update BEFORE UPDATE ON access_audit
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_audit_no_delete BEFORE DELETE ON access_audit
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
"""


@migrations(name="m007_access")
def m007_access(db: Database) -> None:
    """Access-pass trust (keys, withdrawn passes, building owners) and the device's access log."""
    run_script(db, _ACCESS)


_ANNOTATION_REVIEW = """
-- Each page's size, so a markup is checked to lie on its page without opening the file.
ALTER TABLE documents ADD COLUMN page_sizes TEXT NOT NULL DEFAULT '{}';
-- Who made a markup and when, where its review stands, and the PDF annotation it came from.
ALTER TABLE annotations ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE annotations ADD COLUMN authored_at TEXT;
ALTER TABLE annotations ADD COLUMN review_status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE annotations ADD COLUMN pdf_name TEXT NOT NULL DEFAULT '';
CREATE INDEX annotations_pdf_name ON annotations(document_id, pdf_name);
"""


@migrations(name="m008_annotation_review")
def m008_annotation_review(db: Database) -> None:
    """Markup authors, dates and review status; page sizes of documents."""
    run_script(db, _ANNOTATION_REVIEW)


def pending_migrations(db: Database) -> list[str]:
    """Names of migrations this replica still lacks."""
    return [m.name for m in migrations.pending(db)]


def apply_migrations(db: Database, *, stop_before: str | None = None) -> list[str]:
    """Bring the replica up to date; returns the names of the migrations applied."""
    todo = pending_migrations(db)
    migrations.apply(db, stop_before=stop_before)
    if stop_before is not None and stop_before in todo:
        todo = todo[: todo.index(stop_before)]
    return todo


def known_migrations() -> list[str]:
    """Every migration this version of the app knows, oldest first."""
    return [m.name for m in migrations._migrations]
