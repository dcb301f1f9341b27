"""Store write and search costs, each measured against raw ``sqlite3`` doing the same work.

Why: every edit in the field app goes through ``ChangeWriter`` (pydantic
validation, HLC stamp, outbox change, clock saved in ``replica_meta``) and every
keystroke in the search box through ``search()``. Absolute timings mean little
on shared, noisy machines, so each project path is timed next to a raw baseline
in the same process, on an identical database file (same DDL, FTS triggers and
PRAGMAs: WAL, ``synchronous=FULL``, ``foreign_keys=ON``), and the *ratio* is
what the targets are set on:

1. Writes. Single-field equipment edits, one transaction each (the UI pattern:
   one edit, one commit), via ``update_equipment`` vs ``UPDATE equipment`` +
   ``INSERT INTO outbox`` + ``COMMIT``; and N new equipment rows in one
   transaction via ``writer.insert`` vs ``executemany`` of prepared rows and
   outbox rows. Target: project throughput >= 0.5x raw.
2. Search over 100,000 equipment rows (loaded through ``writer.insert``):
   ``search(replica, q)`` vs the bare FTS5 query ``SELECT rowid FROM
   equipment_fts WHERE equipment_fts MATCH ? ORDER BY rank LIMIT 50`` with the
   same MATCH expression. Target: project median < 20 ms per query.

Rounds are interleaved (project, raw, then raw, project...) so drift in machine
load hits both sides alike; medians and the ratio of medians are reported.
Prints one Markdown section to stdout, progress to stderr, and exits 0 (the
table says pass or fail). Scratch replicas live in ``bench/.tmp/`` and are removed.

Usage: python bench/store_bench.py [--edits N] [--rounds R] [--rows N] [--runs N] [--only writes]

``--only writes`` runs part 1 alone (about a minute instead of several), for
iterating on the write path; the full run is what ``make bench`` records.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_common import scratch_dir, spread, timed

from arxos_desktop.store.engine import BUSY_TIMEOUT_MS
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.replica import Replica
from arxos_desktop.store.search import fts_query, search
from sync.ids import new_id

EDIT_TARGET = 0.5  # project throughput / raw throughput
SEARCH_TARGET_MS = 20.0  # project median per query
SEARCH_QUERIES: tuple[tuple[str, str], ...] = (
    ("full tag", "VAV-3-104"),
    ("prefix", "ahu"),
    ("word", "trane"),
    ("two words", "exhaust fan"),
    ("rare word", "munters"),
)

STATUSES = ("operational", "needs_service", "out_of_service", "decommissioned")
RAW_FTS_SQL = "SELECT rowid FROM equipment_fts WHERE equipment_fts MATCH ? ORDER BY rank LIMIT 50"
EQUIPMENT_COLUMNS = (
    "id, building_id, created_hlc, updated_hlc, deleted, server_rev, tag, name, system, type, "
    "manufacturer, model, serial, status, floor_id, room_id, install_date, properties, position"
)
RAW_INSERT_EQUIPMENT = f"INSERT INTO equipment ({EQUIPMENT_COLUMNS}) VALUES ({', '.join('?' * 19)})"
RAW_INSERT_OUTBOX = (
    "INSERT INTO outbox (change_id, entity, entity_id, building_id, op, fields, base_rev, hlc)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
RAW_UPDATE = {
    field: f"UPDATE equipment SET {field} = ?, updated_hlc = ? WHERE id = ?"
    for field in ("name", "status")
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def dump(value: Any) -> str:
    """The same canonical JSON text the store writes to columns and the outbox."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def raw_connect(path: Path, like: sqlite3.Connection) -> sqlite3.Connection:
    """A bare connection with the replica's PRAGMAs (see ``store.engine.connect``).

    Cache settings are copied from the project's connection *like*, so tuning them
    in the store speeds up the baseline too and the comparison stays like for like.
    """
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for pragma in ("cache_size", "mmap_size"):
        value = int(like.execute(f"PRAGMA {pragma}").fetchone()[0])
        conn.execute(f"PRAGMA {pragma} = {value}")
    for pragma in ("journal_mode", "synchronous", "foreign_keys", "cache_size", "mmap_size"):
        mine = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        theirs = like.execute(f"PRAGMA {pragma}").fetchone()[0]
        if mine != theirs:
            raise AssertionError(f"PRAGMA {pragma}: raw {mine!r} != project {theirs!r}")
    return conn


