"""Making file-system changes survive a power cut."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries so a rename or unlink inside it is durable.

    POSIX only: Windows cannot open a folder, and its renames need no such step.
    """
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
