"""``/blobs/{sha256}``: resumable, hash-verified upload and ranged download of files.

The protocol is a small subset of tus (https://tus.io) on a fixed URL, because a
blob's name is already known to both ends (its SHA-256):

- ``HEAD`` says whether the blob is complete (200) or how much of an upload has
  arrived (404 with ``Upload-Offset``), so a client resumes instead of restarting.
- ``PUT`` with ``Upload-Length`` (total) and ``Upload-Offset`` (where this body
  starts) appends the body; the last byte triggers the hash check, and only a
  blob whose bytes match its name ever becomes readable.
- ``GET`` streams the blob and honours one ``Range``, so downloads resume too.

Bodies are streamed to and from storage in a worker thread, never held whole in
memory: a 500 MB drawing costs about a megabyte of RAM per request.

Access follows the rows (``sync.server.blob_access``): a user reads a blob they
uploaded or one that a row they may see cites. To anyone else a stored blob
looks exactly like a missing one, so its hash cannot be used to probe for it,
and a PUT of it is a normal upload whose verified bytes prove possession rather
than an "already stored" that would admit it exists. Each user's partial upload
is their own for the same reason.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import Annotated, Any, Final

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Path, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from sync.server import blob_access
from sync.server.api.blob_streams import (
    WRITE_CHUNK,
    blocking,
    coalesce,
    drain,
    parse_range,
    read_range,
    uploads_limiter,
)
from sync.server.api.deps import CurrentUser, SettingsDep
from sync.server.blobs import (
    SHA256_PATTERN,
    BlobHashMismatchError,
    BlobInfo,
    BlobNotFoundError,
    BlobOffsetMismatchError,
    BlobStorage,
    BlobTooLargeError,
    LocalDiskBlobStorage,
)
from sync.server.core.config import ServerSettings

#: Seconds without a single body byte before an upload is cut off (kept bytes resume).
UPLOAD_IDLE_SECONDS: Final = 60.0


def get_blob_storage(settings: SettingsDep) -> BlobStorage:
    """The configured store; local disk today, an S3-compatible one by configuration later."""
    return LocalDiskBlobStorage(settings.blob_dir)


BlobStorageDep = Annotated[BlobStorage, Depends(get_blob_storage)]


@dataclass(frozen=True, slots=True)
class BlobGate:
    """The access rule, asked for one signed-in user; each question in a worker thread.

    Every question opens a short session of its own rather than using the
    request's: an upload or download can last minutes, and a transaction held
    open that long would pin a pooled connection (and, on SQLite, an old snapshot
    that a later write could not upgrade from).
    """

    engine: Engine
    user_id: str

    async def may_read(self, sha256: str) -> bool:
        return await anyio.to_thread.run_sync(self._may_read, sha256)

    async def record_upload(self, sha256: str) -> None:
        await anyio.to_thread.run_sync(self._record_upload, sha256)

    def _may_read(self, sha256: str) -> bool:
        with Session(self.engine) as session:
            return blob_access.may_read(session, sha256, self.user_id)

    def _record_upload(self, sha256: str) -> None:
        with Session(self.engine) as session:
            blob_access.record_upload(session, sha256, self.user_id)
            session.commit()


def get_blob_gate(request: Request, user: CurrentUser) -> BlobGate:
    return BlobGate(request.app.state.engine, user.id)


BlobGateDep = Annotated[BlobGate, Depends(get_blob_gate)]
Sha256 = Annotated[
    str, Path(pattern=SHA256_PATTERN, description="Lower-case hex SHA-256 of the file's bytes")
]


class BlobReceipt(BaseModel):
    """A complete, verified blob."""

    sha256: str
    size: int


class BlobProgress(BaseModel):
    """An unfinished upload: ``offset`` bytes of ``length`` have arrived."""

    sha256: str
    offset: int
    length: int


class Problem(BaseModel):
    detail: str


class UnprocessableProblem(BaseModel):
    """A plain message (hash mismatch) or FastAPI's list of validation errors."""

    detail: str | list[dict[str, Any]]


_OFFSET_HEADER = {
    "Upload-Offset": {
        "description": "Bytes of this blob the server already holds",
        "schema": {"type": "integer"},
    }
}
_BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}

router = APIRouter(
    prefix="/blobs",
    tags=["blobs"],
    responses={
        401: {"model": Problem, "description": "Not signed in"},
        403: {"model": Problem, "description": "Account disabled"},
    },
)


def _problem(code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=code, headers=headers)


