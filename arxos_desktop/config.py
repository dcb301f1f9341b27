"""Settings and per-user paths.

The replica lives in the per-user data folder so each person on a shared
laptop has their own buildings; ``ARXOS_HOME`` (or ``arx --home``) points
elsewhere for tests, scripts and a second profile.

The one setting is read with ``os.environ`` rather than pydantic-settings: every
`arx` read command opens the replica, and importing pydantic-settings (with
pydantic) would cost it about a third of its start-up. Names are matched without
regard to case, as pydantic-settings does by default, and any string is a path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "arxos-field"
REPLICA_FILE = "replica.sqlite3"
BLOBS_DIR = "blobs"
ENV_PREFIX = "ARXOS_"


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _env_value(environ: Mapping[str, str], name: str) -> str | None:
    """``environ[name]``, else the value of a variable spelled with other cases."""
    if name in environ:
        return environ[name]
    wanted = name.casefold()
    return next((v for k, v in environ.items() if k.casefold() == wanted), None)


@dataclass(frozen=True)
class Settings:
    """Values read from ``ARXOS_*`` environment variables."""

    home: Path = field(default_factory=_default_home)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings *environ* (default: this process's environment) gives, else defaults."""
        env = os.environ if environ is None else environ
        home = _env_value(env, f"{ENV_PREFIX}HOME")
        return cls() if home is None else cls(home=Path(home))


def resolve_home(override: Path | str | None = None) -> Path:
    """The data folder: an explicit override, else ``ARXOS_HOME``, else the per-user default."""
    if override is not None and str(override) != "":
        return Path(override).expanduser().resolve()
    return Settings.from_env().home.expanduser().resolve()
