"""Signed access passes: what they grant, how the server signs one, how a device checks one.

A pass is a compact JWS (EdDSA over Ed25519, by PyJWT and ``cryptography``):
the header names the signing key (``kid``) and says ``typ: arxos-access+jwt``
so a scanner can tell a pass from any other code; the claims use one-letter
names so that the pass fits a QR code a phone camera reads at arm's length.
The pass of ``arx token issue --systems hvac,electrical --floors 1,2
--permissions read,annotate --contractor ACME-42`` is 400 characters and needs
a version 15 QR code at error correction M (ids travel as 22 base64url
characters, the token id as 16); a wide pass (every system, fourteen floors,
all permissions, a 25-character contractor id) is 530 characters, version 18.
``tests/test_tokens.py`` measures the first and holds it at version 15.

Verification uses nothing but what it is given: the trusted public keys (each
with the organisation it signs for), the revoked token ids, the buildings the
device knows (with their organisations) and the time. It checks, in order: size,
shape, issuer, signature, claims, organisation, revocation, building, validity
window; the first failure is raised as one :class:`~sync.token_errors.AccessRefusedError`
subclass.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, NoReturn

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sync.ids import ID_PATTERN
from sync.schema import System
from sync.token_errors import (
    ExpiredTokenError,
    GarbageTokenError,
    NotYetValidTokenError,
    OversizedTokenError,
    RevokedTokenError,
    TamperedTokenError,
    UnknownBuildingTokenError,
    UnknownIssuerTokenError,
    WrongKeyTokenError,
)

ALGORITHM: Final = "EdDSA"
#: The JWS ``typ`` of a pass; scanners route codes carrying it to verification.
TOKEN_TYPE: Final = "arxos-access+jwt"
#: Longest text ever parsed as a pass: a real one is under 1 KB; anything longer is refused
#: before a byte of it is decoded.
MAX_TOKEN_CHARS: Final = 2048
#: Ids in a pass (building, organisation, token, contractor) are at most this long.
MAX_ID_CHARS: Final = 64
#: A contractor id is printed on the pass and read by people: short, and it costs QR space.
MAX_CONTRACTOR_CHARS: Final = 40
_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


_COMPACT_ID_CHARS: Final = 22


def _compact_id(value: str) -> str:
    """A UUID as 22 base64url characters instead of 36: the QR code is a version smaller."""
    raw = uuid.UUID(value).bytes
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _expand_id(text: str) -> str:
    try:
        return str(uuid.UUID(bytes=base64.urlsafe_b64decode(text + "==")))
    except ValueError:
        raise ValueError("not a compact id") from None


class Permission(StrEnum):
    """What a pass lets its holder do within its scope."""

    READ = "read"
    WRITE = "write"
    ANNOTATE = "annotate"


_LETTER_OF: Final = {Permission.READ: "r", Permission.WRITE: "w", Permission.ANNOTATE: "a"}
_PERMISSION_OF: Final = {letter: permission for permission, letter in _LETTER_OF.items()}


class AccessClaims(BaseModel):
    """What one pass grants. ``systems``/``floors`` of None mean every system/floor."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    building_id: str = Field(alias="b", pattern=ID_PATTERN)
    org_id: str = Field(alias="o", pattern=ID_PATTERN)
    systems: tuple[System, ...] | None = Field(default=None, alias="s", max_length=len(System))
    floors: tuple[int, ...] | None = Field(default=None, alias="f", max_length=400)
    permissions: tuple[Permission, ...] = Field(alias="p", min_length=1, max_length=3)
    contractor_id: str = Field(alias="c", min_length=1, max_length=MAX_CONTRACTOR_CHARS)
    token_id: str = Field(alias="jti", min_length=1, max_length=MAX_ID_CHARS)
    not_before: int = Field(alias="nbf", ge=0)
    expires: int = Field(alias="exp", ge=0)

    @model_validator(mode="before")
    @classmethod
    def _read_compact_form(cls, data: Any) -> Any:
        """Permission letters and 22-character ids, as :meth:`payload` writes them."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("p"), str):
            letters = data["p"]
            unknown = set(letters) - set(_PERMISSION_OF)
            if unknown or len(set(letters)) != len(letters):
                raise ValueError("permissions are not a set of r, w, a")
            data["p"] = tuple(_PERMISSION_OF[letter] for letter in letters)
        for name in ("b", "o"):
            if isinstance(data.get(name), str) and len(data[name]) == _COMPACT_ID_CHARS:
                data[name] = _expand_id(data[name])
        return data

    @field_validator("systems", "floors")
    @classmethod
    def _sorted_set(cls, value: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("an entry is listed twice")
        return None if value is None else tuple(sorted(value))

    @field_validator("permissions")
    @classmethod
    def _in_order(cls, value: tuple[Permission, ...]) -> tuple[Permission, ...]:
        return tuple(p for p in Permission if p in value)

    @model_validator(mode="after")
    def _window(self) -> AccessClaims:
        if self.expires <= self.not_before:
            raise ValueError("a pass must expire after it starts")
        return self

    @property
    def not_before_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.not_before, dt.UTC)

    @property
    def expires_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.expires, dt.UTC)

    def payload(self) -> dict[str, Any]:
        """The JWS claims: short names, permissions as letters, "all" left out."""
        body: dict[str, Any] = {
            "b": _compact_id(self.building_id),
            "o": _compact_id(self.org_id),
            "p": "".join(_LETTER_OF[p] for p in Permission if p in self.permissions),
            "c": self.contractor_id,
            "jti": self.token_id,
            "nbf": self.not_before,
            "exp": self.expires,
        }
        if self.systems is not None:
            body["s"] = list(self.systems)
        if self.floors is not None:
            body["f"] = list(self.floors)
        return body


def new_token_id() -> str:
    """A random token id: 96 bits in 16 characters (a UUID would take 36 of the QR code).

    Never one starting with "-": `arx token revoke ID` would read it as an option.
    """
    token_id = secrets.token_urlsafe(12)
    while token_id.startswith("-"):
        token_id = secrets.token_urlsafe(12)
    return token_id


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_text(key: Ed25519PublicKey) -> str:
    """The raw 32-byte public key in base64url: how keys travel to devices."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """The key :func:`public_key_text` wrote; ``ValueError`` for anything else."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}", text):
        raise ValueError("not a base64url Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(text + "="))


def key_id_for(key: Ed25519PublicKey) -> str:
    """A short, stable key id: the start of the public key's SHA-256, base64url."""
    digest = hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).digest()
    return base64.urlsafe_b64encode(digest[:6]).decode("ascii")


