"""Passwords, access tokens, refresh tokens and API keys.

Only what an attacker cannot use is stored: Argon2 hashes of passwords, and
SHA-256 digests of refresh tokens and API keys (those are 256 random bits, so a
fast hash is enough and lookups stay one indexed query). Access tokens are
short-lived HS256 JWTs whose signature is checked without touching the database;
they name their sign-in (``sid``), which each request checks with the user row.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time
import uuid
from functools import cache, lru_cache
from typing import Final

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_KEY_PREFIX: Final = "arx_"
#: Characters of an API key (after ``arx_``) kept in clear so people can tell keys apart.
API_KEY_VISIBLE: Final = 8
_ALGORITHM: Final = "HS256"

hasher = PasswordHasher()


class TokenExpiredError(Exception):
    """The access token was genuine but its time is up."""


class TokenInvalidError(Exception):
    """The access token is malformed, forged, or not an access token."""


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> tuple[bool, str | None]:
    """Whether *password* matches, and a fresh hash if the stored one uses old parameters."""
    try:
        hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, hasher.hash(password) if hasher.check_needs_rehash(password_hash) else None


@cache
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    """Spend the time of a real check, so a wrong email answers as slowly as a wrong password."""
    verify_password(_dummy_hash(), password)


def create_access_token(
    user_id: str, *, secret: str, lifetime: dt.timedelta, session_id: str | None = None
) -> str:
    """An access token for *user_id*; *session_id* ties it to a sign-in that can be ended."""
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": user_id,
        "sid": session_id,
        "iat": now,
        "exp": now + lifetime,
        "type": "access",
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> str:
    """The user id an access token was issued to; raises if it is expired or not genuine."""
    return decode_access_claims(token, secret=secret)[0]


def decode_access_claims(token: str, *, secret: str) -> tuple[str, str | None]:
    """The user id and session id (None in a token without one) of a genuine access token.

    A device sends the same token with every request until it expires, so a token
    whose signature checked out is remembered (with its expiry, still checked on
    every use) instead of being decoded and verified again for each push and pull.
    """
    user_id, session_id, expires = _verified_access_token(token, secret)
    if expires <= time.time():  # PyJWT's rule: expired once ``exp`` is reached
        raise TokenExpiredError
    return user_id, session_id


@lru_cache(maxsize=4096)
def _verified_access_token(token: str, secret: str) -> tuple[str, str | None, float]:
    """(user id, session id, expiry) of a genuine access token; only successes are remembered."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options={"require": ["exp", "iat", "sub"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpiredError from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalidError from exc
    if claims.get("type") != "access":
        raise TokenInvalidError
    session_id = claims.get("sid")
    return (
        str(claims["sub"]),
        session_id if isinstance(session_id, str) else None,
        float(claims["exp"]),
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def successor_token(spent: str, *, secret: str) -> str:
    """The refresh token that replaces *spent*: the same every time it is asked for.

    A device whose refresh answer was lost presents the spent token again; being
    derived (keyed with the server's secret, so only the server can derive it),
    the successor is handed out again without ever being stored in clear.
    """
    mac = hmac.new(secret.encode(), b"refresh-successor:" + spent.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def new_api_key() -> tuple[str, str]:
    """A new API key and the prefix shown when listing keys."""
    random = secrets.token_urlsafe(32)
    return API_KEY_PREFIX + random, random[:API_KEY_VISIBLE]


def digest(token: str) -> str:
    """How a refresh token or API key is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()
