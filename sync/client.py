"""The device's sync loop: push pending changes in batches, then pull pages.

It runs from the CLI (``arx sync``) and, in the app, on a background thread;
it never touches a UI. Transport failures and server errors are retried with
exponential backoff and jitter; an expired access token is refreshed once;
everything else surfaces as a typed :class:`ClientSyncError` with a sentence a
technician can act on. Blobs referenced by a batch are uploaded before it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import httpx
from pydantic import ValidationError
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from sync import jsonfast
from sync.errors import SyncError, SyncErrorKind
from sync.outbox import Change
from sync.protocol import (
    DEFAULT_PULL_PAGE,
    DEFAULT_PUSH_BATCH,
    ChangeResult,
    PullResponse,
    PushResponse,
    ResultStatus,
)


class ClientSyncError(SyncError):
    """Base of the errors a sync run reports."""


class OfflineError(ClientSyncError):
    """The server cannot be reached; local work is safe and will sync later."""

    kind = SyncErrorKind.OFFLINE


class SignInRequiredError(ClientSyncError):
    """The server no longer accepts this device's credentials."""

    kind = SyncErrorKind.SIGN_IN


class ServerError(ClientSyncError):
    """The server answered with an error it gave a reason for, or kept failing."""

    kind = SyncErrorKind.SERVER_ERROR


class SyncTarget(Protocol):
    """What the loop needs from the local replica (see ``arxos_desktop.store.remote``)."""

    @property
    def device_id(self) -> str: ...
    def pending_changes(self, limit: int) -> list[Change]: ...
    def pending_count(self) -> int: ...
    def blobs_for(self, changes: list[Change]) -> dict[str, Path]: ...
    def record_push(self, changes: list[Change], results: list[ChangeResult]) -> None: ...
    def cursor(self) -> int: ...
    def apply_pull(self, page: PullResponse) -> None: ...
    def missing_blobs(self) -> dict[str, Path]: ...
    def scope_tags(self) -> dict[str, str]: ...
    def finish_rescope(self, building_id: str, seen: set[str], tag: str | None) -> int: ...


@dataclass
class Tokens:
    access_token: str
    refresh_token: str = ""


class RefreshingAuth(httpx.Auth):
    """Bearer auth that trades the refresh token for a new pair on a 401, once.

    Response bodies are read only when needed (a 401, the refresh answer), so
    streamed responses such as the event stream are not buffered whole. For
    the synchronous client only.
    """

    requires_response_body = False

    def __init__(
        self,
        tokens: Tokens,
        *,
        refresh_url: str,
        on_refresh: Callable[[Tokens], None] = lambda tokens: None,
    ) -> None:
        self.tokens = tokens
        self._refresh_url = refresh_url
        self._on_refresh = on_refresh

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        response = yield request
        if response.status_code != 401 or not self.tokens.refresh_token:
            return
        response.read()
        refreshed = yield httpx.Request(
            "POST", self._refresh_url, json={"refresh_token": self.tokens.refresh_token}
        )
        refreshed.read()
        if refreshed.status_code != 200:
            raise SignInRequiredError("Your session has ended; sign in again (arx login)")
        body = refreshed.json()
        self.tokens = Tokens(body["access_token"], body.get("refresh_token", ""))
        self._on_refresh(self.tokens)
        request.headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        yield request


