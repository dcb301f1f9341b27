"""Each organisation's pass-signing keys: created, rotated, retired, and sealed at rest.

A private key is stored only AES-GCM-encrypted under a key derived (HKDF) from
the server's ``signing_key_secret``, with the key id and organisation as
associated data: a database copy alone cannot sign, and a sealed key moved to
another row (another organisation) no longer opens. Rotation makes a new key
``active`` and keeps the old one ``trusted``, so passes it signed verify until
an operator retires it.
"""

from __future__ import annotations

import base64
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlmodel import Session, col, select

from sync.server.access_models import SigningKey
from sync.server.models import utcnow
from sync.tokens import key_id_for, new_signing_key, public_key_text

ACTIVE: Final = "active"
TRUSTED: Final = "trusted"
RETIRED: Final = "retired"
_NONCE_BYTES: Final = 12


class SealError(RuntimeError):
    """A sealed key does not open: the server's secret changed, or the row was tampered with."""


def _kek(secret: str) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"arxos pass-signing keys v1"
    ).derive(secret.encode("utf-8"))
    return AESGCM(derived)


def _aad(kid: str, org_id: str) -> bytes:
    return f"{kid}\n{org_id}".encode()


def seal(private_key: Ed25519PrivateKey, *, kid: str, org_id: str, secret: str) -> str:
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + _kek(secret).encrypt(nonce, raw, _aad(kid, org_id))
    return base64.b64encode(sealed).decode("ascii")


def unseal(row: SigningKey, *, secret: str) -> Ed25519PrivateKey:
    sealed = base64.b64decode(row.private_key_sealed)
    nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    try:
        raw = _kek(secret).decrypt(nonce, ciphertext, _aad(row.kid, row.org_id))
    except InvalidTag:
        raise SealError(
            "A pass-signing key cannot be decrypted: the server's signing_key_secret differs"
            " from the one that sealed it"
        ) from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def _new_row(org_id: str, secret: str) -> SigningKey:
    private = new_signing_key()
    kid = key_id_for(private.public_key())
    return SigningKey(
        kid=kid,
        org_id=org_id,
        status=ACTIVE,
        public_key=public_key_text(private.public_key()),
        private_key_sealed=seal(private, kid=kid, org_id=org_id, secret=secret),
    )


def active_key(session: Session, org_id: str) -> SigningKey | None:
    query = select(SigningKey).where(SigningKey.org_id == org_id, SigningKey.status == ACTIVE)
    return session.exec(query).first()


def rotate(session: Session, org_id: str, *, secret: str) -> SigningKey:
    """A new active key for *org_id*; the previous one stays trusted. Not committed."""
    for row in session.exec(
        select(SigningKey).where(SigningKey.org_id == org_id, SigningKey.status == ACTIVE)
    ):
        row.status = TRUSTED
        session.add(row)
    row = _new_row(org_id, secret)
    session.add(row)
    session.flush()
    return row


def retire(session: Session, org_id: str, kid: str) -> bool:
    """Stop trusting a non-active key of *org_id*; False if it has no such key. Not committed."""
    row = session.get(SigningKey, kid)
    if row is None or row.org_id != org_id or row.status != TRUSTED:
        return False
    row.status = RETIRED
    row.retired_at = utcnow()
    session.add(row)
    return True


def trusted_keys(session: Session, org_ids: set[str]) -> list[SigningKey]:
    """Active and trusted keys of these organisations, oldest first."""
    if not org_ids:
        return []
    query = (
        select(SigningKey)
        .where(col(SigningKey.org_id).in_(sorted(org_ids)))
        .where(col(SigningKey.status).in_((ACTIVE, TRUSTED)))
        .order_by(col(SigningKey.created_at), col(SigningKey.kid))
    )
    return list(session.exec(query))
