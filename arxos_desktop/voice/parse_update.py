"""A dictated English note → the field changes it suggests (pure: no I/O, no clock).

"AHU three filter dirty needs service, supply air fifty five degrees, back next
tuesday" suggests: equipment AHU-3, status needs_service, a reading of supply air
55 °F and a follow-up date. These are suggestions only; the technician confirms each
before anything is written (:mod:`apply_update`).

Rules worth knowing: the status said last wins ("was down, now back in service" is
operational); bare "degrees" is Fahrenheit; a tag the building has (``known_tags``) is
matched however it is said ("ahu three", "a h u 3", "AHU-3"), else a usual equipment
prefix followed by a number is taken as a tag.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from arxos_desktop.voice.numbers import UNITS, read_number, read_ordinal

Unit = tuple[str, str]  # (quantity, unit symbol)
UNIT_WORDS: Final[tuple[tuple[tuple[str, ...], Unit], ...]] = tuple(
    sorted(
        (
            *((w, ("temperature", "°F")) for w in (
                ("degrees", "fahrenheit"), ("degrees", "f"), ("fahrenheit",), ("f",),
                ("degrees",), ("degree",),
            )),
            *((w, ("temperature", "°C")) for w in (
                ("degrees", "celsius"), ("degrees", "c"), ("degrees", "centigrade"),
                ("celsius",), ("c",),
            )),
            *((w, ("pressure", "psi")) for w in (
                ("psi",), ("psig",), ("pounds",), ("pounds", "per", "square", "inch"),
            )),
            *((w, ("pressure", "kPa")) for w in (("kpa",), ("kilopascals",), ("kilopascal",))),
            *((w, ("pressure", "inH2O")) for w in (
                ("inches", "of", "water", "column"), ("inches", "of", "water"),
                ("inches", "water", "column"), ("inches", "wc"),
            )),
            *((w, ("current", "A")) for w in (("amps",), ("amp",), ("amperes",))),
            *((w, ("voltage", "V")) for w in (("volts",), ("volt",), ("v",), ("vac",))),
            *((w, ("percent", "%")) for w in (("percent",), ("per", "cent"))),
            *((w, ("speed", "rpm")) for w in (
                ("rpm",), ("r", "p", "m"), ("revolutions", "per", "minute"),
            )),
            *((w, ("airflow", "cfm")) for w in (
                ("cfm",), ("c", "f", "m"), ("cubic", "feet", "per", "minute"),
            )),
        ),
        key=lambda item: -len(item[0]),
    )
)  # fmt: skip
NAME_WORDS: Final = frozenset((
    "supply", "return", "discharge", "suction", "mixed", "outside", "outdoor", "space", "room",
    "static", "head", "leaving", "entering", "water", "air", "oil", "humidity", "valve",
    "damper", "fan", "motor", "compressor", "pump", "differential", "filter", "chilled", "hot",
    "condenser", "line", "phase", "load", "duct", "coil", "pressure", "temperature", "temp",
    "current", "voltage", "speed", "airflow", "amperage", "belt",
))  # fmt: skip
FILLER: Final = frozenset((
    "at", "is", "was", "reads", "reading", "of", "about", "around", "approximately", "drawing",
    "draws", "showing", "measured", "now",
))  # fmt: skip
TAG_PREFIXES: Final = frozenset((
    "ahu", "rtu", "vav", "fcu", "ef", "sf", "rf", "mau", "erv", "hrv", "cu", "ch", "blr", "cwp",
    "hwp", "chwp", "p", "wh", "ct", "fpb", "uh", "acu", "crac", "pdu", "ups", "mcc", "ats",
    "gen", "panel",
))  # fmt: skip
STATUS_PATTERNS: Final = (
    ("decommissioned", r"\b(decommission(ed)?|retired|abandoned in place|permanently removed)\b"),
    (
        "out_of_service",
        r"\b(out of service|not (running|working|operational|operating|in service)"
        r"|(is|was|went|unit|it's) down|offline|shut down|tripped|failed|locked out"
        r"|tagged out|inoperable)\b",
    ),
    (
        "needs_service",
        r"\b(needs? (service|servicing|repairs?|maintenance|attention|work|replacing"
        r"|replacement|a new \w+|to be (serviced|repaired|replaced))"
        r"|service (required|needed|due)|due for service|requires? (service|repairs?"
        r"|maintenance))\b",
    ),
    (
        "operational",
        r"\b((?<!not )operational|running (normally|fine|ok|okay|well)|operating normally"
        r"|working (normally|fine|again|ok|okay)|back (in service|online|up)|all good"
        r"|(?<!not )(?<!out of )in service|returned to service)\b",
    ),
)
STATUS_LABELS: Final = {
    "operational": "Operational",
    "needs_service": "Needs service",
    "out_of_service": "Out of service",
    "decommissioned": "Decommissioned",
}
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS: Final = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_ISO: Final = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TOKENS: Final = re.compile(r"\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Reading:
    name: str
    value: float
    unit: str
    quantity: str


@dataclass(frozen=True)
class ParsedUpdate:
    tag: str | None = None
    status: str | None = None
    readings: tuple[Reading, ...] = ()
    date: dt.date | None = None


@dataclass(frozen=True)
class Suggestion:
    """One change the technician may apply: ``kind`` is status, reading or date."""

    kind: str
    label: str
    value: object


def parse_update(
    transcript: str, *, today: dt.date, known_tags: Sequence[str] = ()
) -> ParsedUpdate:
    """What *transcript* says about equipment (*today* anchors "next tuesday")."""
    text = transcript.lower()
    iso = _ISO.search(text)
    text = _ISO.sub(" ", text)
    text = text.replace("°f", " degrees f ").replace("°c", " degrees c ").replace("°", " degrees ")
    text = text.replace("%", " percent ")
    text = re.sub(r"\bin\.?\s*(h2o|w\.?\s?c\.?)(?=\W|$)", " inches of water ", text)
    text = re.sub(r"\bw\.\s?c\.", " wc ", text)
    tokens = _TOKENS.findall(text)
    used: set[int] = set()
    tag = _tag(tokens, known_tags, used)
    return ParsedUpdate(
        tag=tag,
        status=_status(" ".join(tokens)),
        readings=tuple(_readings(tokens, used)),
        date=_iso_date(iso) if iso else _date(tokens, today),
    )


def suggestions(parsed: ParsedUpdate) -> list[Suggestion]:
    """The changes to offer, one per field, in the order a technician reads them."""
    found: list[Suggestion] = []
    if parsed.status:
        found.append(
            Suggestion("status", f"Set status to {STATUS_LABELS[parsed.status]}", parsed.status)
        )
    for reading in parsed.readings:
        shown = f"{reading.value:g} {reading.unit}"
        found.append(Suggestion("reading", f"Record {reading.name}: {shown}", reading))
    if parsed.date:
        when = f"{parsed.date:%a} {parsed.date.day} {parsed.date:%b %Y}"
        found.append(Suggestion("date", f"Next service on {when}", parsed.date))
    return found


# -- tags --------------------------------------------------------------------------------


def _tag(tokens: list[str], known: Sequence[str], used: set[int]) -> str | None:
    for i in range(len(tokens)):
        for tag in known:
            end = _match_tag(tokens, i, re.findall(r"[a-z]+|\d+", tag.lower()))
            if end is not None:
                used.update(range(i, end))
                return tag
    for i, word in enumerate(tokens):
        if word in TAG_PREFIXES:
            j = i + 2 if i + 1 < len(tokens) and tokens[i + 1] == "number" else i + 1
            number = _short_number(tokens, j)
            if number is not None:
                used.update(range(i, number[1]))
                return f"{word.upper()}-{number[0]}"
    return None


def _match_tag(tokens: list[str], i: int, parts: list[str]) -> int | None:
    """Index after the tag *parts* said from ``tokens[i]``, or None."""
    j = i
    for part in parts:
        if part.isdigit():
            if j < len(tokens) and tokens[j] == "number":
                j += 1
            j = _number_equal(tokens, j, int(part))  # type: ignore[assignment]
        elif j < len(tokens) and tokens[j] == part:
            j += 1
        elif tokens[j : j + len(part)] == list(part):
            j += len(part)  # spelled: "a h u"
        else:
            return None
        if j is None:
            return None
    return j


def _number_equal(tokens: list[str], j: int, wanted: int) -> int | None:
    for k in range(1, 5):
        found = read_number(tokens[j : j + k], 0)
        if found is not None and found[1] == k and found[0] == wanted:
            return j + k
    return None


def _short_number(tokens: list[str], j: int) -> tuple[int, int] | None:
    """A tag's number when the building does not list the tag: one spoken group ("seven",
    "twelve", "forty two"), or digits read one by one with an "oh" in them ("one oh one").
    Never more, so "EF seven fifty degrees" keeps its reading."""
    k = 1
    if j + 1 < len(tokens) and tokens[j] in UNITS and tokens[j + 1] in ("oh", "zero"):
        while k < 4 and j + k < len(tokens) and tokens[j + k] in UNITS:
            k += 1
    found = read_number(tokens[j : j + k], 0)
    if found is None or found[1] != k or found[0] < 0 or found[0] != int(found[0]):
        return None
    return int(found[0]), j + k


# -- status, readings, dates --------------------------------------------------------------


def _status(text: str) -> str | None:
    last: tuple[int, str] | None = None
    for status, pattern in STATUS_PATTERNS:
        for found in re.finditer(pattern, text):
            if last is None or found.start() > last[0]:
                last = (found.start(), status)
    return None if last is None else last[1]


def _readings(tokens: list[str], used: set[int]) -> list[Reading]:
    found: list[Reading] = []
    i = 0
    while i < len(tokens):
        number = None if i in used else read_number(tokens, i)
        if number is None:
            i += 1
            continue
        value, j = number
        unit = _unit_at(tokens, j)
        if unit is None:
            i = max(j, i + 1)
            continue
        words, (quantity, symbol) = unit
        found.append(Reading(_name_before(tokens, i, used) or quantity, value, symbol, quantity))
        used.update(range(i, j + len(words)))
        i = j + len(words)
    return found


def _unit_at(tokens: list[str], j: int) -> tuple[tuple[str, ...], Unit] | None:
    for words, unit in UNIT_WORDS:
        if tuple(tokens[j : j + len(words)]) == words:
            return words, unit
    return None


def _name_before(tokens: list[str], i: int, used: set[int]) -> str:
    k = i - 1
    while k >= 0 and tokens[k] in FILLER and k not in used:
        k -= 1
    words: list[str] = []
    while k >= 0 and tokens[k] in NAME_WORDS and k not in used and len(words) < 3:
        words.insert(0, tokens[k])
        k -= 1
    return " ".join(words)


def _iso_date(found: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _date(tokens: list[str], today: dt.date) -> dt.date | None:
    for i, word in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word == "today":
            return today
        if word == "tomorrow":
            return today + dt.timedelta(days=1)
        if word == "next" and after == "week":
            return today + dt.timedelta(days=7)
        if word == "in" and (relative := _relative(tokens, i + 1, today)) is not None:
            return relative
        if word in WEEKDAYS:
            ahead = (WEEKDAYS.index(word) - today.weekday()) % 7 or 7
            return today + dt.timedelta(days=ahead)
        if word in MONTHS and (day := read_ordinal(tokens, i + 1)) is not None:
            return _month_day(tokens, MONTHS.index(word) + 1, day, today)
        if (
            (day := read_ordinal(tokens, i)) is not None
            and tokens[day[1] : day[1] + 2]
            and (
                tokens[day[1]] == "of" and day[1] + 1 < len(tokens) and tokens[day[1] + 1] in MONTHS
            )
        ):
            month = MONTHS.index(tokens[day[1] + 1]) + 1
            return _month_day(tokens, month, (day[0], day[1] + 2), today)
    return None


def _relative(tokens: list[str], i: int, today: dt.date) -> dt.date | None:
    number = read_number(tokens, i)
    if number is None or number[0] != int(number[0]) or not 0 < number[0] <= 365:
        return None
    unit = tokens[number[1]] if number[1] < len(tokens) else ""
    days = {"day": 1, "days": 1, "week": 7, "weeks": 7}.get(unit)
    return None if days is None else today + dt.timedelta(days=int(number[0]) * days)


def _month_day(
    tokens: list[str], month: int, day: tuple[int, int], today: dt.date
) -> dt.date | None:
    """A month and day, in the year said, else the next time that day comes round."""
    value, j = day
    said = read_number(tokens, j)
    year_said = said is not None and 2000 <= said[0] <= 2100
    try:
        if year_said and said is not None:
            return dt.date(int(said[0]), month, value)
        date = dt.date(today.year, month, value)
        return date if date >= today else dt.date(today.year + 1, month, value)
    except ValueError:
        return None
