"""The sync service's settings, read once from the environment (no ``.env`` file needed).

Everything has a working default for a single-machine server: an SQLite file
and blobs in the data folder (``ARXOS_SERVER_HOME``, else the per-user data
folder), and a signing key generated on first start and kept there, so a
restart does not sign everybody out. Other settings use the ``ARXOS_SERVER_``
prefix (``ARXOS_SERVER_ACCESS_TOKEN_MINUTES=5``); two use the names operators
expect: ``DATABASE_URL`` and ``ARXOS_SECRET_KEY``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Annotated, Any, Final

import platformdirs
from limits import parse_many
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from sync.protocol import MAX_PULL_PAGE, MAX_PUSH_BATCH
from sync.server.core.files import private_dir

APP_NAME: Final = "arxos-sync-server"
SECRET_KEY_FILE: Final = "secret_key"
SIGNING_KEY_SECRET_FILE: Final = "signing_key_secret"
#: HS256 keys shorter than the hash output weaken the signature (and PyJWT warns).
MIN_SECRET_KEY_LENGTH: Final = 32


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def load_or_create_secret_key(home: Path, name: str = SECRET_KEY_FILE) -> str:
    """The key in ``home/<name>``, created (readable by its owner only) if missing.

    ``O_EXCL`` makes two processes starting together agree: the loser of the race
    reads the winner's key instead of overwriting it.
    """
    path = home / name
    if not path.exists():
        private_dir(home)
        with contextlib.suppress(FileExistsError):  # another process won the race
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(f"{path} holds a key shorter than {MIN_SECRET_KEY_LENGTH} characters")
    return key


def _sqlite_url(data: dict[str, Any]) -> str:
    return f"sqlite:///{Path(data['home']) / 'server.sqlite3'}"


def _secret_key(data: dict[str, Any]) -> SecretStr:
    return SecretStr(load_or_create_secret_key(Path(data["home"])))


def _signing_key_secret(data: dict[str, Any]) -> SecretStr:
    return SecretStr(load_or_create_secret_key(Path(data["home"]), SIGNING_KEY_SECRET_FILE))


def _blob_dir(data: dict[str, Any]) -> Path:
    return Path(data["home"]) / "blobs"


class ServerSettings(BaseSettings):
    """Settings of one API process; every process behind a load balancer needs the same."""

    model_config = SettingsConfigDict(
        env_prefix="ARXOS_SERVER_", extra="ignore", populate_by_name=True
    )

    #: Data folder for the default database, blobs and the generated key (``ARXOS_SERVER_HOME``).
    home: Path = Field(default_factory=default_home)
    #: SQLAlchemy URL: ``sqlite:///path`` or ``postgresql+psycopg://user:pw@host/db``.
    database_url: str = Field(
        default_factory=_sqlite_url,
        validation_alias=AliasChoices("DATABASE_URL", "ARXOS_SERVER_DATABASE_URL"),
        min_length=1,
    )
    #: Signs access tokens; several API processes must share it (``ARXOS_SECRET_KEY``).
    secret_key: SecretStr = Field(
        default_factory=_secret_key,
        validation_alias=AliasChoices("ARXOS_SECRET_KEY"),
        min_length=MIN_SECRET_KEY_LENGTH,
    )
    #: Encrypts the organisations' pass-signing keys in the database, so a copy of the
    #: database alone cannot sign passes (``ARXOS_SERVER_SIGNING_KEY_SECRET``); generated
    #: into the data folder when unset. Every API process needs the same.
    signing_key_secret: SecretStr = Field(
        default_factory=_signing_key_secret, min_length=MIN_SECRET_KEY_LENGTH
    )
    #: Longest validity of an access pass the service signs.
    access_pass_max_hours: float = Field(default=24 * 30, gt=0)
    #: Biggest body of an access-pass request (issue, revoke, rotate).
    access_body_max_bytes: int = Field(default=8 * 1024, ge=1024)
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=366)
    #: Most changes accepted in one push; never above the protocol's cap.
    push_batch_max: int = Field(default=MAX_PUSH_BATCH, ge=1)
    pull_page_max: int = Field(default=MAX_PULL_PAGE, ge=1)
    blob_dir: Path = Field(default_factory=_blob_dir)
    blob_max_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    #: An unfinished upload nobody resumed for this long is deleted (its device gave up, or
    #: it belonged to a removed user); a device that comes back later starts that file over.
    blob_partial_max_age_hours: float = Field(default=72, gt=0)
    #: How often the running service looks for such uploads (it also does at start-up).
    blob_prune_interval_minutes: float = Field(default=60, gt=0)
    #: How often the running service removes the accounts of passes that ended (it also
    #: does at start-up; ``arx server passes prune`` does on demand), and how many at most
    #: each time, so a backlog is worked off in short transactions.
    holder_sweep_interval_minutes: float = Field(default=10, gt=0)
    holder_sweep_batch: int = Field(default=500, ge=1, le=10_000)
    #: Server-wide switch: may members (not only superusers) create buildings by pushing them?
    orgs_allow_member_buildings: bool = True
    #: Biggest request body of an ordinary JSON route; a bigger one is answered 413 unread.
    body_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    #: Biggest body of sign-in, refresh and sign-out (an email, a password, a token).
    auth_body_max_bytes: int = Field(default=8 * 1024, ge=1024)
    #: Biggest push body: a full batch of changes with large notes and properties fits.
    push_body_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    #: Sign-in attempts per account and per client address (``limits`` notation: "10/minute",
    #: several joined by ";"); past either, sign-in answers 429 with ``Retry-After``.
    login_limit_per_account: str = "10/5minutes"
    login_limit_per_address: str = "30/minute"
    #: Where attempts are counted (``limits`` storage URI): ``memory://`` counts per process;
    #: API processes behind a load balancer share ``redis://host:6379`` to count together.
    login_limit_storage: str = "memory://"
    #: Password checks running at once (each Argon2 check holds 64 MiB); the rest queue.
    password_hash_concurrency: int = Field(default=2, ge=1)
    #: Seconds a sign-in waits for a password-check slot before answering 429.
    password_hash_wait_seconds: float = Field(default=10.0, gt=0)
    #: Unfinished uploads one user may hold, and their bytes together (the new upload's
    #: announced length included).
    blob_partial_max_count: int = Field(default=4, ge=1)
    blob_partial_quota_bytes: int = Field(default=1024 * 1024 * 1024, ge=1)
    #: Bearer token a Prometheus scraper sends to ``/metrics``; unset, ``/metrics`` is off.
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    #: Seconds after a refresh in which the spent refresh token, presented again (its
    #: answer was lost on the way), gets the same successor instead of a sign-out.
    refresh_grace_seconds: float = Field(default=60.0, ge=0)
    #: Browser origins allowed to call the API; comma-separated or a JSON list.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("home", "blob_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("login_limit_per_account", "login_limit_per_address")
    @classmethod
    def _parse_limit(cls, value: str) -> str:
        parse_many(value)  # raises ValueError on notation it cannot read
        return value

    @field_validator("push_batch_max")
    @classmethod
    def _cap_push_batch(cls, value: int) -> int:
        return min(value, MAX_PUSH_BATCH)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value
