"""What a device must know to check access passes offline, as the server sends it.

One definition for both ends: the server answers ``GET /v1/access/trust`` with
an :class:`AccessTrust`, the sync client stores it in the replica, and the
device verifies passes against nothing else.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sync.tokens import TrustedKey, public_key_from_text


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrustKey(_Shape):
    kid: str = Field(min_length=1, max_length=16)
    org_id: str = Field(min_length=1, max_length=36)
    public_key: str = Field(min_length=43, max_length=43)
    #: ``active`` signs new passes; ``trusted`` is an older key whose passes still count.
    status: Literal["active", "trusted"]


class AccessTrust(_Shape):
    """Keys, withdrawn passes and building owners for every building the user may see."""

    keys: list[TrustKey]
    #: Withdrawn passes of those organisations that have not expired yet.
    revoked: list[str]
    #: Building id → id of the organisation whose keys may grant it.
    buildings: dict[str, str]


def trusted_keys(keys: list[TrustKey]) -> dict[str, TrustedKey]:
    """Key id → key, ready for :func:`sync.tokens.verify`."""
    return {k.kid: TrustedKey(k.kid, k.org_id, public_key_from_text(k.public_key)) for k in keys}
