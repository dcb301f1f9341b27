"""Signing in and staying signed in: tokens, and bearer auth that refreshes them."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx

from sync.client.errors import (
    OfflineError,
    ServerError,
    SignInRequiredError,
    TooManyRequestsError,
    reason_of,
    retry_after,
)


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


def sign_in(
    base_url: str,
    *,
    email: str,
    password: str,
    device_id: str,
    timeout: float = 15.0,
    max_wait: float = 5.0,
) -> Tokens:
    """Exchange an email and password for tokens (``arx login``).

    A server that answers 429 is asked again once, after its ``Retry-After``, if
    that is at most *max_wait* seconds (it was busy checking other passwords);
    a longer wait (too many attempts) is :class:`TooManyRequestsError`, saying how long.
    """
    for attempt in range(2):
        try:
            response = httpx.post(
                f"{base_url.rstrip('/')}/v1/auth/login",
                json={"email": email, "password": password, "device_id": device_id},
                timeout=timeout,
            )
        except httpx.HTTPError as exc:
            raise OfflineError(f"Cannot reach the sync server at {base_url}") from exc
        if response.status_code != 429:
            break
        wait = retry_after(response)
        if wait is None or wait > max_wait or attempt:
            seconds = math.ceil(wait) if wait is not None else 60
            raise TooManyRequestsError(
                f"Sign-in refused for now: {reason_of(response)}", float(seconds)
            )
        time.sleep(wait)
    if response.status_code == 401:
        raise SignInRequiredError(reason_of(response))
    if response.status_code != 200:
        raise ServerError(f"Sign-in failed: {reason_of(response)}")
    body = response.json()
    return Tokens(body["access_token"], body.get("refresh_token", ""))
