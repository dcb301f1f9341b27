"""`arx voice`: transcribe a recording offline, and manage the speech models.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it). Vosk and the models are
imported inside the commands, so no other `arx` command pays for them. A recording
that is refused (not a WAV, cut short, a format we cannot read) gets one sentence and
an error exit; nothing is written by `transcribe`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import BuildingOpt, InputError, state

voice_app = typer.Typer(
    help="Transcribe recordings offline and manage speech models: transcribe, models, install.",
    no_args_is_help=True,
)


def _home() -> Path:
    from arxos_desktop.config import resolve_home

    return resolve_home(state.home)


def _phrases(raw: str | None, *, field: bool, building: str | None) -> list[str]:
    if raw is not None:
        phrases = [p.strip() for p in raw.split(",") if p.strip()]
        if not phrases:
            raise InputError("--phrases needs at least one phrase, separated by commas")
        return phrases
    if not field:
        return []
    from arxos_desktop.cli.args import open_replica
    from arxos_desktop.store.field_terms import field_terms
    from arxos_desktop.store.records import building_record
    from arxos_desktop.voice.vocabulary import field_phrases

    with open_replica() as replica:
        terms = field_terms(replica, building_record(replica, building).id)
    return field_phrases(terms.tags, terms.rooms)


@voice_app.command("transcribe")
def transcribe(
    file: Annotated[Path, typer.Argument(metavar="FILE.wav", help="A WAV recording.")],
    model: Annotated[
        str | None, typer.Option("--model", metavar="NAME", help="Model to use (see models).")
    ] = None,
    phrases: Annotated[
        str | None,
        typer.Option("--phrases", metavar="A,B,C", help="Hear only these phrases (grammar mode)."),
    ] = None,
    field: Annotated[
        bool,
        typer.Option("--field", help="Hear this building's tags, rooms and status words."),
    ] = False,
    building: BuildingOpt = None,
) -> None:
    """Transcribe a WAV recording offline; --json gives each word's start, end and confidence."""
    from arxos_desktop.voice.audio import chunks
    from arxos_desktop.voice.models import resolve_model
    from arxos_desktop.voice.recognizer import load_model
    from arxos_desktop.voice.recognizer import transcribe as run
    from arxos_desktop.voice.wav_source import read_wav

    recording = read_wav(file.expanduser())
    wanted = _phrases(phrases, field=field, building=building)
    info = resolve_model(_home(), model)
    transcript = run(load_model(info.path), chunks(recording.pcm), phrases=wanted)
    doc = {**transcript.as_json(), "model": info.name, "file": file.name}

    def render() -> None:
        out.show(transcript.text or "(no speech heard)")

    out.emit(doc, render)


@voice_app.command("models")
def models() -> None:
    """List the speech models on this device; the selected one is marked."""
    from arxos_desktop.voice.models import HOW_TO_GET_ONE, list_models

    found = list_models(_home())
    rows: list[dict[str, Any]] = [
        {"name": m.name, "origin": m.origin, "selected": m.selected, "path": str(m.path)}
        for m in found
    ]

    def render() -> None:
        if not rows:
            out.show(HOW_TO_GET_ONE)
            return
        grid = out.table("Model", "From", "Selected", "Folder")
        for row in rows:
            grid.add_row(row["name"], row["origin"], "yes" if row["selected"] else "", row["path"])
        out.show(grid)

    out.emit({"models": rows}, render)


@voice_app.command("install")
def install(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE", help="A model folder, a model zip, or a language to download."
        ),
    ],
    name: Annotated[str | None, typer.Option("--name", help="Install under this name.")] = None,
) -> None:
    """Install a speech model from a folder or zip, or download one (en-us) when online."""
    from arxos_desktop.voice import models as manager

    home, path = _home(), Path(source).expanduser()
    if path.is_dir():
        info = manager.install_folder(home, path, name=name)
    elif path.is_file():
        info = manager.install_zip(home, path, name=name)
    elif "/" in source or source.endswith(".zip"):
        raise InputError("There is no such folder or zip file")
    else:
        info = manager.install_download(home, source)
    doc = {"name": info.name, "origin": info.origin, "path": str(info.path)}
    out.emit(doc, lambda: out.show(f"Installed speech model {info.name}."))


@voice_app.command("select")
def select(
    name: Annotated[str, typer.Argument(help="A model name from `arx voice models`.")],
) -> None:
    """Use this model for dictation from now on."""
    from arxos_desktop.voice.models import select_model

    info = select_model(_home(), name)
    out.emit({"selected": info.name}, lambda: out.show(f"Dictation now uses {info.name}."))


@voice_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="An installed model's name.")]) -> None:
    """Delete an installed speech model."""
    from arxos_desktop.voice.models import remove_model

    remove_model(_home(), name)
    out.emit({"removed": name}, lambda: out.show(f"Removed speech model {name}."))