@router.head(
    "/{sha256}",
    response_class=Response,
    responses={
        200: {
            "description": "The blob is complete",
            "headers": {"Content-Length": {"schema": {"type": "integer"}}},
        },
        404: {"description": "Not complete; upload from Upload-Offset", "headers": _OFFSET_HEADER},
    },
)
async def head_blob(sha256: Sha256, storage: BlobStorageDep, gate: BlobGateDep) -> Response:
    """Is the blob complete (and yours to read), and if not, where should your upload go on?"""
    info = await _readable(storage, gate, sha256)
    if info is not None:
        return Response(headers=_blob_headers(sha256, info.size))
    offset = await anyio.to_thread.run_sync(
        lambda: storage.partial_size(sha256, owner=gate.user_id)
    )
    return Response(
        status_code=status.HTTP_404_NOT_FOUND,
        headers={"Upload-Offset": str(offset), "Cache-Control": "no-store"},
    )


@router.put(
    "/{sha256}",
    status_code=status.HTTP_201_CREATED,
    response_model=BlobReceipt,
    responses={
        200: {"model": BlobReceipt, "description": "Already stored; the body was ignored"},
        202: {"model": BlobProgress, "description": "Stored so far", "headers": _OFFSET_HEADER},
        400: {"model": Problem, "description": "Body longer than announced, or bad offset"},
        408: {"model": Problem, "description": "Body stalled", "headers": _OFFSET_HEADER},
        409: {"model": Problem, "description": "Wrong Upload-Offset", "headers": _OFFSET_HEADER},
        413: {
            "model": Problem,
            "description": "Upload-Length over the limit, or unfinished uploads over quota",
        },
        507: {"model": Problem, "description": "The server's blob storage is full"},
        422: {
            "model": UnprocessableProblem,
            "description": "Bytes do not match the SHA-256, or bad parameters",
        },
    },
    openapi_extra={"requestBody": {"required": True, "content": _BINARY}},
)
async def put_blob(
    request: Request,
    sha256: Sha256,
    storage: BlobStorageDep,
    settings: SettingsDep,
    gate: BlobGateDep,
    upload_length: Annotated[int, Header(alias="Upload-Length", ge=0)],
    upload_offset: Annotated[int, Header(alias="Upload-Offset", ge=0)] = 0,
) -> Response:
    """Append the body at ``Upload-Offset``; the last byte publishes the verified blob.

    A blob stored already but not readable by the caller is uploaded like a new
    one: its verified bytes then make the caller one of its uploaders.
    """
    if upload_length > settings.blob_max_bytes:
        return _problem(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The file is larger than this server accepts ({settings.blob_max_bytes} bytes)",
        )
    owner = gate.user_id
    info = await _readable(storage, gate, sha256)
    if info is not None:
        await drain(request)
        return JSONResponse(BlobReceipt(sha256=sha256, size=info.size).model_dump())
    if upload_offset > upload_length:
        return _problem(status.HTTP_400_BAD_REQUEST, "Upload-Offset is past Upload-Length")
    remaining = upload_length - upload_offset
    content_length = request.headers.get("content-length", "")
    if content_length.isascii() and content_length.isdigit() and int(content_length) > remaining:
        return _problem(
            status.HTTP_400_BAD_REQUEST,
            f"The body is longer than the {remaining} bytes Upload-Length leaves",
        )
    refusal = await _over_quota(storage, settings, owner, sha256, upload_length)
    if refusal is not None:
        return _problem(status.HTTP_413_CONTENT_TOO_LARGE, refusal)
    current = await anyio.to_thread.run_sync(lambda: storage.partial_size(sha256, owner=owner))
    if current > upload_length:
        # Bytes past the announced total can never hash right: start this blob afresh.
        await anyio.to_thread.run_sync(lambda: storage.discard_partial(sha256, owner=owner))
        current = 0
    if current != upload_offset:
        return _conflict(str(BlobOffsetMismatchError(upload_offset, current)), current)

    body = coalesce(request.stream(), WRITE_CHUNK, UPLOAD_IDLE_SECONDS)
    try:
        size = await anyio.to_thread.run_sync(
            lambda: storage.append(
                sha256, upload_offset, blocking(body), limit=remaining, owner=owner
            ),
            limiter=uploads_limiter(),
        )
    except BlobOffsetMismatchError as exc:
        return _conflict(str(exc), exc.current)
    except BlobTooLargeError:
        return _problem(
            status.HTTP_400_BAD_REQUEST,
            f"The body is longer than the {remaining} bytes Upload-Length leaves",
        )
    except ClientDisconnect:
        return _problem(status.HTTP_400_BAD_REQUEST, "The upload was interrupted")
    except TimeoutError:
        current = await anyio.to_thread.run_sync(lambda: storage.partial_size(sha256, owner=owner))
        return _problem(
            status.HTTP_408_REQUEST_TIMEOUT,
            "The upload stalled; resume it from Upload-Offset",
            {"Upload-Offset": str(current), "Connection": "close"},
        )
    except OSError as exc:  # after TimeoutError, which is one
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        return _problem(
            status.HTTP_507_INSUFFICIENT_STORAGE, "The server is out of storage; try again later"
        )
    finally:
        await body.aclose()

    if size < upload_length:
        progress = BlobProgress(sha256=sha256, offset=size, length=upload_length)
        return JSONResponse(
            progress.model_dump(),
            status_code=status.HTTP_202_ACCEPTED,
            headers={"Upload-Offset": str(size)},
        )
    try:
        info = await anyio.to_thread.run_sync(
            lambda: storage.finalize(sha256, owner=owner), limiter=uploads_limiter()
        )
    except BlobHashMismatchError as exc:
        return _problem(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))
    except BlobOffsetMismatchError as exc:
        return _conflict(str(exc), exc.current)
    except BlobNotFoundError:
        # Another request of this user finished it, or the partial was pruned: only
        # the rule, not the missing partial, may say whether the caller holds the blob.
        info = await _readable(storage, gate, sha256)
        if info is None:
            return _conflict("The upload must start again at byte 0", 0)
    else:
        await gate.record_upload(sha256)
    return JSONResponse(
        BlobReceipt(sha256=sha256, size=info.size).model_dump(),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": request.url.path},
    )


