"""The app factory: ``create_app()`` for ``arx serve``, uvicorn and the tests.

Everything an app needs lives on ``app.state`` (settings, engine, metrics), so
several apps can share one process. The schema is upgraded when the app
starts, so a new version of the service needs no separate migration step.
Abandoned partial uploads (``sync.server.blob_pruning``) and the accounts of
ended access passes (``sync.server.holder_sweeps``) are swept at start-up and
then periodically for as long as the app runs.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from sync.server import __version__
from sync.server.api.body_limit import BodyLimitMiddleware, route_limits
from sync.server.api.errors import add_error_handlers
from sync.server.api.json_body import add_body_schemas
from sync.server.api.login_guard import LoginGuard
from sync.server.api.main import api_router
from sync.server.api.routes import metrics
from sync.server.blob_pruning import prune_once, prune_periodically
from sync.server.blobs import LocalDiskBlobStorage
from sync.server.core.config import ServerSettings
from sync.server.core.files import private_dir
from sync.server.core.metrics import Metrics, MetricsMiddleware
from sync.server.db import create_db_engine, run_migrations
from sync.server.events import NewsBoard
from sync.server.holder_sweeps import database_sweep, sweep_once, sweep_periodically


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """A sync service for *settings* (default: read from the environment)."""
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        private_dir(settings.home)
        private_dir(settings.blob_dir)
        engine = create_db_engine(settings.database_url)
        run_migrations(engine)
        app.state.engine = engine
        app.state.login_guard = LoginGuard(settings)
        # What exists now (modules, table metadata, validators) lives as long as the
        # process. Freezing it spares the cyclic collector from scanning it again in
        # every full collection, which cost a push about a seventh of its time.
        gc.freeze()
        prune = LocalDiskBlobStorage(settings.blob_dir).prune_partials
        max_age = settings.blob_partial_max_age_hours * 3600
        await prune_once(prune, max_age)
        sweep = database_sweep(engine, settings.holder_sweep_batch)
        await sweep_once(sweep)
        pruner = asyncio.create_task(
            prune_periodically(prune, max_age, settings.blob_prune_interval_minutes * 60)
        )
        sweeper = asyncio.create_task(
            sweep_periodically(sweep, settings.holder_sweep_interval_minutes * 60)
        )
        try:
            yield
        finally:
            for task in (pruner, sweeper):
                task.cancel()
            await asyncio.gather(pruner, sweeper, return_exceptions=True)
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
    app.add_middleware(BodyLimitMiddleware, limit_for=route_limits(settings))
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    add_error_handlers(app)
    app.include_router(api_router)
    app.include_router(metrics.router)
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_body_schemas(default_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
