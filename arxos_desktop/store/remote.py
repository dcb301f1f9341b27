"""The replica's side of sync: hand out pending changes, take in the server's answers.

This is the one place besides :mod:`writer` that writes replicated rows, and it
writes only what the server sent: pulled row states (with the device's own
unsent edits re-applied on top, so they never vanish from the screen) and the
outcome of each pushed change. Nothing here creates outbox entries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arxos_desktop.access import audit_log
from arxos_desktop.access.trust_store import store_trust
from arxos_desktop.store import conflicts, rescope, shadow
from arxos_desktop.store.bulk import insert_indexed
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.engine import get_meta, set_meta
from arxos_desktop.store.replica import Replica
from sync.clock import Stamp
from sync.merge import overlay_pending
from sync.outbox import Change, ChangeState, Op, count_changes, read_changes
from sync.protocol import ChangeResult, PullResponse, ResolutionResult, ResultStatus
from sync.schema import BLOB_FIELDS
from sync.trust import AccessTrust

_CURSOR_KEY = "sync_cursor"
_PENDING = ChangeState.PENDING.value


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[k : k + size] for k in range(0, len(items), size)]


class ReplicaSyncTarget:
    """Adapts a :class:`Replica` to :class:`sync.client.SyncTarget`."""

    def __init__(self, replica: Replica) -> None:
        self.replica = replica

    @property
    def device_id(self) -> str:
        return self.replica.device_id

    def pending_changes(self, limit: int) -> list[Change]:
        """The next batch to push; from now until its answers arrive it cannot be discarded."""
        batch = read_changes(self.replica.conn, limit=limit)
        self.replica.mark_in_flight(c.change_id for c in batch)
        return batch

    def pending_count(self) -> int:
        return count_changes(self.replica.conn)

    def blobs_for(self, changes: list[Change]) -> dict[str, Path]:
        """Files the server must have before it sees these changes."""
        needed: dict[str, Path] = {}
        for change in changes:
            for name in BLOB_FIELDS.get(change.entity, ()):
                sha = change.fields.get(name)
                if isinstance(sha, str) and sha:
                    needed[sha] = self.replica.blobs.get(sha)
        return needed

    def missing_blobs(self) -> dict[str, Path]:
        """Files that pulled rows refer to and this device does not hold yet: sha → where."""
        missing: dict[str, Path] = {}
        for entity, names in BLOB_FIELDS.items():
            table = codec_for(entity).table
            for name in names:
                rows = self.replica.conn.execute(
                    f"SELECT DISTINCT {name} FROM {table} WHERE deleted = 0 AND {name} IS NOT NULL"
                )
                for (sha,) in rows:
                    if sha and not self.replica.blobs.has(sha):
                        path = self.replica.blobs.path_for(sha)
                        path.parent.mkdir(parents=True, exist_ok=True)
                        missing[sha] = path
        return missing

    def record_push(self, changes: list[Change], results: list[ChangeResult]) -> None:
        """Acknowledged changes leave the outbox; rejected ones stay, marked with the reason.

        Answers are handled in order, but outbox writes are gathered into one
        ``executemany`` per run of answers: only a merged answer (another value won)
        must see the outbox exactly as it stood after the answers before it.
        """
        by_id = {c.change_id: c for c in changes}
        conn = self.replica.conn
        done: list[tuple[int]] = []
        rejected: list[tuple[str, str, str]] = []
        accepted: list[tuple[Change, dict[str, Any], int | None]] = []

        def flush() -> None:
            conn.executemany("DELETE FROM outbox WHERE seq = ?", done)  # by rowid
            conn.executemany(
                "UPDATE outbox SET state = ?, reason = ? WHERE change_id = ?", rejected
            )
            done.clear()
            rejected.clear()

        # Not flushed to disk at commit: the server keeps every answer (see remote_transaction).
        with self.replica.remote_transaction(durable=False):
            for result in results:
                change = by_id.get(result.change_id)
                if change is None:
                    continue
                if result.status is ResultStatus.REJECTED:
                    rejected.append((ChangeState.REJECTED.value, result.reason, result.change_id))
                    continue
                done.append((change.seq,))
                accepted.append((change, result.winning, result.seq))
                if result.winning:
                    flush()
                    self._apply_fields(change.entity, change.entity_id, result.winning)
            flush()
            shadow.advance(conn, accepted)
        self.replica.mark_answered(by_id)

    def pending_resolutions(self, limit: int) -> list[tuple[str, str]]:
        """Conflicts closed here that the server has not recorded yet: (id, resolution)."""
        return conflicts.queued_resolutions(self.replica.conn, limit)

    def record_resolutions(self, results: list[ResolutionResult]) -> None:
        """Answered resolutions leave the queue (retried until then: the server keeps the first)."""
        with self.replica.remote_transaction():
            conflicts.record_resolved(self.replica.conn, results)

    def cursor(self) -> int:
        value = get_meta(self.replica.conn, _CURSOR_KEY)
        return int(value) if value else 0

    def scope_tags(self) -> dict[str, str]:
        """The access each building was last reconciled under (see :mod:`rescope`)."""
        return rescope.scope_tags(self.replica.conn)

    def finish_rescope(self, building_id: str, seen: set[str], tag: str | None) -> int:
        """Let go of the building's rows the user may no longer see (see :mod:`rescope`)."""
        return rescope.finish_rescope(self.replica, building_id, seen, tag)

    def store_trust(self, trust: AccessTrust) -> None:
        """Keep the access-pass trust set the server sent (replacing the previous one)."""
        with self.replica.remote_transaction() as conn:
            store_trust(conn, trust)

    def audit_head(self) -> int:
        """The newest access-log entry's number (0: the log is empty)."""
        return audit_log.last_seq(self.replica.conn)

    def unsent_audit(self, limit: int) -> list[dict[str, Any]]:
        """The access-log entries the server has not acknowledged, oldest first."""
        return audit_log.unsent(self.replica.conn, limit)

    def record_audit_ack(self, acknowledged: int) -> None:
        with self.replica.remote_transaction() as conn:
            audit_log.acknowledge(conn, acknowledged)

    def apply_pull(self, page: PullResponse) -> None:
        """One page in one transaction: rows, conflicts and the new cursor land together."""
        conn = self.replica.conn
        with self.replica.remote_transaction():
            newest: str | None = None
            ids_by_entity: dict[str, list[str]] = {}
            for pulled in page.changes:
                ids_by_entity.setdefault(pulled.entity, []).append(pulled.entity_id)
            all_ids = [i for ids in ids_by_entity.values() for i in ids]
            # Only this page's rows: not the whole outbox decoded again for every page.
            pending: dict[str, list[dict[str, Any]]] = {}
            edited: set[str] = set()  # rows with a change in the outbox, pending or rejected
            for chunk in _chunks(all_ids):
                marks = ",".join("?" * len(chunk))
                for entity_id, fields, state in conn.execute(
                    "SELECT entity_id, fields, state FROM outbox"
                    f" WHERE entity_id IN ({marks}) ORDER BY seq",
                    chunk,
                ):
                    edited.add(entity_id)
                    if state == _PENDING:
                        pending.setdefault(entity_id, []).append(json.loads(fields))
            existing: set[tuple[str, str]] = set()
            for entity, ids in ids_by_entity.items():
                table = codec_for(entity).table
                for chunk in _chunks(ids):
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
                    existing.update((entity, row[0]) for row in rows)
            inserts: dict[str, list[list[Any]]] = {}
            shadows: list[shadow.Shadow] = []
            for pulled in page.changes:
                codec = codec_for(pulled.entity)
                values = {k: v for k, v in pulled.fields.items() if k in codec.user_fields}
                if pulled.entity_id in edited:
                    shadows.append(
                        shadow.Shadow(
                            pulled.entity,
                            pulled.entity_id,
                            values,
                            pulled.deleted,
                            pulled.seq,
                            pulled.hlc,
                        )
                    )
                values = overlay_pending(
                    {**values, "deleted": pulled.deleted}, pending.get(pulled.entity_id, [])
                )
                if (pulled.entity, pulled.entity_id) in existing:
                    self._update(pulled.entity, pulled.entity_id, values, pulled)
                else:
                    inserts.setdefault(pulled.entity, []).append(
                        self._insert_params(pulled.entity_id, pulled.building_id, values, pulled)
                    )
                # Packed stamps compare as strings in clock order.
                newest = pulled.hlc if newest is None or pulled.hlc > newest else newest
            for entity, params in inserts.items():
                codec = codec_for(entity)
                insert_indexed(conn, codec.table, codec.insert_sql, params)
            shadow.store_pulled(conn, shadows)
            conflicts.record_pulled(conn, page.conflicts, page.changes)
            if newest is not None:
                self.replica.observe_remote_clock(Stamp.parse(newest))
            set_meta(conn, _CURSOR_KEY, str(page.cursor))

    def _insert_params(
        self, entity_id: str, building_id: str | None, values: dict[str, Any], pulled: Any
    ) -> list[Any]:
        codec = codec_for(pulled.entity)
        data = {k: v for k, v in values.items() if k != "deleted"}
        data.update(id=entity_id, building_id=building_id)
        model = codec.values_model.__pydantic_validator__.validate_python(data)
        wire = codec.values_model.__pydantic_serializer__.to_python(model, mode="json")
        wire.update(
            deleted=bool(values.get("deleted")),
            server_rev=pulled.seq,
            created_hlc=pulled.hlc,
            updated_hlc=pulled.hlc,
        )
        return codec.wire_to_params(wire)

    def _update(self, entity: str, entity_id: str, values: dict[str, Any], pulled: Any) -> None:
        codec = codec_for(entity)
        columns = {k: v for k, v in values.items() if k in codec.column_set}
        columns.update(server_rev=pulled.seq, updated_hlc=pulled.hlc)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        params = [codec.wire_to_column(name, value) for name, value in columns.items()]
        self.replica.conn.execute(
            f"UPDATE {codec.table} SET {assignments} WHERE id = ?", [*params, entity_id]
        )

    def _apply_fields(self, entity: str, entity_id: str, fields: dict[str, Any]) -> None:
        """The server kept other values for some fields: show them, unless edited since."""
        later = {
            name
            for change in read_changes(self.replica.conn, state=ChangeState.PENDING)
            if change.entity_id == entity_id and change.op is not Op.INSERT
            for name in change.fields
        }
        codec = codec_for(entity)
        keep = {n: v for n, v in fields.items() if n not in later and n in codec.column_set}
        if not keep:
            return
        assignments = ", ".join(f"{name} = ?" for name in keep)
        params = [codec.wire_to_column(name, value) for name, value in keep.items()]
        self.replica.conn.execute(
            f"UPDATE {codec.table} SET {assignments} WHERE id = ?", [*params, entity_id]
        )


