"""The server database: engine, sessions, migrations.

SQLite serves a single machine: WAL lets pulls read while a push writes,
``busy_timeout`` makes a second writer wait instead of failing at once, and
foreign keys are switched on (SQLite leaves them off); the file and its folder
are its owner's only. PostgreSQL serves
several stateless API processes; ``pool_pre_ping`` survives a database restart.

Migrations run from code (no ``alembic.ini``) so ``arx serve`` and every API
process upgrade the schema on start; on PostgreSQL an advisory lock lets only
one process migrate while the others wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlmodel import Session

from sync import jsonfast
from sync.server.core.files import private_sqlite_file

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS: Final = 30_000
_MIGRATION_LOCK_KEY: Final = 0x4152584F4D  # "ARXOM": serialises concurrent upgrades


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # FULL, not WAL's usual NORMAL: a push is acknowledged once committed, and devices then
    # forget the change, so a commit must survive a power cut, not only a crash.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for *url*, tuned for its dialect (see the module docstring)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_sqlite_file(Path(parsed.database).expanduser())
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=jsonfast.dumps,
            json_deserializer=jsonfast.loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Every pushed change writes three JSON columns; the stdlib encoder was a fifth of a push.
    return create_engine(
        parsed,
        pool_pre_ping=True,
        json_serializer=jsonfast.dumps,
        json_deserializer=jsonfast.loads,
    )


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for work outside a request (CLI, background jobs); closed afterwards."""
    with Session(engine) as session:
        yield session


def alembic_config(url: str | None = None) -> Config:
    """Alembic settings built in code; *url* only for the ``alembic`` commands run by hand.

    To write a revision: ``command.revision(alembic_config(url), "message",
    autogenerate=True)`` against a database already at head.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_migrations(target: Engine | str) -> None:
    """Upgrade the database at *target* (an engine or a URL) to the newest schema."""
    engine = create_db_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if isinstance(target, str):
            engine.dispose()
