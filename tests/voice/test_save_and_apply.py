"""A dictated note is kept with its audio and word timings (both sync); a suggestion
changes the equipment only when applied, through an ordinary outbox edit."""

from __future__ import annotations

import datetime as dt
import json
from typing import cast

import numpy as np
import pytest

from arxos_desktop.store import Replica
from arxos_desktop.store.field_terms import field_terms
from arxos_desktop.store.queries import get_row
from arxos_desktop.voice.apply_update import apply_suggestion, equipment_for
from arxos_desktop.voice.errors import VoiceError
from arxos_desktop.voice.parse_update import Reading, Suggestion
from arxos_desktop.voice.recognizer import Word
from arxos_desktop.voice.save import save_dictation, word_span
from arxos_desktop.voice.vocabulary import field_phrases
from arxos_desktop.voice.wav_source import parse_wav
from sync.outbox import read_changes
from sync.schema import EquipmentBase
from tests.conftest import SampleBuilding, build_sample

PCM = (np.sin(np.arange(16000) / 5) * 3000).astype("<i2").tobytes()
WORDS = (Word("filter", 0.1, 0.4, 0.9), Word("replaced", 0.45, 0.9, 1.0))
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def sample(replica: Replica) -> SampleBuilding:
    return build_sample(replica)


def test_a_dictated_note_keeps_its_audio_and_word_times(
    replica: Replica, sample: SampleBuilding
) -> None:
    before = len(read_changes(replica.conn))
    saved = save_dictation(
        replica,
        target_kind="equipment",
        target_id=sample.ahu_id,
        text="  filter replaced ",
        pcm=PCM,
        words=WORDS,
    )
    note = saved.note
    assert (note.text, note.source, note.audio_sha256) == (
        "filter replaced",
        "dictated",
        saved.audio_sha256,
    )
    assert parse_wav(replica.blobs.get(saved.audio_sha256).read_bytes()).pcm == PCM
    timings = json.loads(replica.blobs.get(saved.timings.blob_sha256).read_bytes())
    assert timings["audio_sha256"] == saved.audio_sha256
    assert [w["word"] for w in timings["words"]] == ["filter", "replaced"]
    assert timings["words"][0] == {"word": "filter", "start": 0.1, "end": 0.4, "conf": 0.9}
    assert saved.timings.target_id == sample.ahu_id
    changes = read_changes(replica.conn)[before:]
    assert [(c.entity, c.entity_id) for c in changes] == [
        ("note", note.id),
        ("attachment", saved.timings.id),
    ]


@pytest.mark.parametrize(("text", "pcm"), [("   ", PCM), ("filter", b"")])
def test_an_empty_note_or_recording_writes_nothing(
    replica: Replica, sample: SampleBuilding, text: str, pcm: bytes
) -> None:
    before = len(read_changes(replica.conn))
    with pytest.raises(VoiceError):
        save_dictation(
            replica,
            target_kind="equipment",
            target_id=sample.ahu_id,
            text=text,
            pcm=pcm,
            words=(),
        )
    assert len(read_changes(replica.conn)) == before


def test_a_suggestion_changes_the_equipment_only_when_applied(
    replica: Replica, sample: SampleBuilding
) -> None:
    equipment = equipment_for(replica, target_kind="room", target_id=sample.room_id, tag="ahu-1")
    assert equipment.id == sample.ahu_id
    before = len(read_changes(replica.conn))
    changed = apply_suggestion(
        replica,
        equipment_id=equipment.id,
        suggestion=Suggestion("status", "", "needs_service"),
        today=TODAY,
    )
    assert changed == {"status": "needs_service"}
    apply_suggestion(
        replica,
        equipment_id=equipment.id,
        suggestion=Suggestion("reading", "", Reading("supply air", 55.0, "°F", "temperature")),
        today=TODAY,
    )
    apply_suggestion(
        replica,
        equipment_id=equipment.id,
        suggestion=Suggestion("date", "", dt.date(2026, 12, 8)),
        today=TODAY,
    )
    row = cast(EquipmentBase, get_row(replica, "equipment", sample.ahu_id))
    assert row.status == "needs_service"
    assert row.properties["readings"] == {
        "supply air": {"value": 55.0, "unit": "°F", "taken": "2026-12-01"}
    }
    assert row.properties["next_service"] == "2026-12-08"
    assert row.properties["cfm"] == 12000  # what was there is kept
    changes = read_changes(replica.conn)[before:]
    assert [(c.entity, c.entity_id) for c in changes] == [("equipment", sample.ahu_id)] * 3


def test_without_a_tag_the_record_in_view_decides_or_it_must_be_said(
    replica: Replica, sample: SampleBuilding
) -> None:
    mine = equipment_for(replica, target_kind="equipment", target_id=sample.ahu_id, tag=None)
    assert mine.id == sample.ahu_id
    with pytest.raises(VoiceError, match="Say which equipment"):
        equipment_for(replica, target_kind="room", target_id=sample.room_id, tag=None)


def test_the_field_grammar_holds_this_buildings_tags_and_rooms(
    replica: Replica, sample: SampleBuilding
) -> None:
    terms = field_terms(replica, sample.building_id)
    assert terms.tags == ("AHU-1", "RTU-9", "VAV-101")
    assert terms.rooms == ("101", "102")
    phrases = field_phrases(terms.tags, terms.rooms)
    assert phrases[:5] == [
        "ahu one",
        "rtu nine",
        "vav one zero one",
        "room one zero one",
        "room one zero two",
    ]
    assert {"needs service", "out of service", "degrees", "psi", "fifty"} <= set(phrases)
    assert len(phrases) == len(set(phrases))


def test_replaying_a_word_seeks_to_whole_samples_inside_the_recording() -> None:
    assert word_span(WORDS[0], total_bytes=len(PCM)) == (1600, 14400)
    assert word_span(Word("x", 0.0, 2.0, 1.0), total_bytes=len(PCM)) == (0, len(PCM))
    with pytest.raises(VoiceError, match="outside the recording"):
        word_span(Word("x", 5.0, 6.0, 1.0), total_bytes=len(PCM))
