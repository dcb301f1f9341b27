"""Content-addressed blob storage for the sync service (drawings, photos, dictation audio).

A blob is named by the SHA-256 of its bytes. Uploads are resumable: bytes arrive
in any number of appends to a *partial* blob, and only :meth:`BlobStorage.finalize`
makes a blob visible, after re-hashing every byte. So a blob that can be read is
always complete and correct, and a dropped connection costs only the bytes not
yet received.

:class:`BlobStorage` is the whole interface the API uses, small enough for an
S3-compatible store (multipart upload as the partial, ``CompleteMultipartUpload``
plus a hash check as finalize). :class:`LocalDiskBlobStorage` is the default.

A partial may belong to an *owner* (the API passes the uploading user's id). Each
user then resumes only their own bytes, and learns nothing from the progress of
someone else's upload of the same file: the offset a HEAD reports would otherwise
tell them that somebody, somewhere, is sending a file with that hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Protocol

from sync.durable import fsync_dir
from sync.errors import SyncError

SHA256_PATTERN: Final = r"^[0-9a-f]{64}$"
_SHA = re.compile(SHA256_PATTERN)
#: A partial's file name: the blob's SHA-256, then ``.`` and an owner tag if it has an owner.
_PARTIAL_NAME = re.compile(r"[0-9a-f]{64}(?:\.[0-9a-f]{32})?")
#: Read size when hashing a partial; big enough to be fast, small enough to keep memory flat.
_HASH_CHUNK: Final = 1 << 20


class BlobError(SyncError):
    """Base of every blob storage error."""


class BlobIdError(BlobError, ValueError):
    """The name is not a lower-case hex SHA-256 (also what makes path traversal impossible)."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"Not a SHA-256 digest: {sha256[:80]!r}")


class BlobHashMismatchError(BlobError):
    """The received bytes hash to something else; the partial has been deleted."""

    def __init__(self, sha256: str, actual: str) -> None:
        super().__init__("The uploaded file does not match its SHA-256; upload it again")
        self.sha256 = sha256
        self.actual = actual


class BlobOffsetMismatchError(BlobError):
    """An append did not start where the partial ends; ``current`` is where it does."""

    def __init__(self, expected: int, current: int, message: str | None = None) -> None:
        super().__init__(
            message or f"The upload must continue at byte {current}, not at byte {expected}"
        )
        self.expected = expected
        self.current = current


class BlobBusyError(BlobOffsetMismatchError):
    """Another upload of the same blob holds it right now; its offset is moving."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            expected, current, "Another upload of this file is in progress; try again shortly"
        )


class BlobTooLargeError(BlobError):
    """More bytes arrived than the caller allowed; the partial is back at its old size."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"More than the announced {limit} bytes were sent")
        self.limit = limit


class BlobNotFoundError(BlobError):
    """No complete blob (or, for :meth:`BlobStorage.finalize`, no partial) by that name."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"The file {sha256[:12]}… is not stored on the server")
        self.sha256 = sha256


def check_sha256(sha256: str) -> str:
    """*sha256* itself if it is a valid blob name, else :class:`BlobIdError`."""
    if not isinstance(sha256, str) or not _SHA.match(sha256):
        raise BlobIdError(str(sha256))
    return sha256


@dataclass(frozen=True, slots=True)
class BlobInfo:
    sha256: str
    size: int


class BlobStorage(Protocol):
    """What the blob API needs from a store. Every method validates the SHA-256 first.

    Methods block (disk or network I/O); async callers run them in a worker thread.
    """

    def stat(self, sha256: str) -> BlobInfo | None:
        """The complete blob's size, or ``None`` if it is not (yet) complete."""
        ...

    def partial_size(self, sha256: str, *, owner: str | None = None) -> int:
        """Bytes received so far for *owner*'s unfinished upload (0 if none)."""
        ...

    def append(
        self,
        sha256: str,
        offset: int,
        chunks: Iterable[bytes],
        *,
        limit: int | None = None,
        owner: str | None = None,
    ) -> int:
        """Append *chunks* at *offset*, which must equal :meth:`partial_size`; the new size.

        Raises :class:`BlobOffsetMismatchError` before writing anything if *offset* is wrong.
        If more than *limit* bytes arrive, the partial goes back to *offset* and
        :class:`BlobTooLargeError` is raised. If *chunks* itself raises (connection lost),
        the bytes already written are kept and made durable, so the upload can resume.
        """
        ...

    def finalize(self, sha256: str, *, owner: str | None = None) -> BlobInfo:
        """Verify the whole partial's hash and publish it atomically as the blob.

        On a mismatch the partial is deleted and :class:`BlobHashMismatchError` raised;
        :class:`BlobNotFoundError` if there is no partial.
        """
        ...

    def open(self, sha256: str) -> BinaryIO:
        """A seekable binary reader of the complete blob, or :class:`BlobNotFoundError`."""
        ...

    def partials_of(self, owner: str) -> dict[str, int]:
        """The unfinished uploads of *owner*: SHA-256 → bytes received so far."""
        ...

    def discard_partial(self, sha256: str, *, owner: str | None = None) -> None:
        """Forget *owner*'s unfinished upload (no error if there is none)."""
        ...


