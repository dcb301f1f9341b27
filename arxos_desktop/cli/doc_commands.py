"""`arx doc`: drawings for scripts: add a PDF with its markups, list, export, read markups.

Part of `arx` (:mod:`arxos_desktop.cli.main` mounts it). `arx doc add` checks the
file before anything is written and imports it all or nothing; a file that cannot
be a drawing (not a PDF, damaged or truncated, password-protected, no pages, a
page of absurd size, too many markups) exits 4 with a sentence on stderr, and
the replica is left as it was. There is no password option: a protected drawing
is opened in the app, which asks for the password, so it never lands in a shell
history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import typer

from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import BuildingOpt, InputError, choices, open_replica

#: Mirrors ``sync.schema.Discipline`` (``tests/test_cli_doc.py`` checks they match).
DisciplineName = Literal["architectural", "electrical", "mechanical", "plumbing", "other"]

_EXIT_CODES = (
    "Exit codes: 0 ok · 3 the building, drawing or file is not there · 4 the file is not a"
    " drawing that can be imported (not a PDF, damaged or truncated, password-protected,"
    " no pages, a page too large, too many markups) or a value is invalid."
)

doc_app = typer.Typer(
    help="Drawings: add a PDF with its markups, list them, export with markups, read markups.",
    epilog=_EXIT_CODES,
    no_args_is_help=True,
)

MIN_ID_CHARS = 6


def _document(replica: Any, ref: str) -> Any:
    """The live drawing whose id is, starts with or ends with *ref* (as `arx doc list`
    shows it: the id's last eight characters); at least six characters."""
    from arxos_desktop.store.errors import AmbiguousError, NotFoundError
    from arxos_desktop.store.records import read_rows

    ref = ref.strip().lower()
    if len(ref) < MIN_ID_CHARS:
        raise InputError(f"Give at least {MIN_ID_CHARS} characters of the drawing's id.")
    if ref.strip("0123456789abcdef-"):  # also keeps LIKE's wildcards out
        raise NotFoundError("No drawing with that id in this replica (see arx doc list).")
    rows = read_rows(
        replica, "document", where="id LIKE ? || '%' OR id LIKE '%' || ?", params=(ref, ref)
    )
    if not rows:
        raise NotFoundError("No drawing with that id in this replica (see arx doc list).")
    if len(rows) > 1:
        raise AmbiguousError("Several drawings start with that id; give more of it.")
    return rows[0]


def _doc_row(row: Any) -> dict[str, Any]:
    wire = dict(row.wire)
    wire.pop("page_sizes", None)
    return wire


@doc_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The PDF drawing.")],
    building: BuildingOpt = None,
    discipline: Annotated[
        str,
        typer.Option("--discipline", "-d", help=f"One of: {choices(DisciplineName)}.", metavar="D"),
    ] = "other",
    title: Annotated[
        str | None, typer.Option(help="Title shown in the library (default: the file name).")
    ] = None,
) -> None:
    """Add a PDF drawing to a building with the markups already in it (all or nothing)."""
    from arxos_desktop.pdf.errors import PdfPasswordRequiredError
    from arxos_desktop.store.document_import import import_document
    from arxos_desktop.store.records import building_record

    if discipline not in get_args(DisciplineName):
        raise InputError(f"--discipline must be one of: {choices(DisciplineName)}.")
    with open_replica() as replica:
        target = building_record(replica, building)
        try:
            report = import_document(
                replica,
                file.expanduser(),
                building_id=target.id,
                discipline=discipline,
                title=title,
            )
        except PdfPasswordRequiredError:
            raise PdfPasswordRequiredError(
                "This PDF is protected by a password, and arx does not take passwords: add it"
                " in the ArxOS app (it asks for the password), or add an unprotected copy."
            ) from None
    doc = {
        "document": _doc_row(report.document),
        "new_document": report.new_document,
        "markups_added": report.added,
        "markups_already_there": report.already_there,
        "read_only_markups": report.read_only,
    }
    what = "Added" if report.new_document else "Already had"
    out.emit(
        doc,
        lambda: out.show(
            f"{what} drawing {report.document.title!r} ({out.short(report.document.id)},"
            f" {report.document.page_count} pages): {report.added} markups imported,"
            f" {report.already_there} already there, {report.read_only} read-only."
        ),
    )


