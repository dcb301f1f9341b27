"""Revision 0011: annotations and documents stored before it get the new fields' defaults."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

from sync.server.db import alembic_config, create_db_engine
from tests.server.conftest import on_both_databases

pytestmark = on_both_databases


def _migrate(engine: sa.Engine, direction: str, revision: str) -> None:
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        getattr(command, direction)(config, revision)


_INSERT = sa.text(
    'INSERT INTO srv_rows (entity, id, building_id, "values", clocks, deleted, created_hlc,'
    " updated_hlc, seq) VALUES (:entity, :id, 'b1', :values, '{}', false, 'h', 'h', :seq)"
)


def test_rows_stored_before_the_markup_fields_get_their_defaults(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        _migrate(engine, "upgrade", "0009")
        rows = [
            ("annotation", "a1", {"kind": "pin", "text": "old"}),
            ("annotation", "a2", {"kind": "ink", "author": "Dana", "review_status": "accepted"}),
            ("document", "d1", {"title": "Plan"}),
            ("equipment", "e1", {"tag": "AHU-1"}),
        ]
        with engine.begin() as conn:
            for seq, (entity, row_id, values) in enumerate(rows, start=1):
                conn.execute(
                    _INSERT,
                    {"entity": entity, "id": row_id, "values": json.dumps(values), "seq": seq},
                )
        _migrate(engine, "upgrade", "head")
        with engine.connect() as conn:
            found = {
                row_id: json.loads(values) if isinstance(values, str) else values
                for row_id, values in conn.execute(sa.text('SELECT id, "values" FROM srv_rows'))
            }
        assert found["a1"] == {
            "kind": "pin",
            "text": "old",
            "author": "",
            "authored_at": None,
            "review_status": "open",
            "pdf_name": "",
        }
        assert found["a2"]["author"] == "Dana" and found["a2"]["review_status"] == "accepted"
        assert found["d1"] == {"title": "Plan", "page_sizes": {}}
        assert found["e1"] == {"tag": "AHU-1"}
        _migrate(engine, "downgrade", "0009")
        _migrate(engine, "upgrade", "head")
    finally:
        engine.dispose()
