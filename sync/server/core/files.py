"""Owner-only folders and files for what the server keeps on disk.

The database holds password hashes and every building's data, the blob folder
every drawing and photo: no other local user may read them, whatever the umask.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

PRIVATE_DIR: Final = 0o700
PRIVATE_FILE: Final = 0o600
#: SQLite's companions of a database file (WAL mode), which it creates with the file's mode.
SQLITE_COMPANIONS: Final = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """*path* created if missing, and readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    path.chmod(PRIVATE_DIR)
    return path


def private_sqlite_file(path: Path) -> None:
    """The database file (made empty if missing) and its companions, owner-only.

    SQLite gives the ``-wal`` and ``-shm`` files the database file's mode, so a
    database created here stays private; an older one is tightened.
    """
    # A new folder is made private; an existing one (the operator's choice) is left alone.
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    for name in ("", *SQLITE_COMPANIONS):
        companion = path.with_name(path.name + name)
        if companion.exists():
            companion.chmod(PRIVATE_FILE)
