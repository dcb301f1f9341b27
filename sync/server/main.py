"""The app factory: ``create_app()`` for ``arx serve``, uvicorn and the tests.

Everything an app needs lives on ``app.state`` (settings, engine, metrics), so
several apps can share one process. The schema is upgraded when the app
starts, so a new version of the service needs no separate migration step.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from sync.server import __version__
from sync.server.api.main import api_router
from sync.server.api.routes import metrics
from sync.server.core.config import ServerSettings
from sync.server.core.metrics import Metrics, MetricsMiddleware
from sync.server.db import create_db_engine, run_migrations
from sync.server.events import NewsBoard


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """A sync service for *settings* (default: read from the environment)."""
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings.database_url)
        run_migrations(engine)
        app.state.engine = engine
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="ArxOS sync service",
        version=__version__,
        openapi_url="/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.news = NewsBoard()
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.include_router(api_router)
    app.include_router(metrics.router)
    return app
