"""The equipment table's Qt model: a query's rows, read a page at a time off the UI thread.

A building can hold 100,000 pieces of equipment. The model never asks SQLite
anything on the UI thread: a reload (new filter, new order, rows changed under it)
is one job on the replica worker that sorts the query into a snapshot of row
numbers and reads the first page; as the view scrolls to the end of what is
loaded, Qt asks :meth:`canFetchMore`/:meth:`fetchMore` and the next page is read
by another job. Jobs whose answer arrives after the query changed are ignored.

Measured at 100,000 rows, none of these reads fits the UI thread's 10 ms: sorting
the snapshot takes 0.1-0.5 s, a count 25-65 ms, a page of 500 rows 8-15 ms.
"""

from __future__ import annotations

from array import array
from dataclasses import replace
from typing import Any, Final, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment_table import (
    PAGE_ROWS,
    EquipmentQuery,
    EquipmentRow,
    EquipmentView,
    equipment_rows,
    load_view,
)
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.ops import StoreOps

#: (sort key, header) of each column, left to right.
COLUMNS: Final = (
    ("tag", "Tag"),
    ("name", "Name"),
    ("system", "System"),
    ("type", "Type"),
    ("status", "Status"),
    ("floor", "Floor"),
    ("room", "Room"),
)

#: The row's equipment id, for views and tests (``Qt.ItemDataRole.UserRole``).
ID_ROLE: Final = Qt.ItemDataRole.UserRole

_ACRONYMS: Final = {"hvac": "HVAC"}

Index = QModelIndex | QPersistentModelIndex


def words(value: str) -> str:
    """A stored value as a person reads it: ``needs_service`` → "Needs service"."""
    return _ACRONYMS.get(value) or value.replace("_", " ").capitalize()


#: A loaded row as a plain tuple: (rowid, id, tag, name, system, type, status, floor,
#: room), system and status already in words. The garbage collector stops watching a
#: plain tuple of strings, so 100,000 of them add nothing to its full collections,
#: which pause every thread (100,000 objects made each pause last twice as long).
Line = tuple[Any, ...]
_ID = 1
_FIRST_CELL = 2


def _line(row: EquipmentRow) -> Line:
    return (
        row.rowid,
        row.id,
        row.tag,
        row.name,
        words(row.system),
        row.type,
        words(row.status),
        row.floor,
        row.room,
    )


class _Loaded(NamedTuple):
    """A reload's result with its rows as :data:`Line` tuples (made on the worker thread)."""

    order: array[int]
    rows: list[Line]
    kept: int | None

    @classmethod
    def of(cls, view: EquipmentView) -> _Loaded:
        return cls(view.order, [_line(row) for row in view.rows], view.kept)


