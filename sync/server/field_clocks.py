"""How a row's per-field clocks are stored: one entry per change, naming its fields.

Every field a change set shares that change's clock, so ``srv_rows.clocks``
holds a list of groups ``[hlc, seq, [field, ...]]``, newest last, rather than a
``[hlc, seq]`` pair per field: a new equipment row's clocks shrink from ~760 to
~190 bytes, a third of what a push wrote per change. Rows written before this
format hold the per-field object ``{field: [hlc, seq]}``; both are read, and a
row is rewritten in groups the next time a change touches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sync.merge import FieldClock

#: A stored group: the change's stamp, its sequence, and the fields it still holds.
Group = list[Any]


def groups(stored: Any) -> list[Group]:
    """The stored clocks as groups, whichever format they were written in."""
    if isinstance(stored, list):
        return stored
    by_clock: dict[tuple[str, int], list[str]] = {}
    for name, (hlc, seq) in (stored or {}).items():
        by_clock.setdefault((str(hlc), int(seq)), []).append(name)
    return [[hlc, seq, names] for (hlc, seq), names in by_clock.items()]


def field_clocks(stored: Any) -> dict[str, FieldClock]:
    """Field → the clock of the change that last set it (one FieldClock per change)."""
    clocks: dict[str, FieldClock] = {}
    for hlc, seq, names in groups(stored):
        clock = FieldClock(str(hlc), int(seq))
        for name in names:
            clocks[name] = clock
    return clocks


def clock_of(stored: Any, name: str) -> tuple[str, int] | None:
    """(hlc, seq) of the change that last set field *name*, or None if none did."""
    for hlc, seq, names in reversed(groups(stored)):
        if name in names:
            return str(hlc), int(seq)
    return None


def after_change(stored: Any, applied: Iterable[str], hlc: str, seq: int) -> list[Group]:
    """The stored clocks once a change at (*hlc*, *seq*) set the fields *applied*."""
    changed = list(applied)
    if stored is None:
        return [[hlc, seq, changed]]
    taken = set(changed)
    kept = [
        [group_hlc, group_seq, rest]
        for group_hlc, group_seq, names in groups(stored)
        if (rest := [name for name in names if name not in taken])
    ]
    kept.append([hlc, seq, changed])
    return kept


def as_mapping(stored: Any) -> Mapping[str, list[Any]]:
    """Field → [hlc, seq]: the per-field view, for tests and tools."""
    return {name: [clock.hlc, clock.seq] for name, clock in field_clocks(stored).items()}
