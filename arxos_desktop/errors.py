"""The root of the field app's exception hierarchy.

Each service package subclasses :class:`ArxosError`; only the UI and the CLI
decide how an error is shown, and they show ``str(error)``, which is always a
sentence a technician can act on.
"""

from __future__ import annotations


class ArxosError(Exception):
    """Base of every error the field app raises on purpose."""
