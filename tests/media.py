"""Pictures and videos made on the spot for the photo and camera tests (no camera here)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def make_jpeg(width: int = 640, height: int = 480, shade: int = 90) -> bytes:
    """A JPEG photo with a pattern (so its thumbnail is not one flat colour)."""
    image = np.full((height, width, 3), shade, dtype=np.uint8)
    cv2.rectangle(image, (width // 4, height // 4), (width // 2, height // 2), (0, 200, 255), -1)
    ok, buffer = cv2.imencode(".jpg", image)
    assert ok
    return bytes(buffer.tobytes())


def make_video(
    path: Path, *, frames: int = 12, size: tuple[int, int] = (320, 240), fps: float = 20.0
) -> Path:
    """An MJPG .avi whose frames differ (a moving bar), standing in for a camera."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for number in range(frames):
        frame = np.full((height, width, 3), 40, dtype=np.uint8)
        x = (number * 20) % width
        cv2.rectangle(frame, (x, 0), (x + 30, height), (255, 255, 255), -1)
        writer.write(frame)
    writer.release()
    return path
