"""How `arx` fails: every kind of error has its exit code, and addresses that are not
an ArxOS sync server, a 401, a busy port or a missing server extra each say so.

The "not a server" cases run `arx` against a tiny HTTP server on loopback that
answers like a web site, a proxy, or a JSON API of some other kind would.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from arxos_desktop.account import Credentials, save_credentials
from arxos_desktop.cli.exit_codes import EXIT_CODE_OF, MEANING, ExitCode, exit_codes_text
from arxos_desktop.errors import ArxosError, ErrorKind
from sync.errors import SyncError, SyncErrorKind
from tests.test_cli import Run, arx

#: The documented exit code of every kind (README "Exit codes"); scripts rely on them.
DOCUMENTED = {
    ErrorKind.UNEXPECTED: 1,
    ErrorKind.SERVER_ERROR: 1,
    ErrorKind.NOT_FOUND: 3,
    ErrorKind.INVALID: 4,
    ErrorKind.INVALID_REPOSITORY: 4,
    ErrorKind.CONFLICT: 5,
    ErrorKind.AMBIGUOUS: 5,
    ErrorKind.STILL_REFERENCED: 5,
    ErrorKind.REPLICA_UNAVAILABLE: 6,
    ErrorKind.DATABASE_UNAVAILABLE: 6,
    ErrorKind.OFFLINE: 7,
    ErrorKind.SIGN_IN: 8,
    ErrorKind.NOT_A_SERVER: 9,
    ErrorKind.PORT_IN_USE: 10,
    ErrorKind.MISSING_EXTRA: 11,
    ErrorKind.PASSWORD_REQUIRED: 4,
}


@pytest.mark.parametrize("kind", list(ErrorKind), ids=str)
def test_each_error_kind_exits_with_its_documented_code(kind: ErrorKind) -> None:
    assert EXIT_CODE_OF[kind] == DOCUMENTED[kind]


def test_every_exit_code_is_explained_in_the_help() -> None:
    text = exit_codes_text()
    for code in ExitCode:
        assert f"{int(code)} {MEANING[code]}" in text


#: Every module that defines error classes (imported so ``__subclasses__`` sees them all).
ERROR_MODULES = (
    "arxos_desktop.account",
    "arxos_desktop.admin.extras",
    "arxos_desktop.admin.serve",
    "arxos_desktop.admin.server_db",
    "arxos_desktop.admin.server_import",
    "arxos_desktop.cli.apply",
    "arxos_desktop.cli.args",
    "arxos_desktop.cli.server_check",
    "arxos_desktop.demo",
    "arxos_desktop.repo_format.errors",
    "arxos_desktop.store.errors",
    "sync.client",
    "sync.transfer",
)


def test_sync_kinds_are_app_kinds_and_every_error_class_has_a_mapped_kind() -> None:
    for name in ERROR_MODULES:
        importlib.import_module(name)
    assert {k.value for k in SyncErrorKind} <= {k.value for k in ErrorKind}
    classes: list[type[Any]] = [ArxosError, SyncError]
    seen: list[type[Any]] = []
    while classes:
        cls = classes.pop()
        seen.append(cls)
        classes.extend(cls.__subclasses__())
    names = {cls.__name__ for cls in seen}
    assert {"NotAServerError", "PortInUseError", "MissingExtraError", "OfflineError"} <= names
    for cls in seen:
        assert ErrorKind(cls.kind.value) in EXIT_CODE_OF, cls


def test_a_not_found_error_in_json_carries_its_kind_and_code(tmp_path: Path) -> None:
    done = arx(tmp_path, "equipment", "show", "AHU-1", "--json")
    error = done.json()["error"]
    assert done.code == error["exit_code"] == 3
    assert error["kind"] == "not_found"


# -- addresses that are not an ArxOS sync server --------------------------------------


@contextmanager
def answering(status: int, body: bytes, content_type: str) -> Iterator[str]:
    """A loopback HTTP server answering every GET and POST with the same response."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer  # noqa: N815

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


NOT_SERVERS = [
    pytest.param(404, b"<html><body>Not Found</body></html>", "text/html", id="404-html"),
    pytest.param(200, b"<!doctype html><title>Welcome</title>", "text/html", id="200-html"),
    pytest.param(200, b'{"hello": "world"}', "application/json", id="200-other-json"),
    pytest.param(404, b'{"detail": "Not Found"}', "application/json", id="404-json"),
]


