"""Rendered tiles kept in memory, least recently used first out, bounded in bytes.

A tablet has little memory, and tiles differ in size (the page's edge tiles are
cut short, previews are larger than tiles), so the bound is what the pixels
weigh, not how many entries there are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Final, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Default budget: about 500 full tiles of 256 x 256 RGB.
DEFAULT_BUDGET_BYTES: Final = 96 * 1024 * 1024


class TileCache(Generic[K, V]):
    """An LRU map whose entries carry their size; safe to share between threads."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        if budget_bytes <= 0:
            raise ValueError("a tile cache needs a positive budget")
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        """The entry (now the most recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, nbytes: int) -> None:
        """Keep *value*; older entries leave until the total fits the budget.

        An entry larger than the whole budget is not kept (it would evict everything
        and then itself).
        """
        if nbytes < 0:
            raise ValueError("an entry cannot weigh less than nothing")
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if nbytes > self.budget_bytes:
                return
            self._entries[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.budget_bytes:
                _, (_, size) = self._entries.popitem(last=False)
                self._bytes -= size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
