"""`arx doc`: add a drawing with its markups, list, read the markups as JSON, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pymupdf
import pytest

from arxos_desktop.cli.doc_commands import DisciplineName
from arxos_desktop.cli.main import run
from arxos_desktop.store import Replica
from sync.schema import Discipline
from tests.conftest import SampleBuilding, make_pdf


def test_the_cli_disciplines_are_the_schemas() -> None:
    assert list(get_args(DisciplineName)) == [d.value for d in Discipline]


@pytest.fixture
def home(replica: Replica, sample: SampleBuilding) -> Path:
    folder = replica.path.parent
    replica.close()
    return folder


def _arx(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, Any, str]:
    code = run(["--home", str(home), "--json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_add_list_annotations_and_export_a_drawing(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "E-201 lighting.pdf"
    with pymupdf.open(stream=make_pdf(1), filetype="pdf") as pdf:
        page = pdf[0]
        note = page.add_text_annot((100, 100), "Fixture missing")
        note.set_info(title="Sam")
        note.update()
        page.add_stamp_annot((300, 300, 420, 340), stamp=0)
        pdf.save(source)

    code, added, _ = _arx(capsys, home, "doc", "add", str(source), "-d", "electrical")
    assert code == 0
    assert (added["new_document"], added["markups_added"], added["read_only_markups"]) == (
        True,
        2,
        1,
    )
    doc = added["document"]
    assert (doc["title"], doc["discipline"], doc["page_count"]) == (
        "E-201 lighting",
        "electrical",
        1,
    )

    code, again, _ = _arx(capsys, home, "doc", "add", str(source))
    assert (code, again["new_document"], again["markups_added"]) == (0, False, 0)

    code, listed, _ = _arx(capsys, home, "doc", "list")
    mine = [d for d in listed["documents"] if d["id"] == doc["id"]]
    assert code == 0 and mine[0]["markups"] == 2 and len(listed["documents"]) == 2

    code, marks, _ = _arx(capsys, home, "doc", "annotations", doc["id"][-8:])
    assert code == 0
    found = {(m["kind"], m["text"], m["author"], m["read_only"]) for m in marks["annotations"]}
    assert found == {("text", "Fixture missing", "Sam", False), ("foreign", "Approved", "", True)}
    code, only, _ = _arx(capsys, home, "doc", "annotations", doc["id"], "--kind", "foreign")
    assert [m["geometry"]["pdf_type"] for m in only["annotations"]] == ["Stamp"]

    out = tmp_path / "exported.pdf"
    code, exported, _ = _arx(capsys, home, "doc", "export", doc["id"][-8:], "--out", str(out))
    assert (code, exported["markups"]) == (0, 1)
    with pymupdf.open(out) as pdf:
        page = pdf[0]
        kinds = sorted(a.type[1] for a in page.annots())
        assert kinds == ["FreeText", "Stamp"]  # the note from its row, the stamp kept as it was


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["doc", "annotations", "01a2"], 4, "at least 6"),
        (["doc", "annotations", "ffffffff"], 3, "No drawing"),
        (["doc", "annotations", "%%%%%%%%"], 3, "No drawing"),
        (["doc", "annotations", "01a2" + "_" * 4], 3, "No drawing"),
        (["doc", "export", "ffffffff", "--out", "x.pdf"], 3, "No drawing"),
        (["doc", "add", "missing.pdf"], 3, "not there"),
        (["doc", "add", "missing.pdf", "--discipline", "poetry"], 4, "must be one of"),
        (["doc", "list", "--building", "Nowhere"], 3, "No building"),
    ],
)
def test_doc_commands_fail_with_their_documented_codes(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, words: str
) -> None:
    got, document, _ = _arx(capsys, home, *args)
    assert got == code
    assert words in document["error"]["message"]


def test_a_kind_filter_must_be_a_kind(
    home: Path, sample: SampleBuilding, capsys: pytest.CaptureFixture[str]
) -> None:
    got, document, _ = _arx(capsys, home, "doc", "annotations", sample.document_id, "--kind", "x")
    assert got == 4 and "--kind must be one of" in document["error"]["message"]
