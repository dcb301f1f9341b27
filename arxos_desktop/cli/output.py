"""How `arx` shows things: Rich tables for people, one JSON document for scripts.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it). Nothing here touches the replica;
the commands fetch rows and hand them over. Only Rich is imported at module
level, so ``arx --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from arxos_desktop.cli.args import state

#: Fields that belong to sync, not to the building; left out of list output so two
#: replicas of the same building print the same thing.
SYNC_FIELDS = ("created_hlc", "updated_hlc", "deleted", "server_rev")

STATUS_STYLES = {
    "operational": "green",
    "needs_service": "yellow",
    "out_of_service": "red",
    "decommissioned": "dim",
    "open": "cyan",
    "in_progress": "blue",
    "on_hold": "yellow",
    "done": "green",
    "cancelled": "dim",
}
PRIORITY_STYLES = {"low": "dim", "normal": "", "high": "yellow", "urgent": "bold red"}
TIPS = (
    ("arx equipment list --system hvac", "equipment of one system"),
    ("arx equipment show AHU-1", "one item, its connections and notes"),
    ('arx search "chiller"', "tags, rooms, work orders and notes"),
    ("arx workorder list --status open", "what needs doing"),
    ("arx outbox", "local changes waiting to sync"),
)
OP_STYLES = {"insert": "green", "update": "yellow", "delete": "red"}


def _make_console(*, stderr: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Pipes and files: wide enough that tables don't fold every cell.
        console = Console(stderr=stderr, highlight=False, width=160)
    return console


_consoles: dict[bool, Console] = {}


def console(*, stderr: bool = False) -> Console:
    """The shared stdout (or stderr) console, made on first use."""
    if stderr not in _consoles:
        _consoles[stderr] = _make_console(stderr=stderr)
    return _consoles[stderr]


def emit_json(document: Any) -> None:
    """Write exactly one JSON document (and a newline) to stdout."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def emit(document: Any, render: Callable[[], None]) -> None:
    """One JSON document with ``--json``, else *render* prints for people."""
    if state.json:
        emit_json(document)
    else:
        render()


def show(*renderables: RenderableType | str) -> None:
    """Print for people; plain strings are shown as typed (no Rich markup)."""
    for item in renderables:
        console().print(item, markup=False)


def show_error(message: str, details: Iterable[str] = (), *, calm: bool = False) -> None:
    """A red plain-words message on stderr (never a traceback); *calm* for expected states
    such as being offline: yellow, no "Error:"."""
    err = console(stderr=True)
    if calm:
        err.print(Text(message, style="yellow"))
    else:
        err.print(Text("Error: ", style="bold red") + Text(message, style="red"))
    for line in details:
        err.print(Text(f"  - {line}", style="red"))


def wire(model: Any, *, sync: bool = False) -> dict[str, Any]:
    """A model as JSON-ready values; sync bookkeeping only when asked."""
    data: dict[str, Any] = model.model_dump(mode="json")
    if not sync:
        for name in SYNC_FIELDS:
            data.pop(name, None)
    return data


def fmt(value: Any) -> str:
    """A field value as table text: empty for None, compact JSON for objects."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(getattr(value, "value", value))


def styled(value: Any, styles: Mapping[str, str]) -> Text:
    text = fmt(value)
    return Text(text.replace("_", " "), style=styles.get(text, ""))


def short(entity_id: str | None) -> str:
    """The last 8 characters of an id: random in a UUIDv7, so unique in practice."""
    return entity_id[-8:] if entity_id else ""


class PlainTable(Table):
    """A table whose string cells are shown as typed: ``[x]`` in a note is not markup."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        cells = [Text(c) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)


def table(*columns: str, title: str | None = None, **kwargs: Any) -> Table:
    kwargs.setdefault("box", box.SIMPLE_HEAVY)
    t = PlainTable(title=title, title_justify="left", **kwargs)
    for name in columns:
        t.add_column(name, overflow="fold")
    return t


# -- progress --------------------------------------------------------------------------


@contextmanager
def progress(description: str, *, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr; yields ``callback(done, total)``.

    Starts as a spinner (reading and checking has no known length) and becomes a
    bar at the first callback. Disabled for ``--json`` and when stderr is not a
    terminal, so logs and pipes stay clean.
    """
    err = console(stderr=True)
    if not enabled or not err.is_terminal:
        yield lambda done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


# -- search, work orders, outbox -------------------------------------------------------


def search_table(hits: list[dict[str, Any]], query: str) -> Table:
    t = table("Kind", "Title", "Detail", "Building", title=f"Results for {escape(query)!r}")
    for h in hits:
        detail = Text(h["detail"])
        detail.highlight_regex(r"\[[^\]]*\]", "bold yellow")
        t.add_row(h["kind"], Text(h["title"], style="bold"), detail, h["building"])
    return t


def work_orders_table(rows: list[dict[str, Any]], *, title: str | None = None) -> Table:
    t = table("Id", "Title", "Status", "Priority", "Due", "Equipment", "Assignee", title=title)
    for w in rows:
        t.add_row(
            Text(short(w["id"]), style="cyan"),
            w["title"],
            styled(w["status"], STATUS_STYLES),
            styled(w["priority"], PRIORITY_STYLES),
            w.get("due") or "",
            w.get("equipment_tag") or "",
            w.get("assignee") or "",
        )
    return t


def outbox_table(changes: list[dict[str, Any]]) -> Table:
    t = table("Seq", "Entity", "Op", "Id", "Fields", "HLC", "State")
    t.columns[0].justify = "right"
    for c in changes:
        fields = c["fields"]
        shown = ", ".join(sorted(fields)) if c["op"] == "update" else ""
        if c["op"] == "insert":
            shown = f"new row, {len(fields)} fields"
        state = c["state"] + (f": {c['reason']}" if c["reason"] else "")
        t.add_row(
            str(c["seq"]),
            c["entity"],
            Text(c["op"], style=OP_STYLES.get(c["op"], "")),
            short(c["entity_id"]),
            shown,
            Text(c["hlc"], style="dim"),
            Text(state, style="red" if c["state"] == "rejected" else ""),
        )
    return t
