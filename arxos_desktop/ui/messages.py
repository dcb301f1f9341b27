"""Errors as the sentences a technician reads: never a traceback on screen.

The app's and the sync engine's errors are written for people already
(``str(error)``); anything else is a bug, so it is logged with its traceback and
the user gets a sentence saying their edits are safe and where the details are.
"""

from __future__ import annotations

import logging

from arxos_desktop.errors import ArxosError
from sync.errors import SyncError

log = logging.getLogger("arxos_desktop.ui")


def plain_words(error: BaseException) -> str:
    """The sentence to show for *error* (logged in full when it is unexpected)."""
    if isinstance(error, ArxosError | SyncError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"The system refused: {error.strerror}{where}."
    log.error("unexpected error", exc_info=error)
    return (
        f"Something unexpected went wrong ({type(error).__name__}). Your saved edits are safe;"
        " the details are in the app's log."
    )
