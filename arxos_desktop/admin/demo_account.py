"""The local demo server's one account: where its password lives, and reading it back.

The password is random, made on the first run and kept in the demo server's own
data folder, readable by its owner only: the app (same user) reads it to sign in
without asking anyone, while other local users can neither read it nor the
database next to it. No server import here, so the app reads the file without
loading the sync service.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from arxos_desktop.errors import ArxosError, ErrorKind

DEMO_EMAIL: Final = "demo@arxos.local"
DEMO_NAME: Final = "Demo Technician"
DEMO_ORG: Final = "ArxOS Demo"
ACCOUNT_FILE: Final = "demo-account.json"
#: The demo server's folder under the app's home.
DEMO_SERVER_DIR: Final = "demo-server"


class DemoAccountError(ArxosError):
    """The demo account file is damaged; deleting the demo server folder starts afresh."""

    kind = ErrorKind.INVALID


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str


def private_folder(path: Path) -> Path:
    """*path*, created if missing, readable by its owner only (it holds a password)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def read_account(data_dir: Path) -> DemoAccount | None:
    """The stored demo account, ``None`` before the demo server first ran."""
    path = data_dir / ACCOUNT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), str) and data[key] for key in ("email", "password")
    ):
        raise DemoAccountError(
            f"The demo account file in {data_dir} is damaged; delete that folder to start afresh"
        )
    return DemoAccount(data["email"], data["password"])


def load_or_create_account(data_dir: Path) -> tuple[DemoAccount, bool]:
    """The demo account, made (random password, owner-only file) if missing; and if it is new.

    ``O_EXCL`` makes a second server starting at the same moment read the first
    one's password instead of writing its own.
    """
    private_folder(data_dir)
    existing = read_account(data_dir)
    if existing is not None:
        return existing, False
    account = DemoAccount(DEMO_EMAIL, secrets.token_urlsafe(18))
    try:
        fd = os.open(data_dir / ACCOUNT_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raced = read_account(data_dir)
        if raced is None:
            raise
        return raced, False
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump({"email": account.email, "password": account.password}, file)
        file.flush()
        os.fsync(file.fileno())
    return account, True
