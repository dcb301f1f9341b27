"""Letting go of rows a user may no longer see, after their access to a building changed.

Every pull tells the device the scope tag of each building its user was granted
(``docs/sync-protocol.md``, "Access changes"). When a tag changes, the sync loop
re-pulls that building whole and hands over the ids it received; the building's
rows that were not among them have left the user's view and leave the replica.
When a building leaves the list (the grant was revoked), all of it goes.

These are removals decided by the server, like pulled rows are its writes: they
run in the replica's remote transaction and create no outbox entries; the
full-text index follows through its delete triggers. A row with a change still
waiting to be pushed is kept: the user's edit must reach the server and be
answered (a rejection stays in the outbox with its reason) before the row goes.
Files cited only by rows that left are deleted from the device's file store too.
"""

from __future__ import annotations

import json
import sqlite3

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.engine import get_meta, set_meta
from arxos_desktop.store.replica import Replica
from sync.outbox import ChangeState
from sync.schema import BLOB_FIELDS, BUILDING_SCOPED

_TAGS_KEY = "sync_scope_tags"
#: The tag of a building held under an access not checked yet: it never equals a real one.
UNCHECKED = ""
_PENDING = ChangeState.PENDING.value


def scope_tags(conn: sqlite3.Connection) -> dict[str, str]:
    """Building id → the scope tag its rows were last reconciled under.

    A replica that never stored any (a new one, or one made before scope tags)
    counts every building it holds as unchecked, so each is checked once and a
    building whose grant ended before the upgrade is still let go.
    """
    raw = get_meta(conn, _TAGS_KEY)
    if raw is not None:
        return {str(building): str(tag) for building, tag in json.loads(raw).items()}
    return {str(building): UNCHECKED for (building,) in conn.execute("SELECT id FROM buildings")}


def finish_rescope(replica: Replica, building_id: str, seen: set[str], tag: str | None) -> int:
    """Remove the building's rows not in *seen*, then remember *tag*; rows removed.

    *seen* holds the ids of a complete pull of the building under *tag*; *tag* None
    means the building is no longer granted. Removal and the new tag commit
    together, so an interruption leaves the old tag and the next sync does it
    again. If rows were kept for their pending changes the building stays
    unchecked, so it is looked at again once those changes have been answered.
    """
    conn = replica.conn
    leaving_files: set[str] = set()
    with replica.remote_transaction():
        waiting = _pending_ids(conn, building_id) - seen
        removed = 0
        if _held(conn, building_id) != len(seen):
            _fill_keep(conn, seen)
            owners = _owners_leaving(conn, building_id)
            leaving_files = _files_of_unkept(conn, building_id)
            removed = _remove_unkept(conn, building_id)
            removed += _remove_orphaned_orgs(conn, owners)
            conn.execute("DELETE FROM temp.rescope_keep")
        tags = scope_tags(conn)
        if waiting:
            tags[building_id] = UNCHECKED
        elif tag is None:
            tags.pop(building_id, None)
        else:
            tags[building_id] = tag
        set_meta(conn, _TAGS_KEY, json.dumps(tags, sort_keys=True))
    if leaving_files:
        discard_unreferenced_files(replica, leaving_files)
    return removed


#: How long a stored file is safe from removal after it was last written (BlobStore.discard).
FILE_GRACE_SECONDS = 120.0


def _files_of_unkept(conn: sqlite3.Connection, building_id: str) -> set[str]:
    """Files cited by the building's rows that are about to leave the replica."""
    shas: set[str] = set()
    for entity, fields in BLOB_FIELDS.items():
        table = codec_for(entity).table
        for name in fields:
            rows = conn.execute(
                f"SELECT DISTINCT {name} FROM {table} WHERE building_id = ? AND {name} IS NOT NULL"
                " AND id NOT IN (SELECT id FROM temp.rescope_keep)",
                (building_id,),
            )
            shas.update(row[0] for row in rows if row[0])
    return shas


