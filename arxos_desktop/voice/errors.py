"""Errors from dictation, each a sentence the technician can act on."""

from __future__ import annotations

from arxos_desktop.errors import ArxosError, ErrorKind


class VoiceError(ArxosError):
    """Base of every dictation error."""


class AudioFormatError(VoiceError):
    """A recording that is not usable audio: not a WAV, cut short, an encoding we cannot read."""

    kind = ErrorKind.INVALID


class ModelError(VoiceError):
    """A speech model folder or zip that is broken, unsafe or already there."""

    kind = ErrorKind.INVALID


class NoModelError(VoiceError):
    """No speech model is installed (or the one asked for is not)."""

    kind = ErrorKind.NOT_FOUND


class ModelDownloadError(VoiceError):
    """Vosk's downloader could not reach its server (the device is offline)."""

    kind = ErrorKind.OFFLINE


class RecognizerMissingError(VoiceError):
    """The Vosk library is not installed in this environment."""

    kind = ErrorKind.MISSING_EXTRA
