"""The local demo server `make run` starts: a subprocess that serves, signs the demo in, quits.

Run exactly as the app runs it (``python -m arxos_desktop.admin.demo_server``), with
production password hashing: its own folder (owner-only), a demo account whose
password only that folder holds, one URL line on stdout, and an exit as soon as
its parent closes stdin or sends SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from arxos_desktop.admin.demo_account import ACCOUNT_FILE, DEMO_EMAIL, read_account
from sync.client import SignInRequiredError, sign_in

_SERVER_ENV = ("DATABASE_URL", "ARXOS_SERVER_HOME", "ARXOS_SECRET_KEY")


@contextmanager
def demo_server(data: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
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


def test_it_serves_signs_the_demo_account_in_and_exits_when_stdin_closes(tmp_path: Path) -> None:
    data = tmp_path / "demo-server"
    with demo_server(data) as (proc, url):
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/v1/health", timeout=10).status_code == 200
        account = read_account(data)
        assert account is not None and account.email == DEMO_EMAIL
        assert len(account.password) >= 20
        tokens = sign_in(url, email=account.email, password=account.password, device_id="dev-1")
        assert tokens.access_token and tokens.refresh_token
        with pytest.raises(SignInRequiredError):
            sign_in(url, email=account.email, password="guessed-password", device_id="dev-1")
        assert data.stat().st_mode & 0o777 == 0o700
        for name in (ACCOUNT_FILE, "server.sqlite3", "secret_key"):
            assert (data / name).stat().st_mode & 0o777 == 0o600, name
        assert proc.stdin is not None
        proc.stdin.close()  # the app quit (or died): the pipe closes


def test_a_second_run_keeps_the_account_and_sigterm_stops_it(tmp_path: Path) -> None:
    data = tmp_path / "demo-server"
    with demo_server(data) as (proc, _url):
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=15)
    first = read_account(data)
    with demo_server(data) as (proc, url):
        assert read_account(data) == first
        assert first is not None
        sign_in(url, email=first.email, password=first.password, device_id="dev-2")
        proc.send_signal(signal.SIGTERM)