@doc_app.command("list")
def list_(building: BuildingOpt = None) -> None:
    """List the drawings of a building with their markup counts."""
    from arxos_desktop.store.records import building_record, read_rows

    with open_replica() as replica:
        target = building_record(replica, building)
        rows = read_rows(
            replica, "document", building_id=target.id, order_by="discipline, title, id"
        )
        counts = dict(
            replica.conn.execute(
                "SELECT document_id, count(*) FROM annotations WHERE deleted = 0"
                " AND building_id = ? GROUP BY document_id",
                (target.id,),
            ).fetchall()
        )
    docs = [{**_doc_row(r), "markups": counts.get(r.id, 0)} for r in rows]

    def render() -> None:
        table = out.table("ID", "Discipline", "Title", "Pages", "Markups", "File")
        for d in docs:
            table.add_row(
                out.short(d["id"]),
                d["discipline"],
                d["title"],
                str(d["page_count"]),
                str(d["markups"]),
                d["file_name"],
            )
        out.show(table if docs else f"{target.name} has no drawings yet (arx doc add FILE).")

    out.emit({"building_id": target.id, "documents": docs}, render)


@doc_app.command("export")
def export(
    document: Annotated[
        str, typer.Argument(metavar="ID", help="The drawing's id, or its start or end (6+ chars).")
    ],
    dest: Annotated[Path, typer.Option("--out", "-o", metavar="FILE.pdf", help="Where to write.")],
) -> None:
    """Write a drawing with its markups as standard PDF annotations other tools show."""
    from arxos_desktop.store.document_export import export_document

    with open_replica() as replica:
        row = _document(replica, document)
        report = export_document(replica, row.id, dest.expanduser())
    left_out = (
        f" {report.skipped} markups were left out: their shape does not fit the page."
        if report.skipped
        else ""
    )
    out.emit(
        {
            "document_id": row.id,
            "path": str(report.path),
            "markups": report.markups,
            "skipped": report.skipped,
        },
        lambda: out.show(f"Wrote {report.path} with {report.markups} markups.{left_out}"),
    )


@doc_app.command("annotations")
def annotations_(
    document: Annotated[
        str, typer.Argument(metavar="ID", help="The drawing's id, or its start or end (6+ chars).")
    ],
    page: Annotated[int | None, typer.Option(min=1, help="Only this page (from 1).")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (pin, ink, cloud...).")] = None,
    author: Annotated[str | None, typer.Option(help="Only this author's markups.")] = None,
) -> None:
    """List a drawing's markups (with --json: every field, for scripts)."""
    from arxos_desktop.pdf.annotation_model import READ_ONLY_KINDS
    from arxos_desktop.store.annotations import list_annotations, measurement_of
    from sync.schema import AnnotationKind

    if kind is not None and kind not in {k.value for k in AnnotationKind}:
        raise InputError("--kind must be one of: " + ", ".join(k.value for k in AnnotationKind))
    with open_replica() as replica:
        row = _document(replica, document)
        rows = list_annotations(
            replica,
            row.id,
            page=None if page is None else page - 1,
            kinds=None if kind is None else [kind],
            author=author,
        )
        docs = []
        for r in rows:
            measured = measurement_of(replica, r)
            docs.append(
                {
                    **r.wire,
                    "read_only": r.kind in READ_ONLY_KINDS,
                    "measurement": None if measured is None else measured.label(),
                }
            )

    def render() -> None:
        table = out.table("ID", "Page", "Kind", "Text", "Author", "Review")
        for d in docs:
            table.add_row(
                out.short(d["id"]),
                str(d["page"] + 1),
                d["kind"] + (" (read-only)" if d["read_only"] else ""),
                d["measurement"] or d["text"][:60],
                d["author"],
                d["review_status"],
            )
        out.show(table if docs else "This drawing has no markups.")

    out.emit({"document_id": row.id, "annotations": docs}, render)
