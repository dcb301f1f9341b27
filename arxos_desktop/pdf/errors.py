"""Errors of the PDF services, worded for the technician who picked the file.

Messages never quote the file's contents (a PDF's metadata or text can be anything),
only what is wrong with it and what to do.
"""

from __future__ import annotations

from arxos_desktop.errors import ArxosError, ErrorKind


class PdfError(ArxosError):
    """Base of every error about a PDF file."""

    kind = ErrorKind.INVALID


class NotAPdfError(PdfError):
    """The file does not start like a PDF (an image, a Word file, an empty file)."""


class DamagedPdfError(PdfError):
    """The file says it is a PDF but cannot be read (truncated, garbage cross-reference)."""


class PdfTooLargeError(PdfError):
    """The file, its page count or a page's size is past what a drawing can reasonably be."""


class EmptyPdfError(PdfError):
    """The PDF opens but has no pages to show."""


class PdfPasswordRequiredError(PdfError):
    """The PDF is encrypted; the app asks for its password, the CLI refuses."""

    kind = ErrorKind.PASSWORD_REQUIRED


class WrongPdfPasswordError(PdfPasswordRequiredError):
    """A password was given but does not open the PDF."""


class PdfFileMissingError(PdfError):
    """The file (or the drawing's local copy) is not there."""

    kind = ErrorKind.NOT_FOUND


class InvalidAnnotationError(PdfError):
    """A markup's shape, style or kind breaks a rule (off the page, too many points...)."""


class ReadOnlyAnnotationError(PdfError):
    """The markup came from another PDF tool in a form this app cannot edit."""

    kind = ErrorKind.CONFLICT
