"""The local demo server `make run` starts: a subprocess that serves, signs the demo in, quits.

Run exactly as the app runs it (``python -m arxos_desktop.admin.demo_server``), with
production password hashing: its own folder (owner-only), a demo account whose
password only that folder holds, one URL line on stdout, and an exit as soon as
its parent closes stdin or sends SIGTERM.
"""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from arxos_desktop.admin.demo_account import ACCOUNT_FILE, DEMO_EMAIL, read_account
from sync.client import SignInRequiredError, sign_in
from tests.demo_process import demo_server


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