class RawStamps:
    """Pre-made HLC-shaped stamps for the raw side (same width as the real ones)."""

    def __init__(self) -> None:
        self._wall = time.time_ns() // 1_000_000
        self._counter = 0

    def next(self) -> str:
        self._counter += 1
        return f"{self._wall:015d}-{self._counter:06x}-rawbench00000000"


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- writes


@dataclass
class Site:
    """A building with one floor and a few rooms, the parents new equipment needs."""

    building_id: str
    floor_id: str
    room_ids: list[str]


def make_site(replica: Replica) -> Site:
    with replica.transaction() as writer:
        building = writer.insert("building", {"name": "Bench Tower", "address": "1 Bench St"})
        bid = building["id"]
        floor = writer.insert("floor", {"building_id": bid, "level": 3, "name": "Level 3"})
        rooms = [
            writer.insert(
                "room",
                {"building_id": bid, "floor_id": floor["id"], "number": f"3{k:02d}", "name": name},
            )["id"]
            for k, name in enumerate(("Office", "Conference", "Mechanical", "Electrical"), 1)
        ]
    return Site(bid, floor["id"], rooms)


def equipment_values(site: Site, tag: str, i: int) -> dict[str, Any]:
    """Realistic user values for one new piece of equipment."""
    return {
        "building_id": site.building_id,
        "tag": tag,
        "name": f"VAV box serving room {300 + i % 40}",
        "system": "hvac",
        "type": "VAV terminal",
        "manufacturer": ("Trane", "Titus", "Price", "Johnson Controls")[i % 4],
        "model": f"VCCF-{8 + i % 6:02d}",
        "serial": f"K{i:08d}",
        "status": "operational",
        "floor_id": site.floor_id,
        "room_id": site.room_ids[i % len(site.room_ids)],
        "install_date": "2019-05-01",
        "properties": {"cfm_max": 800 + i % 400, "reheat": "hot water"},
        "position": {"x": round(1.5 + (i % 50) * 1.1, 2), "y": round(2.0 + (i % 23), 2)},
    }


