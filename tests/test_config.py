"""Where the replica lives: ``--home``, else ``ARXOS_HOME``, else the per-user folder,
read exactly as the pydantic-settings class it replaced read it."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from arxos_desktop.config import APP_NAME, Settings, resolve_home


class _PydanticSettings(BaseSettings):
    """The reference: the settings class as pydantic-settings would read it."""

    model_config = SettingsConfigDict(env_prefix="ARXOS_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))


@pytest.fixture(autouse=True)
def _no_arxos_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("ARXOS_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"ARXOS_HOME": "/srv/arxos"},
        {"arxos_home": "/srv/lower"},
        {"Arxos_Home": "relative/dir"},
        {"ARXOS_HOME": "~/field"},
        {"ARXOS_HOME": ""},
        {"ARXOS_HOME": "/a b/ünïcode"},
        {"ARXOS_HOMEX": "/not/this", "XARXOS_HOME": "/nor/this"},
    ],
)
def test_settings_read_the_environment_as_pydantic_settings_did(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env().home == _PydanticSettings().home
    assert Settings.from_env(env).home == _PydanticSettings().home


def test_without_arxos_home_the_replica_is_in_the_per_user_folder() -> None:
    assert resolve_home() == Path(platformdirs.user_data_dir(APP_NAME)).resolve()


def test_home_override_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARXOS_HOME", str(tmp_path / "env"))
    assert resolve_home(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_home("") == tmp_path / "env"
    assert resolve_home(None) == tmp_path / "env"


def test_home_is_expanded_and_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARXOS_HOME", "~/field")
    assert resolve_home() == tmp_path / "field"
    monkeypatch.setenv("ARXOS_HOME", "rel")
    assert resolve_home() == tmp_path / "rel"
