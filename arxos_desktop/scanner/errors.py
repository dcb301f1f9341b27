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