def raw_insert_rows(
    values: list[dict[str, Any]], stamps: RawStamps
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Equipment column tuples and their outbox tuples, prepared before the clock starts."""
    rows, changes = [], []
    for v in values:
        eid, hlc = new_id(), stamps.next()
        user = {
            k: v.get(k)
            for k in (
                "tag",
                "name",
                "system",
                "type",
                "manufacturer",
                "model",
                "serial",
                "status",
                "floor_id",
                "room_id",
                "install_date",
                "properties",
                "position",
            )
        }
        rows.append(
            (
                eid,
                v["building_id"],
                hlc,
                hlc,
                0,
                0,
                *(user[k] for k in list(user)[:-2]),
                dump(user["properties"]),
                dump(user["position"]),
            )
        )
        changes.append((new_id(), "equipment", eid, v["building_id"], "insert", dump(user), 0, hlc))
    return rows, changes


@dataclass
class WriteResult:
    project: list[float]  # per-round throughput, ops/s
    raw: list[float]


def bench_writes(root: Path, n: int, rounds: int) -> tuple[WriteResult, WriteResult]:
    """Single edits (one commit each) and a batched insert, project vs raw, *rounds* times."""
    seed = root / "seed"
    with Replica.open(seed) as replica:
        site = make_site(replica)
        pool = min(500, n)
        with replica.transaction() as writer:
            ids = [
                writer.insert("equipment", equipment_values(site, f"VAV-3-{100 + i}", i))["id"]
                for i in range(pool)
            ]
    proj_home, raw_home = root / "project", root / "raw"
    shutil.copytree(seed, proj_home)
    shutil.copytree(seed, raw_home)
    replica = Replica.open(proj_home)
    raw = raw_connect(raw_home / replica.path.name, replica.conn)
    stamps = RawStamps()
    status_now = dict.fromkeys(ids, "operational")
    edits = WriteResult([], [])
    inserts = WriteResult([], [])
    try:
        for r in range(rounds):
            # The same edit list for both sides: alternately a rename and a status change.
            plan: list[tuple[str, str, str]] = []
            for i in range(n):
                eid = ids[i % len(ids)]
                if i % 2 == 0:
                    plan.append((eid, "name", f"VAV box {r}-{i}"))
                else:
                    nxt = STATUSES[(STATUSES.index(status_now[eid]) + 1) % len(STATUSES)]
                    status_now[eid] = nxt
                    plan.append((eid, "status", nxt))
            raw_plan: list[tuple[str, tuple[str, ...], tuple[Any, ...]]] = []
            for eid, field, value in plan:
                hlc = stamps.next()
                change = (new_id(), "equipment", eid, site.building_id, "update")
                raw_plan.append(
                    (RAW_UPDATE[field], (value, hlc, eid), (*change, dump({field: value}), 0, hlc))
                )

            def project_edits(plan: list[tuple[str, str, str]] = plan) -> None:
                for eid, field, value in plan:
                    if not update_equipment(replica, eid, {field: value}):
                        raise AssertionError(f"edit of {field} recorded nothing")

            def raw_edits(raw_plan: list[Any] = raw_plan) -> None:
                for update_sql, update_params, change in raw_plan:
                    raw.execute("BEGIN IMMEDIATE")
                    raw.execute(update_sql, update_params)
                    raw.execute(RAW_INSERT_OUTBOX, change)
                    raw.execute("COMMIT")

            values = [equipment_values(site, f"VAV-9-{r}-{i}", i) for i in range(n)]
            rows, changes = raw_insert_rows(values, stamps)

            def project_batch(values: list[dict[str, Any]] = values) -> None:
                with replica.transaction() as writer:
                    for v in values:
                        writer.insert("equipment", v)

            def raw_batch(rows: list[Any] = rows, changes: list[Any] = changes) -> None:
                raw.execute("BEGIN IMMEDIATE")
                raw.executemany(RAW_INSERT_EQUIPMENT, rows)
                raw.executemany(RAW_INSERT_OUTBOX, changes)
                raw.execute("COMMIT")

            pairs = (
                (edits, project_edits, raw_edits),
                (inserts, project_batch, raw_batch),
            )
            for result, project_fn, raw_fn in pairs:
                if r % 2 == 0:
                    p, q = timed(project_fn), timed(raw_fn)
                else:
                    q, p = timed(raw_fn), timed(project_fn)
                result.project.append(n / p)
                result.raw.append(n / q)
            log(
                f"  round {r + 1}/{rounds}: edits {edits.project[-1]:,.0f} vs "
                f"{edits.raw[-1]:,.0f}/s, batched inserts {inserts.project[-1]:,.0f} vs "
                f"{inserts.raw[-1]:,.0f}/s"
            )
        # Both files must hold the same physical result: same row and outbox counts.
        for sql in ("SELECT count(*) FROM equipment", "SELECT count(*) FROM outbox"):
            a = replica.conn.execute(sql).fetchone()[0]
            b = raw.execute(sql).fetchone()[0]
            if a != b:
                raise AssertionError(f"{sql}: project {a} != raw {b}")
    finally:
        raw.close()
        replica.close()
    return edits, inserts


# --------------------------------------------------------------------------- search data

# (weight, system, tag prefix, tag scope, name, type, manufacturers, model stem)
# Tag scope: "floor" → VAV-3-104, "panel" → LP-2B, "building" → AHU-17.
CATALOG: tuple[tuple[int, str, str, str, str, str, tuple[str, ...], str], ...] = (
    (22, "hvac", "VAV", "floor", "VAV box", "VAV terminal", ("Trane", "Titus", "Price"), "VCCF"),
    (6, "hvac", "FCU", "floor", "Fan coil unit", "Fan coil", ("Daikin", "Carrier"), "FCV"),
    (8, "hvac", "T", "floor", "Zone thermostat", "Thermostat", ("Honeywell", "Siemens"), "TS"),
    (2, "hvac", "UH", "floor", "Unit heater", "Unit heater", ("Modine", "Trane"), "HD"),
    (
        3,
        "hvac",
        "EF",
        "building",
        "Exhaust fan",
        "Exhaust fan",
        ("Greenheck", "Loren Cook"),
        "SQ",
    ),
    (1, "hvac", "AHU", "building", "Air handling unit", "AHU", ("Trane", "Carrier", "York"), "CS"),
    (1, "mechanical", "P", "building", "Chilled water pump", "Pump", ("Bell & Gossett",), "E80"),
    (1, "mechanical", "HWP", "building", "Hot water pump", "Pump", ("Armstrong",), "4300"),
    (1, "electrical", "LP", "panel", "Lighting panel", "Panelboard", ("Square D", "Eaton"), "NQ"),
    (1, "electrical", "RP", "panel", "Receptacle panel", "Panelboard", ("Square D",), "NF"),
    (3, "electrical", "DS", "floor", "Disconnect switch", "Disconnect", ("Eaton", "ABB"), "DH"),
    (1, "electrical", "XFMR", "building", "Dry-type transformer", "Transformer", ("Eaton",), "V48"),
    (25, "fire", "SD", "floor", "Smoke detector", "Detector", ("Notifier", "Simplex"), "FSP"),
    (5, "fire", "FS", "floor", "Sprinkler flow switch", "Flow switch", ("Potter",), "VSR"),
    (5, "security", "CR", "floor", "Card reader", "Reader", ("HID", "Lenel"), "R40"),
    (6, "security", "CAM", "floor", "IP camera", "Camera", ("Axis",), "P3245"),
    (1, "plumbing", "WH", "building", "Water heater", "Water heater", ("A. O. Smith",), "BTH"),
    (3, "plumbing", "BFP", "floor", "Backflow preventer", "Backflow", ("Watts",), "LF909"),
    (5, "other", "EXIT", "floor", "Exit sign", "Exit sign", ("Lithonia",), "LQM"),
)
ROOM_NAMES = (
    "Office",
    "Open office",
    "Conference",
    "Mechanical room",
    "Electrical room",
    "Storage",
    "Break room",
    "Corridor",
    "Restroom",
    "IT closet",
)


def panel_suffix(k: int) -> str:
    letters = ""
    k -= 1
    while True:
        letters = chr(ord("A") + k % 26) + letters
        k = k // 26 - 1
        if k < 0:
            return letters


def build_search_replica(
    home: Path, rows: int, buildings: int = 4, floors: int = 25, rooms_per_floor: int = 30
) -> dict[str, Any]:
    """A replica with *rows* equipment in *buildings*, loaded through ``writer.insert``."""
    rng = random.Random(20240611)
    weights = [c[0] for c in CATALOG]
    per_floor = rows // (buildings * floors)
    rare_left = 7  # a handful of Munters dehumidifiers: the rare word
    start = time.perf_counter()
    with Replica.open(home) as replica:
        for b in range(buildings):
            with replica.transaction() as writer:
                bid = writer.insert("building", {"name": f"Harbor Point {b + 1}"})["id"]
                floor_rooms: list[tuple[int, str, list[str]]] = []
                for level in range(floors):
                    fid = writer.insert(
                        "floor", {"building_id": bid, "level": level, "name": f"Level {level}"}
                    )["id"]
                    room_ids = [
                        writer.insert(
                            "room",
                            {
                                "building_id": bid,
                                "floor_id": fid,
                                "number": f"{level}{k:02d}",
                                "name": ROOM_NAMES[k % len(ROOM_NAMES)],
                                "area_m2": round(rng.uniform(8, 120), 1),
                            },
                        )["id"]
                        for k in range(1, rooms_per_floor + 1)
                    ]
                    floor_rooms.append((level, fid, room_ids))
            counters: dict[tuple[str, int], int] = {}
            for level, fid, room_ids in floor_rooms:
                count = per_floor + (1 if level < rows % (buildings * floors) // buildings else 0)
                with replica.transaction() as writer:
                    for item in rng.choices(CATALOG, weights, k=count):
                        _, system, prefix, scope, name, type_, makers, model = item
                        key = (prefix, -1 if scope == "building" else level)
                        k = counters[key] = counters.get(key, 0) + 1
                        if scope == "floor":
                            tag = f"{prefix}-{level}-{100 + k}"
                        elif scope == "panel":
                            tag = f"{prefix}-{level}{panel_suffix(k)}"
                        else:
                            tag = f"{prefix}-{k}"
                        maker = rng.choice(makers)
                        if rare_left and rng.random() < 0.001:
                            rare_left -= 1
                            name, type_, maker, model = (
                                "Desiccant dehumidifier",
                                "Dehumidifier",
                                "Munters",
                                "HCD",
                            )
                        room = rng.choice(room_ids)
                        writer.insert(
                            "equipment",
                            {
                                "building_id": bid,
                                "tag": tag,
                                "name": f"{name} {tag}",
                                "system": system,
                                "type": type_,
                                "manufacturer": maker,
                                "model": f"{model}-{rng.randint(2, 40):02d}",
                                "serial": "".join(
                                    rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=10)
                                ),
                                "status": rng.choices(STATUSES, (85, 10, 4, 1))[0],
                                "floor_id": fid,
                                "room_id": room,
                                "position": {"x": rng.uniform(0, 60), "y": rng.uniform(0, 30)},
                            },
                        )
            log(f"  building {b + 1}/{buildings} loaded ({time.perf_counter() - start:.1f} s)")
        total = replica.conn.execute("SELECT count(*) FROM equipment").fetchone()[0]
    return {
        "rows": total,
        "load_s": time.perf_counter() - start,
        "buildings": buildings,
        "floors": floors,
        "rooms": buildings * floors * rooms_per_floor,
    }


@dataclass
class SearchResult:
    label: str
    query: str
    matches: int
    hits: int
    project_ms: list[float]
    raw_ms: list[float]


def bench_search(home: Path, runs: int) -> list[SearchResult]:
    """Each query *runs* times through ``search()`` and as bare FTS5, interleaved."""
    replica = Replica.open(home)
    raw = raw_connect(replica.path, replica.conn)
    results = []
    try:
        for label, query in SEARCH_QUERIES:
            match = fts_query(query)
            matches = raw.execute(
                "SELECT count(*) FROM equipment_fts WHERE equipment_fts MATCH ?", (match,)
            ).fetchone()[0]
            hits = len(search(replica, query))
            for _ in range(3):  # warm the page cache and statement caches
                search(replica, query)
                raw.execute(RAW_FTS_SQL, (match,)).fetchall()
            project: list[float] = []
            bare: list[float] = []
            gc.collect()
            for i in range(runs):
                for side in (0, 1) if i % 2 == 0 else (1, 0):
                    start = time.perf_counter()
                    if side == 0:
                        search(replica, query)
                    else:
                        raw.execute(RAW_FTS_SQL, (match,)).fetchall()
                    elapsed = (time.perf_counter() - start) * 1000
                    (project if side == 0 else bare).append(elapsed)
            results.append(SearchResult(label, query, matches, hits, project, bare))
            log(
                f"  {query!r}: {statistics.median(project):.2f} ms vs "
                f"{statistics.median(bare):.2f} ms ({matches:,} FTS matches)"
            )
    finally:
        raw.close()
        replica.close()
    return results


# --------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def write_row(metric: str, result: WriteResult, unit: str) -> str:
    p, q = statistics.median(result.project), statistics.median(result.raw)
    ratio = p / q
    return (
        f"| {metric} ({unit}) | {p:,.0f} | {q:,.0f} | {ratio:.3f}x | "
        f">= {EDIT_TARGET:.1f}x | {verdict(ratio >= EDIT_TARGET)} |"
    )


def report(
    args: argparse.Namespace,
    edits: WriteResult,
    inserts: WriteResult,
    data: dict[str, Any] | None,
    searches: list[SearchResult],
    load_before: float,
    seconds: float,
) -> str:
    lines = [
        "## Store: writes and search vs raw SQLite",
        "",
        f"Writes: {args.edits:,} operations per round, {args.rounds} rounds, same replica "
        "DDL (FTS triggers included) and PRAGMAs (WAL, synchronous=FULL, foreign_keys=ON) "
        "on both sides. Project/raw ratio of median throughput; higher is better.",
        "",
        "| metric | project | raw sqlite3 | ratio | target | result |",
        "|---|---:|---:|---:|---|---|",
        write_row("equipment edits via `update_equipment`, 1 commit each", edits, "edits/s"),
        write_row(
            f"new equipment via `writer.insert`, {args.edits:,} in 1 commit", inserts, "rows/s"
        ),
    ]
    if data is not None:
        lines += search_rows(args, data, searches)
    raw_spread = max(spread(edits.raw), spread(inserts.raw))
    lines += [
        "",
        f"Method/noise: {os.cpu_count()} cores, load average {load_before:.2f} at start; "
        f"project and raw interleaved with alternating order; round-to-round spread of the "
        f"raw write baselines ±{raw_spread:.0%} (half range / median); total {seconds:.0f} s.",
    ]
    return "\n".join(lines)


def search_rows(
    args: argparse.Namespace, data: dict[str, Any], searches: list[SearchResult]
) -> list[str]:
    lines = [
        "",
        f"Search: {data['rows']:,} equipment rows in {data['buildings']} buildings of "
        f"{data['floors']} floors ({data['rooms']:,} rooms), "
        f"loaded through `writer.insert` in {data['load_s']:.0f} s; {args.runs} runs per "
        "query. Raw is `SELECT rowid FROM equipment_fts WHERE equipment_fts MATCH ? "
        "ORDER BY rank LIMIT 50` with the same MATCH expression (`fts_query`). "
        "Cells are median (p95) ms; ratio is project/raw median, lower is better.",
        "",
        "| metric | project | raw FTS5 | ratio | target | result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for s in searches:
        pm, rm = statistics.median(s.project_ms), statistics.median(s.raw_ms)
        lines.append(
            f"| search {s.label} `{s.query}` ({s.matches:,} matches, {s.hits} hits) | "
            f"{pm:.2f} ({p95(s.project_ms):.2f}) | {rm:.2f} ({p95(s.raw_ms):.2f}) | "
            f"{pm / rm:.1f}x | median < {SEARCH_TARGET_MS:.0f} ms | "
            f"{verdict(pm < SEARCH_TARGET_MS)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=2000, help="operations per write round")
    parser.add_argument("--rounds", type=int, default=7, help="write rounds")
    parser.add_argument("--rows", type=int, default=100_000, help="equipment rows for search")
    parser.add_argument("--runs", type=int, default=50, help="runs per search query")
    parser.add_argument(
        "--only", choices=("writes",), help="run only this part (writes: no search section)"
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    with scratch_dir("store") as root:
        log(f"writes: {args.edits:,} per round, {args.rounds} rounds")
        edits, inserts = bench_writes(root / "writes", args.edits, args.rounds)
        data: dict[str, Any] | None = None
        searches: list[SearchResult] = []
        if args.only != "writes":
            log(f"search: loading {args.rows:,} equipment rows through writer.insert")
            data = build_search_replica(root / "search", args.rows)
            searches = bench_search(root / "search", args.runs)
    print(report(args, edits, inserts, data, searches, load_before, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