class LocalDiskBlobStorage:
    """Blobs at ``root/ab/<sha>``, unfinished uploads at ``root/.partial/<sha>[.<owner tag>]``.

    The owner tag is a hash of the owner, so any user id makes a safe file name.

    Each append and finalize holds an exclusive ``flock`` on the partial, so two
    requests for the same blob (even in two server processes) cannot interleave
    their bytes; the loser gets :class:`BlobBusyError` instead of waiting.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.partial_dir = root / ".partial"

    def blob_path(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256

    def partial_path(self, sha256: str, *, owner: str | None = None) -> Path:
        name = check_sha256(sha256)
        if owner is not None:
            name += "." + _owner_tag(owner)
        return self.partial_dir / name

    def stat(self, sha256: str) -> BlobInfo | None:
        try:
            st = self.blob_path(sha256).stat()
        except FileNotFoundError:
            return None
        return BlobInfo(sha256, st.st_size)

    def partial_size(self, sha256: str, *, owner: str | None = None) -> int:
        return _size(self.partial_path(sha256, owner=owner))

    def append(
        self,
        sha256: str,
        offset: int,
        chunks: Iterable[bytes],
        *,
        limit: int | None = None,
        owner: str | None = None,
    ) -> int:
        path = self.partial_path(sha256, owner=owner)
        if offset != 0 and not path.exists():
            raise BlobOffsetMismatchError(offset, 0)
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        with self._locked(path, offset, create=True) as file:
            size = os.fstat(file.fileno()).st_size
            if size != offset:
                raise BlobOffsetMismatchError(offset, size)
            file.seek(offset)
            written = 0
            try:
                for chunk in chunks:
                    if limit is not None and written + len(chunk) > limit:
                        raise BlobTooLargeError(limit)
                    file.write(chunk)
                    written += len(chunk)
            except BlobTooLargeError:
                file.truncate(offset)
                _sync(file)
                raise
            except BaseException:
                # Whatever arrived before the connection broke is good data (the hash
                # check at finalize catches anything else): keep it for the resume.
                _sync(file)
                raise
            _sync(file)
            return offset + written

    def finalize(self, sha256: str, *, owner: str | None = None) -> BlobInfo:
        path = self.partial_path(sha256, owner=owner)
        if not path.exists():
            raise BlobNotFoundError(sha256)
        with self._locked(path, 0, create=False) as file:
            # Re-reading costs one pass over the file, but a streaming hash cannot
            # survive across requests, processes and restarts; a re-read always can.
            digest = hashlib.sha256()
            file.seek(0)
            size = 0
            while chunk := file.read(_HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            actual = digest.hexdigest()
            if actual != sha256:
                path.unlink(missing_ok=True)
                raise BlobHashMismatchError(sha256, actual)
            _sync(file)
            target = self.blob_path(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            # Same bytes if a concurrent upload already published it, so replacing is safe.
            path.replace(target)
            fsync_dir(target.parent)
            fsync_dir(self.partial_dir)
        return BlobInfo(sha256, size)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.blob_path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None

    def discard_partial(self, sha256: str, *, owner: str | None = None) -> None:
        self.partial_path(sha256, owner=owner).unlink(missing_ok=True)

    def partials_of(self, owner: str) -> dict[str, int]:
        tag = "." + _owner_tag(owner)
        if not self.partial_dir.is_dir():
            return {}
        return {
            path.name[: -len(tag)]: _size(path)
            for path in self.partial_dir.iterdir()
            if path.name.endswith(tag) and _PARTIAL_NAME.fullmatch(path.name)
        }

    def prune_partials(self, older_than_seconds: float) -> int:
        """Delete uploads nobody resumed for a while; how many. (S3: a lifecycle rule.)

        A partial is deleted only under its lock and only if it is still stale once
        locked, so an upload that resumes at that moment either wins the lock (and
        the partial stays) or finds the partial gone and starts again at byte 0; a
        finalize can never lose its file half-way.
        """
        if not self.partial_dir.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for path in self.partial_dir.iterdir():
            if not _PARTIAL_NAME.fullmatch(path.name) or not _older(path, cutoff):
                continue
            with (
                contextlib.suppress(BlobBusyError, BlobNotFoundError, FileNotFoundError),
                self._locked(path, 0, create=False),
            ):
                if _older(path, cutoff):
                    path.unlink()
                    removed += 1
        return removed

    @contextlib.contextmanager
    def _locked(self, path: Path, offset: int, *, create: bool) -> Iterator[BinaryIO]:
        """The partial opened read-write under an exclusive lock, or :class:`BlobBusyError`.

        After locking, the path must still name the inode we locked: a finalize or
        discard may have moved or deleted it while we waited for the lock.
        """
        flags = os.O_RDWR | (os.O_CREAT if create else 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:
            raise BlobNotFoundError(path.name[:64]) from None
        with os.fdopen(fd, "r+b") as file:
            if not _try_lock(fd) or not _same_file(path, fd):
                raise BlobBusyError(offset, _size(path))
            yield file


def _owner_tag(owner: str) -> str:
    return hashlib.sha256(owner.encode()).hexdigest()[:32]


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # single-process servers only there
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(path: Path, fd: int) -> bool:
    try:
        return os.path.samestat(path.stat(), os.fstat(fd))
    except FileNotFoundError:
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _older(path: Path, cutoff: float) -> bool:
    """Whether *path* was last written before *cutoff* (a vanished file is not)."""
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _sync(file: BinaryIO) -> None:
    file.flush()
    os.fsync(file.fileno())