def open_conflicts(
    replica: Replica, *, building_id: str | None = None, include_resolved: bool = False
) -> list[dict[str, Any]]:
    """Conflicts nobody has reviewed yet (with *include_resolved*, every one), newest first."""
    sql = "SELECT * FROM conflicts WHERE " + ("1" if include_resolved else "resolution = ''")
    params: list[Any] = []
    if building_id is not None:
        sql += " AND building_id = ?"
        params.append(building_id)
    cursor = replica.conn.execute(sql + " ORDER BY seq DESC", params)
    names = [d[0] for d in cursor.description]
    rows = []
    for raw in cursor:
        row = dict(zip(names, raw, strict=True))
        row["winner_value"] = json.loads(row["winner_value"]) if row["winner_value"] else None
        row["loser_value"] = json.loads(row["loser_value"]) if row["loser_value"] else None
        rows.append(row)
    return rows


def restore_losing_value(replica: Replica, conflict_id: str) -> dict[str, Any]:
    """Bring back the value that lost, as a new edit that syncs like any other."""
    from arxos_desktop.store.errors import NotFoundError, StoreError

    row = replica.conn.execute(
        "SELECT entity, entity_id, field, loser_value, resolution FROM conflicts WHERE id = ?",
        (conflict_id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No conflict with id {conflict_id}")
    entity, entity_id, field, loser, resolution = row
    if resolution:
        raise StoreError(f"This conflict was already handled ({resolution})")
    value = json.loads(loser) if loser else None
    with replica.transaction() as writer:
        if field == "deleted":
            writer.restore(entity, entity_id)
            changed: dict[str, Any] = {"deleted": False}
        else:
            changed = writer.update(entity, entity_id, {field: value})
        conflicts.close(replica.conn, conflict_id, "restored", device_id=replica.device_id)
    return changed


def dismiss_conflict(replica: Replica, conflict_id: str) -> dict[str, Any]:
    """Keep the winner, if it is still the value: the conflict leaves the review list.

    Returns ``resolution`` and the field's ``value`` as it is now. When the value
    is no longer the winner (edited since, here or elsewhere), nothing is kept:
    the conflict closes as superseded and the caller says what the value is.
    """
    from arxos_desktop.store.errors import NotFoundError

    with replica.transaction():
        row = replica.conn.execute(
            "SELECT entity, entity_id, field, winner_value FROM conflicts"
            " WHERE id = ? AND resolution = ''",
            (conflict_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No open conflict with id {conflict_id}")
        entity, entity_id, field, winner = row
        value = _current_value(replica, entity, entity_id, field)
        still = value == (json.loads(winner) if winner else None)
        resolution = "kept" if still else conflicts.SUPERSEDED
        conflicts.close(replica.conn, conflict_id, resolution, device_id=replica.device_id)
    return {"resolution": resolution, "value": value}


def _current_value(replica: Replica, entity: str, entity_id: str, field: str) -> Any:
    """The field as this device shows it now (None when the row is not held any more)."""
    codec = codec_for(entity)
    row = replica.conn.execute(f"{codec.select_sql} WHERE id = ?", (entity_id,)).fetchone()
    return None if row is None else codec.row_to_wire(row).get(field)
