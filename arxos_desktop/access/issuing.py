"""Asking the sync server to sign a pass, and making the pass PDF from its answer.

The server decides who may issue (``sync.server.access_passes``); this side
sends the request with the device's sign-in and turns the server's refusal
into the sentence it gave. The scope printed on the cover is computed from
the signed claims themselves, so the paper never says more than the pass.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from arxos_desktop.access.describe import describe_scope, local_now
from arxos_desktop.access.errors import AccessError
from arxos_desktop.access.pass_pdf import write_pass_pdf
from arxos_desktop.account import Credentials
from arxos_desktop.errors import ArxosError, ErrorKind
from arxos_desktop.sync_client import auth_for
from sync.tokens import AccessClaims, read_header
from sync.trust import AccessTrust

#: Seconds to wait for the server to sign (it does one signature and two inserts).
TIMEOUT = 20.0


class IssueRefusedError(AccessError):
    """The server would not sign this pass; the sentence is the server's."""


class IssueInvalidError(ArxosError):
    kind = ErrorKind.INVALID


class IssueOfflineError(ArxosError):
    kind = ErrorKind.OFFLINE


class IssueSignInError(ArxosError):
    kind = ErrorKind.SIGN_IN


@dataclass(frozen=True)
class Issued:
    token: str
    claims: AccessClaims
    scope: str


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        where = ".".join(str(p) for p in detail[0].get("loc", ())[1:])
        return f"{where}: {detail[0].get('msg', 'invalid')}" if where else "invalid request"
    return f"the server answered {response.status_code}"


def _call(credentials: Credentials, home: Path, method: str, path: str, **kw: Any) -> Any:
    try:
        with httpx.Client(
            base_url=credentials.server, auth=auth_for(credentials, home), timeout=TIMEOUT
        ) as http:
            response = http.request(method, path, **kw)
    except httpx.TransportError:
        raise IssueOfflineError(
            f"Cannot reach the sync server at {credentials.server}; passes are signed there"
        ) from None
    if response.status_code == 401:
        raise IssueSignInError("The sync server does not accept your sign-in; run arx login")
    if response.status_code in (403, 404):
        raise IssueRefusedError(_detail(response))
    if response.status_code >= 400:
        raise IssueInvalidError(f"The sync server refused the pass: {_detail(response)}")
    return response.json() if response.content else None


def issue_remote(
    credentials: Credentials,
    home: Path,
    *,
    request: dict[str, Any],
    building_name: str,
) -> Issued:
    """Have the server sign the pass *request* describes; its claims read back from it."""
    answer = _call(credentials, home, "POST", "/v1/access/passes", json=request)
    token = str(answer["token"])
    claims = _claims_of(token)
    scope = describe_scope(claims, building_name=building_name, now=local_now(), absolute=True)
    return Issued(token, claims, scope)


def revoke_remote(credentials: Credentials, home: Path, token_id: str) -> None:
    _call(credentials, home, "POST", f"/v1/access/passes/{token_id}/revoke")


def fetch_trust(credentials: Credentials, home: Path) -> AccessTrust:
    return AccessTrust.model_validate(_call(credentials, home, "GET", "/v1/access/trust"))


def _claims_of(token: str) -> AccessClaims:
    """The claims the server just signed (read, not verified: we asked for them)."""
    read_header(token)
    payload = token.split(".")[1]
    return AccessClaims.model_validate(
        orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    )


def write_pass(drawing: Path, out: Path, issued: Issued) -> None:
    """The pass PDF at *out*, written whole or not at all."""
    data = write_pass_pdf(drawing, token=issued.token, scope=issued.scope)
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(data)
    partial.replace(out)
