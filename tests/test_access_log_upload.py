"""The device's access log reaching the server through sync, against a real server on
loopback: a verified pass and the session's writes arrive; a log altered on the device
(its triggers dropped, as an attacker would) is refused and nothing of it is stored; a
device used by a technician and then a pass holder delivers its one chain to both."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from arxos_desktop.access.session import exchange_pass, start_session
from arxos_desktop.access.verify import verify_pass
from arxos_desktop.account import Credentials
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.sync_client import client_for
from sync.client import sign_in
from sync.client.target import SyncReport
from tests.conftest import make_pdf
from tests.test_access_round_trip import EMAIL, PASSWORD, Site, arx, site

__all__ = ["site"]


def server_entries(site: Site, device_id: str) -> list[tuple[int, str]]:
    """Every account's copies of the device's chain together: (seq, hash) in order."""
    return sorted((seq, digest) for copy in copies(site, device_id).values()
                  for seq, digest, _ in copy)  # fmt: skip


def copies(site: Site, device_id: str) -> dict[str, list[tuple[int, str, bool]]]:
    """Each account's copy of the device's chain: (seq, hash, body kept)."""
    engine = sa.create_engine(f"sqlite:///{site.admin.parent / 'server' / 'server.sqlite3'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT user_id, seq, hash, body IS NOT NULL FROM srv_device_audit"
                    " WHERE device_id = :d ORDER BY user_id, seq"
                ),
                {"d": device_id},
            )
            found: dict[str, list[tuple[int, str, bool]]] = {}
            for user_id, seq, digest, kept in rows:
                found.setdefault(str(user_id), []).append((int(seq), str(digest), bool(kept)))
            return found
    finally:
        engine.dispose()


def sync(replica: Replica, credentials: Credentials) -> SyncReport:
    client = client_for(credentials, replica.home, ReplicaSyncTarget(replica))
    try:
        return client.sync_once()
    finally:
        client.close()


def test_the_log_reaches_the_server_and_an_altered_one_is_refused(
    site: Site, tmp_path: Path
) -> None:
    drawing = tmp_path / "drawing.pdf"
    drawing.write_bytes(make_pdf(text="Level 1 plan"))
    issued = arx(site.admin, "token", "issue", "--building", site.building, "--systems", "hvac",
                 "--floors", "1", "--permissions", "read,write", "--expires", "8h",
                 "--contractor", "ACME-7", "--json")  # fmt: skip
    token = issued["token"]
    with Replica.open(tmp_path / "contractor") as replica:
        credentials = exchange_pass(site.url, token, replica.device_id)
        sync(replica, credentials)
        verify_pass(replica, token)  # logged
        start_session(replica, token, credentials=credentials)  # logged
        update_equipment(replica, site.units["AHU-1"], {"name": "Filter changed"})  # logged
        held = replica.conn.execute("SELECT seq, hash FROM access_audit ORDER BY seq").fetchall()
        assert len(held) >= 3

        report = sync(replica, credentials)
        assert report.audit_sent == len(held)
        assert server_entries(site, replica.device_id) == [(s, h) for s, h in held]
        assert sync(replica, credentials).audit_sent == 0  # acknowledged: not sent again

        update_equipment(replica, site.units["AHU-1"], {"name": "Belt replaced"})
        replica.conn.executescript(
            "DROP TRIGGER access_audit_no_update;"
            "UPDATE access_audit SET body = replace(body, 'accepted', 'refused')"
            " WHERE seq = (SELECT max(seq) FROM access_audit);"
        )
        refused = sync(replica, credentials)  # the user's own edit still went
        assert refused.accepted == 1 and refused.audit_sent == 0
        assert refused.audit_refused is not None
        assert "edited after it was written" in refused.audit_refused
        assert server_entries(site, replica.device_id) == [(s, h) for s, h in held]


def test_a_device_used_by_a_technician_then_a_pass_holder_delivers_its_log_to_both(
    site: Site, tmp_path: Path
) -> None:
    issued = arx(site.admin, "token", "issue", "--building", site.building, "--systems", "hvac",
                 "--permissions", "read,write", "--expires", "8h", "--contractor", "ACME-9",
                 "--json")  # fmt: skip
    token = issued["token"]
    with Replica.open(tmp_path / "shared-tablet") as replica:
        tokens = sign_in(site.url, email=EMAIL, password=PASSWORD, device_id=replica.device_id)
        technician = Credentials(site.url, EMAIL, tokens.access_token, tokens.refresh_token)
        sync(replica, technician)
        verify_pass(replica, token)  # logged while the technician is signed in
        assert sync(replica, technician).audit_sent == 1

        holder = exchange_pass(site.url, token, replica.device_id)
        sync(replica, holder)
        start_session(replica, token, credentials=holder)
        update_equipment(replica, site.units["AHU-1"], {"name": "Coil cleaned"})
        report = sync(replica, holder)
        assert report.audit_refused is None
        held = replica.conn.execute("SELECT seq, hash FROM access_audit ORDER BY seq").fetchall()
        assert len(held) >= 3

        back = sync(replica, technician)  # the technician's copy catches up too
        assert back.audit_refused is None
        both = copies(site, replica.device_id)
        assert len(both) == 2
        for copy in both.values():
            assert [(seq, digest) for seq, digest, _ in copy] == [(s, h) for s, h in held]
            assert all(kept for *_, kept in copy)  # every entry is about their building
