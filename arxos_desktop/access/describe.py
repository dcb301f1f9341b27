"""A pass's scope as one sentence a contractor and a site manager both read the same way.

"ACME-42 may read and annotate HVAC and electrical on floors 1 and 2 of
Riverside Tower until 17:30 today." Times are the device's local time, said
relative to today when that is shorter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from sync.schema import System
from sync.tokens import AccessClaims, Permission

_SYSTEM_WORDS: Final = {
    System.HVAC: "HVAC",
    System.ELECTRICAL: "electrical",
    System.PLUMBING: "plumbing",
    System.MECHANICAL: "mechanical",
    System.FIRE: "fire",
    System.SECURITY: "security",
    System.OTHER: "other",
}


def join_words(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _systems(claims: AccessClaims) -> str:
    if claims.systems is None:
        return "every system"
    order = list(System)
    return join_words([_SYSTEM_WORDS[s] for s in sorted(claims.systems, key=order.index)])


def _floors(claims: AccessClaims) -> str:
    if claims.floors is None:
        return "on every floor"
    levels = [str(level) for level in claims.floors]
    return f"on floor{'s' if len(levels) > 1 else ''} {join_words(levels)}"


def _permissions(claims: AccessClaims) -> str:
    return join_words([str(p) for p in Permission if p in claims.permissions])


def when(stamp: dt.datetime, now: dt.datetime, *, absolute: bool = False) -> str:
    """``17:30 today``, ``08:00 tomorrow`` or ``17:30 on 3 Dec 2026`` (in *now*'s zone).

    *absolute* always gives the date and the zone: for paper, read on another day.
    """
    local = stamp.astimezone(now.tzinfo)
    clock = local.strftime("%H:%M")
    if absolute:
        return f"{clock} {local.strftime('%Z')} on {local.day} {local.strftime('%b %Y')}".replace(
            "  ", " "
        )
    days = (local.date() - now.date()).days
    if days == 0:
        return f"{clock} today"
    if days == 1:
        return f"{clock} tomorrow"
    if days == -1:
        return f"{clock} yesterday"
    return f"{clock} on {local.day} {local.strftime('%b %Y')}"


def describe_scope(
    claims: AccessClaims, *, building_name: str, now: dt.datetime, absolute: bool = False
) -> str:
    """The sentence for *claims*; *now* is aware and carries the zone to speak in."""
    start = ""
    if claims.not_before_at > now:
        start = f" from {when(claims.not_before_at, now, absolute=absolute)}"
    until = when(claims.expires_at, now, absolute=absolute)
    return (
        f"{claims.contractor_id} may {_permissions(claims)} {_systems(claims)}"
        f" {_floors(claims)} of {building_name}{start} until {until}."
    )


def local_now() -> dt.datetime:
    """Now, in this device's time zone."""
    return dt.datetime.now().astimezone()
