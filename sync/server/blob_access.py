"""Who may read which blob: the user who uploaded it, and whoever may see a row citing it.

A blob is named by the SHA-256 of its bytes, and that name travels in replicated
rows. Were every signed-in user allowed to read any blob, anyone who learned a
hash (from a shared file, a log, another organisation's export) could fetch the
file, or at least learn that the server holds it. So the blob routes ask here
first, and a user may read a blob only if

- they proved they hold its bytes: they uploaded it, all of it, and it hashed
  right (``srv_blob_uploads``); or
- a row they may see on pull refers to it: a live (not deleted) document,
  attachment or note in a building they were granted, inside their systems and
  floors. ``srv_blob_refs`` is only the index from a hash to the rows citing it;
  the row itself, read from ``srv_rows`` when asked, decides, by the same
  :func:`sync.server.scope.in_scope` rule as the pull.

:func:`record_blob_refs` keeps the index in step with the rows; the push calls
it in the transaction that stores them, so a device that pulls a row can always
fetch the row's file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from sqlalchemy import Index, delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from sync.schema import BLOB_FIELDS
from sync.server import crud
from sync.server.models import UTCDateTime, utcnow
from sync.server.scope import Access, RowLookup, RowView, in_scope

_SHA = re.compile(r"[0-9a-f]{64}")
#: Ids per ``IN (...)``: well under every backend's limit on bound parameters.
_CHUNK: Final = 500


class BlobRef(SQLModel, table=True):
    """One live row that cites one blob (the index behind "a visible row refers to it")."""

    __tablename__ = "srv_blob_refs"
    __table_args__ = (Index("ix_srv_blob_refs_sha256_building", "sha256", "building_id"),)

    entity: str = Field(primary_key=True, max_length=32)
    entity_id: str = Field(primary_key=True, max_length=36)
    sha256: str = Field(primary_key=True, max_length=64)
    building_id: str | None = Field(default=None, max_length=36)


class BlobUpload(SQLModel, table=True):
    """A user who sent a blob's complete, verified bytes, so may read it back.

    No foreign key to ``srv_users``, like the change log's ``user_id``: it is a
    record of what happened, not a grant to be managed.
    """

    __tablename__ = "srv_blob_uploads"

    sha256: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(primary_key=True, max_length=36)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def blob_shas(entity: str, values: Mapping[str, Any]) -> set[str]:
    """The blobs a row with these values cites (malformed names cite nothing)."""
    found = set()
    for name in BLOB_FIELDS.get(entity, ()):
        value = values.get(name)
        if isinstance(value, str) and _SHA.fullmatch(value):
            found.add(value)
    return found


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for k in range(0, len(items), _CHUNK):
        yield items[k : k + _CHUNK]


def record_blob_refs(session: Session, rows: Iterable[Mapping[str, Any] | RowView]) -> None:
    """Make the index match these just-stored ``srv_rows`` rows, in *session*'s transaction.

    *rows* are the row dicts written (or the :class:`RowView` objects; the push has
    those at hand, and converting only the few that cite files keeps it cheap).
    Each row's old references are replaced by its current ones, and a tombstoned
    row has none, so a deleted document stops granting its file and a document
    pointed at a new file stops granting the old one. Rows of entities without
    blob fields cost one dictionary lookup. The push holds its lock while calling
    this, so two pushes never rewrite the same row's references at once.
    """
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for row in rows:
        if isinstance(row, RowView):
            if row.entity in BLOB_FIELDS:
                latest[(row.entity, row.id)] = row.as_dict()
        elif row["entity"] in BLOB_FIELDS:
            latest[(row["entity"], row["id"])] = row
    if not latest:
        return
    by_entity: dict[str, list[str]] = {}
    for entity, row_id in latest:
        by_entity.setdefault(entity, []).append(row_id)
    for entity, ids in by_entity.items():
        for part in _chunks(sorted(ids)):
            session.execute(
                delete(BlobRef).where(
                    col(BlobRef.entity) == entity, col(BlobRef.entity_id).in_(part)
                )
            )
    refs = [
        {
            "entity": entity,
            "entity_id": row_id,
            "sha256": sha256,
            "building_id": row.get("building_id"),
        }
        for (entity, row_id), row in latest.items()
        if not row.get("deleted")
        for sha256 in sorted(blob_shas(entity, row.get("values") or {}))
    ]
    if refs:
        session.execute(insert(BlobRef), refs)


def record_upload(session: Session, sha256: str, user_id: str) -> None:
    """Remember that *user_id* sent *sha256*'s verified bytes (idempotent; caller commits)."""
    values = {"sha256": sha256, "user_id": user_id, "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(BlobUpload).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(BlobUpload).values(values).on_conflict_do_nothing())
    elif session.get(BlobUpload, (sha256, user_id)) is None:
        session.add(BlobUpload.model_validate(values))
        session.flush()


def uploaded_by(session: Session, sha256: str, user_id: str) -> bool:
    found = session.execute(
        select(BlobUpload.user_id).where(
            col(BlobUpload.sha256) == sha256, col(BlobUpload.user_id) == user_id
        )
    ).first()
    return found is not None


def visible_ref(session: Session, sha256: str, accesses: Mapping[str, Access]) -> bool:
    """Whether a row these grants may see on pull cites *sha256* (and is not deleted)."""
    buildings = sorted(accesses)
    lookup = RowLookup(session)
    for part in _chunks(buildings):
        cited = session.execute(
            select(BlobRef.entity, BlobRef.entity_id).where(
                col(BlobRef.sha256) == sha256, col(BlobRef.building_id).in_(part)
            )
        ).all()
        lookup.prefetch((entity, row_id) for entity, row_id in cited)
        for entity, row_id in cited:
            row = lookup.get(entity, row_id)
            # The row, not the index, decides: its current values, building and scope.
            if row is None or row.deleted or sha256 not in blob_shas(entity, row.values):
                continue
            access = accesses.get(row.building_id or "")
            if access is not None and in_scope(access, entity, row.values, lookup):
                return True
    return False


def readable_among(
    session: Session, shas: Iterable[str], user_id: str, accesses: Mapping[str, Access]
) -> set[str]:
    """Which of *shas* this user may read already (one query for uploads, one per chunk of refs).

    A push may cite a blob only if this holds for it: knowing a hash is not enough,
    and a row citing one would otherwise grant its file to everyone who sees the row.
    """
    wanted = sorted(set(shas))
    if not wanted:
        return set()
    readable: set[str] = set()
    for part in _chunks(wanted):
        readable.update(
            session.execute(
                select(BlobUpload.sha256).where(
                    col(BlobUpload.user_id) == user_id, col(BlobUpload.sha256).in_(part)
                )
            ).scalars()
        )
    rest = [sha256 for sha256 in wanted if sha256 not in readable]
    if not rest or not accesses:
        return readable
    lookup = RowLookup(session)
    cited: list[tuple[str, str, str]] = []
    for part in _chunks(rest):
        found = session.execute(
            select(BlobRef.sha256, BlobRef.entity, BlobRef.entity_id).where(
                col(BlobRef.sha256).in_(part), col(BlobRef.building_id).in_(sorted(accesses))
            )
        )
        cited.extend((sha256, entity, row_id) for sha256, entity, row_id in found)
    lookup.prefetch((entity, row_id) for _, entity, row_id in cited)
    for sha256, entity, row_id in cited:
        row = lookup.get(entity, row_id)
        if row is None or row.deleted or sha256 not in blob_shas(entity, row.values):
            continue
        access = accesses.get(row.building_id or "")
        if access is not None and in_scope(access, entity, row.values, lookup):
            readable.add(sha256)
    return readable


def may_read(session: Session, sha256: str, user_id: str) -> bool:
    """The whole rule (see the module docstring): the uploader, or a visible row cites it."""
    if uploaded_by(session, sha256, user_id):
        return True
    return visible_ref(session, sha256, crud.building_access(session, user_id))
