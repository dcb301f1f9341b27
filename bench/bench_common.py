"""Helpers every benchmark shares: scratch space, timing, and the noise figure.

Benchmarks run as scripts (``python bench/x_bench.py``), so this module is
imported from the script's own folder.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BENCH_TMP = Path(__file__).resolve().parent / ".tmp"


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A fresh folder under ``bench/.tmp`` (git-ignored), removed afterwards."""
    BENCH_TMP.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=BENCH_TMP))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            BENCH_TMP.rmdir()  # only if no other bench left anything there


def timed(fn: Callable[[], object]) -> float:
    """Seconds *fn* takes, after a collection so garbage from setup is not billed to it."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def spread(values: Sequence[float]) -> float:
    """Half the min-max range relative to the median (``±x``)."""
    med = statistics.median(values)
    return (max(values) - min(values)) / 2 / med if med else 0.0
