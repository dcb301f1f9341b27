"""The local replica: a SQLite copy of the user's buildings that works offline.

Every write goes through :class:`~arxos_desktop.store.writer.ChangeWriter`,
which appends the matching outbox change in the same transaction.
"""

from arxos_desktop.store.errors import (
    AmbiguousError,
    ChangeInFlightError,
    InvalidEditError,
    NotFoundError,
    ReplicaOpenError,
    ServerVersionUnknownError,
    StillReferencedError,
    StoreError,
)
from arxos_desktop.store.replica import Replica

__all__ = [
    "AmbiguousError",
    "ChangeInFlightError",
    "InvalidEditError",
    "NotFoundError",
    "Replica",
    "ReplicaOpenError",
    "ServerVersionUnknownError",
    "StillReferencedError",
    "StoreError",
]
