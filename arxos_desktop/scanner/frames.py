"""Frames from a camera (by device index) or from a video file, as BGR arrays.

A video file plays the camera's part where there is none (a test machine, a demo):
it loops at its end, so a preview runs until the viewer closes, as a camera's would.
Reads block (a camera delivers at its own rate), so callers read on a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from arxos_desktop.scanner.errors import CameraNotFoundError, FrameReadError

Frame = npt.NDArray[np.uint8]
#: How a source is named: a device index (0 is the first camera) or a video file.
SourceSpec = int | Path

#: JPEG quality of a stored photo: sharp enough to read a nameplate, about 200 kB at 1080p.
JPEG_QUALITY: Final = 90


def parse_source(text: str) -> SourceSpec:
    """A setting's text as a source: digits are a device index, anything else a file path."""
    text = text.strip()
    return int(text) if text.isdigit() else Path(text).expanduser()


class FrameSource:
    """An open camera or video file; close it (or use ``with``) to free the device."""

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.is_file = isinstance(spec, Path)
        if isinstance(spec, Path):
            if not spec.is_file():
                raise CameraNotFoundError(
                    "No camera found: the video file standing in for the camera does not exist."
                )
            capture = cv2.VideoCapture(str(spec))
        else:
            capture = cv2.VideoCapture(spec)
        if not capture.isOpened():
            capture.release()
            raise CameraNotFoundError(
                "No camera found. Check that the tablet has a camera and that no other app"
                " is using it."
                if not self.is_file
                else "No camera found: the video file standing in for the camera cannot be read."
            )
        self._capture = capture
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        #: Frames per second the source delivers (0 when the device does not say).
        self.fps = fps if 0 < fps < 1000 else 0.0
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        #: Frames in a video file (0 for a camera, or when the container does not say).
        self.frame_count = max(count, 0) if self.is_file else 0

    def read(self) -> Frame:
        """The next frame; a video file starts again at its end."""
        ok, frame = self._capture.read()
        if not ok and self.is_file:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok or frame is None:
            raise FrameReadError("The camera stopped sending pictures. Close it and try again.")
        return np.asarray(frame, dtype=np.uint8)

    def play_once(self, *, every: int = 1) -> Iterator[Frame]:
        """Every *every*-th frame of a video file from where it stands, ending at its end.

        Skipped frames are only grabbed, not decoded into pixels, so scanning a
        long video costs little more than the frames it looks at.
        """
        position = 0
        while True:
            if position % every:
                if not self._capture.grab():
                    return
            else:
                ok, frame = self._capture.read()
                if not ok or frame is None:
                    return
                yield np.asarray(frame, dtype=np.uint8)
            position += 1

    def close(self) -> None:
        self._capture.release()

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def encode_jpeg(frame: Frame, *, quality: int = JPEG_QUALITY) -> bytes:
    """A frame as JPEG bytes, the form a photo attachment is stored in."""
    ok, buffer = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise FrameReadError("The picture could not be saved as a JPEG.")
    return bytes(buffer.tobytes())
