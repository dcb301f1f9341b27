"""open_pdf: each kind of bad file gets its own sentence; good files open."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from arxos_desktop.errors import ErrorKind
from arxos_desktop.pdf.errors import (
    DamagedPdfError,
    EmptyPdfError,
    NotAPdfError,
    PdfFileMissingError,
    PdfPasswordRequiredError,
    PdfTooLargeError,
    WrongPdfPasswordError,
)
from arxos_desktop.pdf.opening import open_pdf


def _pdf_bytes(width: float = 612, height: float = 792, pages: int = 1) -> bytes:
    with pymupdf.open() as doc:
        for _ in range(pages):
            page = doc.new_page(width=width, height=height)
            page.insert_text((72, 72), "AHU-1")
        return bytes(doc.tobytes())


def test_a_good_pdf_opens_from_a_path_and_from_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(_pdf_bytes(pages=2))
    with open_pdf(path) as doc:
        assert doc.page_count == 2
    with open_pdf(path.read_bytes()) as doc:
        assert doc.page_count == 2


def test_not_a_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.pdf"
    path.write_bytes(b"\xff\xd8\xff\xe0 JFIF not a pdf")
    with pytest.raises(NotAPdfError, match="not a PDF"):
        open_pdf(path)
    with pytest.raises(NotAPdfError):
        open_pdf(b"")


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(PdfFileMissingError) as caught:
        open_pdf(tmp_path / "gone.pdf")
    assert caught.value.kind is ErrorKind.NOT_FOUND


def test_a_pdf_header_followed_by_garbage_is_damaged() -> None:
    with pytest.raises(DamagedPdfError, match="damaged"):
        open_pdf(b"%PDF-1.7\n" + bytes(range(256)) * 8)


def test_an_encrypted_pdf_asks_for_its_password_and_opens_with_it() -> None:
    with pymupdf.open(stream=_pdf_bytes(), filetype="pdf") as doc:
        data = doc.tobytes(
            encryption=pymupdf.mupdf.PDF_ENCRYPT_AES_256, user_pw="s3cret", owner_pw="o"
        )
    with pytest.raises(PdfPasswordRequiredError) as caught:
        open_pdf(data)
    assert caught.value.kind is ErrorKind.PASSWORD_REQUIRED
    with pytest.raises(WrongPdfPasswordError):
        open_pdf(data, password="guess")
    with open_pdf(data, password="s3cret") as doc:
        assert "AHU-1" in doc[0].get_text()


def test_an_enormous_page_is_refused() -> None:
    with pytest.raises(PdfTooLargeError, match="200 inches"):
        open_pdf(_pdf_bytes(width=14_400, height=20_000))


def test_a_pdf_without_pages_is_refused() -> None:
    # PyMuPDF will not save a page-less document, so write the smallest one by hand.
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    body += b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    xref = len(body)
    body += b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    body += b"trailer<</Size 3/Root 1 0 R>>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n"
    with pytest.raises((EmptyPdfError, DamagedPdfError)):
        open_pdf(body)
