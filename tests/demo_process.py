"""The local demo server as the app runs it: ``python -m arxos_desktop.admin.demo_server``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_SERVER_ENV = ("DATABASE_URL", "ARXOS_SERVER_HOME", "ARXOS_SECRET_KEY")


@contextmanager
def demo_server(data: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The running demo server for *data* and its URL (killed if still running after)."""
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_ENV}
    # A shell's server settings must not leak into the demo server: it ignores them.
    env["DATABASE_URL"] = "sqlite:////nonexistent/elsewhere.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "arxos_desktop.admin.demo_server", "--data", str(data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line:
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"the demo server did not start: {err}")
        yield proc, line
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
