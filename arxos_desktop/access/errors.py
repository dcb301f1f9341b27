"""Why a file could not even be checked as a pass (the pass's own refusals are
``sync.token_errors``); each a sentence, each of kind ``access_refused``."""

from __future__ import annotations

from arxos_desktop.errors import ArxosError, ErrorKind


class AccessError(ArxosError):
    kind = ErrorKind.ACCESS_REFUSED


class NoPassInPdfError(AccessError):
    def __init__(self) -> None:
        super().__init__("This PDF carries no ArxOS access pass; ask for the pass PDF itself.")


class MalformedPassPdfError(AccessError):
    def __init__(self) -> None:
        super().__init__(
            "This PDF's access-pass entry is damaged (it is not text); ask for a new pass."
        )


class NoPassInImageError(AccessError):
    def __init__(self) -> None:
        super().__init__(
            "No ArxOS access pass was found in this image; photograph the pass's QR code"
            " square on and in focus, or use the pass PDF."
        )


class OutOfScopeError(AccessError):
    """A local edit the active contractor pass does not allow; refused before it is written."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
