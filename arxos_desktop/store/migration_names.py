"""The replica's migration names, written out so opening an up-to-date replica is cheap.

Opening a replica reads the applied names with plain ``sqlite3`` and compares them
with this tuple; sqlite-utils (which imports numpy whenever it is installed) is
loaded only when something must be migrated. ``tests/test_migrations.py`` checks
the tuple equals the names registered in :mod:`arxos_desktop.store.migrations`.
"""

from __future__ import annotations

from typing import Final

#: The sqlite-utils migration set the replica's migrations are recorded under.
MIGRATION_SET: Final = "arxos_replica"

#: sqlite-utils records applied migrations in this table.
MIGRATIONS_TABLE: Final = "_sqlite_migrations"

#: Every migration this version of the app knows, oldest first.
MIGRATION_NAMES: Final = (
    "m001_core_tables",
    "m002_search_index",
    "m003_equipment_tag_index",
    "m004_sync_state",
    "m005_server_shadow",
    "m006_conflict_resolutions",
    "m007_access",
    "m008_annotation_review",
)
