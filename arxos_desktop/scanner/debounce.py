"""A code held in front of the camera is reported once, not once a frame.

The camera reads the same label many times a second for as long as it is in
view; the user wants one entry in the list and one action. A code is reported
again only after it has been out of sight for the whole window.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Final

from arxos_desktop.scanner.decode import Code

#: Seconds a code must be unseen before reading it again counts as a new scan.
DEBOUNCE_S: Final = 3.0


class Debouncer:
    """Remembers when each code was last seen; :meth:`fresh` keeps the new ones."""

    def __init__(
        self, *, window_s: float = DEBOUNCE_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[tuple[bytes, str], float] = {}

    def fresh(self, codes: Iterable[Code]) -> list[Code]:
        """The codes not seen within the window; every code given counts as seen now."""
        now = self._clock()
        self._forget_before(now - self.window_s)
        new = []
        for code in codes:
            key = (code.data, code.format)
            if key not in self._last_seen:
                new.append(code)
            self._last_seen[key] = now
        return new

    def _forget_before(self, cutoff: float) -> None:
        stale = [key for key, seen in self._last_seen.items() if seen < cutoff]
        for key in stale:
            del self._last_seen[key]
