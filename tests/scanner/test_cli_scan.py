"""`arx scan FILE`: every code in the file with its route; bad files get their exit code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from arxos_desktop.cli.exit_codes import ExitCode
from arxos_desktop.cli.main import run
from arxos_desktop.store import Replica
from tests.conftest import build_sample
from tests.scan_images import linear_image, qr_bytes_image, qr_image

EQUIPMENT_ID = "0190d3a0-1111-7222-8333-444455556666"


def _paste(canvas: np.ndarray, code: np.ndarray, x: int, y: int) -> None:
    h, w = code.shape
    canvas[y : y + h, x : x + w] = code


@pytest.fixture
def home(tmp_path: Path) -> Path:
    replica = Replica.open(tmp_path / "home")
    build_sample(replica)
    replica.close()
    return tmp_path / "home"


def test_json_lists_every_code_with_its_format_and_route(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canvas = np.full((700, 900), 230, dtype=np.uint8)
    _paste(canvas, qr_image(f"arxos://equipment/{EQUIPMENT_ID}", module_px=4), 20, 20)
    _paste(canvas, linear_image("VAV-101", "code128", scale=3), 420, 40)
    _paste(canvas, qr_bytes_image(os.urandom(300) + b"\x00", module_px=3), 420, 300)
    photo = tmp_path / "wall.png"
    assert cv2.imwrite(str(photo), canvas)
    assert run(["--home", str(home), "scan", str(photo), "--json"]) == 0
    codes = json.loads(capsys.readouterr().out)["codes"]
    by_route = {c["route"]: c for c in codes}
    assert set(by_route) == {"equipment_link", "asset_tag", "refused"}
    assert by_route["equipment_link"]["equipment_id"] == EQUIPMENT_ID
    assert by_route["equipment_link"]["tag"] is None  # not in this replica
    assert by_route["asset_tag"]["text"] == "VAV-101"
    assert by_route["asset_tag"]["tag"] == "VAV-101"
    assert by_route["asset_tag"]["format"] == "code_128"
    assert by_route["refused"]["text"] is None
    assert by_route["refused"]["format"] == "qr_code"


def test_a_file_without_codes_lists_none(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.png"
    assert cv2.imwrite(str(blank), np.full((120, 160), 200, dtype=np.uint8))
    assert run(["--home", str(home), "scan", str(blank), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"codes": []}
    assert run(["--home", str(home), "scan", str(blank)]) == 0
    assert "No code found in blank.png" in capsys.readouterr().out


def test_bad_files_end_with_their_documented_exit_codes(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "label.png"
    garbage.write_bytes(b"GIF89a-but-not-really" * 10)
    assert run(["--home", str(home), "scan", str(garbage), "--json"]) == ExitCode.INVALID
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["kind"] == "invalid"
    assert "GIF89a" not in error["message"]
    missing = tmp_path / "absent.jpg"
    assert run(["--home", str(home), "scan", str(missing), "--json"]) == ExitCode.NOT_FOUND
    capsys.readouterr()
