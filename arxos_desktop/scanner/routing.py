"""What a decoded code is for: an access pass, a link to equipment, an asset tag, or nothing known.

A QR code can carry anything, written by anyone, so the payload is checked
before it is looked at: too long or not plain text is refused with a reason
that never quotes it. Access tokens are only recognised here by their shape
(a compact JWS whose header says ``"typ": "arxos-access+jwt"``); verifying
them is the access service's job, which the caller hands them to.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

#: Longest payload accepted (a signed pass is well under 1 KB; a QR code holds up to ~3 KB).
MAX_PAYLOAD_BYTES: Final = 4096
#: The ``typ`` header of an ArxOS access token.
ACCESS_TOKEN_TYPE: Final = "arxos-access+jwt"

_JWS: Final = re.compile(r"[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}")
_EQUIPMENT_LINK: Final = re.compile(r"arxos://equipment/(?P<id>[^/?#\s]+)/?", re.IGNORECASE)
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Characters allowed besides printable ones: a label may wrap its text.
_SPACING: Final = frozenset("\t\r\n")


class Route(StrEnum):
    """Where a scanned code goes; the value is ``route`` in ``arx scan --json``."""

    ACCESS_TOKEN = "access_token"
    EQUIPMENT_LINK = "equipment_link"
    ASSET_TAG = "asset_tag"
    UNKNOWN = "unknown"
    REFUSED = "refused"


@dataclass(frozen=True)
class Routed:
    """A code's route; *text* is None when refused (its payload is never shown).

    *equipment_id* is set for an equipment link and a known asset tag; *reason*
    says in plain words why a code was refused or is not known.
    """

    route: Route
    text: str | None
    equipment_id: str | None = None
    reason: str = ""


#: Finds the equipment a label's text names (its id), or None: a replica query.
TagLookup = Callable[[str], str | None]


def classify(data: bytes, *, tag_lookup: TagLookup | None = None) -> Routed:
    """The route of a payload; asset tags are recognised only with a *tag_lookup*."""
    if len(data) > MAX_PAYLOAD_BYTES:
        return _refused(
            f"This code holds too much data to be an ArxOS code ({len(data)} bytes;"
            f" the limit is {MAX_PAYLOAD_BYTES})."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _refused("This code holds binary data, not text: it is not an ArxOS code.")
    if not text.strip():
        return _refused("This code is empty.")
    if any(_is_control(char) for char in text):
        return _refused("This code holds control characters: it is not an ArxOS code.")
    text = text.strip()
    if _JWS.fullmatch(text):
        if _is_access_token(text):
            return Routed(Route.ACCESS_TOKEN, text)
        return Routed(Route.UNKNOWN, text, reason="A signed token, but not an ArxOS access pass.")
    link = _EQUIPMENT_LINK.fullmatch(text)
    if link:
        equipment_id = link.group("id").lower()
        if _UUID.fullmatch(equipment_id):
            return Routed(Route.EQUIPMENT_LINK, text, equipment_id=equipment_id)
        return Routed(Route.UNKNOWN, text, reason="An ArxOS equipment link with a damaged id.")
    if tag_lookup is not None:
        equipment_id = tag_lookup(text)
        if equipment_id is not None:
            return Routed(Route.ASSET_TAG, text, equipment_id=equipment_id)
    return Routed(Route.UNKNOWN, text, reason="No equipment in this replica has this tag.")


def _refused(reason: str) -> Routed:
    return Routed(Route.REFUSED, None, reason=reason)


def _is_control(char: str) -> bool:
    return char not in _SPACING and unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _is_access_token(text: str) -> bool:
    """Whether the JWS header (its first part) declares an ArxOS access token."""
    header = text.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
        fields = json.loads(raw)
    except (binascii.Error, ValueError):
        return False
    return isinstance(fields, dict) and fields.get("typ") == ACCESS_TOKEN_TYPE
