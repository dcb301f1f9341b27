"""Run every ``bench/*_bench.py`` and collect their output into ``bench/results.md``.

Each bench script is run, in name order, as ``<this python> bench/NAME_bench.py``
from the repository root. It must print one Markdown section (starting with a
``##`` heading) to stdout and exit 0; stderr is passed through for progress.
This runner imports nothing from the project.

Usage: python bench/run_all.py [NAME ...] [--output PATH]
  NAME  run only the benches whose name (before ``_bench.py``) contains NAME
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def cpu_model() -> str:
    with contextlib.suppress(OSError):  # no /proc/cpuinfo: not Linux
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "Processor"):
                return value.strip()
    return platform.processor() or "unknown CPU"


def header() -> str:
    u = os.uname()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "# ArxOS Field benchmarks\n\n"
        f"- Date: {now}\n"
        f"- System: {u.sysname} {u.release} {u.machine}\n"
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores\n"
        f"- Python: {platform.python_version()}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run bench/*_bench.py and write bench/results.md.")
    parser.add_argument("names", nargs="*", help="run only benches whose file name contains one")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results.md")
    args = parser.parse_args(argv)

    scripts = sorted(BENCH_DIR.glob("*_bench.py"))
    if args.names:
        scripts = [
            s for s in scripts if any(n in s.name.removesuffix("_bench.py") for n in args.names)
        ]
    if not scripts:
        print(f"no bench/*_bench.py scripts to run in {BENCH_DIR}", file=sys.stderr)
        return 1

    sections: list[str] = []
    failed: list[str] = []
    for script in scripts:
        rel = script.relative_to(ROOT)
        print(f"--- {rel}", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, str(rel)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        out = proc.stdout.strip()
        if out:
            print(out + "\n", flush=True)
        if proc.returncode != 0:
            failed.append(f"{rel} (exit {proc.returncode})")
            sections.append(f"## {rel}\n\n**FAILED** with exit code {proc.returncode}.")
        else:
            sections.append(out or f"## {rel}\n\n(no output)")

    args.output.write_text(header() + "\n" + "\n\n".join(sections) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    if failed:
        print("failed benches: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
