"""Whether the sync server's libraries are installed, said in words when they are not.

The field app installs without the server (``pip install arxos-field``); the server's
libraries come with the ``server`` extra. `arx serve` and `arx server …` call
:func:`require_server` first, so a missing library is a sentence naming the extra
to install, not an ``ImportError`` traceback.
"""

from __future__ import annotations

import importlib
from typing import Final

from arxos_desktop.errors import ArxosError, ErrorKind

#: Import names of the ``server`` extra's libraries (pyproject.toml), checked in this order.
SERVER_MODULES: Final = (
    "fastapi",
    "uvicorn",
    "argon2",
    "alembic",
    "psycopg",
    "prometheus_client",
    "jwt",
    "limits",
)
INSTALL_HINT: Final = "pip install 'arxos-field[server]'"


class MissingExtraError(ArxosError):
    """A library of an optional extra is not installed (exit code 11)."""

    kind = ErrorKind.MISSING_EXTRA


def require_server() -> None:
    """Import the server's libraries, or raise :class:`MissingExtraError` naming the extra."""
    for name in SERVER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing = exc.name or name
            raise MissingExtraError(
                f"The sync server is not installed here ({missing} is missing); "
                f"install it with: {INSTALL_HINT}"
            ) from None
