"""The cyclic collector is held off while a push is applied, and only then."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from sync.protocol import PushRequest, ResultStatus
from sync.server.collector import collector_paused
from sync.server.syncing import push
from tests.server.test_syncing import B, FakeAccess, change


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_on:
            gc.disable()


def test_a_push_runs_with_the_collector_off_and_turns_it_back_on(engine: Engine) -> None:
    seen: list[bool] = []

    def claim(building_id: str) -> FakeAccess:
        seen.append(gc.isenabled())
        return FakeAccess(role="admin")

    with Session(engine) as session:
        answer = push(
            session,
            PushRequest(device_id="devA", changes=[change("building", B, "insert", {"name": "T"})]),
            user_id="u1",
            accesses={},
            claim_building=claim,
        )
    assert [r.status for r in answer.results] == [ResultStatus.ACCEPTED]
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_resumes_when_the_last_of_overlapping_pushes_ends() -> None:
    first_in, second_out = threading.Event(), threading.Event()

    def first() -> None:
        with collector_paused():
            first_in.set()
            assert second_out.wait(10)
            assert not gc.isenabled()  # the second push ended, this one still runs

    worker = threading.Thread(target=first)
    worker.start()
    assert first_in.wait(10)
    with collector_paused():
        pass
    second_out.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_host_that_turned_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
