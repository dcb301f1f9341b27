"""Why an access pass is refused: one class per reason, each a sentence a contractor can act on.

Every class has the kind ``access_refused`` (the CLI's exit code, the app's icon)
and its own :attr:`AccessRefusedError.reason`, the word the audit log and ``--json``
record. The sentences never quote the pass: it is input, and may be anything.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from sync.errors import SyncError, SyncErrorKind


class RefusalReason(StrEnum):
    """The one word recorded for a refused pass."""

    GARBAGE = "garbage"
    OVERSIZED = "oversized"
    TAMPERED = "tampered"
    WRONG_KEY = "wrong_key"
    UNKNOWN_ISSUER = "unknown_issuer"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    UNKNOWN_BUILDING = "unknown_building"


class AccessRefusedError(SyncError):
    """An access pass this device must not honour."""

    kind = SyncErrorKind.ACCESS_REFUSED
    reason: ClassVar[RefusalReason] = RefusalReason.GARBAGE
    sentence: ClassVar[str] = "This is not an ArxOS access pass."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.sentence)


class GarbageTokenError(AccessRefusedError):
    reason = RefusalReason.GARBAGE
    sentence = "This is not an ArxOS access pass (or it is damaged); ask for a new one."


class OversizedTokenError(AccessRefusedError):
    reason = RefusalReason.OVERSIZED
    sentence = "This code is far too long to be an ArxOS access pass; it was not read."


class TamperedTokenError(AccessRefusedError):
    reason = RefusalReason.TAMPERED
    sentence = (
        "This pass has been altered since it was signed; do not use it and ask the building"
        " manager for a new one."
    )


class WrongKeyTokenError(AccessRefusedError):
    reason = RefusalReason.WRONG_KEY
    sentence = (
        "This pass was not signed by the organisation that owns the building; it gives no access."
    )


class UnknownIssuerTokenError(AccessRefusedError):
    reason = RefusalReason.UNKNOWN_ISSUER
    sentence = (
        "This pass was signed by an issuer this device does not trust (or no longer trusts);"
        " sync this device, or ask the building manager for a new pass."
    )


class ExpiredTokenError(AccessRefusedError):
    reason = RefusalReason.EXPIRED
    sentence = "This pass has expired; ask the building manager for a new one."


class NotYetValidTokenError(AccessRefusedError):
    reason = RefusalReason.NOT_YET_VALID
    sentence = "This pass is not valid yet; it starts later (check this device's clock)."


class RevokedTokenError(AccessRefusedError):
    reason = RefusalReason.REVOKED
    sentence = "This pass has been withdrawn by the building's organisation; it gives no access."


class UnknownBuildingTokenError(AccessRefusedError):
    reason = RefusalReason.UNKNOWN_BUILDING
    sentence = (
        "This pass is for a building this device does not know; sync this device, or check"
        " that the pass is for this site."
    )
