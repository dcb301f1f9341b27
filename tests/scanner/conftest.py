"""The scanner tests need libzbar: without it (and not on CI) they are not collected."""

from __future__ import annotations

from tests.zbar_check import zbar_missing

if zbar_missing() is not None:
    collect_ignore_glob = ["test_*.py"]
