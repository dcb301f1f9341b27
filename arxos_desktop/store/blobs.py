"""Content-addressed blob store on local disk (drawings, photos, dictation audio).

A blob is named by the SHA-256 of its bytes, so the same drawing imported twice
is stored once, and a file can be verified at any time by re-hashing it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from arxos_desktop.store.errors import NotFoundError, StoreError

_SHA = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    """Blobs under ``root/ab/abcdef...``; writes are atomic (temp file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA.match(sha256):
            raise StoreError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def get(self, sha256: str) -> Path:
        """Path of a stored blob, or :class:`NotFoundError`."""
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFoundError(f"The file {sha256[:12]}… is not stored on this device yet")
        return path

    def put_file(self, source: Path, *, progress: Callable[[int], None] | None = None) -> str:
        """Store a copy of *source*; returns its SHA-256.

        *progress* is called with the bytes copied so far after each MiB, so a
        long copy (a video, a big drawing) can show how far it has got.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            copied = 0
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    digest.update(chunk)
                    out.write(chunk)
                    copied += len(chunk)
                    if progress is not None:
                        progress(copied)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path_for(sha)
            if target.is_file():
                tmp.unlink()
                os.utime(target)  # stored again just now: see discard()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp.replace(target)
            return sha
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def discard(self, sha256: str, *, untouched_for: float) -> bool:
        """Delete a blob no row needs any more; True if it was deleted.

        A blob written, downloaded or stored again within the last *untouched_for*
        seconds is left alone: the app stores a file before it commits the row that
        cites it, so a blob the caller found unreferenced may be about to be cited.
        """
        path = self.path_for(sha256)
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            return False
        if time.time() - modified < untouched_for:
            return False
        path.unlink(missing_ok=True)
        return True

    def put_bytes(self, data: bytes) -> str:
        """Store *data*; returns its SHA-256."""
        with tempfile.NamedTemporaryFile(dir=self._ensure_root(), delete=False) as tmp:
            tmp.write(data)
        try:
            return self.put_file(Path(tmp.name))
        finally:
            Path(tmp.name).unlink(missing_ok=True)

    def _ensure_root(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def copy_out(self, sha256: str, dest: Path) -> None:
        shutil.copyfile(self.get(sha256), dest)
