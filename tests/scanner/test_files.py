"""Photos, videos and PDFs through the camera's pipeline; bad files refused in words."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from arxos_desktop.pdf.errors import DamagedPdfError
from arxos_desktop.scanner.errors import (
    DamagedImageError,
    ImageTooLargeError,
    PassMetadataError,
    ScanFileMissingError,
    UnsupportedFileError,
)
from arxos_desktop.scanner.files import PASS_METADATA_KEY, scan_file
from arxos_desktop.scanner.images import MAX_IMAGE_PIXELS
from tests.conftest import make_pdf
from tests.scan_images import on_canvas, qr_image, rotate

LINK = "arxos://equipment/0190d3a0-1111-7222-8333-444455556666"
TOKEN = "eyJ0eXAiOiJhcnhvcy1hY2Nlc3Mrand0In0.eyJiIjoxfQ.c2lnbmF0dXJl"


def _png(path: Path, image: np.ndarray) -> Path:
    assert cv2.imwrite(str(path), image)
    return path


def _qr_png() -> bytes:
    ok, buffer = cv2.imencode(".png", qr_image(LINK, module_px=4))
    assert ok
    return bytes(buffer.tobytes())


def test_a_photo_of_a_code_gives_its_text(tmp_path: Path) -> None:
    photo = tmp_path / "label.jpg"
    assert cv2.imwrite(str(photo), rotate(on_canvas(qr_image(LINK)), 20))
    assert [(c.text, c.format) for c in scan_file(photo)] == [(LINK, "qr_code")]


def test_a_video_file_is_scanned_through_cv2_videocapture(tmp_path: Path) -> None:
    video = tmp_path / "walk.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (320, 240))
    assert writer.isOpened()
    code = on_canvas(qr_image(LINK, module_px=3), size=(320, 240))
    blank = np.full((240, 320), 200, dtype=np.uint8)
    for number in range(12):  # the code comes into view for the second half only
        writer.write(cv2.cvtColor(code if number >= 6 else blank, cv2.COLOR_GRAY2BGR))
    writer.release()
    found = scan_file(video)
    assert [c.text for c in found] == [LINK]  # seen in several sampled frames, listed once


def test_a_pass_pdf_gives_the_token_of_its_metadata_before_its_pages(tmp_path: Path) -> None:
    document = pymupdf.open()
    page = document.new_page()
    page.insert_image(pymupdf.Rect(72, 72, 272, 272), stream=_qr_png())
    document.set_metadata({"title": "Access pass"})
    _, ref = document.xref_get_key(-1, "Info")
    info = int(ref.split()[0])
    document.xref_set_key(info, PASS_METADATA_KEY, pymupdf.get_pdf_str(TOKEN))
    path = tmp_path / "pass.pdf"
    document.save(path)
    found = scan_file(path)
    assert [(c.text, c.format, c.decoder) for c in found] == [(TOKEN, "pdf_metadata", "pdf")]


def test_a_pdf_without_a_token_is_searched_for_codes_drawn_on_its_pages(tmp_path: Path) -> None:
    document = pymupdf.open()
    document.new_page()
    page = document.new_page()  # the code is on the second page
    page.insert_image(pymupdf.Rect(72, 72, 252, 252), stream=_qr_png())
    path = tmp_path / "drawing.pdf"
    document.save(path)
    assert [c.text for c in scan_file(path)] == [LINK]
    empty = tmp_path / "plain.pdf"
    empty.write_bytes(make_pdf())
    assert scan_file(empty) == []


def test_a_pass_entry_that_is_not_text_is_refused(tmp_path: Path) -> None:
    document = pymupdf.open()
    document.new_page()
    document.set_metadata({"title": "Access pass"})
    _, ref = document.xref_get_key(-1, "Info")
    document.xref_set_key(int(ref.split()[0]), PASS_METADATA_KEY, "<< /Forged 1 >>")
    path = tmp_path / "forged.pdf"
    document.save(path)
    with pytest.raises(PassMetadataError, match="damaged") as caught:
        scan_file(path)
    assert "Forged" not in str(caught.value)


def test_garbage_named_like_a_picture_is_not_a_picture(tmp_path: Path) -> None:
    fake = tmp_path / "label.png"
    fake.write_bytes(b"<script>alert(1)</script>" * 40)
    with pytest.raises(UnsupportedFileError, match="not a picture") as caught:
        scan_file(fake)
    assert "script" not in str(caught.value)
    assert caught.value.kind == "invalid"


def test_a_truncated_jpeg_is_refused_not_half_read(tmp_path: Path) -> None:
    whole = tmp_path / "whole.jpg"
    assert cv2.imwrite(str(whole), on_canvas(qr_image(LINK)))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    # OpenCV alone would hand back a picture, grey where the file ends.
    assert cv2.imread(str(cut)) is not None
    with pytest.raises(DamagedImageError, match="cut short"):
        scan_file(cut)


def test_a_truncated_png_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(_qr_png()[:-40])
    with pytest.raises(DamagedImageError):
        scan_file(path)


def test_a_huge_picture_is_refused_before_its_pixels_are_decoded(tmp_path: Path) -> None:
    # A valid PNG header claiming 10,000 x 10,000 pixels, with a tiny body.
    header = struct.pack(">IIBBBBB", 10_000, 10_000, 8, 0, 0, 0, 0)
    ihdr = b"IHDR" + header
    chunk = struct.pack(">I", len(header)) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk + end)
    assert MAX_IMAGE_PIXELS < 10_000 * 10_000
    with pytest.raises(ImageTooLargeError, match="too large"):
        scan_file(path)


def test_a_missing_file_a_folder_and_a_text_file_are_each_said_in_words(tmp_path: Path) -> None:
    with pytest.raises(ScanFileMissingError) as missing:
        scan_file(tmp_path / "absent.png")
    assert missing.value.kind == "not_found"
    with pytest.raises(ScanFileMissingError):
        scan_file(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("AHU-1 belt squeals")
    with pytest.raises(UnsupportedFileError):
        scan_file(text)


def test_a_damaged_pdf_is_refused_by_the_shared_pdf_check(tmp_path: Path) -> None:
    path = tmp_path / "pass.pdf"
    path.write_bytes(b"not a pdf at all, %PDF- somewhere" + b"\x00" * 10)
    with pytest.raises(DamagedPdfError) as caught:
        scan_file(path)
    assert caught.value.kind == "invalid"


def test_a_damaged_video_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    path.write_bytes(b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 64)
    with pytest.raises(UnsupportedFileError, match="video cannot be read"):
        scan_file(path)
