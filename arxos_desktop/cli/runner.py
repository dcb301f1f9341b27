"""Running `arx`: parse the line, call the command, turn what it raised into an exit code.

Errors raised on purpose (:class:`~arxos_desktop.errors.ArxosError`, and
:class:`~sync.errors.SyncError` that reach this far) are shown as their sentence
and exit with the code their ``kind`` maps to in :mod:`arxos_desktop.cli.exit_codes`;
with ``--json`` they are one JSON document on stdout. Nothing becomes a traceback
unless ``ARXOS_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import state
from arxos_desktop.cli.exit_codes import ExitCode, exit_code_of
from arxos_desktop.cli.lazy import LazyGroup
from arxos_desktop.errors import ArxosError, ErrorKind
from sync.errors import SyncError


def take_json_flag(args: list[str]) -> tuple[list[str], bool]:
    """Remove ``--json`` wherever it is (up to a ``--``), so it works before or after commands."""
    end = args.index("--") if "--" in args else len(args)
    kept = [a for a in args[:end] if a != "--json"] + args[end:]
    return kept, len(kept) != len(args)


def fail(code: ExitCode, kind: str, message: str, *, details: Any = (), **extra: Any) -> int:
    """Report an error: JSON on stdout with --json, else red words (and *details*) on stderr."""
    if state.json:
        error = {"kind": kind, "message": message, "exit_code": int(code), **extra}
        out.emit_json({"error": error})
    else:
        out.show_error(message, [str(d) for d in details], calm=code is ExitCode.OFFLINE)
    return int(code)


def error_exit(exc: ArxosError | SyncError) -> int:
    """Show an error raised on purpose and return its exit code (from its kind)."""
    kind = ErrorKind(exc.kind.value)
    message = str(exc)
    extra: dict[str, Any] = {}
    problems = getattr(exc, "problems", None)
    if problems is not None:  # a repository: the headline, then every problem
        message = message.splitlines()[0]
        extra["problems"] = [
            {"file": p.file, "field": p.field, "message": p.message} for p in problems
        ]
    for name in ("fields", "lines"):
        value = getattr(exc, name, None)
        if isinstance(value, dict | list):
            extra[name] = value
    reason = getattr(exc, "reason", None)  # why an access pass was refused
    if isinstance(reason, str):
        extra["reason"] = str(reason)
    details = problems or getattr(exc, "details", None) or ()
    return fail(exit_code_of(kind), kind.value, message, details=details, **extra)


def run_command(command: Any, args: list[str]) -> int:
    """Run the assembled click *command* on *args* and return the exit code."""
    try:
        result = command.main(args=args, prog_name="arx", standalone_mode=False)
        return result if isinstance(result, int) else ExitCode.OK
    except typer.TyperException as exc:  # usage errors from the command line
        raw = getattr(exc, "exit_code", ExitCode.USAGE)
        code = ExitCode(raw) if raw in iter(ExitCode) else ExitCode.USAGE
        if state.json:
            return fail(code, "usage", getattr(exc, "format_message", exc.__str__)())
        if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help
            from typer.rich_utils import rich_format_error

            rich_format_error(exc)  # type: ignore[arg-type]
        return int(code)
    except typer.Abort:
        return fail(ExitCode.UNEXPECTED, "aborted", "Aborted.")
    except (ArxosError, SyncError) as exc:
        return error_exit(exc)
    except Exception as exc:
        if os.environ.get("ARXOS_DEBUG") == "1":
            raise
        return fail(ExitCode.UNEXPECTED, "unexpected", f"Unexpected error: {exc}")


def prepare(root: Any) -> None:
    """List ``--json`` in every command's help (``run`` strips it before parsing); with
    ``--json``, a missing command is a plain usage error, not help printed to stdout.

    The commands of a lazy group are prepared as they are built."""
    option = next(p for p in root.params if p.name == "json_flag")

    def adopt(top: Any) -> None:
        stack = [top]
        while stack:
            command = stack.pop()
            if command is not root and option not in command.params:
                command.params.append(option)
            if hasattr(command, "commands") and not getattr(
                command, "invoke_without_command", False
            ):
                command.no_args_is_help = not state.json
            if isinstance(command, LazyGroup):
                command.on_load(adopt)
            else:
                stack.extend(getattr(command, "commands", {}).values())

    adopt(root)


def argv_or(argv: list[str] | None) -> list[str]:
    return list(sys.argv[1:] if argv is None else argv)
