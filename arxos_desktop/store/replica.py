"""The replica facade: one object the CLI and the UI's services hold.

Like Anki's ``Collection``, it owns the connection, the clock and the writer;
the service modules (``buildings``, ``equipment``, ``workorders``...) are plain
functions taking a replica first, so each stays small and testable.

Each thread gets its own SQLite connection, opened on first use: in WAL mode a
connection reads only committed transactions, so the UI thread never sees half
of a pull page that the sync worker is applying on its connection. Writers of
all threads are serialised by one lock (and by SQLite's own write lock), so one
transaction runs at a time and the clock is saved with the data it stamped.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from arxos_desktop.config import BLOBS_DIR, REPLICA_FILE, resolve_home
from arxos_desktop.store.blobs import BlobStore
from arxos_desktop.store.engine import connect, get_meta, open_database, set_meta
from arxos_desktop.store.errors import ReplicaOpenError
from sync.clock import HybridClock, Stamp
from sync.errors import ClockError

if TYPE_CHECKING:
    from arxos_desktop.store.writer import ChangeWriter

_DEVICE_KEY = "device_id"
_CLOCK_KEY = "hlc_last"


class AccessScope(Protocol):
    """What a contractor pass lets this device show and change (``access.scope.PassScope``).

    Local writes ask :meth:`check_write` inside their transaction, with the row
    before (None for an insert) and after; it raises to refuse, and then nothing
    of the edit is written. Reads that list rows for the user (navigator, table,
    search) narrow their SQL with :meth:`row_filter`. What it must log of a
    refused write waits (:attr:`unsettled`) until the edit is rolled back, then
    :meth:`settle` writes it in a transaction of its own.
    """

    def check_write(
        self,
        conn: sqlite3.Connection,
        entity: str,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> None: ...

    def row_filter(self, entity: str, alias: str) -> tuple[str, list[Any]]: ...

    def shows(self, conn: sqlite3.Connection, entity: str, values: dict[str, Any]) -> bool: ...

    @property
    def unsettled(self) -> bool: ...

    def settle(self, conn: sqlite3.Connection) -> None: ...


def scope_filter(replica: Replica, entity: str, alias: str) -> tuple[str, list[Any]]:
    """The SQL condition (and its parameters) limiting *entity* rows to the access scope."""
    scope = replica.access_scope
    return ("1", []) if scope is None else scope.row_filter(entity, alias)


class _ThreadState(threading.local):
    """This thread's connection and the writer bound to it (None until first use)."""

    conn: sqlite3.Connection | None = None
    writer: ChangeWriter | None = None


