"""`arx` start-up and scripted edits, timed as subprocesses the way people and scripts run it.

Why: a read command such as ``arx equipment show TAG`` is mostly start-up (Python,
then the imports of the store), and a script that runs one `arx` per edit pays that
start-up per edit. Three things are measured, each as the median of interleaved runs:

1. ``arx --version``: the floor, Python and the command line alone (with
   ``python -c pass`` beside it, so a loaded machine shows as a slow Python).
2. ``arx equipment show TAG`` on the demo building: a read command.
   Target: median <= 0.3 s; the ratios to both floors travel between machines.
3. ``arx apply FILE`` of N equipment edits in one process, against N one-edit
   processes, extrapolated from the median of a sample of ``arx equipment set``
   runs (running all N would take minutes). The ratio is the speed-up a script gets.

Prints one Markdown section to stdout, progress to stderr, and exits 0 (the table
says pass or fail). Scratch homes live in ``bench/.tmp/`` and are removed.

Usage: python bench/cli_bench.py [--runs N] [--edits N] [--sample N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_common import scratch_dir, spread

READ_TARGET_S = 0.3
TAG = "AHU-1"
STATUSES = ("operational", "needs_service")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def arx(home: Path, *args: str, stdin: str | None = None) -> float:
    """Seconds one `arx` process takes from start to exit (it must succeed)."""
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("ARXOS_HOME", "ARXOS_DEBUG"):
        env.pop(name, None)
    command = [sys.executable, "-m", "arxos_desktop.cli", "--home", str(home), *args]
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"arx {' '.join(args)} failed: {done.stderr or done.stdout}")
    return seconds


def tags(home: Path) -> list[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "arxos_desktop.cli", "--home", str(home), "equipment", "list",
         "--json"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return [row["tag"] for row in json.loads(done.stdout)]


def bare_python() -> float:
    """Seconds of ``python -c pass``: the interpreter's own start-up on this machine now."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def bench_startup(home: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    bare: list[float] = []
    version: list[float] = []
    show: list[float] = []
    for i in range(runs):  # interleaved, alternating order, so load drift hits all alike
        order = ["bare", "version", "show"]
        for name in order if i % 2 == 0 else reversed(order):
            if name == "bare":
                bare.append(bare_python())
            elif name == "version":
                version.append(arx(home, "--version"))
            else:
                show.append(arx(home, "equipment", "show", TAG))
    return bare, version, show


def bench_edits(home: Path, edits: int, sample: int) -> tuple[float, list[float]]:
    """(seconds for one `arx apply` of *edits*, seconds of each of *sample* single edits)."""
    names = tags(home)
    lines = "\n".join(
        json.dumps(
            {"op": "equipment.set", "tag": names[i % len(names)],
             "set": {"status": STATUSES[i % 2]}}
        )
        for i in range(edits)
    )  # fmt: skip
    path = home / "edits.jsonl"
    path.write_text(lines + "\n", encoding="utf-8")
    applied = arx(home, "apply", str(path))
    single = [
        arx(home, "equipment", "set", names[i % len(names)], f"status={STATUSES[(i + 1) % 2]}")
        for i in range(sample)
    ]
    return applied, single


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def report(
    args: argparse.Namespace,
    bare: list[float],
    version: list[float],
    show: list[float],
    applied: float,
    single: list[float],
    load_before: float,
    seconds: float,
) -> str:
    b, v, s = statistics.median(bare), statistics.median(version), statistics.median(show)
    one = statistics.median(single)
    per_process = one * args.edits
    return "\n".join(
        [
            "## CLI: start-up and scripted edits (subprocesses)",
            "",
            f"Each `arx` run is a fresh `python -m arxos_desktop.cli` process on a copy of the "
            f"demo building; {args.runs} interleaved runs each for start-up. Medians.",
            "",
            "| metric | median | spread | target | result |",
            "|---|---:|---:|---|---|",
            f"| `python -c pass` | {b:.3f} s | ±{spread(bare):.0%} | (Python alone) | - |",
            f"| `arx --version` | {v:.3f} s | ±{spread(version):.0%} | (the floor) | - |",
            f"| `arx equipment show {TAG}` | {s:.3f} s | ±{spread(show):.0%} | "
            f"<= {READ_TARGET_S} s | {verdict(s <= READ_TARGET_S)} |",
            f"| read command / `--version` | {s / v:.1f}x | | | |",
            f"| read command / `python -c pass` | {s / b:.1f}x | | | |",
            "",
            "| metric | seconds | edits/s |",
            "|---|---:|---:|",
            f"| `arx apply` of {args.edits:,} equipment edits, 1 process, 1 transaction | "
            f"{applied:.2f} | {args.edits / applied:,.0f} |",
            f"| {args.edits:,} `arx equipment set` processes (median of {args.sample} x "
            f"{args.edits:,}) | {per_process:.0f} | {1 / one:,.1f} |",
            f"| speed-up of `arx apply` | {per_process / applied:,.0f}x | |",
            "",
            f"Method/noise: {os.cpu_count()} cores, load average {load_before:.2f} at start; "
            f"total {seconds:.0f} s.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of each start-up command")
    parser.add_argument("--edits", type=int, default=2000, help="edits in the apply file")
    parser.add_argument("--sample", type=int, default=10, help="single-edit processes timed")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    with scratch_dir("cli") as root:
        home = root / "home"
        log("loading the demo building")
        arx(home, "demo")
        template = root / "template"
        shutil.copytree(home, template)
        log(f"start-up: {args.runs} runs each of python, arx --version and arx equipment show")
        bare, version, show = bench_startup(home, args.runs)
        log(f"edits: arx apply of {args.edits:,}, and {args.sample} single-edit processes")
        applied, single = bench_edits(template, args.edits, args.sample)
    seconds = time.perf_counter() - start
    print(report(args, bare, version, show, applied, single, load_before, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
