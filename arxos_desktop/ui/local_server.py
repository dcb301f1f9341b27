"""The local demo sync server, run as a child process while the window is open.

A subprocess (:mod:`arxos_desktop.admin.demo_server`), not a thread: the service's
work would otherwise compete with the window for the GIL. It prints its URL on
one line once it answers; it exits when its stdin closes, which happens when we
stop it and also if this app dies, so no server is left behind.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

#: How long the server may take to start (first run: database migrations).
START_TIMEOUT_MS = 30_000


class LocalServer(QObject):
    """Starts the demo server for *data_dir*; says when it answers or why it could not."""

    #: The server answers at this URL.
    server_did_start = Signal(str)
    #: It could not start (or stopped by itself): why, in words.
    server_did_fail = Signal(str)

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.url: str | None = None
        self._stopping = False
        self._output = b""
        self._process = QProcess(self)
        self._process.setProgram(sys.executable)
        self._process.setArguments(
            ["-m", "arxos_desktop.admin.demo_server", "--data", str(data_dir)]
        )
        self._process.readyReadStandardOutput.connect(self._read_url)
        self._process.errorOccurred.connect(self._on_error)
        self._process.finished.connect(self._on_finished)
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.setInterval(START_TIMEOUT_MS)
        self._timeout.timeout.connect(self._too_slow)

    @property
    def running(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def start(self) -> None:
        self._process.start()
        self._timeout.start()

    def stop(self) -> None:
        """Close its stdin (it exits by itself); terminate it if it does not."""
        self._stopping = True
        self._timeout.stop()
        if not self.running:
            return
        self._process.closeWriteChannel()
        if not self._process.waitForFinished(5_000):
            self._process.terminate()
            if not self._process.waitForFinished(3_000):
                self._process.kill()
                self._process.waitForFinished(1_000)

    def _read_url(self) -> None:
        self._output += bytes(self._process.readAllStandardOutput().data())
        if self.url is not None or b"\n" not in self._output:
            return
        line = self._output.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        if line.startswith("http://127.0.0.1:"):
            self.url = line
            self._timeout.stop()
            self.server_did_start.emit(line)
        else:
            self._fail("the local demo server answered something unexpected")

    def _stderr_sentence(self) -> str:
        text = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._fail(f"cannot run {sys.executable}")

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        if self._stopping:
            return
        why = self._stderr_sentence() or f"it stopped (exit code {code})"
        self._fail(why)

    def _too_slow(self) -> None:
        self._fail(f"it did not answer within {START_TIMEOUT_MS // 1000} seconds")
        self.stop()

    def _fail(self, why: str) -> None:
        self._timeout.stop()
        self.url = None
        self.server_did_fail.emit(f"The local demo server is not running: {why.rstrip('.')}.")
