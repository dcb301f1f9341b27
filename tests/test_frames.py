"""Frame sources: a video file plays the camera's part; a missing camera is said in words."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from arxos_desktop.scanner.errors import CameraNotFoundError
from arxos_desktop.scanner.frames import FrameSource, encode_jpeg, parse_source
from tests.media import make_video


def test_a_video_file_gives_its_frames_and_starts_again_at_its_end(tmp_path: Path) -> None:
    video = make_video(tmp_path / "cam.avi", frames=3)
    with FrameSource(video) as source:
        frames = [source.read() for _ in range(7)]
        assert source.fps == pytest.approx(20.0)
    assert all(f.shape == (240, 320, 3) for f in frames)
    # Frame 4 is frame 1 again: the file looped instead of ending the preview.
    assert np.abs(frames[3].astype(int) - frames[0].astype(int)).mean() < 3
    assert np.abs(frames[1].astype(int) - frames[0].astype(int)).mean() > 3


def test_no_camera_at_an_index_is_said_in_words() -> None:
    with pytest.raises(CameraNotFoundError, match="No camera found"):
        FrameSource(97)


def test_a_missing_or_unreadable_video_file_is_no_camera_either(tmp_path: Path) -> None:
    with pytest.raises(CameraNotFoundError, match="No camera found"):
        FrameSource(tmp_path / "absent.avi")
    garbage = tmp_path / "garbage.avi"
    garbage.write_bytes(b"not a video at all")
    with pytest.raises(CameraNotFoundError, match="No camera found"):
        FrameSource(garbage)


def test_a_frame_is_stored_as_a_jpeg_of_the_same_size(tmp_path: Path) -> None:
    with FrameSource(make_video(tmp_path / "cam.avi")) as source:
        frame = source.read()
    jpeg = encode_jpeg(frame)
    assert jpeg.startswith(b"\xff\xd8")
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == frame.shape


def test_a_setting_names_a_device_by_number_and_a_file_by_path() -> None:
    assert parse_source(" 1 ") == 1
    assert parse_source("~/cam.avi") == Path.home() / "cam.avi"
