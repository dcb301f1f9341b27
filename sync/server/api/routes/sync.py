"""Push, pull and conflicts: the replication endpoints (``docs/sync-protocol.md``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from sqlmodel import Session

from sync.protocol import (
    DEFAULT_PULL_PAGE,
    MAX_PULL_PAGE,
    MAX_SEQ,
    PullResponse,
    PushRequest,
    PushResponse,
    ResolveRequest,
    ResolveResponse,
)
from sync.server import crud
from sync.server.api.deps import CredentialDep, SessionDep, SettingsDep, authenticate
from sync.server.api.json_body import body_openapi, json_body
from sync.server.core.config import ServerSettings
from sync.server.models import Role
from sync.server.resolutions import resolve
from sync.server.scope import Access
from sync.server.syncing import apply_push, pull_page

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push", response_model=PushResponse, openapi_extra=body_openapi(PushRequest))
def push_changes(
    # The credential first: a signed-out request is refused before its body is read.
    credential: CredentialDep,
    body: Annotated[PushRequest, Depends(json_body(PushRequest))],
    request: Request,
) -> Response:
    """Apply a batch of this device's changes in order; each change gets its own answer."""
    settings: ServerSettings = request.app.state.settings
    # The session is opened and closed here, in this route's worker thread, rather
    # than through SessionDep: the hottest route of the service skips a yield
    # dependency (and its exit stack) per request.
    with Session(request.app.state.engine) as session:
        user = authenticate(session, credential)
        if len(body.changes) > settings.push_batch_max:
            raise HTTPException(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                f"At most {settings.push_batch_max} changes per push",
            )

        def claim_building(building_id: str) -> Access | None:
            allowed = crud.can_create_buildings(
                session, user.id, server_allows=settings.orgs_allow_member_buildings
            )
            if not allowed:
                return None
            crud.grant(
                session, user_id=user.id, building_id=building_id, role=Role.ADMIN, commit=False
            )
            return crud.BuildingAccess(building_id, Role.ADMIN, None, None)

        try:
            outcome = apply_push(
                session,
                body,
                user_id=user.id,
                accesses=dict(crud.building_access(session, user.id)),
                claim_building=claim_building,
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
    request.app.state.news.publish()
    # Encoded here, from plain dicts: validating every answer against the response
    # model (still declared, for the OpenAPI document) only to dump it cost more.
    return Response(outcome.json(), media_type="application/json")


@router.get("/pull", response_model=PullResponse)
def pull_changes(
    session: SessionDep,
    credential: CredentialDep,
    settings: SettingsDep,
    cursor: Annotated[
        int, Query(ge=0, le=MAX_SEQ, description="Last sequence already applied")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
    building: Annotated[str | None, Query(max_length=36)] = None,
    scopes: Annotated[
        bool, Query(description="Also list your buildings with their scope tags (`scopes`)")
    ] = False,
    resolutions: Annotated[
        bool, Query(description="Send conflict records with their resolutions")
    ] = False,
) -> Response:
    """Row states changed after ``cursor`` that you may see, oldest first, one page."""
    user = authenticate(session, credential)  # here, in this route's worker thread
    page = pull_page(
        session,
        accesses=crud.building_access(session, user.id),
        cursor=cursor,
        limit=min(limit, settings.pull_page_max),
        building_id=building,
        with_scopes=scopes,
        with_resolutions=resolutions,
    )
    # Encoded here: FastAPI would first validate the whole page again against the
    # response model (still declared, for the OpenAPI document), which took longer
    # than reading the page from the database.
    return Response(page.json(), media_type="application/json")


@router.post("/resolve", response_model=ResolveResponse, openapi_extra=body_openapi(ResolveRequest))
def resolve_conflicts(
    credential: CredentialDep,
    body: Annotated[ResolveRequest, Depends(json_body(ResolveRequest))],
    request: Request,
    session: SessionDep,
) -> ResolveResponse:
    """Close conflicts as kept or restored, for every device; each gets its own answer."""
    user = authenticate(session, credential)
    try:
        answer = resolve(
            session, body, user_id=user.id, accesses=crud.building_access(session, user.id)
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    request.app.state.news.publish()
    return answer