class Replica:
    """An open local replica. Not shared across processes; safe to share across threads."""

    def __init__(self, conn: sqlite3.Connection, home: Path) -> None:
        self.home = home
        self.blobs = BlobStore(home / BLOBS_DIR)
        self._lock = threading.RLock()
        self._local = _ThreadState()
        self._opened: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._closed = False
        self._in_flight: frozenset[str] = frozenset()
        self._adopt(conn)
        self.device_id = self._ensure_device_id()
        last = get_meta(conn, _CLOCK_KEY)
        self.clock = HybridClock(self.device_id, last=Stamp.parse(last) if last else None)
        self._unsaved_stamp: Stamp | None = None
        self._depth = 0
        #: A contractor pass's scope: every local write and every listing obeys it (None: all).
        self.access_scope: AccessScope | None = None

    @classmethod
    def open(cls, home: Path | str | None = None) -> Replica:
        """Open the replica in *home* (see :func:`resolve_home`), creating it if new."""
        root = resolve_home(home)
        conn = open_database(root / REPLICA_FILE)
        return cls(conn, root)

    @property
    def path(self) -> Path:
        return self.home / REPLICA_FILE

    @property
    def conn(self) -> sqlite3.Connection:
        """The calling thread's connection, opened the first time that thread asks."""
        conn = self._local.conn
        if conn is None:
            conn = self._adopt(self._connect())
        return conn

    @conn.setter
    def conn(self, conn: sqlite3.Connection) -> None:
        """Use *conn* on the calling thread from now on (tests wrap it to watch statements)."""
        self._local.conn = conn
        self._local.writer = None

    @property
    def _writer(self) -> ChangeWriter:
        """The writer bound to this thread's connection."""
        conn = self.conn
        writer = self._local.writer
        if writer is None:
            from arxos_desktop.store.writer import ChangeWriter  # the schema: writes only

            writer = ChangeWriter(conn, self.clock, self._remember_stamp, lambda: self.access_scope)
            self._local.writer = writer
        return writer

    def _connect(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise ReplicaOpenError(f"The replica at {self.path} is closed")
            self._close_finished_threads()
        try:
            return connect(self.path)
        except sqlite3.DatabaseError as exc:
            raise ReplicaOpenError(f"Cannot open the replica at {self.path}: {exc}") from exc

    def _adopt(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        with self._lock:
            self._opened.append((weakref.ref(threading.current_thread()), conn))
        self._local.conn = conn
        self._local.writer = None
        return conn

    def _close_finished_threads(self) -> None:
        """Close the connections of threads that have ended (called with the lock held)."""
        alive = []
        for ref, conn in self._opened:
            thread = ref()
            if thread is None or not thread.is_alive():
                conn.close()
            else:
                alive.append((ref, conn))
        self._opened = alive

    def close(self) -> None:
        """Close every thread's connection; using the replica afterwards is an error."""
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
        for _, conn in opened:
            conn.close()

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_device_id(self) -> str:
        device = get_meta(self.conn, _DEVICE_KEY)
        if device is None:
            # Only a new replica needs one: the id generator brings the uuid module along,
            # which every read command would otherwise pay for.
            from sync.ids import new_id

            device = new_id().replace("-", "")[-16:]
            with self._lock:
                self.conn.execute("BEGIN IMMEDIATE")
                set_meta(self.conn, _DEVICE_KEY, device)
                self.conn.execute("COMMIT")
        return device

    def _remember_stamp(self, stamp: Stamp) -> None:
        self._unsaved_stamp = stamp

    def mark_in_flight(self, change_ids: Iterable[str]) -> None:
        """These changes are being pushed (a batch replaces the one before it).

        Kept in memory, shared by the threads of this process: the sync worker sends
        while the UI may ask to discard. A change the server may already hold must not
        be discarded until its answer arrives.
        """
        with self._lock:
            self._in_flight = frozenset(change_ids)

    def mark_answered(self, change_ids: Iterable[str]) -> None:
        """The answers to these changes were recorded."""
        with self._lock:
            self._in_flight = self._in_flight - frozenset(change_ids)

    def in_flight(self) -> frozenset[str]:
        """Changes sent to the server whose answers have not been recorded yet."""
        with self._lock:
            return self._in_flight

    @contextmanager
    def remote_transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A transaction for applying what the server sent, with foreign keys relaxed.

        The server's rows are already merged and checked, but a page may carry a
        child before its parent, and a narrowed grant may show a work order whose
        equipment it hides; the local checks are for local edits, not for truth
        arriving from the server.

        ``durable=False`` commits without flushing the write-ahead log to disk, for
        work the server can always give again: recording a push's answers. A power
        cut may then undo that transaction (never a part of it, and never anything
        committed durably after it, since the log is flushed in order): the changes
        come back into the outbox, are pushed again, and the server answers them
        exactly as before without applying anything twice. Nobody's edit is lost,
        and a sync of many batches spends one disk flush less per batch.
        """
        with self._lock:
            if self.conn.in_transaction:
                raise RuntimeError("remote changes are applied in their own transaction")
            self.conn.execute("PRAGMA foreign_keys = OFF")
            if not durable:
                self.conn.execute("PRAGMA synchronous = NORMAL")
            try:
                with self._top_level():
                    yield self.conn
            finally:
                if not durable:
                    self.conn.execute("PRAGMA synchronous = FULL")
                self.conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def _top_level(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, saving the clock with the data; ROLLBACK on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            if self._unsaved_stamp is not None:
                set_meta(self.conn, _CLOCK_KEY, self._unsaved_stamp.pack())
            scope = self.access_scope
            if scope is not None:
                scope.settle(self.conn)
            self.conn.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (disk full, I/O error).
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self._settle_refusals()
            raise
        finally:
            self._unsaved_stamp = None

    def _settle_refusals(self) -> None:
        """Log the refusals of a rolled-back transaction in one of their own."""
        scope = self.access_scope
        if scope is None or not scope.unsettled:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            scope.settle(self.conn)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def observe_remote_clock(self, stamp: Stamp) -> bool:
        """Make later local edits sort after a change that came from elsewhere.

        A stamp implausibly far ahead of this device's clock is not followed (one
        bad clock must not drag every device into the future); returns whether
        the stamp was taken into account.
        """
        with self._lock:
            try:
                self._remember_stamp(self.clock.observe(stamp))
            except ClockError:
                return False
        return True

    @contextmanager
    def transaction(self) -> Iterator[ChangeWriter]:
        """All writes inside commit together, or none do.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so a transaction never
        fails half-way because another writer got there first. A nested call
        runs in a savepoint: if it fails, only its own writes are undone and the
        outer transaction decides what happens next.
        """
        with self._lock:
            if self.conn.in_transaction:
                self._depth += 1
                savepoint = f"arxos_{self._depth}"
                self.conn.execute(f"SAVEPOINT {savepoint}")
                try:
                    yield self._writer
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute(f"ROLLBACK TO {savepoint}")
                        self.conn.execute(f"RELEASE {savepoint}")
                    raise
                else:
                    self.conn.execute(f"RELEASE {savepoint}")
                finally:
                    self._depth -= 1
                return
            with self._top_level():
                yield self._writer
