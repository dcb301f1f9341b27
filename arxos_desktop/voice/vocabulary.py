"""The "field command" phrase list: what a technician says about this building.

Built from the replica's tags and room numbers plus the fixed words of a status
report (statuses, units, numbers, dates), and handed to Vosk as a runtime grammar
so "AHU three filter dirty needs service" is heard as such rather than as the
nearest dictionary sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from arxos_desktop.voice.numbers import ORDINALS, TEENS, TENS, UNITS, spoken

STATUS_PHRASES: Final = (
    "operational", "running normally", "back in service", "needs service", "needs repair",
    "out of service", "not running", "decommissioned",
)  # fmt: skip
UNIT_PHRASES: Final = (
    "degrees", "fahrenheit", "celsius", "psi", "kilopascals", "inches of water", "amps",
    "volts", "percent", "rpm", "cfm", "point", "minus", "hundred", "thousand",
)  # fmt: skip
FIELD_WORDS: Final = (
    "room", "filter", "dirty", "replaced", "belt", "leak", "leaking", "noise", "noisy",
    "vibration", "supply", "return", "discharge", "suction", "pressure", "temperature",
    "current", "voltage", "speed", "airflow", "humidity", "checked", "ok", "next", "service",
    "on", "today", "tomorrow", "week", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
)  # fmt: skip


def field_phrases(tags: Iterable[str], rooms: Iterable[str]) -> list[str]:
    """Every phrase of field-command mode: tags and rooms as said, then the fixed words."""
    phrases = [spoken(tag) for tag in tags]
    phrases += [f"room {spoken(number)}" for number in rooms]
    phrases += STATUS_PHRASES + UNIT_PHRASES + FIELD_WORDS
    phrases += [*UNITS, *TEENS, *TENS, *ORDINALS]
    return list(dict.fromkeys(p for p in phrases if p))
