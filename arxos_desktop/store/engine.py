"""Opening the replica file: pragmas, migrations, and the settings table.

WAL keeps readers (the UI) unblocked by the writer (sync, imports) and makes a
commit durable without an fsync of the whole database; ``synchronous=FULL``
fsyncs the WAL at every commit, so an acknowledged edit survives a power cut.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from arxos_desktop.store.errors import ReplicaOpenError
from arxos_desktop.store.migration_names import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS_TABLE

BUSY_TIMEOUT_MS = 5000


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are always explicit (``BEGIN``)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def _refuse_empty(path: Path) -> None:
    """A replica file of 0 bytes lost its contents: opening it would start a new, empty one.

    SQLite treats an empty file as a new database, so an unsynced edit would vanish
    without a word. Only a write-ahead log with frames in it can still hold the data,
    and SQLite reads it back on open; without one the file is refused and left as is.
    """
    if not path.is_file() or path.stat().st_size > 0:
        return
    wal = path.with_name(path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        return
    raise ReplicaOpenError(
        f"The replica at {path} is empty (0 bytes): its contents were lost, and edits that"
        " were not synced yet are not in it. It was left untouched. Restore it from a backup,"
        " or move it away to start a new replica and sync again."
    )


def _applied_migrations(conn: sqlite3.Connection) -> set[str]:
    """Names of the migrations recorded in the replica (none in a new file)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if exists is None:
        return set()
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", (MIGRATION_SET,)
    )
    return {str(name) for (name,) in rows}


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the missing migrations; sqlite-utils is imported only here (it is slow to load)."""
    from sqlite_utils import Database

    from arxos_desktop.store.migrations import apply_migrations

    apply_migrations(Database(conn, execute_plugins=False))


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and upgrade the replica at *path*."""
    try:
        _refuse_empty(path)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = connect(path)
        _keep_private(path)
        applied = _applied_migrations(conn)
        unknown = sorted(applied - set(MIGRATION_NAMES))
        if unknown:
            conn.close()
            raise ReplicaOpenError(
                f"The replica at {path} was written by a newer version of ArxOS Field "
                f"(it has {', '.join(unknown)}). Update the app to open it."
            )
        if len(applied) < len(MIGRATION_NAMES):
            _migrate(conn)
        if conn.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
            raise ReplicaOpenError("SQLite refused to enforce foreign keys")
    except (sqlite3.DatabaseError, OSError) as exc:
        raise ReplicaOpenError(f"Cannot open the replica at {path}: {exc}") from exc
    return conn


def _keep_private(path: Path) -> None:
    """The replica holds building data: its folder and files are its owner's alone.

    The folder is what matters (nothing inside it can be reached without it); the
    files are narrowed too, in case the folder is shared by mistake.
    """
    path.parent.chmod(0o700)
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM replica_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO replica_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
