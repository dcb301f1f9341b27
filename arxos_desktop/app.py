"""`arxos`: start the field app. Wiring only; the work is in ``arxos_desktop.ui``.

The window is shown before anything heavy is imported or opened (the replica, the
store's schema, the sync client), so the app paints at once and fills in after.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NO_DISPLAY = (
    "No display found to show the ArxOS Field window: run it in a desktop session,"
    " or start it without a screen with QT_QPA_PLATFORM=offscreen,"
    " or use `arx` (the same work on the command line)."
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="arxos", description="ArxOS Field: buildings offline.")
    parser.add_argument("--home", type=Path, help="data folder (default: ARXOS_HOME or per-user)")
    parser.add_argument(
        "--demo", action="store_true", help="open the bundled demo building (loaded on first run)"
    )
    parser.add_argument(
        "--theme", choices=("system", "light", "dark"), default=None, help="colour scheme"
    )
    return parser.parse_args(argv)


def display_available() -> bool:
    """False on a Linux or BSD machine with no X11 or Wayland display and no Qt platform set."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return True
    names = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return any(os.environ.get(name) for name in names)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from arxos_desktop.ui.startup import StartOptions, start

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName("ArxOS")
    app.setApplicationName("ArxOS Field")
    app.setApplicationDisplayName("ArxOS Field")
    options = StartOptions(home=args.home, demo=args.demo, theme=args.theme)
    window = start(app, options)  # noqa: F841 (kept alive until exec returns)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