@dataclass(frozen=True)
class TrustedKey:
    """A public key a device accepts passes from, and the organisation it signs for."""

    kid: str
    org_id: str
    public_key: Ed25519PublicKey


def issue(claims: AccessClaims, private_key: Ed25519PrivateKey, kid: str) -> str:
    """The signed compact pass for *claims*, naming *kid* as its key."""
    return jwt.encode(
        claims.payload(),
        private_key,
        algorithm=ALGORITHM,
        headers={"kid": kid, "typ": TOKEN_TYPE},
    )


def _b64_json(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    return orjson.loads(base64.urlsafe_b64decode(padded))


def read_header(token: str) -> dict[str, Any]:
    """The unverified header of something shaped like a pass; :class:`GarbageTokenError` if not."""
    if len(token) > MAX_TOKEN_CHARS:
        raise OversizedTokenError()
    if not _COMPACT.fullmatch(token):
        raise GarbageTokenError()
    try:
        header = _b64_json(token.split(".", 1)[0])
    except (ValueError, orjson.JSONDecodeError):
        raise GarbageTokenError() from None
    if not isinstance(header, dict):
        raise GarbageTokenError()
    return header


def looks_like_token(text: str) -> bool:
    """Whether *text* has a pass's shape and ``typ`` (says nothing about its validity)."""
    try:
        header = read_header(text.strip())
    except (GarbageTokenError, OversizedTokenError):
        return False
    return header.get("typ") == TOKEN_TYPE


def _signed_claims(token: str, key: TrustedKey) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token,
        key.public_key,
        algorithms=[ALGORITHM],
        options={
            "verify_exp": False,  # checked against the caller's clock below
            "verify_nbf": False,
            "verify_iat": False,
            "verify_aud": False,
            "verify_iss": False,
        },
    )
    return claims


def _signature_failure(token: str, key: TrustedKey, trusted: Mapping[str, TrustedKey]) -> NoReturn:
    """Raise the reason a pass fails its named key's check: a wrong key, or an alteration."""
    for other in trusted.values():
        if other.kid == key.kid:
            continue
        try:
            _signed_claims(token, other)
        except jwt.PyJWTError:
            continue
        raise WrongKeyTokenError()
    raise TamperedTokenError()


def verify(
    token: str,
    trusted_keys: Mapping[str, TrustedKey],
    revoked_ids: Collection[str],
    now: dt.datetime,
    known_buildings: Mapping[str, str],
    *,
    leeway_seconds: int = 60,
) -> AccessClaims:
    """The claims of *token* if this device may honour it; else the reason as an error.

    *trusted_keys* maps key id to key; *known_buildings* maps building id to the id of
    the organisation that owns it. *leeway_seconds* forgives a device clock that is a
    little off, at both ends of the validity window.
    """
    token = token.strip()
    header = read_header(token)
    if header.get("typ") != TOKEN_TYPE or header.get("alg") != ALGORITHM:
        raise GarbageTokenError()
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in trusted_keys:
        raise UnknownIssuerTokenError()
    key = trusted_keys[kid]
    try:
        raw = _signed_claims(token, key)
    except jwt.InvalidSignatureError:
        _signature_failure(token, key, trusted_keys)
    except jwt.PyJWTError:
        raise GarbageTokenError() from None
    try:
        claims = AccessClaims.model_validate(raw)
    except ValidationError:
        raise GarbageTokenError() from None
    if claims.org_id != key.org_id:
        raise WrongKeyTokenError()
    if claims.token_id in revoked_ids:
        raise RevokedTokenError()
    owner = known_buildings.get(claims.building_id)
    if owner is None:
        raise UnknownBuildingTokenError()
    if owner != key.org_id:
        raise WrongKeyTokenError()
    stamp = int(now.timestamp())
    if stamp + leeway_seconds < claims.not_before:
        raise NotYetValidTokenError()
    if stamp - leeway_seconds >= claims.expires:
        raise ExpiredTokenError()
    return claims
