"""Replicated entities: one definition for the field app's replica and the server.

Every replicated row carries a client-minted UUIDv7 ``id``, the ``building_id``
that scopes permissions and sync, hybrid-logical-clock stamps of its creation
and last change, a ``deleted`` tombstone (rows are never removed, so a delete
can sync and be reviewed like any edit) and the ``server_rev`` it was last
seen at (the merge base for the next push).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, create_model
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from sync.ids import new_id
from sync.jsonfast import dumps_bytes

#: Columns every replicated table has; the sync engine owns them, users never edit them.
SYSTEM_FIELDS: Final = frozenset(
    {"id", "building_id", "created_hlc", "updated_hlc", "deleted", "server_rev"}
)


class System(StrEnum):
    HVAC = "hvac"
    ELECTRICAL = "electrical"
    PLUMBING = "plumbing"
    MECHANICAL = "mechanical"
    FIRE = "fire"
    SECURITY = "security"
    OTHER = "other"


class EquipmentStatus(StrEnum):
    OPERATIONAL = "operational"
    NEEDS_SERVICE = "needs_service"
    OUT_OF_SERVICE = "out_of_service"
    DECOMMISSIONED = "decommissioned"


class ConnectionKind(StrEnum):
    FEEDS = "feeds"
    SERVES = "serves"
    POWERS = "powers"
    CONTROLS = "controls"


class TargetKind(StrEnum):
    """What a connection, note or attachment points at."""

    BUILDING = "building"
    FLOOR = "floor"
    ROOM = "room"
    EQUIPMENT = "equipment"
    WORKORDER = "workorder"
    DOCUMENT = "document"
    #: A markup on a drawing (a photo marker's photo is an attachment of its annotation).
    ANNOTATION = "annotation"


class Discipline(StrEnum):
    ARCHITECTURAL = "architectural"
    ELECTRICAL = "electrical"
    MECHANICAL = "mechanical"
    PLUMBING = "plumbing"
    OTHER = "other"


class AnnotationKind(StrEnum):
    """What a markup on a drawing is; each kind's geometry is checked by
    ``arxos_desktop.pdf.annotation_model``."""

    #: Where a piece of equipment (``equipment_id``) is on this sheet.
    PIN = "pin"
    INK = "ink"
    RECTANGLE = "rectangle"
    ELLIPSE = "ellipse"
    ARROW = "arrow"
    #: A text callout.
    TEXT = "text"
    #: A photo marker: its photo is an attachment whose target is the annotation.
    PHOTO = "photo"
    LINE = "line"
    #: A revision cloud around an outline.
    CLOUD = "cloud"
    HIGHLIGHT = "highlight"
    #: A measured distance along a polyline, in the page's calibrated units.
    DISTANCE = "distance"
    #: A measured area inside a polygon, in the page's calibrated units squared.
    AREA = "area"
    #: The sheet's scale: a line on the page and the real length it stands for.
    CALIBRATION = "calibration"
    #: An annotation made by another tool that this app cannot edit (a stamp, a form
    #: field...): kept with its PDF type and place, and shown read-only.
    FOREIGN = "foreign"


class ReviewStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLETED = "completed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class WorkOrderStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    DONE = "done"
    CANCELLED = "cancelled"


class NoteSource(StrEnum):
    TYPED = "typed"
    DICTATED = "dictated"


#: Longest free text (a note, a description, a caption): a long dictated report fits,
#: a file pasted into a note does not (every device of the building pulls it).
MAX_TEXT_CHARS: Final = 50_000
#: Largest JSON object in one field (properties, geometry, ...), as compact JSON.
MAX_JSON_BYTES: Final = 256 * 1024


def _capped_json(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > MAX_JSON_BYTES or len(dumps_bytes(value)) > MAX_JSON_BYTES:
        raise ValueError(f"is larger than {MAX_JSON_BYTES // 1024} KiB as JSON")
    return value


#: A JSON object field, refused past :data:`MAX_JSON_BYTES`.
JsonObject = Annotated[dict[str, Any], AfterValidator(_capped_json)]


def _json_column() -> Any:
    return Field(default_factory=dict, sa_type=JSON, nullable=False)


def _text(*, min_length: int = 0) -> Any:
    return Field(default="", min_length=min_length, max_length=MAX_TEXT_CHARS)


def _sha256_field(*, optional: bool = False) -> Any:
    pattern = r"^[0-9a-f]{64}$"
    if optional:
        return Field(default=None, schema_extra={"pattern": pattern})
    return Field(schema_extra={"pattern": pattern})


class Replicated(SQLModel):
    """Columns shared by every replicated table (see module docstring)."""

    #: NaN and infinities have no JSON form (PostgreSQL refuses them, other parsers too),
    #: so a measurement like that is refused when it is entered, not mangled in transit.
    model_config = ConfigDict(allow_inf_nan=False)  # type: ignore[assignment]

    id: str = Field(default_factory=new_id, primary_key=True, min_length=36, max_length=36)
    building_id: str | None = Field(default=None, index=True)
    created_hlc: str = ""
    updated_hlc: str = ""
    deleted: bool = False
    server_rev: int = 0


class OrganizationBase(Replicated):
    """The customer that owns buildings; ``building_id`` is always empty here."""

    name: str = Field(min_length=1, max_length=200)


class Organization(OrganizationBase, table=True):
    __tablename__ = "organizations"


class BuildingBase(Replicated):
    """A building; its ``building_id`` equals its own ``id`` so scoping is uniform."""

    org_id: str | None = Field(default=None, foreign_key="organizations.id")
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=500)
    meta: JsonObject = _json_column()


class Building(BuildingBase, table=True):
    __tablename__ = "buildings"


class FloorBase(Replicated):
    level: int = Field(ge=-20, le=300)
    name: str = Field(min_length=1, max_length=100)


class Floor(FloorBase, table=True):
    __tablename__ = "floors"


class RoomBase(Replicated):
    floor_id: str = Field(foreign_key="floors.id", index=True)
    number: str = Field(min_length=1, max_length=40)
    name: str = Field(default="", max_length=200)
    area_m2: float | None = Field(default=None, ge=0)
    #: Outline on the floor plan: {"points": [[x, y], ...]} in plan units (metres).
    outline: JsonObject = _json_column()


class Room(RoomBase, table=True):
    __tablename__ = "rooms"


class EquipmentBase(Replicated):
    tag: str = Field(min_length=1, max_length=60, schema_extra={"pattern": r"^\S(.*\S)?$"})
    name: str = Field(default="", max_length=200)
    system: System = System.OTHER
    type: str = Field(default="", max_length=100)
    manufacturer: str = Field(default="", max_length=100)
    model: str = Field(default="", max_length=100)
    serial: str = Field(default="", max_length=100)
    status: EquipmentStatus = EquipmentStatus.OPERATIONAL
    floor_id: str | None = Field(default=None, foreign_key="floors.id", index=True)
    room_id: str | None = Field(default=None, foreign_key="rooms.id", index=True)
    install_date: dt.date | None = None
    #: Free-form nameplate data such as {"cfm": 12000, "voltage": "480V"}.
    properties: JsonObject = _json_column()
    #: Position on the floor plan: {"x": .., "y": ..} in plan units (metres).
    position: JsonObject = _json_column()


class Equipment(EquipmentBase, table=True):
    __tablename__ = "equipment"


class EquipmentConnectionBase(Replicated):
    """A directed link: ``source`` equipment feeds/serves/powers/controls the target."""

    source_id: str = Field(foreign_key="equipment.id", index=True)
    target_kind: TargetKind = TargetKind.EQUIPMENT
    target_id: str = Field(index=True, min_length=36, max_length=36)
    kind: ConnectionKind


class EquipmentConnection(EquipmentConnectionBase, table=True):
    __tablename__ = "connections"


class DocumentBase(Replicated):
    discipline: Discipline = Discipline.OTHER
    title: str = Field(min_length=1, max_length=200)
    file_name: str = Field(min_length=1, max_length=200, schema_extra={"pattern": r"^[^/\\]+$"})
    blob_sha256: str = _sha256_field()
    page_count: int = Field(default=0, ge=0)
    floor_id: str | None = Field(default=None, foreign_key="floors.id")
    #: Each page's size in PDF points, {"sizes": [[width, height], ...]}: annotations are
    #: checked to lie on their page without opening the file.
    page_sizes: JsonObject = _json_column()


class Document(DocumentBase, table=True):
    __tablename__ = "documents"


class AnnotationBase(Replicated):
    document_id: str = Field(foreign_key="documents.id", index=True)
    page: int = Field(ge=0)
    kind: AnnotationKind
    #: Shape in PDF page points, e.g. {"rect": [x0, y0, x1, y1]} or {"points": [...]}.
    geometry: JsonObject = _json_column()
    style: JsonObject = _json_column()
    text: str = _text()
    equipment_id: str | None = Field(default=None, foreign_key="equipment.id")
    #: Who made the markup (a name as shown to reviewers; an imported markup keeps its
    #: PDF author) and when (UTC).
    author: str = Field(default="", max_length=200)
    authored_at: dt.datetime | None = None
    review_status: ReviewStatus = ReviewStatus.OPEN
    #: The ``/NM`` of the PDF annotation this row was imported from (or a stable digest
    #: of it when it had none): importing the same file again finds the row instead of
    #: adding a copy.
    pdf_name: str = Field(default="", max_length=200)


class Annotation(AnnotationBase, table=True):
    __tablename__ = "annotations"


class WorkOrderBase(Replicated):
    equipment_id: str | None = Field(default=None, foreign_key="equipment.id", index=True)
    title: str = Field(min_length=1, max_length=200)
    description: str = _text()
    priority: Priority = Priority.NORMAL
    status: WorkOrderStatus = WorkOrderStatus.OPEN
    assignee: str = Field(default="", max_length=200)
    due: dt.date | None = None


class WorkOrder(WorkOrderBase, table=True):
    __tablename__ = "work_orders"


class NoteBase(Replicated):
    target_kind: TargetKind
    target_id: str = Field(index=True, min_length=36, max_length=36)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    source: NoteSource = NoteSource.TYPED
    audio_sha256: str | None = _sha256_field(optional=True)


class Note(NoteBase, table=True):
    __tablename__ = "notes"


class AttachmentBase(Replicated):
    target_kind: TargetKind
    target_id: str = Field(index=True, min_length=36, max_length=36)
    blob_sha256: str = _sha256_field()
    mime_type: str = Field(
        min_length=3, max_length=100, schema_extra={"pattern": r"^[\w.+-]+/[\w.+-]+$"}
    )
    file_name: str = Field(default="", max_length=200)
    caption: str = _text()


class Attachment(AttachmentBase, table=True):
    __tablename__ = "attachments"


#: Entity name (as used on the wire and in the outbox) → table model, in dependency
#: order: a row only references rows of entities listed before it.
ENTITIES: Final[dict[str, type[Replicated]]] = {
    "organization": Organization,
    "building": Building,
    "floor": Floor,
    "room": Room,
    "equipment": Equipment,
    "connection": EquipmentConnection,
    "document": Document,
    "annotation": Annotation,
    "workorder": WorkOrder,
    "note": Note,
    "attachment": Attachment,
}

#: The same entities as plain pydantic models: validating through these is ~10x
#: faster than through the SQLAlchemy-instrumented table classes, and the field
#: app validates every edit.
SHAPES: Final[dict[str, type[Replicated]]] = {
    name: model.__mro__[1] for name, model in ENTITIES.items()
}


def _plain_model(shape: type[Replicated]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in shape.model_fields.items()
    }
    return create_model(
        f"{shape.__name__}Values", __config__=ConfigDict(allow_inf_nan=False), **fields
    )


#: SHAPES once more, as models with no SQLModel in their ancestry: same fields, same
#: rules, but SQLModel's ``__new__`` sets up per-instance state that cost a fifth of
#: the server's time per pushed change and most of a pulled row's. Use these wherever
#: values are only checked and normalised (``model_validate`` + ``model_dump``).
VALUES: Final[dict[str, type[BaseModel]]] = {
    name: _plain_model(shape) for name, shape in SHAPES.items()
}

#: Entities whose rows belong to one building (all but organizations).
BUILDING_SCOPED: Final = frozenset(set(ENTITIES) - {"organization"})


def _parent_fields() -> dict[str, tuple[tuple[str, str], ...]]:
    tables = {model.__tablename__: name for name, model in ENTITIES.items()}
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for entity, shape in SHAPES.items():
        pairs = [
            (name, tables[str(key).split(".")[0]])
            for name, info in shape.model_fields.items()
            if isinstance(key := getattr(info, "foreign_key", None), str)
            and tables[str(key).split(".")[0]] != "organization"
        ]
        if entity == "floor":
            pairs.append(("building_id", "building"))
        if pairs:
            found[entity] = tuple(pairs)
    return found


#: Entity → (field, parent entity) for each row it points at: its foreign keys (but not
#: organisations), and a floor's building. Rows with ``target_kind``/``target_id`` also
#: point at their target (:data:`TARGETING`).
PARENT_FIELDS: Final[dict[str, tuple[tuple[str, str], ...]]] = _parent_fields()
#: Entities that point at a row of the entity named by their ``target_kind``.
TARGETING: Final = frozenset(
    entity for entity, shape in SHAPES.items() if "target_kind" in shape.model_fields
)


#: Entity → its fields that name a blob (a file's SHA-256). Derived (every blob field is
#: called ``*_sha256``), so a new kind of file row cannot be forgotten by either end.
BLOB_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    entity: fields
    for entity, shape in SHAPES.items()
    if (fields := tuple(name for name in shape.model_fields if name.endswith("_sha256")))
}


def entity_of(model: type[Replicated]) -> str:
    """The wire name of a model class (table model or its shape)."""
    for name, cls in ENTITIES.items():
        if model is cls or model is SHAPES[name]:
            return name
    raise KeyError(model.__name__)


def user_fields(entity: str) -> tuple[str, ...]:
    """Fields a user may set on *entity*, in declaration order."""
    model = ENTITIES[entity]
    return tuple(name for name in model.model_fields if name not in SYSTEM_FIELDS)
