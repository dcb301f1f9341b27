"""A UI-thread stall probe: the longest gap between the ticks of a fast timer.

The acceptance figure for "the app never freezes": while a sync, a search or a
filter runs, a 5 ms timer on the UI thread keeps ticking; any stretch where the
UI thread was busy shows as a long gap between two ticks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QTimer


class StallProbe:
    def __init__(self, interval_ms: int = 5) -> None:
        self.longest = 0.0
        self.ticks = 0
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now
        self.ticks += 1

    @contextmanager
    def running(self) -> Iterator[StallProbe]:
        self._last = time.perf_counter()
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.stop()
            self._tick()

    @property
    def longest_ms(self) -> float:
        return self.longest * 1000
