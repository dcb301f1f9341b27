"""Access tokens: a verified token is remembered, but never past its expiry or for another key."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from sync.server.core import security
from sync.server.core.security import (
    TokenExpiredError,
    TokenInvalidError,
    create_access_token,
    decode_access_token,
)

SECRET = "s" * 32


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = create_access_token("user-1", secret=SECRET, lifetime=dt.timedelta(minutes=5))
    assert decode_access_token(token, secret=SECRET) == "user-1"
    assert decode_access_token(token, secret=SECRET) == "user-1"  # from the cache
    later = security.time.time() + 301
    monkeypatch.setattr(security.time, "time", lambda: later)
    with pytest.raises(TokenExpiredError):
        decode_access_token(token, secret=SECRET)


def test_a_remembered_token_is_checked_against_the_key_it_is_given() -> None:
    token = create_access_token("user-2", secret=SECRET, lifetime=dt.timedelta(minutes=5))
    assert decode_access_token(token, secret=SECRET) == "user-2"
    with pytest.raises(TokenInvalidError):
        decode_access_token(token, secret="another-secret-of-32-characters!!")


def test_failures_are_not_remembered() -> None:
    """A token refused once is checked again in full: nothing about it was cached."""
    forged = jwt.encode(
        {"sub": "x", "iat": 1, "exp": 2**40, "type": "access"}, "wrong" * 8, algorithm="HS256"
    )
    for _ in range(2):
        with pytest.raises(TokenInvalidError):
            decode_access_token(forged, secret=SECRET)
    refresh_like = jwt.encode(
        {"sub": "x", "iat": 1, "exp": 2**40, "type": "refresh"}, SECRET, algorithm="HS256"
    )
    with pytest.raises(TokenInvalidError):
        decode_access_token(refresh_like, secret=SECRET)