class EquipmentTableModel(QAbstractTableModel):
    """The rows of one :class:`EquipmentQuery`; loads more as the view scrolls down."""

    #: A reload finished; the row of :attr:`current_id` in it, or -1 if it is not shown.
    rows_did_reload = Signal(int)
    #: A page was appended (fetch on demand).
    rows_did_fetch = Signal()
    #: Whether a reload or a page is being read (a busy indicator; tests wait on it).
    loading_did_change = Signal(bool)
    #: A read failed: the sentence to show.
    load_did_fail = Signal(str)

    def __init__(self, ops: StoreOps, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._query: EquipmentQuery | None = None
        self._order: array[int] = array("q")
        self._rows: list[Line] = []
        self._generation = 0
        self._reloading = False
        self._again: int | None = None
        self._fetching = False
        #: The row to keep selected across reloads (the page sets it as the user selects).
        self.current_id: str | None = None

    # -- what the view reads -------------------------------------------------------

    @property
    def query(self) -> EquipmentQuery | None:
        return self._query

    @property
    def total(self) -> int:
        """Rows the query shows in all (loaded or not)."""
        return len(self._order)

    @property
    def loading(self) -> bool:
        return self._reloading or self._fetching

    def id_at(self, row: int) -> str:
        return str(self._rows[row][_ID])

    def row_of(self, equipment_id: str) -> int:
        """The loaded row showing *equipment_id*, or -1."""
        for number, row in enumerate(self._rows):
            if row[_ID] == equipment_id:
                return number
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return row[_FIRST_CELL + index.column()]
        if role == ID_ROLE:
            return row[_ID]
        return None

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    # -- sorting and reloading -----------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQLite (the view asks when a header is clicked)."""
        if self._query is None:
            return
        key = COLUMNS[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._query.sort, self._query.descending):
            self.set_query(replace(self._query, sort=key, descending=descending))

    def set_query(self, query: EquipmentQuery | None) -> None:
        """Show *query*'s rows from the top (still keeping :attr:`current_id` selected)."""
        if query == self._query:
            return
        self._query = query
        self._reload(PAGE_ROWS)

    def reload(self) -> None:
        """Read the same query again (rows changed), keeping as many rows as are loaded."""
        self._reload(max(len(self._rows), PAGE_ROWS))

    def _reload(self, at_least: int) -> None:
        self._generation += 1  # pages asked for before now belong to old rows
        if self._reloading:
            self._again = max(at_least, self._again or 0)
            return
        query = self._query
        if query is None:
            self._apply(_Loaded(array("q"), [], None))
            return
        keep = self.current_id
        self._set_loading(reloading=True)

        def job(replica: Replica) -> _Loaded:
            return _Loaded.of(load_view(replica, query, keep_id=keep, at_least=at_least))

        self._ops.run(
            job,
            success=self._reloaded,
            failure=self._reload_failed,
            owner=self,
        )

    def _reloaded(self, view: _Loaded) -> None:
        self._set_loading(reloading=False, fetching=False)
        if self._restart_if_asked():
            return
        self._apply(view)

    def _apply(self, view: _Loaded) -> None:
        self.beginResetModel()
        self._order, self._rows = view.order, view.rows
        self.endResetModel()
        kept = -1
        if self.current_id is not None:
            hint = view.kept
            if hint is not None and hint < len(self._rows):
                kept = hint if self._rows[hint][_ID] == self.current_id else -1
            if kept < 0:
                kept = self.row_of(self.current_id)
        self.rows_did_reload.emit(kept)

    def _reload_failed(self, error: Exception) -> None:
        self._set_loading(reloading=False, fetching=False)
        if not self._restart_if_asked():
            self.load_did_fail.emit(plain_words(error))

    def _restart_if_asked(self) -> bool:
        """Reads asked for while a reload ran are done now, as one reload."""
        if self._again is None:
            return False
        at_least, self._again = self._again, None
        self._reload(at_least)
        return True

    # -- fetch on demand -----------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 (Qt API)
        return (
            not parent.isValid()
            and not self.loading
            and self._query is not None
            and len(self._rows) < len(self._order)
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008 (Qt API)
        if not self.canFetchMore(parent):
            return
        start = len(self._rows)
        wanted = self._order[start : start + PAGE_ROWS]
        generation = self._generation
        self._set_loading(fetching=True)

        def job(replica: Replica) -> list[Line]:
            return [_line(row) for row in equipment_rows(replica, wanted)]

        def fetched(rows: list[Line]) -> None:
            if generation != self._generation:
                return  # a reload replaced the rows these would follow
            self._set_loading(fetching=False)
            self._append(start, rows)

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self._set_loading(fetching=False)
                self.load_did_fail.emit(plain_words(error))

        self._ops.run(job, success=fetched, failure=failed, owner=self)

    def _append(self, start: int, rows: list[Line]) -> None:
        page = self._order[start : start + PAGE_ROWS]
        if len(rows) < len(page):  # rows deleted since the snapshot: drop them from it
            shown = {row[0] for row in rows}
            self._order[start : start + PAGE_ROWS] = array("q", (r for r in page if r in shown))
        if rows:
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.rows_did_fetch.emit()

    def _set_loading(self, *, reloading: bool | None = None, fetching: bool | None = None) -> None:
        was = self.loading
        if reloading is not None:
            self._reloading = reloading
        if fetching is not None:
            self._fetching = fetching
        if self.loading != was:
            self.loading_did_change.emit(self.loading)
