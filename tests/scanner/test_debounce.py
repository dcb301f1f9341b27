"""A code in view for several frames is reported once, and again only after leaving view."""

from __future__ import annotations

from arxos_desktop.scanner.debounce import Debouncer
from arxos_desktop.scanner.decode import Code


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _code(text: str, fmt: str = "qr_code") -> Code:
    return Code(text.encode(), fmt, "pyzbar", ((0, 0), (1, 0), (1, 1), (0, 1)))


def test_a_code_held_in_view_is_reported_once_then_again_after_it_was_away() -> None:
    clock = Clock()
    debounce = Debouncer(window_s=3.0, clock=clock)
    ahu, vav = _code("AHU-1"), _code("VAV-101")
    assert debounce.fresh([ahu]) == [ahu]
    for _ in range(20):  # 10 s of frames, the code never leaving view
        clock.now += 0.5
        assert debounce.fresh([ahu]) == []
    assert debounce.fresh([ahu, vav]) == [vav]
    clock.now += 3.5  # both out of view for longer than the window
    assert debounce.fresh([vav, ahu]) == [vav, ahu]


def test_the_same_text_in_another_symbology_is_another_code() -> None:
    debounce = Debouncer(window_s=3.0, clock=Clock())
    assert len(debounce.fresh([_code("AHU-1"), _code("AHU-1", "code_128")])) == 2
