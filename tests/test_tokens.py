"""Signed access passes: what verifies, and the exact reason for everything that must not."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.audit_chain import (
    GENESIS,
    AuditChainBrokenError,
    ChainedEntry,
    chain_hash,
    check_chain,
)
from sync.errors import SyncErrorKind
from sync.ids import new_id
from sync.token_errors import AccessRefusedError, RefusalReason
from sync.tokens import (
    MAX_TOKEN_CHARS,
    TOKEN_TYPE,
    AccessClaims,
    TrustedKey,
    issue,
    key_id_for,
    looks_like_token,
    new_signing_key,
    new_token_id,
    read_header,
    verify,
)

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
ORG = new_id()
OTHER_ORG = new_id()
BUILDING = new_id()
OTHER_BUILDING = new_id()
KEY = new_signing_key()
KID = key_id_for(KEY.public_key())
NEW_KEY = new_signing_key()
NEW_KID = key_id_for(NEW_KEY.public_key())
FOREIGN_KEY = new_signing_key()
FOREIGN_KID = key_id_for(FOREIGN_KEY.public_key())
TRUSTED = {
    KID: TrustedKey(KID, ORG, KEY.public_key()),
    FOREIGN_KID: TrustedKey(FOREIGN_KID, OTHER_ORG, FOREIGN_KEY.public_key()),
}
BUILDINGS = {BUILDING: ORG, OTHER_BUILDING: OTHER_ORG}


def claims(**changes: object) -> AccessClaims:
    start = int(NOW.timestamp()) - 600
    base = AccessClaims(
        building_id=BUILDING,
        org_id=ORG,
        systems=("hvac", "electrical"),
        floors=(1, 2),
        permissions=("read", "annotate"),
        contractor_id="ACME-42",
        token_id=new_token_id(),
        not_before=start,
        expires=start + 8 * 3600,
    )
    return base.model_copy(update=changes) if changes else base


def check(
    token: str,
    *,
    now: dt.datetime = NOW,
    revoked: frozenset[str] = frozenset(),
    trusted: dict[str, TrustedKey] = TRUSTED,
) -> AccessClaims:
    return verify(token, trusted, revoked, now, BUILDINGS)


def refusal(token: str, **kwargs: object) -> RefusalReason:
    with pytest.raises(AccessRefusedError) as caught:
        check(token, **kwargs)  # type: ignore[arg-type]
    assert caught.value.kind is SyncErrorKind.ACCESS_REFUSED
    assert len(token) < 8 or token not in str(caught.value)  # never echoes the input
    return caught.value.reason


def _part(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_signed_pass_verifies_to_exactly_its_claims() -> None:
    granted = claims()
    token = issue(granted, KEY, KID)
    assert check(token) == granted
    assert read_header(token) == {"alg": "EdDSA", "kid": KID, "typ": TOKEN_TYPE}
    assert looks_like_token(token)


def test_the_example_pass_fits_a_version_15_qr_code() -> None:
    token = issue(claims(), KEY, KID)
    assert len(token) <= 410
    assert segno.make(token, error="m").version <= 15


def test_a_pass_with_a_changed_claim_is_tampered() -> None:
    token = issue(claims(), KEY, KID)
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["p"] = "rwa"  # the holder grants themselves write
    assert refusal(f"{header}.{_part(body)}.{signature}") is RefusalReason.TAMPERED


def test_a_pass_with_a_flipped_signature_byte_is_tampered() -> None:
    token = issue(claims(), KEY, KID)
    head, _, signature = token.rpartition(".")
    flipped = ("A" if signature[5] != "A" else "B").join((signature[:5], signature[6:]))
    assert refusal(f"{head}.{flipped}") is RefusalReason.TAMPERED


def test_a_pass_signed_by_another_trusted_key_under_this_kid_is_the_wrong_key() -> None:
    forged = issue(claims(), FOREIGN_KEY, KID)  # org B's key, claiming org A's key id
    assert refusal(forged) is RefusalReason.WRONG_KEY


def test_another_organisations_key_cannot_grant_this_organisations_building() -> None:
    own_org = issue(claims(org_id=OTHER_ORG), FOREIGN_KEY, FOREIGN_KID)
    assert refusal(own_org) is RefusalReason.WRONG_KEY
    claims_this_org = issue(claims(), FOREIGN_KEY, FOREIGN_KID)
    assert refusal(claims_this_org) is RefusalReason.WRONG_KEY


def test_an_untrusted_key_is_an_unknown_issuer() -> None:
    stranger = Ed25519PrivateKey.generate()
    token = issue(claims(), stranger, key_id_for(stranger.public_key()))
    assert refusal(token) is RefusalReason.UNKNOWN_ISSUER


def test_key_rotation_old_passes_verify_until_the_old_key_is_retired() -> None:
    old_pass = issue(claims(), KEY, KID)
    new_pass = issue(claims(), NEW_KEY, NEW_KID)
    rotated = {**TRUSTED, NEW_KID: TrustedKey(NEW_KID, ORG, NEW_KEY.public_key())}
    assert check(old_pass, trusted=rotated).org_id == ORG
    assert check(new_pass, trusted=rotated).org_id == ORG
    retired = {kid: key for kid, key in rotated.items() if kid != KID}
    assert refusal(old_pass, trusted=retired) is RefusalReason.UNKNOWN_ISSUER
    assert check(new_pass, trusted=retired).org_id == ORG


def test_expired_and_not_yet_valid_respect_the_clock_and_its_leeway() -> None:
    granted = claims()
    token = issue(granted, KEY, KID)
    assert (
        refusal(token, now=granted.expires_at + dt.timedelta(seconds=61)) is RefusalReason.EXPIRED
    )
    assert check(token, now=granted.expires_at - dt.timedelta(seconds=61)) == granted
    early = granted.not_before_at - dt.timedelta(seconds=61)
    assert refusal(token, now=early) is RefusalReason.NOT_YET_VALID
    assert check(token, now=granted.not_before_at) == granted


def test_a_revoked_pass_is_refused() -> None:
    granted = claims()
    token = issue(granted, KEY, KID)
    assert refusal(token, revoked=frozenset({granted.token_id})) is RefusalReason.REVOKED
    assert check(token, revoked=frozenset({"someone-else"})) == granted


def test_a_pass_for_a_building_this_device_does_not_know_is_refused() -> None:
    token = issue(claims(building_id=new_id()), KEY, KID)
    assert refusal(token) is RefusalReason.UNKNOWN_BUILDING


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "a.b",
        "a.b.c",
        "arxos://equipment/123",
        "eyJ.eyJ.sig with spaces",
        _part({"alg": "EdDSA", "typ": TOKEN_TYPE, "kid": KID}) + ".bm90IGpzb24." + "x" * 86,
        _part({"alg": "HS256", "typ": TOKEN_TYPE, "kid": KID}) + "." + _part({}) + ".abc",
        _part({"alg": "none", "typ": TOKEN_TYPE, "kid": KID}) + "." + _part({}) + ".abc",
        "W10." + _part({}) + ".abc",  # a header that is a JSON list
    ],
    # Fixed ids: the key id in some cases is random, and pytest-xdist's workers must
    # collect the same test names.
    ids=[
        "empty",
        "word",
        "two-parts",
        "three-words",
        "equipment-link",
        "spaces",
        "payload-not-json",
        "hs256",
        "alg-none",
        "header-a-list",
    ],
)
def test_garbage_is_refused_as_garbage(text: str) -> None:
    assert refusal(text) is RefusalReason.GARBAGE


def test_signed_claims_of_the_wrong_shape_are_garbage() -> None:
    payload = claims().payload() | {"x": "an unknown claim"}
    import jwt

    token = jwt.encode(payload, KEY, algorithm="EdDSA", headers={"kid": KID, "typ": TOKEN_TYPE})
    assert refusal(token) is RefusalReason.GARBAGE


def test_oversized_input_is_refused_before_it_is_parsed() -> None:
    huge = "eyJ" + "A" * MAX_TOKEN_CHARS + ".x.y"
    assert refusal(huge) is RefusalReason.OVERSIZED
    assert not looks_like_token(huge)


def test_each_refusal_reads_as_a_sentence() -> None:
    from sync import token_errors

    for cls in token_errors.AccessRefusedError.__subclasses__():
        sentence = str(cls())
        assert sentence[0].isupper() and sentence.endswith("."), cls


def _chain(bodies: list[dict[str, object]]) -> list[ChainedEntry]:
    entries, previous = [], GENESIS
    for seq, body in enumerate(bodies, start=1):
        digest = chain_hash(previous, body)
        entries.append(ChainedEntry(seq, previous, digest, body))
        previous = digest
    return entries


def test_the_audit_chain_detects_a_deleted_and_an_edited_entry() -> None:
    entries = _chain([{"event": "issue", "n": n} for n in range(5)])
    assert check_chain(entries) == 5
    with pytest.raises(AuditChainBrokenError, match="missing"):
        check_chain(entries[:2] + entries[3:])
    edited = ChainedEntry(3, entries[2].prev_hash, entries[2].hash, {"event": "revoke", "n": 2})
    with pytest.raises(AuditChainBrokenError, match="altered"):
        check_chain([*entries[:2], edited, *entries[3:]])
    with pytest.raises(AuditChainBrokenError, match="removed"):
        check_chain(entries[1:])  # the first entry removed


def test_a_token_id_never_starts_like_a_command_line_option() -> None:
    # One id in 64 would otherwise start with "-", and `arx token revoke ID` read it as an option.
    ids = [new_token_id() for _ in range(3000)]
    assert not any(token_id.startswith("-") for token_id in ids)
    assert all(len(token_id) == 16 for token_id in ids)
