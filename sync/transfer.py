"""Client side of blob transfer: resumable, verified upload and download over httpx.

Both directions survive a dropped connection by asking the server where to go on
(``HEAD`` for uploads, ``Range`` for downloads), and both check the SHA-256 of
every byte: the upload before sending (the server checks again on arrival), the
download before the file takes its final name. A file that fails the check is
deleted, never left looking complete.

One attempt per call: retries and backoff belong to the sync loop, which can
simply call again, because every call resumes where the last one stopped.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Final

import httpx

from sync.durable import fsync_dir
from sync.errors import SyncError, SyncErrorKind

#: Where the blob API lives, relative to the client's ``base_url`` (the server root).
BLOBS_PATH: Final = "/v1/blobs"
DEFAULT_CHUNK: Final = 4 * 1024 * 1024
_HASH_CHUNK: Final = 1 << 20
#: 409s in a row without progress before giving up (another device racing us).
_MAX_CONFLICTS: Final = 5
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")

Progress = Callable[[int, int], None]
"""Called with (bytes done, total bytes) after each chunk."""


class TransferError(SyncError):
    """Base of every blob transfer error."""


class InvalidBlobIdError(TransferError, ValueError):
    kind = SyncErrorKind.INVALID

    def __init__(self, sha256: str) -> None:
        super().__init__(f"Not a SHA-256 digest: {sha256[:80]!r}")


class LocalFileChangedError(TransferError):
    """The file on this device no longer matches the SHA-256 it was recorded under."""

    kind = SyncErrorKind.CONFLICT

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The file {path.name} changed on this device since it was added; add it again"
        )
        self.path = path


class BlobRejectedError(TransferError):
    """The server refused the file for good (too large, or corrupted on the way)."""

    kind = SyncErrorKind.SERVER_ERROR

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class BlobMissingError(TransferError):
    """The server does not have this file (yet)."""

    kind = SyncErrorKind.NOT_FOUND

    def __init__(self, sha256: str) -> None:
        super().__init__(f"The file {sha256[:12]}… is not on the server")
        self.sha256 = sha256


class DownloadCorruptError(TransferError):
    """The downloaded bytes do not match the SHA-256; the partial download was deleted."""

    kind = SyncErrorKind.SERVER_ERROR

    def __init__(self, sha256: str) -> None:
        super().__init__(f"The downloaded file {sha256[:12]}… was damaged; download it again")
        self.sha256 = sha256


class TransferInterruptedError(TransferError):
    """The connection failed; calling again resumes where this attempt stopped."""

    kind = SyncErrorKind.OFFLINE


class TransferHTTPError(TransferError):
    """An answer this module does not handle (401, 5xx…); ``status_code`` tells which."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"The server answered {response.status_code} {response.reason_phrase}")
        self.status_code = response.status_code


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size of *path*, read in chunks so memory stays flat."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def partial_path(dest: Path) -> Path:
    """Where :func:`download_blob` keeps an unfinished download of *dest*.

    ``name + ".part"`` (not ``with_suffix``) so ``a.pdf`` and ``a.png`` never share one.
    """
    return dest.with_name(dest.name + ".part")


def upload_blob(
    client: httpx.Client,
    sha256: str,
    path: Path,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    blobs_path: str = BLOBS_PATH,
) -> None:
    """Make sure the server holds *path* under *sha256*, sending only what it lacks.

    Raises :class:`LocalFileChangedError` if the file no longer hashes to *sha256*
    (before sending anything, or if the server's check fails because the file
    changed while it was being sent).
    """
    _check_sha(sha256)
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    actual, total = file_sha256(path)
    if actual != sha256:
        raise LocalFileChangedError(path)
    url = f"{blobs_path}/{sha256}"
    report = progress or (lambda done, of: None)

    head = _send(client, "HEAD", url)
    if head.status_code == httpx.codes.OK:
        report(total, total)
        return
    if head.status_code != httpx.codes.NOT_FOUND:
        raise TransferHTTPError(head)
    offset = _offset_header(head)
    conflicts = 0
    with path.open("rb") as file:
        while True:
            offset = min(offset, total)  # a larger server partial is discarded on PUT
            report(offset, total)
            file.seek(offset)
            data = file.read(min(chunk_size, total - offset))
            if len(data) != min(chunk_size, total - offset):
                raise LocalFileChangedError(path)
            response = _send(
                client,
                "PUT",
                url,
                content=data,
                headers={
                    "Upload-Length": str(total),
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/octet-stream",
                },
            )
            code = response.status_code
            if code in (httpx.codes.OK, httpx.codes.CREATED):
                report(total, total)
                return
            if code == httpx.codes.ACCEPTED:
                new_offset = _offset_header(response)
                if new_offset <= offset:
                    raise TransferHTTPError(response)  # no progress: do not loop forever
                offset, conflicts = new_offset, 0
            elif code == httpx.codes.CONFLICT:
                conflicts += 1
                if conflicts > _MAX_CONFLICTS:
                    raise TransferInterruptedError(
                        "Another device keeps uploading the same file; try again later"
                    )
                offset = _offset_header(response)
            elif code == httpx.codes.REQUEST_ENTITY_TOO_LARGE:
                raise BlobRejectedError(_detail(response), code)
            elif code == httpx.codes.UNPROCESSABLE_ENTITY:
                if file_sha256(path)[0] != sha256:
                    raise LocalFileChangedError(path)
                raise BlobRejectedError(_detail(response), code)
            else:
                raise TransferHTTPError(response)


