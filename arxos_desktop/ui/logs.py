"""The app's log file: where unexpected errors go in full while the user reads a sentence."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_DIR = "logs"
LOG_FILE = "arxos.log"


def configure_logging(home: Path) -> Path:
    """Log warnings and errors to ``<home>/logs/arxos.log`` (owner-only: it may name buildings)."""
    folder = home / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / LOG_FILE
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)
    return path