@router.get(
    "/{sha256}",
    response_class=StreamingResponse,
    responses={
        200: {"content": _BINARY, "description": "The whole blob"},
        206: {"content": _BINARY, "description": "The requested byte range"},
        404: {"model": Problem, "description": "No such blob"},
        416: {"model": Problem, "description": "The range lies outside the blob"},
    },
)
async def get_blob(
    sha256: Sha256,
    storage: BlobStorageDep,
    gate: BlobGateDep,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> Response:
    """The blob's bytes, or one ``Range`` of them (206) so an interrupted download resumes."""
    info = await _readable(storage, gate, sha256)
    if info is None:
        return _problem(status.HTTP_404_NOT_FOUND, str(BlobNotFoundError(sha256)))
    size = info.size
    headers = _blob_headers(sha256, size)
    start, end = 0, size - 1
    code = status.HTTP_200_OK
    if range_header is not None:
        try:
            wanted = parse_range(range_header, size)
        except ValueError:
            return _problem(
                status.HTTP_416_RANGE_NOT_SATISFIABLE,
                f"The file has only {size} bytes",
                {"Content-Range": f"bytes */{size}"},
            )
        if wanted is not None:
            start, end = wanted
            code = status.HTTP_206_PARTIAL_CONTENT
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            headers["Content-Length"] = str(end - start + 1)
    try:
        file = await anyio.to_thread.run_sync(storage.open, sha256)
    except BlobNotFoundError as exc:
        return _problem(status.HTTP_404_NOT_FOUND, str(exc))
    return StreamingResponse(
        read_range(file, start, end - start + 1),
        status_code=code,
        media_type="application/octet-stream",
        headers=headers,
    )


async def _over_quota(
    storage: BlobStorage, settings: ServerSettings, owner: str, sha256: str, length: int
) -> str | None:
    """Why this upload would take the caller past their unfinished-upload quota, if it would.

    Counted: the caller's other unfinished uploads (their number, and the bytes they
    hold) plus this one's announced length, so announcing many huge files and sending
    a byte of each reserves nothing.
    """
    others = await anyio.to_thread.run_sync(lambda: storage.partials_of(owner))
    others.pop(sha256, None)
    if len(others) >= settings.blob_partial_max_count:
        return (
            f"You have {len(others)} unfinished uploads, the most this server keeps;"
            " finish them before starting another"
        )
    if sum(others.values()) + length > settings.blob_partial_quota_bytes:
        return (
            "Your unfinished uploads and this file together exceed"
            f" {settings.blob_partial_quota_bytes} bytes; finish the others first"
        )
    return None


async def _readable(storage: BlobStorage, gate: BlobGate, sha256: str) -> BlobInfo | None:
    """The blob if it is stored and the caller may read it; else ``None``, as if missing.

    The rule is asked before the store, so a refusal costs the same whether or
    not the blob exists: not even the answer's timing tells an outsider which.
    """
    if not await gate.may_read(sha256):
        return None
    return await anyio.to_thread.run_sync(storage.stat, sha256)


def _blob_headers(sha256: str, size: int) -> dict[str, str]:
    # Content never changes under a name, so caches may keep it forever (privately: auth).
    return {
        "Content-Length": str(size),
        "ETag": f'"{sha256}"',
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=31536000, immutable",
    }


def _conflict(detail: str, current: int) -> JSONResponse:
    return _problem(status.HTTP_409_CONFLICT, detail, {"Upload-Offset": str(current)})
