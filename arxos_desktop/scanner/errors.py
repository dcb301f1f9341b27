"""Errors of the frame sources, worded for the technician holding the tablet."""

from __future__ import annotations

from arxos_desktop.errors import ArxosError, ErrorKind


class ScannerError(ArxosError):
    """Base of every camera and frame-source error."""


class CameraNotFoundError(ScannerError):
    """No camera answers at that index, or the video file standing in for one cannot be read."""

    kind = ErrorKind.NOT_FOUND


class FrameReadError(ScannerError):
    """The camera was open but stopped delivering frames (unplugged, taken by another app)."""

    kind = ErrorKind.UNEXPECTED


class ScanFileError(ScannerError):
    """A file given to the scanner cannot be scanned; the message says why, never what it holds."""

    kind = ErrorKind.INVALID


class ScanFileMissingError(ScanFileError):
    """The file to scan is not there (moved, a typo, a folder)."""

    kind = ErrorKind.NOT_FOUND


class UnsupportedFileError(ScanFileError):
    """Not a picture, video or PDF the scanner reads (a text file, garbage, a TIFF)."""


class DamagedImageError(ScanFileError):
    """The file starts like a picture but cannot be read to its end (truncated, corrupt)."""


class ImageTooLargeError(ScanFileError):
    """The picture (file or pixel count) is past what any camera makes: refused unread."""


class PassMetadataError(ScanFileError):
    """A PDF carries an ``ArxOS-Access`` entry that is not a text string (damaged or forged)."""


class DecoderMissingError(ScannerError):
    """The zbar library pyzbar loads is not installed (an installation fault, not the code's)."""

    kind = ErrorKind.UNEXPECTED
