"""Prometheus metrics: one registry per app, fed by a small ASGI middleware.

A registry per app (not the process-global default) lets tests and embedders
create many apps in one process. Requests are labelled by route template
(``/v1/blobs/{sha256}``), never by raw path, so label sets stay bounded.
Other modules add their own metrics to ``app.state.metrics.registry``.
"""

from __future__ import annotations

import time
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED: Final = "<unmatched>"


class Metrics:
    """The app's registry and the request metrics the middleware records."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "arxos_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "arxos_http_request_duration_seconds",
            "Time from request start to the end of the response body, by route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
        )


def _route_of(scope: Scope) -> str:
    """The matched route's template with its router prefixes (``/v1/me/api-keys/{key_id}``).

    A route included into a prefixed router knows only its own part of the
    template; each ``{param}`` matches one path segment, so the segments of the
    real path in front of that part are the prefixes.
    """
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None)
    if not isinstance(template, str) or not template:
        return UNMATCHED
    if ":path}" in template:  # a parameter spanning segments: prefixes cannot be counted
        return template
    parts = str(scope["path"]).rstrip("/").split("/")
    own = template.rstrip("/").split("/")
    return "/".join(parts[: len(parts) - len(own) + 1]) + template


class MetricsMiddleware:
    """Counts every HTTP request and times it, including requests that raise."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route, method = _route_of(scope), str(scope["method"])
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)
