"""A real sync service on loopback for end-to-end tests."""

from __future__ import annotations

from sync.server.embedded import serve_in_thread as serve

__all__ = ["serve"]
