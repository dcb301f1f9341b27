"""Prometheus scrape endpoint (``GET /metrics``, outside ``/v1``: scrapers expect it there).

Request counts by route tell an outsider what the service is used for and how
much, so the endpoint answers only a scraper holding the operator's token
(``ARXOS_SERVER_METRICS_TOKEN``, sent as ``Authorization: Bearer``); without a
configured token it is switched off.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sync.server.api.deps import SettingsDep
from sync.server.core.metrics import Metrics

router = APIRouter(tags=["metrics"])

_scraper = HTTPBearer(auto_error=False, description="The operator's metrics token.")


def require_scraper(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_scraper)],
) -> None:
    """The caller holds the metrics token; 404 when metrics are off, 401 otherwise."""
    if settings.metrics_token is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "Metrics are switched off; the operator sets ARXOS_SERVER_METRICS_TOKEN",
        )
    expected = settings.metrics_token.get_secret_value().encode()
    given = bearer.credentials.encode() if bearer else b""
    if not secrets.compare_digest(given, expected):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Send the metrics token as a bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.get(
    "/metrics",
    response_model=None,
    response_class=Response,
    dependencies=[Depends(require_scraper)],
)
def metrics(request: Request) -> Response:
    """Request counts and latencies of this process, in Prometheus text format."""
    registry: Metrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
