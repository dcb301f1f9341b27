"""Markups of every kind, a photo marker's photo and a deleted markup sync to a second device
through a real server (SQLite and PostgreSQL), and export as the same repository."""

from __future__ import annotations

from pathlib import Path

from arxos_desktop.repo_format import export_building
from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import (
    create_annotation,
    delete_annotation,
    list_annotations,
    set_review_status,
)
from arxos_desktop.store.attachments import attach_photo
from arxos_desktop.store.records import read_rows
from arxos_desktop.store.remote import open_conflicts
from tests.conftest import build_sample
from tests.pdf_markups import EVERY_KIND, PAGE_SIZES, mark_up_everything, small_jpeg
from tests.server.conftest import Account, on_both_databases
from tests.server.test_end_to_end import client_for, tree

pytestmark = on_both_databases


def test_markups_and_a_photo_markers_photo_reach_a_second_device(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b = Replica.open(tmp_path / "a"), Replica.open(tmp_path / "b")
    sample = build_sample(a)
    with a.transaction() as writer:
        writer.update("document", sample.document_id, {"page_sizes": PAGE_SIZES})
    made = mark_up_everything(a, sample.document_id, sample.ahu_id)
    set_review_status(a, made["cloud"].id, "completed")
    delete_annotation(a, made["ink"].id)
    gone = create_annotation(
        a, document_id=sample.document_id, page=1, kind="photo", geometry={"point": [9, 9]}
    )
    attach_photo(
        a, target_kind="annotation", target_id=gone.id, jpeg=small_jpeg(), file_name="x.jpg"
    )
    delete_annotation(a, gone.id)  # its photo goes with it (no conflict)
    report = client_for(base_url, a, tech).sync_once()
    assert report.rejected == 0, report
    assert not open_conflicts(a)
    client_for(base_url, b, tech).sync_once()

    kinds = {r.kind for r in list_annotations(b, sample.document_id)}
    assert kinds == (set(EVERY_KIND) - {"ink"}) | {"pin"}
    cloud = list_annotations(b, sample.document_id, kinds=["cloud"])[0]
    assert (cloud.review_status, cloud.author) == ("completed", "Dana Field")
    (photo,) = read_rows(b, "attachment", where="target_kind = 'annotation'")
    assert photo.target_id == made["photo"].id
    assert b.blobs.get(photo.blob_sha256).read_bytes() == small_jpeg()

    export_building(a, sample.building_id, tmp_path / "export-a")
    export_building(b, sample.building_id, tmp_path / "export-b")
    assert tree(tmp_path / "export-a") == tree(tmp_path / "export-b")
