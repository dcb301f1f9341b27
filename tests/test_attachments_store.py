"""Attaching files and photos: blob first, then the row with its outbox change."""

from __future__ import annotations

from pathlib import Path

import pytest

from arxos_desktop.store import NotFoundError, Replica, StoreError
from arxos_desktop.store.attachments import (
    MAX_FILE_NAME,
    attach_file,
    attach_photo,
    attachments_for,
)
from sync.outbox import read_changes
from tests.conftest import SampleBuilding
from tests.media import make_jpeg


def test_a_file_is_stored_then_its_row_and_change_are_written(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    source = tmp_path / "belt.jpg"
    source.write_bytes(make_jpeg() * 40)  # several MiB-sized chunks are not needed: one is
    seen: list[tuple[int, int]] = []
    att = attach_file(
        replica,
        target_kind="workorder",
        target_id=sample.work_order_id,
        source=source,
        caption="Worn belt",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert replica.blobs.get(att.blob_sha256).read_bytes() == source.read_bytes()
    assert (att.mime_type, att.file_name, att.building_id) == (
        "image/jpeg",
        "belt.jpg",
        sample.building_id,
    )
    assert seen and seen[-1] == (source.stat().st_size, source.stat().st_size)
    (change,) = [c for c in read_changes(replica.conn) if c.entity_id == att.id]
    assert change.fields["blob_sha256"] == att.blob_sha256
    assert [a.id for a in attachments_for(replica, sample.work_order_id)] == [att.id]


def test_a_photo_is_stored_as_a_jpeg_and_listed_after_older_ones(
    replica: Replica, sample: SampleBuilding
) -> None:
    photo = attach_photo(
        replica,
        target_kind="equipment",
        target_id=sample.ahu_id,
        jpeg=make_jpeg(),
        file_name="photo.jpg",
    )
    listed = attachments_for(replica, sample.ahu_id)
    assert [a.file_name for a in listed] == ["nameplate.png", "photo.jpg"]
    assert listed[1].mime_type == "image/jpeg" and listed[1].id == photo.id


def test_bad_input_is_refused_and_changes_nothing(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    before = len(read_changes(replica.conn))
    with pytest.raises(StoreError, match="not a JPEG"):
        attach_photo(
            replica, target_kind="room", target_id=sample.room_id, jpeg=b"GIF89a", file_name="x"
        )
    with pytest.raises(StoreError, match=r"Cannot read absent\.png"):
        attach_file(
            replica,
            target_kind="room",
            target_id=sample.room_id,
            source=tmp_path / "absent.png",
        )
    with pytest.raises(StoreError, match="is not a file"):
        attach_file(replica, target_kind="room", target_id=sample.room_id, source=tmp_path)
    with pytest.raises(NotFoundError):
        attach_photo(
            replica,
            target_kind="equipment",
            target_id="0" * 8 + "-0000-7000-8000-" + "0" * 12,
            jpeg=make_jpeg(),
            file_name="x.jpg",
        )
    with pytest.raises(ValueError):
        attach_photo(
            replica, target_kind="planet", target_id=sample.room_id, jpeg=make_jpeg(), file_name="x"
        )
    assert len(read_changes(replica.conn)) == before
    assert attachments_for(replica, sample.room_id) == []


def test_a_long_file_name_is_cut_and_keeps_its_extension(
    replica: Replica, sample: SampleBuilding, tmp_path: Path
) -> None:
    source = tmp_path / ("n" * 240 + ".pdf")
    source.write_bytes(b"%PDF-1.4 tiny")
    att = attach_file(replica, target_kind="room", target_id=sample.room_id, source=source)
    assert len(att.file_name) == MAX_FILE_NAME and att.file_name.endswith("n.pdf")
    assert att.mime_type == "application/pdf"
