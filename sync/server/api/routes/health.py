"""Liveness and readiness for load balancers: answers without signing in."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sync.server import __version__
from sync.server.api.deps import SessionDep
from sync.server.models import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "The database cannot be reached"}},
)
def health(session: SessionDep, response: Response) -> HealthOut:
    """Whether this process can serve: 200 when the database answers, else 503."""
    try:
        session.connection().execute(text("SELECT 1"))
    except SQLAlchemyError:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return HealthOut(status="unavailable", database="unavailable", version=__version__)
    return HealthOut(status="ok", database="ok", version=__version__)
