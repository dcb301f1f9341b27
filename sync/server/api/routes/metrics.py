"""Prometheus scrape endpoint (``GET /metrics``, outside ``/v1``: scrapers expect it there)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sync.server.core.metrics import Metrics

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_model=None, response_class=Response)
def metrics(request: Request) -> Response:
    """Request counts and latencies of this process, in Prometheus text format."""
    registry: Metrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
