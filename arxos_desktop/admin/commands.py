"""`arx server …`: administer the cloud sync service's accounts (`arx serve` runs it).

Mounted by :mod:`arxos_desktop.cli`. Each command opens the server database
itself (:mod:`arxos_desktop.admin.server_db`); the server package is imported
inside the commands, so ``arx --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, Literal

import typer

from arxos_desktop.admin.audit_command import audit_app
from arxos_desktop.admin.extras import require_server
from arxos_desktop.admin.import_command import import_
from arxos_desktop.admin.passes_command import passes_app
from arxos_desktop.admin.server_db import (
    AccountExistsError,
    DatabaseUrlOpt,
    NoGrantError,
    UnknownBuildingError,
    server_db,
)
from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError, choices

#: Mirrors ``sync.server.models.Role`` (importing it would slow down ``--help``);
#: ``tests/server/test_cli_server.py`` checks they still match.
RoleName = Literal["admin", "manager", "technician", "contractor", "annotator", "viewer"]
MIN_PASSWORD_LENGTH = 8

server_app = typer.Typer(
    help="Administer the sync service's accounts: users, building grants, API keys.",
    no_args_is_help=True,
)


@server_app.callback()
def _needs_the_server() -> None:
    """Every `arx server …` command works on the server's database: its libraries first."""
    require_server()


user_app = typer.Typer(help="Add users of the sync service.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for scripts and the CLI.", no_args_is_help=True)
server_app.add_typer(user_app, name="user")
server_app.add_typer(apikey_app, name="apikey")
server_app.add_typer(audit_app, name="audit")
server_app.add_typer(passes_app, name="passes")

# -- users -----------------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            "Password", hide_input=True, confirmation_prompt=True, err=True, type=str
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


def _org_json(org: Any) -> dict[str, Any] | None:
    return {"id": org.id, "name": org.name, "slug": org.slug} if org else None


