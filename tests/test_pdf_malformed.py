"""Bad PDFs never crash an import or `arx doc add`: each gets a sentence, and nothing changes.

The batch is generated from one small good drawing: cut short at several points,
a broken cross-reference table, random bytes after the header, encrypted, empty,
no pages, an enormous page, not a PDF at all, and more markups than a page may
carry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pymupdf
import pytest

from arxos_desktop.cli.main import run
from arxos_desktop.errors import ArxosError
from arxos_desktop.pdf import import_annotations
from arxos_desktop.store import Replica
from arxos_desktop.store.document_import import import_document
from tests.conftest import SampleBuilding, make_pdf


def _good() -> bytes:
    with pymupdf.open(stream=make_pdf(2), filetype="pdf") as pdf:
        pdf[0].add_rect_annot((10, 10, 50, 50))
        pdf[1].add_ink_annot([[(1, 1), (20, 20)]])
        return bytes(pdf.tobytes())


GOOD = _good()


def _garbage_xref() -> bytes:
    at = GOOD.rfind(b"xref")
    return GOOD[:at] + b"xref\n0 9\ngarbage here\n" + bytes(range(256)) + GOOD[at + 200 :]


def _encrypted() -> bytes:
    with pymupdf.open(stream=GOOD, filetype="pdf") as pdf:
        return bytes(
            pdf.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="s3cret", owner_pw="o")
        )


def _huge_page() -> bytes:
    with pymupdf.open() as pdf:
        pdf.new_page(width=14_400, height=30_000)
        return bytes(pdf.tobytes())


def _no_pages() -> bytes:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    body += b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _crowded_page() -> bytes:
    with pymupdf.open() as pdf:
        page = pdf.new_page()
        for k in range(7):
            page.add_rect_annot((10 + k, 10, 30 + k, 30))
        return bytes(pdf.tobytes())


#: name → (bytes of the file, words the message must contain).
BATCH: dict[str, tuple[Callable[[], bytes], str]] = {
    "cut-at-10pc": (lambda: GOOD[: len(GOOD) // 10], "damaged"),
    "cut-at-25pc": (lambda: GOOD[: len(GOOD) // 4], "damaged"),
    "cut-at-half": (lambda: GOOD[: len(GOOD) // 2], "damaged"),
    "cut-near-end": (lambda: GOOD[: len(GOOD) - 40], "damaged"),
    "garbage-xref": (_garbage_xref, "damaged"),
    "random-after-header": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 16, "damaged"),
    "encrypted": (_encrypted, "password"),
    "empty-file": (lambda: b"", "not a PDF"),
    "no-pages": (_no_pages, "no pages"),
    "huge-page": (_huge_page, "200 inches"),
    "not-a-pdf": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), "not a PDF"),
    "too-many-markups": (_crowded_page, "more than 5 markups"),
}


@pytest.fixture(autouse=True)
def _small_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page may carry 5 markups here (1,000 in use), so the crowded file stays tiny."""
    monkeypatch.setattr(import_annotations, "MAX_PER_PAGE", 5)


def _snapshot(db: Path) -> tuple[int, ...]:
    with closing(sqlite3.connect(db)) as conn:
        tables = ("documents", "annotations", "attachments", "outbox")
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def _write_batch(folder: Path) -> dict[str, Path]:
    paths = {}
    for name, (make, _) in BATCH.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(make())
    return paths


def test_every_bad_file_gets_a_message_from_the_import_and_changes_nothing(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    blobs_before = sorted(p.name for p in replica.blobs.root.rglob("*") if p.is_file())
    before = _snapshot(replica.path)
    for name, path in _write_batch(tmp_path).items():
        with pytest.raises(ArxosError) as caught:
            import_document(replica, path, building_id=sample.building_id)
        assert BATCH[name][1] in str(caught.value), name
        assert _snapshot(replica.path) == before, name
    assert sorted(p.name for p in replica.blobs.root.rglob("*") if p.is_file()) == blobs_before


def test_arx_doc_add_refuses_every_bad_file_with_exit_4_and_a_sentence_on_stderr(
    replica: Replica, sample: SampleBuilding, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = replica.path.parent
    replica.close()
    before = _snapshot(home / "replica.sqlite3")
    for name, path in _write_batch(tmp_path).items():
        code = run(["--home", str(home), "doc", "add", str(path), "--discipline", "mechanical"])
        captured = capsys.readouterr()
        assert code == 4, (name, captured.err)
        assert BATCH[name][1] in " ".join(captured.err.split()), name
        if name == "encrypted":
            assert "arx does not take passwords" in " ".join(captured.err.split())
        assert "Traceback" not in captured.err
        assert _snapshot(home / "replica.sqlite3") == before, name
    good = tmp_path / "good.pdf"
    good.write_bytes(GOOD)
    assert run(["--home", str(home), "doc", "add", str(good)]) == 0
    assert _snapshot(home / "replica.sqlite3")[:2] == (before[0] + 1, before[1] + 2)
