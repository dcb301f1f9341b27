"""Every ``/v1`` router in one place; ``sync.server.main`` mounts ``api_router``."""

from __future__ import annotations

from fastapi import APIRouter

from sync.server.api.routes import access, auth, blobs, events, health, me, sync

api_router = APIRouter(prefix="/v1")
api_router.include_router(auth.router)
api_router.include_router(me.router)
api_router.include_router(health.router)
api_router.include_router(sync.router)
api_router.include_router(blobs.router)
api_router.include_router(events.router)
api_router.include_router(access.router)
