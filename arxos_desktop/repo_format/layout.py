"""Names and encodings shared by the repository reader and writer."""

from __future__ import annotations

import json
import re
from typing import Any, Final

FORMAT_NAME: Final = "arxos-building-repo"
FORMAT_VERSION: Final = 1

CONFIG_FILE: Final = ".arxos/config.yml"
METADATA_FILE: Final = ".arxos/metadata.json"
FLOORS_DIR: Final = "floors"
LAYOUT_FILE: Final = "layout.json"
ROOMS_FILE: Final = "rooms.json"
EQUIPMENT_FILE: Final = "equipment.json"
CONNECTIONS_FILE: Final = "connections.json"
WORKORDERS_FILE: Final = "workorders.json"
NOTES_FILE: Final = "notes.json"
ATTACHMENTS_FILE: Final = "attachments.json"
DOCUMENTS_DIR: Final = "documents"
DOCUMENTS_INDEX: Final = "documents/index.json"
BLOBS_DIR: Final = "blobs"
README_FILE: Final = "README.md"

#: Top-level entries an export owns; replacing an export removes only these.
MANAGED_ENTRIES: Final = (
    ".arxos",
    FLOORS_DIR,
    EQUIPMENT_FILE,
    CONNECTIONS_FILE,
    WORKORDERS_FILE,
    NOTES_FILE,
    ATTACHMENTS_FILE,
    DOCUMENTS_DIR,
    BLOBS_DIR,
    README_FILE,
)

#: Fields never written to a repository: sync state belongs to a replica, not the building.
SYNC_FIELDS: Final = frozenset(
    {"building_id", "created_hlc", "updated_hlc", "deleted", "server_rev"}
)


def dump_json(data: Any) -> str:
    """The one JSON encoding used for every file: stable, diff-friendly, UTF-8."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens, for folder names."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "floor"


def floor_dir_name(level: int, name: str) -> str:
    """``03-level-3`` above ground, ``b1-basement`` below, so folders sort by level."""
    prefix = f"{level:02d}" if level >= 0 else f"b{-level}"
    return f"{prefix}-{slugify(name)}"
