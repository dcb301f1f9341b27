"""The cyclic garbage collector held off while a push is applied in memory.

A push keeps a few dozen containers per change alive until its end (rows, merge
results, queued writes). With the collector running, every few hundred of them
set off a young collection that rescanned the push's live objects and promoted
them into older generations, which were then scanned again: a tenth to a sixth of
the server's time per pushed change, for garbage that reference counting frees
anyway once the push is written. A push is bounded (``MAX_PUSH_BATCH`` changes),
so whatever cycles it leaves are collected as soon as it ends.

The switch is process-wide, so pauses are counted: concurrent pushes resume the
collector when the last one ends, and a host that turned it off keeps it off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off automatic collection for the block (as in ``timeit``)."""
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
