"""Previews: made once per file and size, cached owner-only, refused in words when damaged."""

from __future__ import annotations

import stat
from pathlib import Path

import cv2
import numpy as np
import pytest

from arxos_desktop.store import NotFoundError, Replica
from arxos_desktop.store.thumbnails import PreviewError, ThumbnailCache
from tests.conftest import make_pdf
from tests.media import make_jpeg


@pytest.fixture
def cache(replica: Replica) -> ThumbnailCache:
    return ThumbnailCache(replica.home, replica.blobs)


def size_of(path: Path) -> tuple[int, int]:
    image = cv2.imread(str(path))
    assert image is not None
    return int(image.shape[1]), int(image.shape[0])


def test_a_photo_is_scaled_to_fit_and_cached_by_sha_and_size(
    replica: Replica, cache: ThumbnailCache
) -> None:
    sha = replica.blobs.put_bytes(make_jpeg(1200, 900))
    small = cache.thumbnail(sha, "image/jpeg", 160)
    assert size_of(small) == (160, 120)
    assert small == replica.home / "thumbnails" / sha[:2] / f"{sha}-160.png"
    assert size_of(cache.thumbnail(sha, "image/jpeg", 400)) == (400, 300)
    made = small.stat().st_mtime_ns
    assert cache.thumbnail(sha, "image/jpeg", 160) == small
    assert small.stat().st_mtime_ns == made  # the second ask is the cache's answer


def test_previews_are_readable_by_their_owner_only(replica: Replica, cache: ThumbnailCache) -> None:
    sha = replica.blobs.put_bytes(make_jpeg())
    path = cache.thumbnail(sha, "image/jpeg", 64)
    for item in (path, path.parent, cache.root):
        assert stat.S_IMODE(item.stat().st_mode) & 0o077 == 0, item


def test_a_pdf_is_previewed_by_its_first_page(replica: Replica, cache: ThumbnailCache) -> None:
    sha = replica.blobs.put_bytes(make_pdf(3))
    width, height = size_of(cache.thumbnail(sha, "application/pdf", 200))
    assert width == 200 and 130 <= height <= 150  # A4 landscape
    image = cv2.imread(str(cache.thumbnail(sha, "application/pdf", 200)))
    assert int(np.asarray(image).min()) < 200  # the sheet's text is on it, not a blank


def test_damaged_or_unpreviewable_files_are_refused_in_words(
    replica: Replica, cache: ThumbnailCache
) -> None:
    fake_png = replica.blobs.put_bytes(b"\x89PNG\r\n\x1a\nnot-really-a-png")
    with pytest.raises(PreviewError, match="damaged"):
        cache.thumbnail(fake_png, "image/png", 160)
    with pytest.raises(PreviewError, match="damaged"):
        cache.thumbnail(replica.blobs.put_bytes(b"%PDF-1.4 broken"), "application/pdf", 160)
    with pytest.raises(PreviewError, match="no preview"):
        cache.thumbnail(replica.blobs.put_bytes(b"a,b\n1,2\n"), "text/csv", 160)
    with pytest.raises(NotFoundError):
        cache.thumbnail("ab" * 32, "image/jpeg", 160)
    assert not list(cache.root.rglob("*.png"))
