"""A command group that imports a sub-command's module only when that command is used.

This is click's lazy-group recipe on Typer's group class: ``list_commands`` names
every command from a table, ``get_command`` imports the one asked for. So
``arx equipment show`` loads :mod:`arxos_desktop.cli.equipment` and nothing of
the server administration, the sync client or the other groups. ``arx --help``
lists every command with the help line the table gives it, importing none of
them (``tests/test_cli_lazy.py`` keeps those lines equal to the commands' own).

Each command is built exactly as ``Typer.add_typer`` / ``Typer.command`` would
build it on the root app, so help, options and exit codes are the same as when
everything was mounted up front.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command


@dataclass(frozen=True)
class Lazy:
    """Where a command lives: ``module.attribute``, a function or a Typer app.

    *pick* names one command of a Typer app whose commands are mounted one by one
    on the root (as ``arx init`` and ``arx demo`` are), rather than as a group.
    *help* is the first paragraph of the command's help: the line the group's help
    shows for it.
    """

    module: str
    attribute: str
    pick: str | None = None
    help: str = ""

    def build(self, name: str) -> Any:
        """The click command for *name*, made as the root app would make it."""
        target = getattr(import_module(self.module), self.attribute)
        holder = typer.Typer(add_completion=False)
        if not isinstance(target, typer.Typer):
            holder.command(name)(target)
            return get_command(holder)
        holder.add_typer(target, name=name)
        built = _subcommands(get_command(holder))[name]
        return built if self.pick is None else _subcommands(built)[self.pick]


def _subcommands(group: Any) -> Mapping[str, Any]:
    commands = getattr(group, "commands", None)
    if not isinstance(commands, Mapping):
        raise TypeError(f"{group!r} is not a command group")
    return commands


class _LazyCommands(MutableMapping[str, Any]):
    """Every command name of the table; a command is built the first time it is read."""

    def __init__(self, table: Mapping[str, Lazy], loaded: Callable[[Any], None]) -> None:
        self._table = table
        self._built: dict[str, Any] = {}
        self._loaded = loaded

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in self._table:
                raise KeyError(name)
            command = self._table[name].build(name)
            self._built[name] = command
            self._loaded(command)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        raise TypeError(f"{name!r}: commands of a lazy group are listed in its table")

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"{name!r}: commands of a lazy group are listed in its table")

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def built(self) -> list[Any]:
        """The commands built so far."""
        return list(self._built.values())

    def is_built(self, name: str) -> bool:
        return name in self._built


class LazyGroup(TyperGroup):
    """A Typer group whose commands come from :attr:`table`, imported on first use.

    Subclass it with a table and pass the subclass as ``typer.Typer(cls=...)``.
    Callables in :attr:`on_load` see every command once, right after it is built
    (and the commands built before they were added, when they are added).
    """

    table: ClassVar[Mapping[str, Lazy]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._lazy = _LazyCommands(self.table, self._built)
        self.commands = self._lazy
        self._on_load: list[Callable[[Any], None]] = []
        self._listing = False

    def on_load(self, callback: Callable[[Any], None]) -> None:
        """Call *callback* with each command: those already built now, the others when built."""
        self._on_load.append(callback)
        for command in self._lazy.built():
            callback(command)

    def _built(self, command: Any) -> None:
        for callback in self._on_load:
            callback(command)

    def list_commands(self, ctx: Any) -> list[str]:
        """The table's order, without building anything."""
        return list(self.table)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command *cmd_name*; while the help is written, a stand-in with its help line."""
        if self._listing and cmd_name in self.table and not self._lazy.is_built(cmd_name):
            return TyperCommand(cmd_name, help=self.table[cmd_name].help)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The help, listing commands from the table (their modules stay unimported)."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
