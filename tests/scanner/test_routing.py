"""What each decoded payload is routed to, and what is refused without being echoed."""

from __future__ import annotations

import base64
import json
import os

import pytest
from pyzbar import pyzbar

from arxos_desktop.scanner.decode import decode_frame
from arxos_desktop.scanner.routing import MAX_PAYLOAD_BYTES, Route, classify
from tests.scan_images import on_canvas, qr_bytes_image

EQUIPMENT_ID = "0190d3a0-1111-7222-8333-444455556666"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jws(header: dict[str, str]) -> str:
    return ".".join((_b64(json.dumps(header).encode()), _b64(b'{"b":"x"}'), _b64(b"sig" * 20)))


ACCESS = _jws({"alg": "EdDSA", "typ": "arxos-access+jwt", "kid": "k1"})
OTHER_JWT = _jws({"alg": "HS256", "typ": "JWT"})
TAGS = {"ahu-3": "0190d3a0-aaaa-7222-8333-444455556666"}


def lookup(tag: str) -> str | None:
    return TAGS.get(tag.lower())


@pytest.mark.parametrize(
    ("payload", "route", "equipment_id"),
    [
        (ACCESS, Route.ACCESS_TOKEN, None),
        (f" {ACCESS}\n", Route.ACCESS_TOKEN, None),
        (OTHER_JWT, Route.UNKNOWN, None),
        ("a.b.c", Route.UNKNOWN, None),
        (f"arxos://equipment/{EQUIPMENT_ID}", Route.EQUIPMENT_LINK, EQUIPMENT_ID),
        (f"ARXOS://equipment/{EQUIPMENT_ID.upper()}/", Route.EQUIPMENT_LINK, EQUIPMENT_ID),
        ("arxos://equipment/../../etc/passwd", Route.UNKNOWN, None),
        ("arxos://equipment/not-a-uuid", Route.UNKNOWN, None),
        ("AHU-3", Route.ASSET_TAG, TAGS["ahu-3"]),
        ("ahu-3", Route.ASSET_TAG, TAGS["ahu-3"]),
        ("AHU-4", Route.UNKNOWN, None),
        ("https://example.com/menu", Route.UNKNOWN, None),
    ],
)
def test_the_routing_table(payload: str, route: Route, equipment_id: str | None) -> None:
    routed = classify(payload.encode(), tag_lookup=lookup)
    assert routed.route is route
    assert routed.equipment_id == equipment_id
    assert routed.text == payload.strip()


def test_without_a_replica_a_tag_is_unknown() -> None:
    assert classify(b"AHU-3").route is Route.UNKNOWN


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"A" * (MAX_PAYLOAD_BYTES + 1), "too much data"),
        (b"\xff\xfe\x00junk\x80", "binary"),
        (b"AHU-3\x00; DROP TABLE equipment", "control characters"),
        (b"AHU-3\x1b[31m", "control characters"),
        ("AHU\u202e3".encode(), "control characters"),
        (b"   ", "empty"),
    ],
)
def test_garbage_is_refused_with_a_reason_that_never_quotes_it(payload: bytes, reason: str) -> None:
    routed = classify(payload, tag_lookup=lookup)
    assert routed.route is Route.REFUSED
    assert routed.text is None
    assert reason in routed.reason
    assert "AHU" not in routed.reason and "DROP" not in routed.reason


def test_a_full_qr_code_of_binary_junk_is_decoded_then_refused() -> None:
    junk = os.urandom(2950)  # a version-40 code holds at most 2,953 bytes
    picture = on_canvas(qr_bytes_image(junk, module_px=2), size=(640, 480))
    codes = decode_frame(picture, budget_s=2.0)
    assert codes, "the junk code was not read at all"
    assert pyzbar.decode(picture) or codes[0].decoder == "zxing"
    routed = [classify(code.data, tag_lookup=lookup) for code in codes]
    assert [r.route for r in routed] == [Route.REFUSED]
    assert routed[0].text is None
