"""The errors a sync run reports, each with a sentence a technician can act on."""

from __future__ import annotations

import datetime as dt
import email.utils

import httpx

from sync.errors import SyncError, SyncErrorKind


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


class TooManyRequestsError(ServerError):
    """The server asked us to wait (429) longer than this run is willing to."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def reason_of(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return detail if isinstance(detail, str) else f"HTTP {response.status_code}"


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (``Retry-After``: seconds or a date), if any."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
