"""This device's sign-in to a sync server: which server, who, and the token pair.

`arx login` stores it in ``<home>/credentials.json`` so `arx sync` (and later the
app's sync worker) can run unattended. The file sits next to the replica it
belongs to, because the server ties the refresh token to that replica's device
id. It is readable by its owner only, and it is replaced atomically: the refresh
token rotates on every refresh, so a torn write would lose the only valid token
and sign the device out. No Qt, no HTTP here; the CLI and the app decide when
to sign in and out.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Final

from arxos_desktop.errors import ArxosError, ErrorKind
from sync.durable import fsync_dir

CREDENTIALS_FILE: Final = "credentials.json"
_FIELDS: Final = ("server", "email", "access_token", "refresh_token")


class AccountError(ArxosError):
    """Base of the sign-in storage errors."""


class CredentialsCorruptError(AccountError):
    """``credentials.json`` exists but cannot be used; signing in again rewrites it."""

    kind = ErrorKind.SIGN_IN


class InvalidServerUrlError(AccountError):
    """The server address is not an http(s) URL."""

    kind = ErrorKind.INVALID


@dataclass(frozen=True)
class Credentials:
    """What a signed-in device needs to reach its server without asking anyone."""

    server: str
    email: str
    access_token: str
    refresh_token: str

    def with_tokens(self, access_token: str, refresh_token: str) -> Credentials:
        """The same sign-in after the server handed out a new token pair."""
        return replace(self, access_token=access_token, refresh_token=refresh_token)


def normalize_server_url(url: str) -> str:
    """``https://sync.example.com/`` → ``https://sync.example.com``; refuses anything else."""
    text = url.strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or " " in rest:
        raise InvalidServerUrlError(
            f"{url!r} is not a server address; give one like https://sync.example.com"
        )
    return f"{scheme.lower()}://{rest}"


def credentials_path(home: Path) -> Path:
    return home / CREDENTIALS_FILE


def load_credentials(home: Path) -> Credentials | None:
    """The stored sign-in, ``None`` if this device never signed in (or signed out)."""
    path = credentials_path(home)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CredentialsCorruptError(f"Cannot read {path} ({exc.strerror})") from exc
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in _FIELDS):
        raise CredentialsCorruptError(f"{path} is damaged; sign in again with arx login")
    if not data["server"] or not data["access_token"]:
        raise CredentialsCorruptError(f"{path} is incomplete; sign in again with arx login")
    return Credentials(**{k: data[k] for k in _FIELDS})


def save_credentials(home: Path, credentials: Credentials) -> Path:
    """Write the sign-in atomically, owner-only (0600), and durably; returns the path."""
    home.mkdir(parents=True, exist_ok=True)
    path = credentials_path(home)
    text = json.dumps(asdict(credentials), indent=2, sort_keys=True) + "\n"
    # mkstemp creates the file 0600 from the start: the tokens are never world-readable.
    fd, name = tempfile.mkstemp(dir=home, prefix=".credentials-", suffix=".tmp")
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temp.chmod(0o600)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(home)
    return path


def clear_credentials(home: Path) -> bool:
    """Forget the sign-in (damaged or not); False if there was none."""
    path = credentials_path(home)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(home)
    return True