def _grant_json(grant: Any) -> dict[str, Any]:
    return {
        "building_id": grant.building_id,
        "role": grant.role,
        "systems": grant.systems,
        "floors": grant.floors,
    }


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="Sign-in email (any case).")],
    name: Annotated[str, typer.Option("--name", help="Full name.")] = "",
    org: Annotated[
        str | None,
        typer.Option("--org", metavar="ORG_NAME", help="Organisation (created if new)."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    superuser: Annotated[
        bool, typer.Option("--superuser", help="May administer the whole service.")
    ] = False,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Add a user who can sign in to the sync service."""
    from sync.server import crud

    if "@" not in email.strip(" @") or any(c.isspace() for c in email.strip()):
        raise InputError(f"{email!r} is not an email address")
    with server_db(database_url) as session:
        if crud.get_user_by_email(session, email) is not None:
            raise AccountExistsError(f"A user with email {crud.normalize_email(email)} exists")
        password = _read_password(password_stdin)
        org_row = crud.get_or_create_org(session, org) if org and org.strip() else None
        user = crud.create_user(
            session,
            email=email,
            password=password,
            full_name=name,
            org_id=org_row.id if org_row else None,
            is_superuser=superuser,
        )
        doc = {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "org": _org_json(org_row),
            "is_superuser": user.is_superuser,
            "created_at": user.created_at.isoformat(),
        }
    where = f" in {org_row.name}" if org_row else ""
    out.emit(doc, lambda: out.show(f"Added {doc['email']}{where}."))


@server_app.command("users")
def users(database_url: DatabaseUrlOpt = None) -> None:
    """List the users of the sync service with their building grants (not ended pass holders)."""
    from sqlmodel import select

    from sync.server import crud
    from sync.server.models import Org

    with server_db(database_url) as session:
        orgs = {o.id: o for o in session.exec(select(Org)).all()}
        rows: list[dict[str, Any]] = [
            {
                "id": user.id,
                "email": user.email,
                "full_name": user.full_name,
                "org": _org_json(orgs.get(user.org_id or "")),
                "is_active": user.is_active,
                "is_superuser": user.is_superuser,
                "created_at": user.created_at.isoformat(),
                "grants": [_grant_json(g) for g in crud.list_grants(session, user.id)],
            }
            for user in crud.list_users(session)
        ]

    def render() -> None:
        if not rows:
            out.show("No users yet. Add one with `arx server user add EMAIL`.")
            return
        table = out.table("Email", "Name", "Organisation", "Flags", "Grants")
        for row in rows:
            flags = ("superuser " if row["is_superuser"] else "") + (
                "" if row["is_active"] else "disabled"
            )
            table.add_row(
                row["email"],
                row["full_name"],
                row["org"]["name"] if row["org"] else "",
                flags.strip(),
                "\n".join(_describe_grant(g) for g in row["grants"]),
            )
        out.show(table)

    out.emit(rows, render)


def _describe_grant(grant: dict[str, Any]) -> str:
    scope = []
    if grant["systems"] is not None:
        scope.append("systems " + ",".join(grant["systems"]))
    if grant["floors"] is not None:
        scope.append("floors " + ",".join(str(f) for f in grant["floors"]))
    return f"{grant['building_id']} {grant['role']}" + (f" ({'; '.join(scope)})" if scope else "")


# -- grants ----------------------------------------------------------------------------


def _parse_systems(raw: str | None) -> list[str] | None:
    from sync.schema import System

    if raw is None:
        return None
    names = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [n for n in names if n not in set(System)]
    if unknown or not names:
        bad = f"Unknown system(s) {', '.join(unknown)}" if unknown else "No systems given"
        raise InputError(f"{bad}; --systems takes any of {', '.join(System)}, comma-separated")
    return names


def _parse_floors(raw: str | None) -> list[int] | None:
    if raw is None:
        return None
    try:
        levels = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        levels = []
    if not levels:
        raise InputError(
            f"--floors takes floor levels separated by commas (e.g. 1,2 or -1,0), not {raw!r}"
        )
    return levels


@server_app.command("grant")
def grant(
    user_email: Annotated[str, typer.Argument(metavar="USER_EMAIL")],
    building_id: Annotated[str, typer.Argument(metavar="BUILDING_ID", help="The building's id.")],
    role: Annotated[
        RoleName, typer.Option(metavar="ROLE", help="One of " + choices(RoleName) + ".")
    ],
    systems: Annotated[
        str | None,
        typer.Option(
            metavar="LIST", help="Only these systems, e.g. hvac,electrical (default all)."
        ),
    ] = None,
    floors: Annotated[
        str | None, typer.Option(metavar="LEVELS", help="Only these floor levels, e.g. 1,2.")
    ] = None,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Give a user a role in a building (replacing any earlier grant there)."""
    from sync.ids import is_valid_id
    from sync.server import crud

    if not is_valid_id(building_id.strip().lower()):
        raise InputError(f"{building_id!r} is not a building id (a UUID, as `arx buildings` shows)")
    wanted_systems, wanted_floors = _parse_systems(systems), _parse_floors(floors)
    with server_db(database_url) as session:
        user = crud.require_user(session, user_email)
        if not _building_exists(session, building_id.strip().lower()):
            raise UnknownBuildingError(
                f"No building {building_id.strip().lower()} on this server; import it "
                "(arx server import) or let a device sync it first"
            )
        row = crud.grant(
            session,
            user_id=user.id,
            building_id=building_id.strip().lower(),
            role=role,
            systems=wanted_systems,
            floors=wanted_floors,
        )
        doc = {"user": user.email, **_grant_json(row)}
    out.emit(doc, lambda: out.show(f"{doc['user']}: {_describe_grant(doc)}"))


def _building_exists(session: Any, building_id: str) -> bool:
    """Whether the server holds the building (a live row; a deleted one cannot be granted)."""
    from sync.server.replication import StoredRow

    row = session.get(StoredRow, ("building", building_id))
    return row is not None and not row.deleted


@server_app.command("revoke")
def revoke(
    user_email: Annotated[str, typer.Argument(metavar="USER_EMAIL")],
    building_id: Annotated[str, typer.Argument(metavar="BUILDING_ID", help="The building's id.")],
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Take a user's access to a building away; their devices drop its rows at the next sync."""
    from sync.ids import is_valid_id
    from sync.server import crud

    building = building_id.strip().lower()
    if not is_valid_id(building):
        raise InputError(f"{building_id!r} is not a building id (a UUID, as `arx buildings` shows)")
    with server_db(database_url) as session:
        user = crud.require_user(session, user_email)
        if not crud.revoke_grant(session, user_id=user.id, building_id=building):
            raise NoGrantError(f"{user.email} has no grant on building {building}")
        doc = {"user": user.email, "building_id": building, "revoked": True}
    out.emit(doc, lambda: out.show(f"{doc['user']}: no longer has access to {building}"))


# -- API keys --------------------------------------------------------------------------


@apikey_app.command("create")
def apikey_create(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="Whose key it is.")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="What the key is for.")],
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Create an API key for a user; the key is printed once and never stored."""
    from sync.server import crud

    if not name.strip() or len(name.strip()) > 100:
        raise InputError("Give the key a name of 1 to 100 characters")
    with server_db(database_url) as session:
        user = crud.require_user(session, email)
        record, key = crud.create_api_key(session, user_id=user.id, name=name)
        doc = {
            "id": record.id,
            "user": user.email,
            "name": record.name,
            "prefix": record.prefix,
            "created_at": record.created_at.isoformat(),
            "key": key,
        }
    out.emit(
        doc,
        lambda: out.show(
            f"API key {doc['name']!r} for {doc['user']}:",
            key,
            "Keep it safe: it is shown only this once.",
        ),
    )


server_app.command("import")(import_)