class _RetryableResponseError(Exception):
    """A response worth trying again (server overloaded or restarting)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


@dataclass
class SyncReport:
    pushed: int = 0
    accepted: int = 0
    merged: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    pulled: int = 0
    conflicts: int = 0
    blobs_uploaded: int = 0
    blobs_downloaded: int = 0
    cursor: int = 0
    seconds: float = 0.0
    #: Rows removed because the user may no longer see them (their access narrowed or ended).
    removed_by_scope: int = 0


_JSON = {"Content-Type": "application/json"}

Progress = Callable[[str, int, int], None]


def _to_wire(change: Change) -> dict[str, Any]:
    """A queued change as a ``ChangeIn`` JSON object.

    A plain dict, not a model: the outbox holds only what the store's writer
    validated, the server validates again, and building models here only to dump
    them again cost as much as the HTTP round trip.
    """
    return {
        "change_id": change.change_id,
        "entity": change.entity,
        "entity_id": change.entity_id,
        "building_id": change.building_id,
        "op": change.op.value,
        "fields": change.fields,
        "base_rev": change.base_rev,
        "hlc": change.hlc,
    }


def _reason(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return detail if isinstance(detail, str) else f"HTTP {response.status_code}"


#: Asks the server to list the caller's buildings with their scope tags (``PullResponse.scopes``).
_WITH_SCOPES: Final = {"scopes": "true"}


@dataclass
class _ScopeWatch:
    """What the pages of one pull run said about the caller's access, for the rescope.

    Each page carries the scope tags it was filtered under; a building whose tag was
    not the same on every page, or not the one the replica holds, must be checked.
    A run from cursor 0 is itself a snapshot of each building whose tag held still,
    so for those it keeps the ids it received and no second download is needed.
    """

    from_start: bool
    tags: list[dict[str, str]] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=dict)
    #: A page came without tags: the server predates them, so nothing can be checked.
    legacy: bool = False

    def observe(self, page: PullResponse) -> None:
        if page.scopes is None:
            self.legacy = True
            return
        self.tags.append(page.scopes)
        if self.from_start:
            for change in page.changes:
                if change.building_id is not None:
                    self.seen.setdefault(change.building_id, set()).add(change.entity_id)

    def tags_of(self, building_id: str) -> set[str | None]:
        """The building's tag on each page (None on a page where it was not granted)."""
        return {tags.get(building_id) for tags in self.tags}


