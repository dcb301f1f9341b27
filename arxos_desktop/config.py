"""Settings and per-user paths.

The replica lives in the per-user data folder so each person on a shared
laptop has their own buildings; ``ARXOS_HOME`` (or ``arx --home``) points
elsewhere for tests, scripts and a second profile.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "arxos-field"
REPLICA_FILE = "replica.sqlite3"
BLOBS_DIR = "blobs"


class Settings(BaseSettings):
    """Values read from ``ARXOS_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="ARXOS_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))


def resolve_home(override: Path | str | None = None) -> Path:
    """The data folder: an explicit override, else ``ARXOS_HOME``, else the per-user default."""
    if override is not None and str(override) != "":
        return Path(override).expanduser().resolve()
    return Settings().home.expanduser().resolve()
