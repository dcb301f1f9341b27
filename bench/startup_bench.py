"""App start-up: process start to the first painted main window, against a bare Qt window.

Why: a technician opens the app between two jobs; it must paint at once and fill
in the equipment list right after. Three figures, each the median of interleaved
runs of fresh processes (offscreen Qt, so no window manager adds noise):

1. bare: ``QApplication`` + an empty ``QMainWindow``, to its first paint (the floor:
   Python, PySide6 and Qt's own start-up);
2. app: ``arxos`` on a home that already holds the demo building, to the first paint
   of the main window. Target: median <= 0.8 s on this machine;
3. app, until the equipment table shows its first rows.

The ratio app/bare travels between machines; the absolute target is for this one.
Prints one Markdown section to stdout, progress to stderr, and exits 0.

Usage: python bench/startup_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_common import scratch_dir, spread

TARGET_S = 0.8
ROOT = Path(__file__).resolve().parent.parent

_BARE = """
import json, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(json.dumps({"painted": time.time()}), flush=True)
            QApplication.quit()
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
probe = FirstPaint()
window.installEventFilter(probe)
window.resize(1280, 800)
window.show()
app.exec()
"""

_APP = """
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication

from arxos_desktop.ui.startup import StartOptions, start

home, settings_file = Path(sys.argv[1]), sys.argv[2]
marks = {}

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "painted" not in marks:
            marks["painted"] = time.time()
        return False

app = QApplication(sys.argv[:1])
app.setOrganizationName("ArxOS")
app.setApplicationName("ArxOS Field")
probe = FirstPaint()
settings = QSettings(settings_file, QSettings.Format.IniFormat)
window = start(app, StartOptions(home=home, demo=True), settings)
window.installEventFilter(probe)

def check():
    table = window.findChild(QAbstractItemView, "equipmentTable")
    if table is not None and table.model() is not None and table.model().rowCount() > 0:
        marks["filled"] = time.time()
    if "filled" in marks or time.time() - marks.get("painted", time.time()) > 20:
        print(json.dumps(marks), flush=True)
        window.close()
        app.quit()
    else:
        QTimer.singleShot(5, check)

QTimer.singleShot(0, check)
app.exec()
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(code: str, *args: str) -> dict[str, float]:
    """Seconds from spawning a Python process to each mark it printed."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("{")][-1]
    return {name: at - spawned for name, at in json.loads(line).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    bare: list[float] = []
    painted: list[float] = []
    filled: list[float] = []
    with scratch_dir("startup") as tmp:
        home, settings = tmp / "home", str(tmp / "settings.ini")
        log("loading the demo building once (not timed)")
        run(_APP, str(home), settings)
        for n in range(args.runs):
            bare.append(run(_BARE)["painted"])
            marks = run(_APP, str(home), settings)
            painted.append(marks["painted"])
            if "filled" in marks:
                filled.append(marks["filled"])
            log(f"run {n + 1}/{args.runs}: bare {bare[-1]:.3f} s, app {painted[-1]:.3f} s")
    med_bare, med_app = statistics.median(bare), statistics.median(painted)
    verdict = "pass" if med_app <= TARGET_S else "**FAIL**"
    print("## Start-up (startup_bench.py)\n")
    print(
        f"{args.runs} interleaved runs of fresh processes, offscreen Qt; medians (±half range).\n"
    )
    print("| measure | median | vs bare window | target |")
    print("|---|---|---|---|")
    print(
        f"| bare QApplication + QMainWindow, first paint | {med_bare:.3f} s "
        f"(±{spread(bare):.0%}) | 1.00x | |"
    )
    print(
        f"| arxos on the demo building, first paint | {med_app:.3f} s (±{spread(painted):.0%}) "
        f"| {med_app / med_bare:.2f}x | <= {TARGET_S} s: {verdict} |"
    )
    if filled:
        med_filled = statistics.median(filled)
        print(
            f"| arxos, equipment table filled | {med_filled:.3f} s (±{spread(filled):.0%}) "
            f"| {med_filled / med_bare:.2f}x | |"
        )
    else:
        print("| arxos, equipment table filled | no table found | | |")
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
