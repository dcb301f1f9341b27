"""A sync service for one person's demo: `make run` starts it next to the app.

``python -m arxos_desktop.admin.demo_server --data DIR`` runs in a process of its
own (so the service's work never competes with the app's window for the GIL):
an SQLite database, blobs and signing key in *DIR* (owner-only), one demo
account allowed to create buildings (so the app's first sync can push the demo
building), listening on a free loopback port. It prints its URL on one line of
stdout once it answers, and exits when stdin closes (its parent quit or died)
or on SIGTERM/SIGINT. Errors are one sentence on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any

from arxos_desktop.admin.demo_account import (
    DEMO_NAME,
    DEMO_ORG,
    DemoAccount,
    load_or_create_account,
    private_folder,
)
from arxos_desktop.admin.extras import require_server
from arxos_desktop.errors import ArxosError, ErrorKind

HOST = "127.0.0.1"


class DemoServerError(ArxosError):
    """The demo server's database or account cannot be prepared."""

    kind = ErrorKind.DATABASE_UNAVAILABLE


def demo_settings(data_dir: Path) -> Any:
    """Everything under *data_dir*, whatever server variables the shell holds."""
    from sync.server.core.config import ServerSettings, load_or_create_secret_key

    return ServerSettings(
        home=data_dir,
        database_url=f"sqlite:///{data_dir / 'server.sqlite3'}",
        secret_key=load_or_create_secret_key(data_dir),
        blob_dir=data_dir / "blobs",
        orgs_allow_member_buildings=True,
    )


def prepare(data_dir: Path) -> tuple[Any, DemoAccount]:
    """Migrate the database and make sure the demo account can sign in and add buildings."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from sync.server.db import create_db_engine, run_migrations

    private_folder(data_dir)
    account, new = load_or_create_account(data_dir)
    settings = demo_settings(data_dir)
    try:
        engine = create_db_engine(settings.database_url)
        try:
            run_migrations(engine)
            with Session(engine) as session:
                _ensure_user(session, account, reset_password=new, settings=settings)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        why = f"Cannot prepare the demo server's database in {data_dir}: {exc}"
        raise DemoServerError(why) from None
    return settings, account


def _ensure_user(
    session: Any, account: DemoAccount, *, reset_password: bool, settings: Any
) -> None:
    """The demo account, made as `arx server user add EMAIL --org ORG` makes one.

    A member of an organisation whose members may create buildings: the same right
    any technician gets through the admin commands, not a superuser's.
    """
    from sync.server import crud
    from sync.server.core import security

    user = crud.get_user_by_email(session, account.email)
    if user is None:
        org = crud.get_or_create_org(session, DEMO_ORG)
        user = crud.create_user(
            session,
            email=account.email,
            password=account.password,
            full_name=DEMO_NAME,
            org_id=org.id,
        )
    elif reset_password:  # the account file was deleted: its new password is the one
        user.password_hash = security.hash_password(account.password)
        session.add(user)
        session.commit()
    allowed = settings.orgs_allow_member_buildings
    if not crud.can_create_buildings(session, user.id, server_allows=allowed):
        raise DemoServerError(
            f"The demo account {account.email} may not create buildings on this server"
        )


def _exit_when_stdin_closes(server: Any) -> None:
    """The parent holds our stdin: when it quits or dies, the pipe closes and we stop."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        server.should_exit = True


def _announce(server: Any, url: str) -> None:
    """Print the URL once the service answers (a client reading it can connect at once)."""
    while not server.started and not server.should_exit:
        time.sleep(0.02)
    if server.started:
        print(url, flush=True)


def run(data_dir: Path) -> None:
    import uvicorn

    from arxos_desktop.admin.serve import bind
    from sync.server.main import create_app

    settings, _ = prepare(data_dir)
    sock = bind(HOST, 0)
    try:
        url = f"http://{HOST}:{sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        for target in (_exit_when_stdin_closes, lambda s: _announce(s, url)):
            threading.Thread(target=target, args=(server,), daemon=True).start()
        server.run(sockets=[sock])  # handles SIGTERM and SIGINT: a clean shutdown
    finally:
        sock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m arxos_desktop.admin.demo_server",
        description="A local sync service with one demo account, for `make run`.",
    )
    parser.add_argument("--data", type=Path, required=True, help="its data folder (owner-only)")
    args = parser.parse_args(argv)
    try:
        require_server()
        run(args.data.expanduser().resolve())
    except ArxosError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
