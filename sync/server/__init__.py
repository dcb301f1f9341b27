"""The cloud sync service: accounts, building permissions, the change log, blobs.

It imports only ``sync`` (never the field app or Qt), so it can ship alone.
Start it with ``arx serve`` or ``uvicorn --factory sync.server.main:create_app``.
This module stays light: the CLI imports ``sync.server.crud`` without FastAPI.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("arxos-field")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
