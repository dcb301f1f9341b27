"""Read and fully validate a building repository before anything is imported.

The reader collects every problem (file, field, message) instead of stopping at
the first, so a contractor fixing a hand-edited repository sees the whole list
at once. It never touches a replica: the caller imports only a clean snapshot.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, TypeVar

import pymupdf
import yaml
from pydantic import ValidationError

from arxos_desktop.repo_format.checks import check_references
from arxos_desktop.repo_format.errors import Problem, RepoFormatError
from arxos_desktop.repo_format.layout import (
    ATTACHMENTS_FILE,
    BLOBS_DIR,
    CONFIG_FILE,
    CONNECTIONS_FILE,
    DOCUMENTS_DIR,
    DOCUMENTS_INDEX,
    EQUIPMENT_FILE,
    FLOORS_DIR,
    FORMAT_NAME,
    FORMAT_VERSION,
    LAYOUT_FILE,
    METADATA_FILE,
    NOTES_FILE,
    ROOMS_FILE,
    SYNC_FIELDS,
    WORKORDERS_FILE,
)
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from sync.schema import (
    AnnotationBase,
    AttachmentBase,
    BuildingBase,
    DocumentBase,
    EquipmentBase,
    EquipmentConnectionBase,
    FloorBase,
    NoteBase,
    OrganizationBase,
    Replicated,
    RoomBase,
    WorkOrderBase,
)

M = TypeVar("M", bound=Replicated)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so large drawings don't fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.building_id = ""
        self.origins: dict[str, tuple[str, str]] = {}
        #: Ids of records that failed validation: references to them are not reported
        #: again, so one bad record gives one problem, not a cascade.
        self.invalid_ids: set[str] = set()

    def problem(self, file: str, message: str, field: str = "") -> None:
        self.problems.append(Problem(file, message, field))

    def load_json(self, rel: str, *, required: bool = True) -> Any:
        path = self.root / rel
        if not path.is_file():
            if required:
                self.problem(rel, "file is missing")
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.problem(rel, "is not UTF-8 text")
        except json.JSONDecodeError as exc:
            self.problem(
                rel, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            )
        return None

    def load_list(self, rel: str, *, required: bool = True) -> list[Any]:
        data = self.load_json(rel, required=required)
        if data is None:
            return []
        if not isinstance(data, list):
            self.problem(rel, f"must hold a JSON list, found {type(data).__name__}")
            return []
        return data

    def model(
        self, cls: type[M], raw: Any, rel: str, where: str, extra: dict[str, Any] | None = None
    ) -> M | None:
        """Validate one record; unknown keys and sync fields are problems, not ignored."""
        if not isinstance(raw, dict):
            self.problem(rel, f"must be a JSON object, found {type(raw).__name__}", where)
            return None
        allowed = set(cls.model_fields) - SYNC_FIELDS - set(extra or {})
        for key in sorted(set(raw) - allowed):
            self.problem(rel, "unknown field", f"{where}.{key}")
        if "id" not in raw:
            self.problem(rel, "is required", f"{where}.id")
            return None
        data = {k: v for k, v in raw.items() if k in allowed}
        data.update(extra or {})
        if cls is not OrganizationBase:
            data["building_id"] = self.building_id or raw.get("id")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            self.invalid_ids.add(str(raw["id"]))
            for err in exc.errors():
                loc = ".".join(str(part) for part in err["loc"])
                self.problem(rel, err["msg"], f"{where}.{loc}" if loc else where)
            return None

    def records(
        self,
        cls: type[M],
        items: list[Any],
        rel: str,
        label: str,
        extra: dict[str, Any] | None = None,
    ) -> list[M]:
        out = []
        for index, raw in enumerate(items):
            hint = ""
            if isinstance(raw, dict):
                hint = str(raw.get("tag") or raw.get("number") or raw.get("title") or "")
            where = f"{label}[{index}]" + (f" ({hint})" if hint else "")
            row = self.model(cls, raw, rel, where, extra)
            if row is not None:
                self.origins[row.id] = (rel, where)
                out.append(row)
        return out

    def read_config(self) -> None:
        path = self.root / CONFIG_FILE
        if not path.is_file():
            self.problem(CONFIG_FILE, "file is missing; is this a building repository?")
            return
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.problem(CONFIG_FILE, f"is not valid YAML ({exc})")
            return
        if not isinstance(config, dict):
            self.problem(CONFIG_FILE, "must be a YAML mapping")
            return
        if config.get("format") != FORMAT_NAME:
            self.problem(CONFIG_FILE, f"must be {FORMAT_NAME!r}", "format")
        version = config.get("version")
        if version != FORMAT_VERSION:
            self.problem(
                CONFIG_FILE,
                f"version {version!r} is not supported (this app reads version {FORMAT_VERSION})",
                "version",
            )
        self.building_id = str(config.get("building_id") or "")
        if not self.building_id:
            self.problem(CONFIG_FILE, "is required", "building_id")

    def read_metadata(self) -> tuple[BuildingBase | None, OrganizationBase | None]:
        meta = self.load_json(METADATA_FILE)
        if meta is None:
            return None, None
        if not isinstance(meta, dict):
            self.problem(METADATA_FILE, "must hold a JSON object")
            return None, None
        for key in sorted(set(meta) - {"building", "organization"}):
            self.problem(METADATA_FILE, "unknown field", key)
        org = None
        if meta.get("organization") is not None:
            org = self.model(OrganizationBase, meta["organization"], METADATA_FILE, "organization")
        building = self.model(BuildingBase, meta.get("building"), METADATA_FILE, "building")
        if building is not None and self.building_id and building.id != self.building_id:
            self.problem(
                METADATA_FILE,
                f"is {building.id} but {CONFIG_FILE} says {self.building_id}",
                "building.id",
            )
        return building, org

    def read_floors(self, snap: BuildingSnapshot) -> None:
        floors_root = self.root / FLOORS_DIR
        if not floors_root.is_dir():
            return
        for folder in sorted(p for p in floors_root.iterdir() if p.is_dir()):
            base = f"{FLOORS_DIR}/{folder.name}"
            layout = self.load_json(f"{base}/{LAYOUT_FILE}")
            if layout is None:
                continue
            if not isinstance(layout, dict):
                self.problem(f"{base}/{LAYOUT_FILE}", "must hold a JSON object")
                continue
            for key in sorted(set(layout) - {"floor", "rooms", "equipment"}):
                self.problem(f"{base}/{LAYOUT_FILE}", "unknown field", key)
            floor = self.model(FloorBase, layout.get("floor"), f"{base}/{LAYOUT_FILE}", "floor")
            if floor is None:
                continue
            self.origins[floor.id] = (f"{base}/{LAYOUT_FILE}", "floor")
            snap.floors.append(floor)
            outlines = self._mapping(layout, "rooms", f"{base}/{LAYOUT_FILE}")
            positions = self._mapping(layout, "equipment", f"{base}/{LAYOUT_FILE}")
            rooms = self.records(
                RoomBase,
                self.load_list(f"{base}/{ROOMS_FILE}"),
                f"{base}/{ROOMS_FILE}",
                "rooms",
                {"floor_id": floor.id},
            )
            equipment = self.records(
                EquipmentBase,
                self.load_list(f"{base}/{EQUIPMENT_FILE}"),
                f"{base}/{EQUIPMENT_FILE}",
                "equipment",
                {"floor_id": floor.id},
            )
            for room in rooms:
                room.outline = outlines.pop(room.id, {})
            for item in equipment:
                item.position = positions.pop(item.id, {})
            for stray in sorted(set(outlines) - self.invalid_ids):
                self.problem(
                    f"{base}/{LAYOUT_FILE}",
                    "outline for a room not in rooms.json",
                    f"rooms.{stray}",
                )
            for stray in sorted(set(positions) - self.invalid_ids):
                self.problem(
                    f"{base}/{LAYOUT_FILE}",
                    "position for equipment not in equipment.json",
                    f"equipment.{stray}",
                )
            snap.rooms.extend(rooms)
            snap.equipment.extend(equipment)

    def _mapping(self, layout: dict[str, Any], key: str, rel: str) -> dict[str, dict[str, Any]]:
        value = layout.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            self.problem(rel, "must map ids to JSON objects", key)
            return {}
        return dict(value)

    def read_documents(self, snap: BuildingSnapshot) -> None:
        for index, raw in enumerate(self.load_list(DOCUMENTS_INDEX, required=False)):
            where = f"documents[{index}]"
            notes = raw.pop("annotations", []) if isinstance(raw, dict) else []
            doc = self.model(DocumentBase, raw, DOCUMENTS_INDEX, where)
            if doc is None:
                continue
            self.origins[doc.id] = (DOCUMENTS_INDEX, where)
            snap.documents.append(doc)
            if not isinstance(notes, list):
                self.problem(DOCUMENTS_INDEX, "must be a list", f"{where}.annotations")
                notes = []
            snap.annotations.extend(
                self.records(
                    AnnotationBase,
                    notes,
                    DOCUMENTS_INDEX,
                    f"{where}.annotations",
                    {"document_id": doc.id},
                )
            )
            rel = f"{DOCUMENTS_DIR}/{doc.discipline.value}/{doc.file_name}"
            self._check_document_file(doc, rel, where, snap)

    def _check_document_file(
        self, doc: DocumentBase, rel: str, where: str, snap: BuildingSnapshot
    ) -> None:
        path = self.root / rel
        if not path.is_file():
            self.problem(rel, f"file is missing (listed in {DOCUMENTS_INDEX} {where})")
            return
        actual = sha256_file(path)
        if actual != doc.blob_sha256:
            self.problem(rel, f"content does not match blob_sha256 in {DOCUMENTS_INDEX} {where}")
            return
        try:
            with pymupdf.open(path) as pdf:
                if not pdf.is_pdf:
                    raise ValueError("not a PDF")
                pages = pdf.page_count
        except Exception as exc:  # PyMuPDF raises several unrelated types for a broken file.
            self.problem(rel, f"is not a readable PDF ({exc})")
            return
        if pages != doc.page_count:
            self.problem(
                DOCUMENTS_INDEX,
                f"says {doc.page_count} pages but the PDF has {pages}",
                f"{where}.page_count",
            )
        snap.blobs[actual] = path

    def read_blobs(self, snap: BuildingSnapshot) -> None:
        wanted = [(ATTACHMENTS_FILE, a.blob_sha256) for a in snap.attachments]
        wanted += [(NOTES_FILE, n.audio_sha256) for n in snap.notes if n.audio_sha256]
        for source, sha in wanted:
            rel = f"{BLOBS_DIR}/{sha}"
            path = self.root / rel
            if not path.is_file():
                self.problem(rel, f"file is missing (referenced from {source})")
            elif sha256_file(path) != sha:
                self.problem(rel, "content does not match its name (SHA-256)")
            else:
                snap.blobs[sha] = path


def read_repo(root: Path) -> BuildingSnapshot:
    """Parse and validate the repository at *root*; raise :class:`RepoFormatError` listing
    every problem if anything is wrong."""
    root = root.expanduser()
    if not root.is_dir():
        raise RepoFormatError([Problem(str(root), "is not a folder")])
    reader = _Reader(root)
    reader.read_config()
    building, org = reader.read_metadata()
    if building is None:
        raise RepoFormatError(reader.problems)
    snap = BuildingSnapshot(building=building, organization=org)
    reader.read_floors(snap)
    snap.equipment.extend(
        reader.records(
            EquipmentBase,
            reader.load_list(EQUIPMENT_FILE, required=False),
            EQUIPMENT_FILE,
            "equipment",
        )
    )
    snap.connections = reader.records(
        EquipmentConnectionBase,
        reader.load_list(CONNECTIONS_FILE, required=False),
        CONNECTIONS_FILE,
        "connections",
    )
    snap.work_orders = reader.records(
        WorkOrderBase,
        reader.load_list(WORKORDERS_FILE, required=False),
        WORKORDERS_FILE,
        "workorders",
    )
    snap.notes = reader.records(
        NoteBase, reader.load_list(NOTES_FILE, required=False), NOTES_FILE, "notes"
    )
    snap.attachments = reader.records(
        AttachmentBase,
        reader.load_list(ATTACHMENTS_FILE, required=False),
        ATTACHMENTS_FILE,
        "attachments",
    )
    reader.read_documents(snap)
    reader.read_blobs(snap)
    reader.problems.extend(check_references(snap, reader.origins, reader.invalid_ids))
    if reader.problems:
        raise RepoFormatError(reader.problems)
    return snap
