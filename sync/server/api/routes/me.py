"""The signed-in user: profile, the buildings they may use, their API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status

from sync.server import crud
from sync.server.access_exchange import is_pass_holder
from sync.server.api.deps import CurrentUser, SessionDep
from sync.server.api.json_body import body_openapi, json_body
from sync.server.models import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    BuildingGrantOut,
    MeOut,
    Org,
    OrgOut,
    Role,
    User,
)

router = APIRouter(prefix="/me", tags=["me"])


def _key_out(record: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=record.id,
        name=record.name,
        prefix=record.prefix,
        created_at=record.created_at,
        last_used_at=record.last_used_at,
    )


@router.get("", response_model=MeOut)
def read_me(user: CurrentUser, session: SessionDep) -> MeOut:
    """Who is signed in, and their organisation."""
    row = session.get(User, user.id)
    if row is None:  # deleted since the token was checked
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="This account no longer exists")
    org = session.get(Org, row.org_id) if row.org_id else None
    return MeOut(
        id=row.id,
        email=row.email,
        full_name=row.full_name,
        is_superuser=row.is_superuser,
        org=OrgOut(id=org.id, name=org.name, slug=org.slug) if org else None,
    )


@router.get("/buildings", response_model=list[BuildingGrantOut])
def read_my_buildings(user: CurrentUser, session: SessionDep) -> list[BuildingGrantOut]:
    """The buildings granted to me, with my role and the systems and floors I may use."""
    return [
        BuildingGrantOut(
            building_id=grant.building_id,
            role=Role(grant.role),
            systems=grant.systems,
            floors=grant.floors,
        )
        for grant in crud.list_grants(session, user.id)
    ]


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=body_openapi(ApiKeyCreate),
)
def create_api_key(
    # The user first: a signed-out request is refused before its body is read.
    user: CurrentUser,
    body: Annotated[ApiKeyCreate, Depends(json_body(ApiKeyCreate))],
    session: SessionDep,
) -> ApiKeyCreated:
    """Create an API key for scripts and the CLI; the key is shown only in this answer."""
    if is_pass_holder(user.email):  # a key would outlive the pass it came from
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="A sign-in made from an access pass cannot make API keys",
        )
    record, key = crud.create_api_key(session, user_id=user.id, name=body.name)
    return ApiKeyCreated(**_key_out(record).model_dump(), key=key)


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(user: CurrentUser, session: SessionDep) -> list[ApiKeyOut]:
    """My API keys that still work (never the keys themselves)."""
    return [_key_out(record) for record in crud.list_api_keys(session, user.id)]


@router.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    response_class=Response,
)
def revoke_api_key(key_id: str, user: CurrentUser, session: SessionDep) -> None:
    """Revoke one of my API keys; it stops working at once."""
    if not crud.revoke_api_key(session, user_id=user.id, key_id=key_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="You have no API key with that id")
