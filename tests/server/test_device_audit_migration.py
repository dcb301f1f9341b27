"""Revision 0013: device-log entries may be withheld; a downgrade that would lose them is
refused, so no copy of a device's chain is ever cut."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from sync.server.db import alembic_config, create_db_engine
from tests.server.conftest import on_both_databases

pytestmark = on_both_databases

_INSERT = sa.text(
    "INSERT INTO srv_device_audit (user_id, device_id, seq, prev_hash, hash, body, received_at)"
    " VALUES ('u1', 'tablet', :seq, :prev, :hash, :body, CURRENT_TIMESTAMP)"
)


def _migrate(engine: sa.Engine, direction: str, revision: str) -> None:
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        getattr(command, direction)(config, revision)


def test_entries_stored_before_are_kept_and_a_lossy_downgrade_is_refused(
    database_url: str,
) -> None:
    engine = create_db_engine(database_url)
    try:
        _migrate(engine, "upgrade", "0012_device_audit")
        with engine.begin() as conn:
            conn.execute(_INSERT, {"seq": 1, "prev": "0" * 64, "hash": "a" * 64, "body": "{}"})
        _migrate(engine, "upgrade", "0013_device_audit_links")
        with engine.begin() as conn:
            conn.execute(_INSERT, {"seq": 2, "prev": "a" * 64, "hash": "b" * 64, "body": None})
        with pytest.raises(RuntimeError, match="1 withheld device-log entries"):
            _migrate(engine, "downgrade", "0012_device_audit")
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT COUNT(*) FROM srv_device_audit")).scalar_one()
        assert count == 2
    finally:
        engine.dispose()