def login(home: Path, url: str, *args: str) -> Run:
    """`arx login` with a password on stdin (never a terminal prompt)."""
    command = ["login", "--server", url, "--email", "a@example.com", "--password-stdin", *args]
    done = subprocess.run(
        [sys.executable, "-m", "arxos_desktop.cli", "--home", str(home), *command],
        input="a password\n",
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def cli_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **extra}
    for name in ("ARXOS_HOME", "ARXOS_DEBUG", "DATABASE_URL", "ARXOS_SECRET_KEY"):
        env.pop(name, None)
    return env


def signed_in(home: Path, url: str) -> None:
    save_credentials(home, Credentials(url, "a@example.com", "access", "refresh"))


@pytest.mark.parametrize(("status", "body", "content_type"), NOT_SERVERS)
def test_login_and_sync_to_something_else_say_it_is_not_an_arxos_server(
    tmp_path: Path, status: int, body: bytes, content_type: str
) -> None:
    with answering(status, body, content_type) as url:
        human = login(tmp_path / "a", url)
        as_json = login(tmp_path / "b", url, "--json")
        signed_in(tmp_path / "c", url)
        sync_human = arx(tmp_path / "c", "sync")
        sync_json = arx(tmp_path / "c", "sync", "--json")
    for run in (human, sync_human):
        assert run.code == 9, run.stdout + run.stderr
        assert "not an ArxOS sync server" in run.stderr
        assert "Unexpected" not in run.stderr and "Cannot reach" not in run.stderr
    for run in (as_json, sync_json):
        error = run.json()["error"]
        assert (run.code, error["exit_code"], error["kind"]) == (9, 9, "not_a_server")
    assert not (tmp_path / "a" / "credentials.json").exists()


def test_a_server_whose_health_passes_but_login_answers_nonsense_is_not_a_server(
    tmp_path: Path,
) -> None:
    health = json.dumps({"status": "ok", "database": "ok", "version": "1"}).encode()
    with answering(200, health, "application/json") as url:
        done = login(tmp_path, url, "--json")
    assert done.code == 9, done.stdout + done.stderr
    assert done.json()["error"]["kind"] == "not_a_server"


def test_a_401_is_exit_8_for_login_and_sync(tmp_path: Path) -> None:
    with answering(401, b'{"detail": "Not authenticated"}', "application/json") as url:
        logged = login(tmp_path / "a", url, "--json")
        signed_in(tmp_path / "b", url)
        synced = arx(tmp_path / "b", "sync", "--json")
    assert logged.code == 8, logged.stdout + logged.stderr
    assert synced.code == 8, synced.stdout + synced.stderr
    assert synced.json()["error"]["kind"] == "sign_in_required"


def test_an_address_nobody_answers_is_still_offline(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, never listening
        signed_in(tmp_path, url)
        done = arx(tmp_path, "sync", "--json")
    assert done.code == 7, done.stdout + done.stderr
    assert done.json()["error"]["kind"] == "offline"


# -- arx serve -------------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_with_its_own_code(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        env_home = tmp_path / "server"
        human = arx_server(env_home, "serve", "--port", port)
        as_json = arx_server(env_home, "serve", "--port", port, "--json")
    assert human.code == 10, human.stdout + human.stderr
    assert f"Port {port} on 127.0.0.1 is already in use" in human.stderr
    assert "Traceback" not in human.stderr
    assert as_json.json()["error"]["kind"] == "port_in_use"


def arx_server(home: Path, *args: str, pythonpath: Path | None = None) -> Run:
    env = cli_env(ARXOS_SERVER_HOME=str(home))
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(
        [sys.executable, "-m", "arxos_desktop.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn", "argon2"])
def test_server_commands_without_the_server_extra_name_the_extra(
    tmp_path: Path, missing: str
) -> None:
    blocker = tmp_path / "site"
    (blocker / missing).mkdir(parents=True)
    (blocker / missing / "__init__.py").write_text(
        f"raise ModuleNotFoundError({f'No module named {missing}'!r}, name={missing!r})\n"
    )
    home = tmp_path / "server"
    serve = arx_server(home, "serve", pythonpath=blocker)
    users = arx_server(home, "server", "users", "--json", pythonpath=blocker)
    assert serve.code == 11, serve.stdout + serve.stderr
    assert "arxos-field[server]" in serve.stderr and missing in serve.stderr
    assert "Traceback" not in serve.stderr
    assert users.code == 11
    assert users.json()["error"]["kind"] == "missing_extra"
    assert not home.exists()
