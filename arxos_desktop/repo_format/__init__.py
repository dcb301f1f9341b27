"""Building repositories: a building as a folder of diff-friendly files.

The layout is specified in ``docs/repo-format.md``. Export then import then
export is byte-identical, and an import validates everything before touching the
replica.
"""

from arxos_desktop.repo_format.errors import Problem, RepoFormatError
from arxos_desktop.repo_format.exporter import export_building, snapshot_building
from arxos_desktop.repo_format.importer import ImportResult, import_repo, import_snapshot
from arxos_desktop.repo_format.reader import read_repo
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from arxos_desktop.repo_format.writer import write_repo

__all__ = [
    "BuildingSnapshot",
    "ImportResult",
    "Problem",
    "RepoFormatError",
    "export_building",
    "import_repo",
    "import_snapshot",
    "read_repo",
    "snapshot_building",
    "write_repo",
]