class SyncClient:
    """One server, one replica. Thread-compatible: use one client per thread."""

    def __init__(
        self,
        base_url: str,
        *,
        target: SyncTarget,
        auth: httpx.Auth | None = None,
        http: httpx.Client | None = None,
        batch_size: int = DEFAULT_PUSH_BATCH,
        page_size: int = DEFAULT_PULL_PAGE,
        attempts: int = 5,
        max_wait: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.target = target
        self.http = http or httpx.Client(base_url=self.base_url, timeout=30.0)
        if auth is not None:
            self.http.auth = auth
        self.batch_size = batch_size
        self.page_size = page_size
        self._retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential_jitter(multiplier=0.2, max=max_wait),
            retry=retry_if_exception_type((httpx.TransportError, _RetryableResponseError)),
            reraise=False,
        )

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            for attempt in self._retrying:
                with attempt:
                    response = self.http.request(method, path, **kwargs)
                    if response.status_code in (429, 502, 503, 504) or response.status_code >= 500:
                        raise _RetryableResponseError(response)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            if isinstance(cause, _RetryableResponseError):
                raise ServerError(
                    f"The sync server keeps failing ({_reason(cause.response)}); try again later"
                ) from cause
            raise OfflineError(f"Cannot reach the sync server at {self.base_url}") from cause
        if response.status_code == 401:
            raise SignInRequiredError("The sync server does not accept your sign-in; run arx login")
        if response.status_code >= 400:
            raise ServerError(f"The sync server refused the request: {_reason(response)}")
        return response

    def probe(self, timeout: float = 3.0) -> bool:
        """True when the server answers its health check (no retries: this is a quick look)."""
        try:
            return self.http.get("/v1/health", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def push_pending(self, report: SyncReport, progress: Progress | None = None) -> None:
        """Push every pending change, oldest first, one batch per request."""
        uploaded: set[str] = set()
        cursor = self.target.cursor()  # pushing does not move it: read once
        while batch := self.target.pending_changes(self.batch_size):
            answer = self._push_batch(batch, cursor, uploaded, report)
            self._record(batch, answer, report, progress)

    def _push_batch(
        self, batch: list[Change], cursor: int, uploaded: set[str], report: SyncReport
    ) -> PushResponse:
        """Upload the files *batch* refers to, send it, and return the server's answer."""
        from sync.transfer import upload_blob

        for sha, path in self.target.blobs_for(batch).items():
            if sha not in uploaded:
                upload_blob(self.http, sha, path)
                uploaded.add(sha)
                report.blobs_uploaded += 1
        body = {
            "device_id": self.target.device_id,
            "changes": [_to_wire(c) for c in batch],
            "cursor": cursor,
        }
        response = self._request(
            "POST", "/v1/sync/push", content=jsonfast.dumps_bytes(body), headers=_JSON
        )
        try:
            answer = PushResponse.model_validate_json(response.content)
        except (ValueError, ValidationError) as exc:
            raise ServerError("The sync server sent an answer this app cannot read") from exc
        sent = {c.change_id for c in batch}
        if not sent & {r.change_id for r in answer.results}:
            raise ServerError("The sync server did not answer for the changes sent")
        return answer

    def _record(
        self,
        batch: list[Change],
        answer: PushResponse,
        report: SyncReport,
        progress: Progress | None,
    ) -> None:
        """Take the answers to *batch* into the replica and the report."""
        self.target.record_push(batch, answer.results)
        report.pushed += len(answer.results)
        for result in answer.results:
            if result.status is ResultStatus.ACCEPTED:
                report.accepted += 1
            elif result.status is ResultStatus.MERGED:
                report.merged += 1
            else:
                report.rejected += 1
                report.rejections.append(result.reason)
        if progress is not None:
            progress("push", report.pushed, report.pushed + self.target.pending_count())

    def pull_all(self, report: SyncReport, progress: Progress | None = None) -> None:
        """Pull pages until the server has nothing newer; each page applies atomically."""
        watch = _ScopeWatch(from_start=self.target.cursor() == 0)
        while True:
            page = self._get_page(
                {"cursor": self.target.cursor(), "limit": self.page_size, **_WITH_SCOPES}
            )
            self.target.apply_pull(page)
            watch.observe(page)
            report.pulled += len(page.changes)
            report.conflicts += len(page.conflicts)
            report.cursor = page.cursor
            if progress is not None:
                progress(
                    "pull", report.pulled, report.pulled + (self.page_size if page.has_more else 0)
                )
            if not page.has_more:
                self._reconcile_scopes(report, watch)
                return

    def _reconcile_scopes(self, report: SyncReport, watch: _ScopeWatch) -> None:
        """Make the replica hold exactly what the user may see now, building by building.

        The cursor only brings rows changed after it, so an access change is caught by
        comparing scope tags (``docs/sync-protocol.md``, "Access changes"): a building
        whose tag changed, or that is new to the device, is re-pulled whole and the rows
        it no longer shows are removed; a building that left the list is removed. The
        replica stores a building's new tag only once that is done, so a re-pull cut
        short by the network is simply done again at the next sync.
        """
        if watch.legacy or not watch.tags:
            return  # a server that cannot report access changes
        known = self.target.scope_tags()
        current = watch.tags[-1]
        for building_id, tag in sorted(current.items()):
            tags = watch.tags_of(building_id)
            if tags == {known.get(building_id)}:
                continue
            if watch.from_start and tags == {tag}:
                # This run started at cursor 0 under one unchanged access: it was the snapshot.
                snapshot: tuple[set[str], str] | None = (watch.seen.get(building_id, set()), tag)
            else:
                snapshot = self._repull(report, building_id)
            if snapshot is not None:
                seen, held = snapshot
                report.removed_by_scope += self.target.finish_rescope(building_id, seen, held)
        for building_id in sorted(set(known) - set(current)):
            report.removed_by_scope += self.target.finish_rescope(building_id, set(), None)

    def _repull(self, report: SyncReport, building_id: str) -> tuple[set[str], str] | None:
        """Every row of one building the user may see now: the ids, and the tag they hold for.

        Pages are applied as usual but leave the device's cursor where it was: rows of
        other buildings changed after it are still to come. None when the access changed
        again between pages (the rows are kept, nothing is removed: the next sync retries).
        """
        keep = self.target.cursor()
        seen: set[str] = set()
        tags: set[str | None] = set()
        cursor = 0
        while True:
            params = {"cursor": cursor, "limit": self.page_size, "building": building_id}
            page = self._get_page({**params, **_WITH_SCOPES})
            self.target.apply_pull(page.model_copy(update={"cursor": keep}))
            seen.update(c.entity_id for c in page.changes if c.building_id == building_id)
            tags.add((page.scopes or {}).get(building_id))
            report.pulled += len(page.changes)
            cursor = page.cursor
            if not page.has_more:
                break
        tag = tags.pop() if len(tags) == 1 else None
        return (seen, tag) if tag is not None else None

    def _get_page(self, params: dict[str, Any]) -> PullResponse:
        response = self._request("GET", "/v1/sync/pull", params=params)
        try:
            return PullResponse.model_validate_json(response.content)
        except (ValueError, ValidationError) as exc:
            raise ServerError("The sync server sent a page this app cannot read") from exc

    def fetch_blobs(self, report: SyncReport, progress: Progress | None = None) -> None:
        """Download the drawings, photos and recordings that pulled rows refer to."""
        from sync.transfer import download_blob

        missing = self.target.missing_blobs()
        for done, (sha, dest) in enumerate(missing.items(), start=1):
            download_blob(self.http, sha, dest)
            report.blobs_downloaded += 1
            if progress is not None:
                progress("files", done, len(missing))

    def sync_once(self, progress: Progress | None = None) -> SyncReport:
        """Push, pull, then fetch files; safe to interrupt at any point and run again."""
        started = time.perf_counter()
        report = SyncReport()
        self.push_pending(report, progress)
        self.pull_all(report, progress)
        self.fetch_blobs(report, progress)
        report.seconds = time.perf_counter() - started
        return report

    def wait_for_news(self, timeout: float) -> bool:
        """Block until the server says rows changed after our cursor, or *timeout* passes.

        Uses the server-sent-events stream, so a technician's second device
        sees an edit within a second instead of at the next polling interval.
        Any trouble with the stream just ends the wait (the caller syncs anyway).
        """
        deadline = time.monotonic() + timeout
        params = {"cursor": self.target.cursor()}
        try:
            with self.http.stream(
                "GET", "/v1/sync/events", params=params, timeout=httpx.Timeout(timeout, connect=5.0)
            ) as response:
                if response.status_code != 200:
                    return False
                for line in response.iter_lines():
                    if line.startswith("event: cursor"):
                        return True
                    if time.monotonic() > deadline:
                        return False
        except httpx.HTTPError:
            return False
        return False

    def watch(
        self,
        stop: threading.Event,
        *,
        interval: float = 30.0,
        on_report: Callable[[SyncReport], None] = lambda report: None,
        on_error: Callable[[SyncError], None] = lambda error: None,
    ) -> None:
        """Sync whenever the server is reachable until *stop* is set; back off while offline.

        Between runs it listens for the server's "new changes" events, so edits
        from other devices arrive promptly; local edits go out at the next run.
        """
        delay = interval
        while not stop.is_set():
            if self.probe():
                try:
                    on_report(self.sync_once())
                    delay = interval
                except SignInRequiredError:
                    raise
                except SyncError as error:  # transfer errors included: keep the loop alive
                    on_error(error)
                    delay = min(delay * 2, 600.0)
                else:
                    started = time.monotonic()
                    if self.wait_for_news(interval):
                        continue
                    # No event stream (or it failed at once): fall back to polling.
                    delay = max(0.0, interval - (time.monotonic() - started))
            else:
                on_error(OfflineError(f"Cannot reach the sync server at {self.base_url}"))
                delay = min(delay * 2, 600.0)
            stop.wait(delay)


def sign_in(
    base_url: str, *, email: str, password: str, device_id: str, timeout: float = 15.0
) -> Tokens:
    """Exchange an email and password for tokens (``arx login``)."""
    try:
        response = httpx.post(
            f"{base_url.rstrip('/')}/v1/auth/login",
            json={"email": email, "password": password, "device_id": device_id},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise OfflineError(f"Cannot reach the sync server at {base_url}") from exc
    if response.status_code == 401:
        raise SignInRequiredError(_reason(response))
    if response.status_code != 200:
        raise ServerError(f"Sign-in failed: {_reason(response)}")
    body = response.json()
    return Tokens(body["access_token"], body.get("refresh_token", ""))