def download_blob(
    client: httpx.Client,
    sha256: str,
    dest: Path,
    *,
    progress: Progress | None = None,
    blobs_path: str = BLOBS_PATH,
) -> None:
    """Fetch the blob into *dest*, resuming a previous attempt's :func:`partial_path`.

    *dest* appears (atomically) only once its bytes match *sha256*; a mismatch
    deletes the partial download and raises :class:`DownloadCorruptError`.
    """
    _check_sha(sha256)
    part = partial_path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    url = f"{blobs_path}/{sha256}"
    report = progress or (lambda done, of: None)
    digest, have = _hash_prefix(part)
    for _attempt in range(2):  # a second go only after discarding a useless partial
        headers = {"Accept-Encoding": "identity"}
        total = -1
        if have:
            headers["Range"] = f"bytes={have}-"
        try:
            with client.stream("GET", url, headers=headers) as response:
                code = response.status_code
                if code == httpx.codes.REQUESTED_RANGE_NOT_SATISFIABLE and have:
                    if _range_total(response) == have and digest.hexdigest() == sha256:
                        break  # the last attempt got every byte but not the rename
                    part.unlink(missing_ok=True)
                    digest, have = hashlib.sha256(), 0
                    continue
                if code == httpx.codes.NOT_FOUND:
                    raise BlobMissingError(sha256)
                if code == httpx.codes.PARTIAL_CONTENT:
                    start, total = _content_range(response)
                    if start != have:
                        raise TransferHTTPError(response)
                    mode = "ab"
                elif code == httpx.codes.OK:
                    length = response.headers.get("Content-Length", "")
                    total = int(length) if length.isascii() and length.isdigit() else -1
                    digest, have, mode = hashlib.sha256(), 0, "wb"  # range ignored: restart
                else:
                    raise TransferHTTPError(response)
                with part.open(mode) as out:
                    try:
                        for chunk in response.iter_bytes():
                            out.write(chunk)
                            digest.update(chunk)
                            have += len(chunk)
                            if 0 <= total < have:
                                break  # more than announced: the check below fails it
                            report(have, total)
                    finally:
                        out.flush()
                        os.fsync(out.fileno())
        except httpx.TransportError as exc:
            raise TransferInterruptedError(f"The download stopped: {exc}") from exc
        if 0 <= total != have:
            if have > total:
                part.unlink(missing_ok=True)
                raise DownloadCorruptError(sha256)
            raise TransferInterruptedError(f"The download stopped after {have} of {total} bytes")
        break
    if digest.hexdigest() != sha256:
        part.unlink(missing_ok=True)
        raise DownloadCorruptError(sha256)
    part.replace(dest)
    fsync_dir(dest.parent)


def _check_sha(sha256: str) -> None:
    if not _SHA.match(sha256):
        raise InvalidBlobIdError(sha256)


def _send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    try:
        return client.request(method, url, content=content, headers=headers)
    except httpx.TransportError as exc:
        raise TransferInterruptedError(f"The upload stopped: {exc}") from exc


def _offset_header(response: httpx.Response) -> int:
    value = response.headers.get("Upload-Offset", "0")
    if not (value.isascii() and value.isdigit()):
        raise TransferHTTPError(response)
    return int(value)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return detail if isinstance(detail, str) else f"The server refused the file ({response})"


def _content_range(response: httpx.Response) -> tuple[int, int]:
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    if match is None:
        raise TransferHTTPError(response)
    return int(match[1]), int(match[3])


def _range_total(response: httpx.Response) -> int:
    match = re.fullmatch(r"bytes \*/(\d+)", response.headers.get("Content-Range", ""))
    return int(match[1]) if match else -1


def _hash_prefix(part: Path) -> tuple[hashlib._Hash, int]:
    """Hash of what an earlier attempt left in *part*, so the check covers every byte."""
    digest = hashlib.sha256()
    if not part.is_file():
        return digest, 0
    size = 0
    with part.open("rb") as file:
        while chunk := file.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest, size