def discard_unreferenced_files(replica: Replica, candidates: set[str]) -> int:
    """Delete the local copies of *candidates* that nothing on the device cites any more.

    Cited means by any row still held (of any building, deleted or not: a rejected
    delete brings its row back) or by a change in the outbox (an unsent attachment
    may share the file). Files stored very recently are kept (FILE_GRACE_SECONDS).
    Returns how many files were deleted.
    """
    # Inside a write transaction: no edit can cite one of them between check and delete.
    with replica.remote_transaction(durable=False) as conn:
        cited = _cited(conn, sorted(candidates))
        return sum(
            replica.blobs.discard(sha, untouched_for=FILE_GRACE_SECONDS)
            for sha in sorted(candidates - cited)
        )


def _cited(conn: sqlite3.Connection, shas: list[str]) -> set[str]:
    cited: set[str] = set()
    for start in range(0, len(shas), 500):
        chunk = shas[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for entity, fields in BLOB_FIELDS.items():
            table = codec_for(entity).table
            for name in fields:
                rows = conn.execute(f"SELECT {name} FROM {table} WHERE {name} IN ({marks})", chunk)
                cited.update(row[0] for row in rows)
    for sha in set(shas) - cited:
        if conn.execute("SELECT 1 FROM outbox WHERE instr(fields, ?) > 0", (sha,)).fetchone():
            cited.add(sha)
    return cited


def _held(conn: sqlite3.Connection, building_id: str) -> int:
    """How many rows of the building the replica holds.

    Every id in *seen* was just applied, so the replica holds at least those; holding
    exactly as many means nothing else is there, and a new device's first sync (a
    snapshot of the whole building) skips copying its ids into the keep table.
    """
    return sum(
        conn.execute(
            f"SELECT count(*) FROM {codec_for(entity).table} WHERE building_id = ?", (building_id,)
        ).fetchone()[0]
        for entity in BUILDING_SCOPED
    )


def _pending_ids(conn: sqlite3.Connection, building_id: str) -> set[str]:
    rows = conn.execute(
        "SELECT DISTINCT entity_id FROM outbox WHERE state = ? AND building_id = ?",
        (_PENDING, building_id),
    )
    return {row[0] for row in rows}


def _fill_keep(conn: sqlite3.Connection, seen: set[str]) -> None:
    """The ids to keep, in a temporary table: the pulled ones and any with a pending change.

    A table, not an ``IN (...)`` list: a building can hold far more rows than
    SQLite allows parameters in one statement.
    """
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rescope_keep (id TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp.rescope_keep")
    conn.executemany("INSERT OR IGNORE INTO temp.rescope_keep VALUES (?)", ((i,) for i in seen))
    conn.execute(
        "INSERT OR IGNORE INTO temp.rescope_keep SELECT entity_id FROM outbox WHERE state = ?",
        (_PENDING,),
    )


def _owners_leaving(conn: sqlite3.Connection, building_id: str) -> set[str]:
    """Organisations of the building, if the building itself is about to go."""
    rows = conn.execute(
        "SELECT org_id FROM buildings WHERE id = ? AND org_id IS NOT NULL"
        " AND id NOT IN (SELECT id FROM temp.rescope_keep)",
        (building_id,),
    )
    return {row[0] for row in rows}


def _remove_unkept(conn: sqlite3.Connection, building_id: str) -> int:
    removed = 0
    for entity in sorted(BUILDING_SCOPED):
        table = codec_for(entity).table
        done = conn.execute(
            f"DELETE FROM {table} WHERE building_id = ?"
            " AND id NOT IN (SELECT id FROM temp.rescope_keep)",
            (building_id,),
        )
        removed += done.rowcount
    # Conflict records about rows that left: nothing to review there any more.
    conn.execute(
        "DELETE FROM conflicts WHERE building_id = ?"
        " AND entity_id NOT IN (SELECT id FROM temp.rescope_keep)",
        (building_id,),
    )
    return removed


def _remove_orphaned_orgs(conn: sqlite3.Connection, owners: set[str]) -> int:
    """An organisation is shown only with one of its buildings: it goes with the last one."""
    removed = 0
    for org_id in sorted(owners):
        done = conn.execute(
            "DELETE FROM organizations WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM buildings WHERE org_id = ?)"
            " AND id NOT IN (SELECT id FROM temp.rescope_keep)",
            (org_id, org_id),
        )
        removed += done.rowcount
    return removed
