"""Reads without the schema: written-out columns and values match it, records match models,
and the read commands of `arx` never import SQLAlchemy, SQLModel, numpy, sqlite-utils,
pydantic (nor pydantic-settings, nor Typer's pydantic adapters) or the server administration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arxos_desktop.store import Replica
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.columns import BOOL_COLUMNS, TABLES
from arxos_desktop.store.equipment import connections_of, list_equipment
from arxos_desktop.store.queries import list_rows
from arxos_desktop.store.records import (
    connection_records,
    equipment_records,
    read_rows,
    work_order_records,
)
from arxos_desktop.store.summary import EQUIPMENT_STATUSES, OPEN_WORK_ORDER_STATUSES
from arxos_desktop.store.workorders import list_work_orders
from sync.schema import ENTITIES, EquipmentStatus, WorkOrderStatus


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("ARXOS_HOME", None)
    subprocess.run(
        [sys.executable, "-m", "arxos_desktop.cli", "--home", str(home), "demo"],
        capture_output=True,
        env=env,
        check=True,
    )
    return home


@pytest.fixture
def demo_replica(demo_home: Path) -> Iterator[Replica]:
    with Replica.open(demo_home) as rep:
        yield rep


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_written_out_columns_are_the_codecs(entity: str) -> None:
    codec = codec_for(entity)
    spec = TABLES[entity]
    assert (spec.table, spec.columns, spec.json_columns) == (
        codec.table,
        codec.columns,
        codec.json_columns,
    )
    assert codec.bool_columns == BOOL_COLUMNS


def test_every_entity_has_written_out_columns() -> None:
    assert set(TABLES) == set(ENTITIES)


def test_written_out_statuses_are_the_enums() -> None:
    assert tuple(s.value for s in EquipmentStatus) == EQUIPMENT_STATUSES
    open_states = {WorkOrderStatus.OPEN, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD}
    assert set(OPEN_WORK_ORDER_STATUSES) == {s.value for s in open_states}


def test_records_dump_as_the_models_do(demo_replica: Replica) -> None:
    for entity in ENTITIES:
        models = list_rows(demo_replica, entity, include_deleted=True)
        records = read_rows(demo_replica, entity, include_deleted=True)
        assert [r.model_dump(mode="json") for r in records] == [
            m.model_dump(mode="json") for m in models
        ], entity
    building_id = list_rows(demo_replica, "building")[0].id
    assert [e.id for e in equipment_records(demo_replica, building_id, status="operational")] == [
        e.id for e in list_equipment(demo_replica, building_id, status="operational")
    ]
    orders = work_order_records(demo_replica, building_id)
    assert orders and [w.id for w in orders] == [
        w.id for w in list_work_orders(demo_replica, building_id)
    ]
    item = equipment_records(demo_replica, building_id)[0]
    out_records, in_records = connection_records(demo_replica, item.id)
    out_models, in_models = connections_of(demo_replica, item.id)
    assert [c.id for c in out_records + in_records] == [c.id for c in out_models + in_models]


def test_record_dump_is_a_copy(demo_replica: Replica) -> None:
    item = read_rows(demo_replica, "equipment")[0]
    dumped = item.model_dump()
    dumped["properties"]["x"] = 1
    assert "x" not in item.properties
    with pytest.raises(AttributeError):
        _ = item.no_such_field


_PROBE = """
import json, sys
from arxos_desktop.cli.main import run
code = run(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"sqlalchemy", "sqlmodel", "numpy",
    "sqlite_utils", "pydantic", "pydantic_core", "pydantic_settings"}
    or m in {"sync.schema", "typer._adapters"} or m.startswith("arxos_desktop.admin"))
cli = sorted(m for m in sys.modules if m.startswith("arxos_desktop.cli."))
ids = "uuid_utils" in sys.modules
print(json.dumps({"code": code, "heavy": heavy, "cli": cli, "ids": ids}), file=sys.stderr)
"""


def _probe(home: Path, command: list[str]) -> dict[str, Any]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("ARXOS_HOME", None)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "--home", str(home), "--json", *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.stderr.strip(), done.stdout[-2000:]
    probe: dict[str, Any] = json.loads(done.stderr.strip().splitlines()[-1])
    return probe


@pytest.mark.parametrize(
    "command",
    [
        ["equipment", "show", "AHU-1"],
        ["equipment", "list", "--floor", "1"],
        ["buildings"],
        ["search", "boiler"],
        ["outbox"],
        ["--version"],
    ],
)
def test_read_commands_do_not_import_the_schema_or_sqlite_utils(
    demo_home: Path, command: list[str]
) -> None:
    """A regression guard on the start-up of read commands that does not depend on speed."""
    probe = _probe(demo_home, command)
    assert (probe["code"], probe["heavy"]) == (0, []), probe


def test_equipment_show_imports_no_other_command_module(demo_home: Path) -> None:
    """`arx` imports only the module of the command that runs (plus the shared helpers);
    opening a replica that has its device id does not import the id generator (it brings
    the standard library's uuid module along)."""
    from arxos_desktop.cli.main import COMMANDS

    probe = _probe(demo_home, ["equipment", "show", "AHU-1"])
    assert probe["code"] == 0
    others = {lazy.module for lazy in COMMANDS.values()} - {COMMANDS["equipment"].module}
    assert others, "the table lists the other command modules"
    assert sorted(others & set(probe["cli"])) == []
    assert COMMANDS["equipment"].module in probe["cli"]
    assert probe["ids"] is False
