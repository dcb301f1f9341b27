"""Tables and columns of the replicated entities, written out for reads without the schema.

Reading rows needs only each table's column order and which columns hold JSON;
importing :mod:`sync.schema` for that (SQLModel and SQLAlchemy build every class)
costs more than the rest of a read command together. Writes validate through the
schema's models and use :mod:`arxos_desktop.store.codec`;
``tests/test_records.py`` checks these lists equal the codec's, so they cannot drift.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class TableColumns(NamedTuple):
    """One entity's table, its columns in ``SELECT`` order, and its JSON columns."""

    table: str
    columns: tuple[str, ...]
    json_columns: frozenset[str]


#: Sync bookkeeping columns every replicated table starts with.
_SYNC: Final = ("id", "building_id", "created_hlc", "updated_hlc", "deleted", "server_rev")

#: The boolean columns of every replicated table (stored as 0 or 1).
BOOL_COLUMNS: Final = frozenset({"deleted"})

#: Each wire entity name (``equipment``, ``workorder``...) to its table and columns.
TABLES: Final[dict[str, TableColumns]] = {
    "organization": TableColumns(
        "organizations",
        (*_SYNC, "name"),
        frozenset([]),
    ),
    "building": TableColumns(
        "buildings",
        (*_SYNC, "org_id", "name", "address", "meta"),
        frozenset(["meta"]),
    ),
    "floor": TableColumns(
        "floors",
        (*_SYNC, "level", "name"),
        frozenset([]),
    ),
    "room": TableColumns(
        "rooms",
        (*_SYNC, "floor_id", "number", "name", "area_m2", "outline"),
        frozenset(["outline"]),
    ),
    "equipment": TableColumns(
        "equipment",
        (
            *_SYNC,
            "tag",
            "name",
            "system",
            "type",
            "manufacturer",
            "model",
            "serial",
            "status",
            "floor_id",
            "room_id",
            "install_date",
            "properties",
            "position",
        ),
        frozenset(["position", "properties"]),
    ),
    "connection": TableColumns(
        "connections",
        (*_SYNC, "source_id", "target_kind", "target_id", "kind"),
        frozenset([]),
    ),
    "document": TableColumns(
        "documents",
        (
            *_SYNC,
            "discipline",
            "title",
            "file_name",
            "blob_sha256",
            "page_count",
            "floor_id",
            "page_sizes",
        ),
        frozenset(["page_sizes"]),
    ),
    "annotation": TableColumns(
        "annotations",
        (
            *_SYNC,
            "document_id",
            "page",
            "kind",
            "geometry",
            "style",
            "text",
            "equipment_id",
            "author",
            "authored_at",
            "review_status",
            "pdf_name",
        ),
        frozenset(["geometry", "style"]),
    ),
    "workorder": TableColumns(
        "work_orders",
        (*_SYNC, "equipment_id", "title", "description", "priority", "status", "assignee", "due"),
        frozenset([]),
    ),
    "note": TableColumns(
        "notes",
        (*_SYNC, "target_kind", "target_id", "text", "source", "audio_sha256"),
        frozenset([]),
    ),
    "attachment": TableColumns(
        "attachments",
        (*_SYNC, "target_kind", "target_id", "blob_sha256", "mime_type", "file_name", "caption"),
        frozenset([]),
    ),
}
