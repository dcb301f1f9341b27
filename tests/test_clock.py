"""Hybrid logical clock: monotonic, causal, and safe against wild remote clocks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.clock import ClockError, HybridClock, Stamp


def test_ticks_increase_even_when_the_wall_clock_goes_backwards() -> None:
    times = iter([1000, 1000, 999, 500, 2000])
    clock = HybridClock("dev1", now_ms=lambda: next(times))
    stamps = [clock.tick() for _ in range(5)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 5
    assert stamps[-1] == Stamp(2000, 0, "dev1")


def test_observing_a_remote_stamp_orders_later_local_ticks_after_it() -> None:
    clock = HybridClock("a", now_ms=lambda: 1000)
    remote = Stamp(5000, 7, "b")
    after = clock.observe(remote)
    assert after > remote
    assert clock.tick() > after


def test_a_remote_clock_a_day_ahead_is_refused() -> None:
    clock = HybridClock("a", now_ms=lambda: 0)
    with pytest.raises(ClockError, match="ahead"):
        clock.observe(Stamp(2 * 24 * 3600 * 1000, 0, "b"))


def test_clock_restarts_after_its_last_stamp() -> None:
    clock = HybridClock("a", now_ms=lambda: 10, last=Stamp(50, 3, "a"))
    assert clock.tick() == Stamp(50, 4, "a")


@given(
    st.integers(0, 10**14),
    st.integers(0, 0xFFFFFF),
    st.from_regex(r"[A-Za-z0-9_.\-]{1,64}", fullmatch=True),
)
def test_packed_stamps_sort_like_stamps_and_parse_back(wall: int, counter: int, node: str) -> None:
    stamp = Stamp(wall, counter, node)
    assert Stamp.parse(stamp.pack()) == stamp
    other = Stamp(wall + 1, 0, node)
    assert (stamp.pack() < other.pack()) == (stamp < other)


@pytest.mark.parametrize(
    "text", ["", "12-3-x", "000000000000001-00000g-a", "000000000000001-000000-"]
)
def test_malformed_stamps_are_rejected(text: str) -> None:
    with pytest.raises(ClockError):
        Stamp.parse(text)
