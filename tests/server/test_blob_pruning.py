"""Abandoned partial uploads are swept at start-up and then periodically; a failed sweep
is logged and the service keeps running."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sync.server.blobs import LocalDiskBlobStorage
from sync.server.core.config import ServerSettings
from sync.server.main import create_app

HOUR = 3600.0


def partial(storage: LocalDiskBlobStorage, name: str, *, age_hours: float, owner: str) -> Path:
    """A partial upload of *name* whose last byte arrived *age_hours* ago."""
    digest = name * 64
    storage.append(digest, 0, [b"some bytes"], owner=owner)
    path = storage.partial_path(digest, owner=owner)
    stamp = time.time() - age_hours * HOUR
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def aged(settings: ServerSettings) -> ServerSettings:
    return settings.model_copy(update={"blob_partial_max_age_hours": 24.0})


def test_stale_partials_go_at_start_up_and_fresh_ones_stay(
    aged: ServerSettings, caplog: pytest.LogCaptureFixture
) -> None:
    storage = LocalDiskBlobStorage(aged.blob_dir)
    stale = partial(storage, "a", age_hours=25, owner="u1")
    unowned = partial(storage, "b", age_hours=30, owner="u2")
    fresh = partial(storage, "c", age_hours=23, owner="u1")
    caplog.set_level(logging.INFO, logger="sync.server.blob_pruning")
    with TestClient(create_app(aged)) as client:
        assert not stale.exists() and not unowned.exists()
        assert fresh.exists()
        assert client.get("/v1/health").status_code == 200
    assert "Deleted 2 abandoned blob upload(s) older than 24 hours" in caplog.text


def test_the_sweep_repeats_while_the_service_runs(aged: ServerSettings) -> None:
    fast = aged.model_copy(update={"blob_prune_interval_minutes": 0.05 / 60})
    storage = LocalDiskBlobStorage(fast.blob_dir)
    with TestClient(create_app(fast)):
        later = partial(storage, "d", age_hours=48, owner="u1")
        deadline = time.monotonic() + 5
        while later.exists():
            assert time.monotonic() < deadline, "the periodic sweep never ran"
            time.sleep(0.02)


def test_a_failing_sweep_is_logged_and_the_service_keeps_serving(
    aged: ServerSettings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[float] = []

    def broken(self: LocalDiskBlobStorage, older_than_seconds: float) -> int:
        calls.append(older_than_seconds)
        raise PermissionError("blob folder not writable")

    monkeypatch.setattr(LocalDiskBlobStorage, "prune_partials", broken)
    fast = aged.model_copy(update={"blob_prune_interval_minutes": 0.05 / 60})
    with TestClient(create_app(fast)) as client:
        deadline = time.monotonic() + 5
        while len(calls) < 3:  # at start-up, then again and again: one failure stops nothing
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert client.get("/v1/health").status_code == 200
    assert calls[0] == 24 * HOUR
    failures = [r for r in caplog.records if r.name == "sync.server.blob_pruning"]
    assert failures and failures[0].levelno == logging.ERROR
    assert failures[0].exc_info is not None
    assert "blob folder not writable" in caplog.text


def test_a_partial_being_written_is_never_pruned(tmp_path: Path) -> None:
    storage = LocalDiskBlobStorage(tmp_path)
    busy = partial(storage, "e", age_hours=100, owner="u1")
    with storage._locked(busy, 0, create=False):  # an upload resuming right now
        assert storage.prune_partials(older_than_seconds=HOUR) == 0
    assert busy.exists()
    assert storage.prune_partials(older_than_seconds=HOUR) == 1
    stray = tmp_path / ".partial" / "not-a-partial"
    stray.write_bytes(b"x")
    os.utime(stray, (0, 0))
    assert storage.prune_partials(older_than_seconds=HOUR) == 0
    assert stray.exists()


def test_owners_keep_separate_partials(tmp_path: Path) -> None:
    storage = LocalDiskBlobStorage(tmp_path)
    digest = "f" * 64
    storage.append(digest, 0, [b"abc"], owner="ann")
    assert storage.partial_size(digest, owner="ann") == 3
    assert storage.partial_size(digest, owner="bob") == 0
    assert storage.partial_size(digest) == 0
    assert storage.partial_path(digest, owner="../../etc").parent == storage.partial_dir
