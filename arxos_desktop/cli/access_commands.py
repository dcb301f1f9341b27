"""`arx token` (issue, verify and withdraw access passes) and `arx audit` (check the access log).

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts both). Issuing needs the
sync server (it holds the signing keys); verifying needs only this device's
replica: the keys, withdrawn passes and buildings the last `arx sync` brought.
Every check, accepted or refused, is written to the device's access log.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from rich.text import Text

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError, open_replica
from arxos_desktop.cli.server_check import home_dir, require_credentials

token_app = typer.Typer(
    help="Issue, check and withdraw access passes for contractors.", no_args_is_help=True
)
audit_app = typer.Typer(help="Check this device's access log.", no_args_is_help=True)

_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^(\d{1,6})([smhd])$")


def parse_duration(text: str) -> int:
    """``8h`` → 28800 seconds; ``30m``, ``2d``, ``90s`` alike."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise InputError("Give a duration as a number and a unit: 90s, 30m, 8h or 2d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise InputError("Give at least one value, separated by commas")
    return parts


def _floors(text: str | None) -> list[int] | None:
    parts = _split(text)
    if parts is None:
        return None
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise InputError("Floors are level numbers separated by commas, e.g. 1,2") from None


@token_app.command("issue")
def issue(
    building: Annotated[str, typer.Option(help="The building's id.", metavar="ID")],
    contractor: Annotated[str, typer.Option(help="Who the pass is for, e.g. ACME-42.")],
    expires: Annotated[str, typer.Option(help="How long it lasts: 90m, 8h, 2d.")] = "8h",
    permissions: Annotated[
        str, typer.Option(help="Any of read, write, annotate, separated by commas.")
    ] = "read",
    systems: Annotated[
        str | None, typer.Option(help="Systems, e.g. hvac,electrical (default: every system).")
    ] = None,
    floors: Annotated[
        str | None, typer.Option(help="Floor levels, e.g. 1,2 (default: every floor).")
    ] = None,
    starts: Annotated[str, typer.Option(help="Start later: 30m, 1d (default: now).")] = "0s",
    pdf: Annotated[
        Path | None,
        typer.Option(help="Drawing to carry the pass (cover page and metadata).", metavar="FILE"),
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Where to write the pass PDF.", metavar="FILE")
    ] = None,
) -> None:
    """Have the sync server sign an access pass (needs arx login as an admin or manager).

    With --pdf, writes the drawing with the pass in its metadata (ArxOS-Access) and a
    cover page with its QR code and scope; otherwise prints the pass text.
    """
    from arxos_desktop.access.issuing import issue_remote, write_pass
    from arxos_desktop.access.verify import building_name

    if pdf is not None and not pdf.is_file():
        raise InputError("The drawing given with --pdf does not exist")
    target = out_path or (pdf.with_name(f"{pdf.stem}-access.pdf") if pdf else None)
    request: dict[str, Any] = {
        "building_id": building,
        "systems": _split(systems),
        "floors": _floors(floors),
        "permissions": _split(permissions),
        "contractor_id": contractor,
        "expires_in": parse_duration(expires),
        "starts_in": parse_duration(starts),
    }
    home = home_dir()
    credentials = require_credentials(home)
    with open_replica() as replica:
        name = building_name(replica, building) or "the building"
    issued = issue_remote(credentials, home, request=request, building_name=name)
    if pdf is not None and target is not None:
        write_pass(pdf, target, issued)
    doc = {
        "token": issued.token,
        "token_id": issued.claims.token_id,
        "scope": issued.scope,
        "expires": issued.claims.expires_at.isoformat(),
        "pdf": str(target) if target else None,
    }

    def show() -> None:
        out.show(Text("Pass signed", style="bold green"), issued.scope)
        out.show(f"Pass id {issued.claims.token_id} (arx token revoke withdraws it)")
        if target is not None:
            out.show(f"Written to {target}")
        else:
            out.show(issued.token)

    out.emit(doc, show)


def _existing_file(source: str) -> Path | None:
    """*source* as a file, if it names one (a pass is too long to be a file name)."""
    try:
        path = Path(source)
        return path if path.is_file() else None
    except (OSError, ValueError):
        return None


@token_app.command("verify")
def verify(
    source: Annotated[
        str,
        typer.Argument(
            help="A pass PDF, a photo of its QR code, or the pass text.", metavar="FILE|TEXT"
        ),
    ],
) -> None:
    """Check a pass offline against what this device trusts, and say what it grants.

    A refused pass exits with code 12 and the reason; either way the check is logged.
    """
    from arxos_desktop.access.verify import IMAGE_SUFFIXES, verify_pass

    path = _existing_file(source)
    if path is None and Path(source).suffix.lower() in {".pdf", *IMAGE_SUFFIXES}:
        raise InputError("That file does not exist")
    with open_replica() as replica:
        check = verify_pass(replica, path or source)
    doc = check.as_json()
    out.emit(doc, lambda: out.show(Text("Valid pass", style="bold green"), check.scope))


@token_app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The pass id arx token issue printed.")],
) -> None:
    """Withdraw a pass; devices refuse it once they sync."""
    from arxos_desktop.access.issuing import revoke_remote

    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", token_id):
        raise InputError("A pass id is letters, digits, - and _")
    home = home_dir()
    revoke_remote(require_credentials(home), home, token_id)
    out.emit({"revoked": token_id}, lambda: out.show("Pass withdrawn."))


@audit_app.command("verify")
def audit_verify() -> None:
    """Check that no entry of this device's access log was removed or altered.

    A broken chain exits with code 13 and names the first entry that does not hold.
    """
    from arxos_desktop.access.audit_log import verify_log

    with open_replica() as replica:
        count = verify_log(replica.conn)
    out.emit(
        {"entries": count, "intact": True},
        lambda: out.show(Text(f"Access log intact: {count} entries", style="bold green")),
    )
