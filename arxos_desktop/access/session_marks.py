"""Whether a contractor session is noted on this device, answered without loading it.

Every `arx` command opens the replica; on a contractor's device it must apply the
pass's scope as the app does, but on every other device the check must cost one
``stat`` and one meta lookup, not the import of the pass-checking machinery.
"""

from __future__ import annotations

from typing import Final

from arxos_desktop.store.engine import get_meta
from arxos_desktop.store.replica import Replica

#: The session's file in the data folder (owner-only).
SESSION_FILE: Final = "access_session.json"
#: The replica's own note of a running session, so deleting the file cannot lift the scope.
MARKER_KEY: Final = "access_session"


def session_noted(replica: Replica) -> bool:
    """True when this device holds a contractor session (running or ended)."""
    return (replica.home / SESSION_FILE).exists() or bool(get_meta(replica.conn, MARKER_KEY))
