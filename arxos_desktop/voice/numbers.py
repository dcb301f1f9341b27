"""Numbers as technicians say them, both ways: "fifty five point five" ↔ 55.5.

Speech recognisers write numbers as words. Field speech also runs digits together
("two oh eight volts" is 208, "four eighty" is 480, "one twenty" is 120) and multiplies
("twelve hundred cfm"); :func:`read_number` follows those habits. :func:`spoken` goes the
other way for grammar phrases ("AHU-3" is said "ahu three").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

UNITS: Final = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
TEENS: Final = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: Final = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
ORDINALS: Final = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_DIGITS: Final = re.compile(r"^\d+(\.\d+)?$")
_ORDINAL_DIGITS: Final = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")
NUMBER_WORDS: Final = frozenset(UNITS) | frozenset(TEENS) | frozenset(TENS) | {"hundred"}
_MULTIPLIERS: Final = {"hundred": 100, "thousand": 1000}
#: Digits run together at most this far ("one two three four" is one number, a fifth is not).
_MAX_RUN: Final = 4


def _group(tokens: Sequence[str], i: int) -> tuple[str, int] | None:
    """One spoken group under a hundred as digits: "fifty five" → "55", "oh eight" → "08"."""
    word = tokens[i] if i < len(tokens) else ""
    if word in TENS:
        unit = tokens[i + 1] if i + 1 < len(tokens) else ""
        if unit in UNITS and UNITS[unit] > 0:
            return str(TENS[word] + UNITS[unit]), i + 2
        return str(TENS[word]), i + 1
    if word in TEENS:
        return str(TEENS[word]), i + 1
    if word == "oh" and i + 1 < len(tokens) and tokens[i + 1] in UNITS:
        return f"0{UNITS[tokens[i + 1]]}", i + 2
    if word in UNITS and word != "oh":
        return str(UNITS[word]), i + 1
    return None


def read_number(tokens: Sequence[str], i: int) -> tuple[float, int] | None:
    """The number starting at ``tokens[i]`` and the index after it, or None."""
    sign = 1.0
    if i < len(tokens) and tokens[i] in ("minus", "negative") and i + 1 < len(tokens):
        sign, i = -1.0, i + 1
    if i >= len(tokens):
        return None
    if _DIGITS.match(tokens[i]):
        return sign * float(tokens[i]), i + 1
    whole, j = _whole(tokens, i)
    if whole is None and tokens[i] == "point":
        whole, j = 0, i  # "point eight"
    if whole is None:
        return None
    if j + 1 < len(tokens) and tokens[j] == "point":
        digits = ""
        k = j + 1
        while k < len(tokens) and tokens[k] in UNITS:
            digits += str(UNITS[tokens[k]])
            k += 1
        if digits:
            return sign * float(f"{whole}.{digits}"), k
    if j == i:
        return None  # "point" with no digits after it
    return sign * float(whole), j


def _whole(tokens: Sequence[str], i: int) -> tuple[int | None, int]:
    """Groups run together ("two oh eight" → 208) and multiplied ("twelve hundred")."""
    total, text, j = 0, "", i
    if j < len(tokens) and tokens[j] in _MULTIPLIERS:
        total, j = _MULTIPLIERS[tokens[j]], j + 1  # "hundred cfm", as in "a hundred"
    while len(text) < _MAX_RUN:
        found = _group(tokens, j)
        if found is None:
            break
        digits, j = found
        if j < len(tokens) and tokens[j] in _MULTIPLIERS:
            total += int(text + digits) * _MULTIPLIERS[tokens[j]]
            text, j = "", j + 1
            if j < len(tokens) and tokens[j] == "and":
                j += 1
            continue
        text += digits
    if not text and not total:
        return None, i
    return total + (int(text) if text else 0), j


def read_ordinal(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """A day of the month said or written: "third", "twenty first", "3rd", "3"."""
    if i >= len(tokens):
        return None
    word = tokens[i]
    if word in ORDINALS:
        return ORDINALS[word], i + 1
    if word in TENS and i + 1 < len(tokens) and tokens[i + 1] in ORDINALS:
        return TENS[word] + ORDINALS[tokens[i + 1]], i + 2
    found = _ORDINAL_DIGITS.match(word)
    if found:
        return int(found.group(1)), i + 1
    if word.isdigit() and len(word) <= 2:
        return int(word), i + 1
    return None


_SMALL: Final = {v: k for k, v in {**UNITS, **TEENS, **TENS}.items() if k != "oh"}


def say_number(value: int) -> str:
    """0-99 as words ("forty two"); larger numbers digit by digit ("one zero one")."""
    if value < 0:
        return "minus " + say_number(-value)
    if value in _SMALL:
        return _SMALL[value]
    if value < 100:
        return f"{_SMALL[value - value % 10]} {_SMALL[value % 10]}"
    return " ".join(_SMALL[int(d)] for d in str(value))


def spoken(label: str) -> str:
    """A tag or room number as said: "AHU-3" → "ahu three", "101" → "one zero one"."""
    parts = re.findall(r"[A-Za-z]+|\d+", label)
    return " ".join(say_number(int(p)) if p.isdigit() else p.lower() for p in parts)
