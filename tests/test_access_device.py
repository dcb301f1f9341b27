"""Passes checked on the device: offline, against synced trust, in words, and always logged."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pymupdf
import pytest

from arxos_desktop.access import audit_log
from arxos_desktop.access.describe import describe_scope
from arxos_desktop.access.errors import (
    MalformedPassPdfError,
    NoPassInImageError,
    NoPassInPdfError,
)
from arxos_desktop.access.pass_pdf import INFO_KEY, read_pass_token, write_pass_pdf
from arxos_desktop.access.verify import verify_pass
from arxos_desktop.errors import ErrorKind
from arxos_desktop.scanner.errors import ScanFileError
from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.audit_chain import AuditChainBrokenError
from sync.ids import new_id
from sync.token_errors import AccessRefusedError, RefusalReason
from sync.tokens import (
    AccessClaims,
    issue,
    key_id_for,
    new_signing_key,
    new_token_id,
    public_key_text,
)
from sync.trust import AccessTrust, TrustKey
from tests.conftest import make_pdf
from tests.scan_images import on_canvas, qr_image
from tests.zbar_check import zbar_missing

ORG = new_id()
KEY = new_signing_key()
KID = key_id_for(KEY.public_key())
#: 09:00 in a zone two hours ahead of UTC, so the sentence's times are local, not UTC.
ZONE = dt.timezone(dt.timedelta(hours=2), "EET")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZONE)


def claims_for(building_id: str, **changes: object) -> AccessClaims:
    start = int(NOW.timestamp()) - 60
    claims = AccessClaims(
        building_id=building_id,
        org_id=ORG,
        systems=("hvac", "electrical"),
        floors=(1, 2),
        permissions=("read", "annotate"),
        contractor_id="ACME-42",
        token_id=new_token_id(),
        not_before=start,
        expires=int(dt.datetime(2026, 12, 1, 17, 30, tzinfo=ZONE).timestamp()),
    )
    return claims.model_copy(update=changes) if changes else claims


@pytest.fixture
def tower(replica: Replica) -> str:
    building = create_building(replica, name="Riverside Tower").id
    trust = AccessTrust(
        keys=[TrustKey(kid=KID, org_id=ORG, public_key=public_key_text(KEY.public_key()),
                       status="active")],
        revoked=["withdrawn-pass"],
        buildings={building: ORG},
    )  # fmt: skip
    ReplicaSyncTarget(replica).store_trust(trust)
    return building


def test_a_pass_is_accepted_offline_and_said_in_plain_words(replica: Replica, tower: str) -> None:
    token = issue(claims_for(tower), KEY, KID)
    check = verify_pass(replica, token, now=NOW)
    assert check.scope == (
        "ACME-42 may read and annotate HVAC and electrical on floors 1 and 2 of"
        " Riverside Tower until 17:30 today."
    )
    [entry] = audit_log.entries(replica.conn)
    assert entry["outcome"] == "accepted" and entry["token_id"] == check.claims.token_id
    assert token not in str(entry)  # the bearer pass itself is never logged


def test_every_refusal_is_logged_with_its_reason_and_changes_nothing_else(
    replica: Replica, tower: str
) -> None:
    outbox_before = replica.conn.execute("SELECT count(*) FROM outbox").fetchone()
    revoked = issue(claims_for(tower, token_id="withdrawn-pass"), KEY, KID)
    expired = issue(claims_for(tower), KEY, KID)
    later = NOW + dt.timedelta(days=1)
    with pytest.raises(AccessRefusedError) as first:
        verify_pass(replica, revoked, now=NOW)
    with pytest.raises(AccessRefusedError) as second:
        verify_pass(replica, expired, now=later)
    with pytest.raises(AccessRefusedError) as third:
        verify_pass(replica, "not a pass at all", now=NOW)
    reasons = [first.value.reason, second.value.reason, third.value.reason]
    assert reasons == [RefusalReason.REVOKED, RefusalReason.EXPIRED, RefusalReason.GARBAGE]
    logged = audit_log.entries(replica.conn)
    assert [(e["outcome"], e["reason"]) for e in logged] == [
        ("refused", "revoked"), ("refused", "expired"), ("refused", "garbage"),
    ]  # fmt: skip
    assert replica.conn.execute("SELECT count(*) FROM outbox").fetchone() == outbox_before


def test_scope_words_cover_every_system_floor_and_a_later_start() -> None:
    now = NOW
    wide = claims_for(new_id(), systems=None, floors=None, permissions=("read",),
                      not_before=int((now + dt.timedelta(days=1)).timestamp()),
                      expires=int((now + dt.timedelta(days=3)).timestamp()))  # fmt: skip
    assert describe_scope(wide, building_name="Depot", now=now) == (
        "ACME-42 may read every system on every floor of Depot from 09:00 tomorrow"
        " until 09:00 on 4 Dec 2026."
    )
    one = claims_for(new_id(), systems=("fire",), floors=(3,), permissions=("read", "write"))
    assert describe_scope(one, building_name="Depot", now=now, absolute=True) == (
        "ACME-42 may read and write fire on floor 3 of Depot until 17:30 EET on 1 Dec 2026."
    )


def test_a_pass_pdf_round_trips_and_keeps_the_drawing(
    replica: Replica, tower: str, tmp_path: Path
) -> None:
    token = issue(claims_for(tower), KEY, KID)
    drawing = make_pdf(pages=2, text="Level 1 plan")
    path = tmp_path / "access.pdf"
    path.write_bytes(write_pass_pdf(drawing, token=token, scope="ACME-42 may read."))
    with pymupdf.open(path) as doc:
        assert doc.page_count == 3
        assert "ArxOS access pass" in doc[0].get_text()
        assert "Level 1 plan" in doc[1].get_text()
        kind, xref = doc.xref_get_key(-1, "Info")
        assert kind == "xref"
        assert doc.xref_get_key(int(xref.split()[0]), INFO_KEY) == ("string", token)
    assert verify_pass(replica, path, now=NOW).claims.contractor_id == "ACME-42"
    assert verify_pass(replica, path.read_bytes(), now=NOW).claims.token_id


def test_pdfs_without_a_usable_pass_are_refused_and_logged(
    replica: Replica, tower: str, tmp_path: Path
) -> None:
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(make_pdf())
    with pytest.raises(NoPassInPdfError):
        verify_pass(replica, plain, now=NOW)
    with pymupdf.open(stream=make_pdf()) as doc:
        doc.set_metadata({"title": "plan"})
        info = int(doc.xref_get_key(-1, "Info")[1].split()[0])
        doc.xref_set_key(info, INFO_KEY, "42")  # a number where the pass text belongs
        malformed = doc.tobytes()
    with pytest.raises(MalformedPassPdfError) as caught:
        read_pass_token(malformed)
    assert caught.value.kind is ErrorKind.ACCESS_REFUSED
    image = tmp_path / "pass.png"
    image.write_bytes(b"\x89PNG")
    with pytest.raises(ScanFileError):
        verify_pass(replica, image, now=NOW)
    assert [e["outcome"] for e in audit_log.entries(replica.conn)] == ["refused", "refused"]


def test_a_photo_of_a_pass_is_read_by_the_scanner_and_checked(
    replica: Replica, tower: str, tmp_path: Path
) -> None:
    if reason := zbar_missing():
        pytest.skip(reason)
    token = issue(claims_for(tower), KEY, KID)
    photo = tmp_path / "pass.png"
    cv2.imwrite(str(photo), on_canvas(qr_image(token, module_px=3), size=(400, 400)))
    check = verify_pass(replica, photo, now=NOW)
    assert check.claims.contractor_id == "ACME-42"
    assert check.token == token  # what a session started from the photo keeps
    label = tmp_path / "label.png"
    cv2.imwrite(str(label), on_canvas(qr_image("AHU-1"), size=(400, 400)))
    with pytest.raises(NoPassInImageError):
        verify_pass(replica, label, now=NOW)
    sources = [(e["outcome"], e["source"]) for e in audit_log.entries(replica.conn)]
    assert sources == [("accepted", "image"), ("refused", "image")]


def _fill_log(replica: Replica, tower: str) -> None:
    for _ in range(4):
        verify_pass(replica, issue(claims_for(tower), KEY, KID), now=NOW)


def test_the_device_log_refuses_edits_and_detects_a_deleted_or_edited_entry(
    replica: Replica, tower: str
) -> None:
    _fill_log(replica, tower)
    conn = replica.conn
    assert audit_log.verify_log(conn) == 4
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM access_audit WHERE seq = 2")
    # Someone with the file drops the guards and edits it behind the app's back.
    conn.execute("DROP TRIGGER access_audit_no_update")
    conn.execute("DROP TRIGGER access_audit_no_delete")
    conn.execute("BEGIN")
    conn.execute(
        "UPDATE access_audit SET body = replace(body, 'accepted', 'refused') WHERE seq = 3"
    )
    with pytest.raises(AuditChainBrokenError, match="entry 3 was altered"):
        audit_log.verify_log(conn)
    conn.execute("ROLLBACK")
    conn.execute("BEGIN")
    conn.execute("DELETE FROM access_audit WHERE seq = 2")
    with pytest.raises(AuditChainBrokenError, match="entry 2 is missing"):
        audit_log.verify_log(conn)
    conn.execute("ROLLBACK")
    conn.execute("DELETE FROM access_audit WHERE seq = 4")
    with pytest.raises(AuditChainBrokenError, match="cut"):
        audit_log.verify_log(conn)


def _zbar_decode() -> Any:
    """pyzbar's decode, or a skip (a failure under CI=true) when libzbar is missing."""
    try:
        from pyzbar.pyzbar import decode
    except ImportError as exc:
        reason = f"zbar is not installed ({exc}); scripts/ensure-system-deps.sh installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}. CI=true: this test must run", pytrace=False)
        pytest.skip(reason)
    return decode


def test_the_cover_qr_code_reads_back_as_the_pass_at_screen_resolution(tower: str) -> None:
    decode = _zbar_decode()
    token = issue(claims_for(tower), KEY, KID)
    with pymupdf.open(stream=write_pass_pdf(make_pdf(), token=token, scope="s.")) as doc:
        pix = doc[0].get_pixmap(dpi=72, colorspace=pymupdf.csGRAY)  # a 595 px wide page
    image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    assert [code.data.decode() for code in decode(image)] == [token]
