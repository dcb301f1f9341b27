"""Whether the zbar library pyzbar needs is here: required on CI, a printed skip elsewhere."""

from __future__ import annotations

import os
import sys


def zbar_missing() -> str | None:
    """None when pyzbar loads; else why not (raised instead when ``CI=true``)."""
    try:
        from pyzbar import pyzbar  # noqa: F401 (loading it is the check)
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            raise
        reason = f"libzbar0 is not installed ({exc}); run scripts/ensure-system-deps.sh"
        print(f"scanner tests skipped: {reason}", file=sys.stderr)
        return reason
    return None
