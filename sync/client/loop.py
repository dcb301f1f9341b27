"""The device's sync loop: push pending changes in batches, then pull pages.

It runs from the CLI (``arx sync``) and, in the app, on a background thread;
it never touches a UI. Transport failures and server errors are retried with
exponential backoff and jitter, waiting at least as long as a ``Retry-After``
asks; an expired access token is refreshed once (:mod:`sync.client.auth`);
everything else surfaces as a typed :class:`ClientSyncError` with a sentence a
technician can act on. Blobs referenced by a batch are uploaded before it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import ValidationError
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from sync import jsonfast
from sync.client.audit_upload import push_audit
from sync.client.errors import (
    OfflineError,
    ServerError,
    SignInRequiredError,
    TooManyRequestsError,
    reason_of,
    retry_after,
)
from sync.client.rescope import WITH_SCOPES, ScopeWatch, reconcile_scopes
from sync.client.resolutions import WITH_RESOLUTIONS, push_resolutions
from sync.client.target import Progress, SyncReport, SyncTarget
from sync.client.trust import pull_trust
from sync.errors import SyncError
from sync.outbox import Change
from sync.protocol import (
    DEFAULT_PULL_PAGE,
    DEFAULT_PUSH_BATCH,
    PullResponse,
    PushResponse,
    ResultStatus,
)


def stop_when(test: Callable[[RetryCallState], bool]) -> stop_base:
    """A tenacity stop condition from a plain predicate (so it combines with ``|``)."""

    class _Stop(stop_base):
        def __call__(self, retry_state: RetryCallState) -> bool:
            return test(retry_state)

    return _Stop()


def _asked_wait(state: RetryCallState) -> float | None:
    """The ``Retry-After`` of the answer that ended this attempt, if it carried one."""
    outcome = state.outcome
    cause = outcome.exception() if outcome is not None and outcome.failed else None
    return retry_after(cause.response) if isinstance(cause, _RetryableResponseError) else None


class _RetryableResponseError(Exception):
    """A response worth trying again (server overloaded or restarting)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


_JSON = {"Content-Type": "application/json"}


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
        backoff = wait_exponential_jitter(multiplier=0.2, max=max_wait)

        def wait(state: RetryCallState) -> float:
            # Never sooner than the server asked (429 or 503 with ``Retry-After``).
            return max(backoff(state), _asked_wait(state) or 0.0)

        @stop_when
        def asked_too_long(state: RetryCallState) -> bool:
            return (_asked_wait(state) or 0.0) > max_wait

        self._retrying = Retrying(
            stop=stop_after_attempt(attempts) | asked_too_long,
            wait=wait,
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
                after = retry_after(cause.response)
                if after is not None:
                    raise TooManyRequestsError(
                        f"The sync server is busy ({reason_of(cause.response)});"
                        f" it asks to try again in {math.ceil(after)} seconds",
                        after,
                    ) from cause
                raise ServerError(
                    f"The sync server keeps failing ({reason_of(cause.response)}); try again later"
                ) from cause
            raise OfflineError(f"Cannot reach the sync server at {self.base_url}") from cause
        if response.status_code == 401:
            raise SignInRequiredError("The sync server does not accept your sign-in; run arx login")
        if response.status_code >= 400:
            raise ServerError(f"The sync server refused the request: {reason_of(response)}")
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
        watch = ScopeWatch(from_start=self.target.cursor() == 0)
        while True:
            page = self._get_page(
                {"cursor": self.target.cursor(), "limit": self.page_size, **WITH_SCOPES}
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
                reconcile_scopes(self.target, self._get_page, self.page_size, report, watch)
                return

    def _get_page(self, params: dict[str, Any]) -> PullResponse:
        response = self._request("GET", "/v1/sync/pull", params={**params, **WITH_RESOLUTIONS})
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
        """Push, pull, refresh the access-pass trust set, fetch files, then send the access log.

        The log goes last, off the push path; a refused log (altered on this
        device) is reported in :attr:`SyncReport.audit_refused`, not raised.

        Safe to interrupt at any point and run again.
        """
        started = time.perf_counter()
        report = SyncReport()
        self.push_pending(report, progress)
        push_resolutions(self._request, self.target)
        self.pull_all(report, progress)
        pull_trust(self._request, self.target)
        self.fetch_blobs(report, progress)
        report.audit_sent, report.audit_refused = push_audit(self._request, self.target)
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
