"""Many new rows into a full-text-indexed table, indexed in one statement.

The search index (``*_fts``, FTS5 over the table's text columns) is kept by
triggers, so every insert also runs an index insert of its own. For the
thousands of rows a pull brings (a first sync brings a whole building) those
per-row trigger runs cost three times the inserts themselves. So a big batch is
inserted with the insert trigger set aside and indexed afterwards with one
``INSERT ... SELECT``. It all happens in the caller's transaction, DDL
included, so a crash leaves either the old table, index and trigger, or the new
rows fully indexed: never rows the search cannot find.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Final

#: Below this many rows the trigger is cheaper than setting it aside.
BULK_THRESHOLD: Final = 64


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _insert_trigger(conn: sqlite3.Connection, table: str) -> tuple[str, str] | None:
    """The name and SQL of the trigger that indexes *table*'s inserts, if it has one."""
    row = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
        (f"{table}_ai",),
    ).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def _indexed_columns(conn: sqlite3.Connection, fts_table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({_quote(fts_table)})")]


def insert_indexed(
    conn: sqlite3.Connection, table: str, insert_sql: str, rows: Sequence[Sequence[Any]]
) -> None:
    """``executemany(insert_sql, rows)`` on *table*, keeping its search index exact.

    Must run inside a transaction (the replica's writer or remote transaction).
    """
    trigger = _insert_trigger(conn, table) if len(rows) >= BULK_THRESHOLD else None
    if trigger is None:
        conn.executemany(insert_sql, rows)
        return
    name, trigger_sql = trigger
    fts_table = f"{table}_fts"
    columns = ", ".join(_quote(c) for c in _indexed_columns(conn, fts_table))
    last = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {_quote(table)}").fetchone()[0]
    conn.execute(f"DROP TRIGGER {_quote(name)}")
    try:
        conn.executemany(insert_sql, rows)
        # New rows get rowids above every existing one (SQLite's max(rowid) + 1 rule).
        conn.execute(
            f"INSERT INTO {_quote(fts_table)} (rowid, {columns})"
            f" SELECT rowid, {columns} FROM {_quote(table)} WHERE rowid > ?",
            (last,),
        )
    finally:
        conn.execute(trigger_sql)
