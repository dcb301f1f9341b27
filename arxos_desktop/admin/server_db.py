"""The server database as the admin commands open it: settings, engine, errors in words.

Every admin command works directly on the database named by ``DATABASE_URL``
(default: SQLite in ``ARXOS_SERVER_HOME`` or the service's per-user data folder),
upgrading its schema first, so it works before the service has ever started and
while it runs. The server package is imported inside the functions, so
``arx --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from arxos_desktop.cli.args import InputError
from arxos_desktop.errors import ArxosError, ErrorKind

DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        metavar="URL",
        help="Server database (default: $DATABASE_URL, else SQLite in the server data folder).",
    ),
]


class UnknownUserError(ArxosError):
    """No account has that email."""

    kind = ErrorKind.NOT_FOUND


class UnknownBuildingError(ArxosError):
    """The server holds no building with that id (nothing to grant)."""

    kind = ErrorKind.NOT_FOUND


class NoGrantError(ArxosError):
    """The user has no grant on that building (nothing to revoke)."""

    kind = ErrorKind.NOT_FOUND


class AccountExistsError(ArxosError):
    """An account with that email already exists."""

    kind = ErrorKind.CONFLICT


class ServerDatabaseError(ArxosError):
    """The server database cannot be opened or upgraded."""

    kind = ErrorKind.DATABASE_UNAVAILABLE


def server_settings(database_url: str | None) -> Any:
    from pydantic import ValidationError

    from sync.server.core.config import ServerSettings

    try:
        return ServerSettings(database_url=database_url) if database_url else ServerSettings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(f"Invalid server settings: {problems}") from None


def safe_url(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def server_engine(database_url: str | None) -> Iterator[tuple[Any, Any]]:
    """Settings and an engine on the server database, at the newest schema."""
    from sqlalchemy.exc import SQLAlchemyError

    from sync.server.db import create_db_engine, run_migrations

    settings = server_settings(database_url)
    try:
        engine = create_db_engine(settings.database_url)
        run_migrations(engine)
    except SQLAlchemyError as exc:
        where = safe_url(settings.database_url)
        raise ServerDatabaseError(f"Cannot open the server database {where}: {exc}") from None
    try:
        with _account_errors():
            yield settings, engine
    finally:
        engine.dispose()


@contextmanager
def _account_errors() -> Iterator[None]:
    """The server's account errors as the CLI's (each has its exit code)."""
    from sync.server import crud

    try:
        yield
    except crud.UnknownUserError as exc:
        raise UnknownUserError(str(exc)) from None
    except crud.EmailTakenError as exc:
        raise AccountExistsError(str(exc)) from None
    except crud.AccountError as exc:
        raise InputError(str(exc)) from None


@contextmanager
def server_db(database_url: str | None) -> Iterator[Any]:
    """A session on the server database, at the newest schema; account errors reworded."""
    from sqlmodel import Session

    with server_engine(database_url) as (_, engine), Session(engine) as session:
        yield session
