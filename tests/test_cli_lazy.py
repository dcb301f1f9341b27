"""`arx` builds only the command that runs, from a table in ``arxos_desktop.cli.main``;
these tests keep that table and the command modules in step."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

import arxos_desktop.admin
import arxos_desktop.cli
from arxos_desktop.cli.lazy import Lazy, LazyGroup
from arxos_desktop.cli.main import COMMANDS, app


def _typer_apps() -> dict[tuple[str, str], typer.Typer]:
    """Every module-level Typer app of the CLI and the server administration."""
    found = {}
    for package in (arxos_desktop.cli, arxos_desktop.admin):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            if info.name.endswith(".__main__"):
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if isinstance(value, typer.Typer) and value is not app:
                    found[(info.name, name)] = value
    return found


def _nested(apps: list[typer.Typer]) -> list[typer.Typer]:
    """The apps mounted inside *apps* (``arx server user …``), at any depth."""
    inner = [group.typer_instance for a in apps for group in a.registered_groups]
    return [i for i in inner if i is not None] + (_nested(inner) if inner else [])


def test_every_typer_app_is_mounted() -> None:
    apps = _typer_apps()
    mounted = {(lazy.module, lazy.attribute) for lazy in COMMANDS.values()}
    reached = [apps[key] for key in mounted if key in apps]
    reached += _nested(reached)
    assert [key for key, found in apps.items() if not any(found is r for r in reached)] == []


def test_every_command_of_a_picked_app_is_in_the_table() -> None:
    picked = {(lazy.module, lazy.attribute) for lazy in COMMANDS.values() if lazy.pick}
    for module, attribute in picked:
        holder = Lazy(module, attribute).build("whole")
        assert set(holder.commands) == {
            name
            for name, lazy in COMMANDS.items()
            if (lazy.module, lazy.attribute) == (module, attribute)
        }


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_table_entry_builds_the_command_it_names_with_its_help_line(name: str) -> None:
    command = COMMANDS[name].build(name)
    assert command.name == name
    own = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
    assert COMMANDS[name].help == own != ""


def test_root_help_from_the_table_is_the_help_of_the_real_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from arxos_desktop.cli.main import run

    assert run(["--home", str(tmp_path), "--help"]) == 0
    from_table = capsys.readouterr().out
    monkeypatch.setattr(LazyGroup, "format_help", TyperGroup.format_help)
    assert run(["--home", str(tmp_path), "--help"]) == 0
    assert capsys.readouterr().out == from_table


def test_root_help_imports_no_command_module(tmp_path: Path) -> None:
    probe = (
        "import json, sys\n"
        "from arxos_desktop.cli.main import run\n"
        "code = run(sys.argv[1:])\n"
        "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "--home", str(tmp_path), "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert code == 0
    assert "outbox" in done.stdout
    assert sorted({lazy.module for lazy in COMMANDS.values()} & set(modules)) == []


def test_root_help_lists_the_table_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from arxos_desktop.cli.main import run

    assert run(["--home", str(tmp_path), "--help"]) == 0
    shown = capsys.readouterr().out
    rows = [line.split()[1] for line in shown.splitlines() if line.startswith("│ ")]
    listed = [row for row in rows if row in COMMANDS]
    assert listed == list(COMMANDS)


def test_a_lazy_group_builds_a_command_once_and_tells_every_listener() -> None:
    show = {"show": Lazy("arxos_desktop.cli.equipment", "equipment_app", pick="show")}

    class Group(LazyGroup):
        table = show

    group = Group(name="g")
    seen: list[object] = []
    first = group.commands["show"]
    group.on_load(seen.append)
    assert group.commands["show"] is first
    assert seen == [first]
    assert group.get_command(None, "nothing") is None  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        group.commands["other"] = first
