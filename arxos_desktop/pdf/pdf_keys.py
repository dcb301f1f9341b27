"""The PDF dictionary keys and date format that export and import agree on.

Standard keys carry what every PDF viewer understands (``/NM`` the annotation's
name, ``/T`` its author, ``/M`` and ``/CreationDate`` its dates, ``/IT`` a
measurement's intent, ``/BE`` a cloudy border). What PDF has no key for (the
linked equipment, the kind of markup when two kinds share a PDF type, the review
status, a calibration's known length) goes under second-class names prefixed
``ArxOS``: other tools keep unknown keys and ignore them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

#: The id of the equipment a markup is linked to.
EQUIPMENT_KEY: Final = "ArxOSEquipment"
#: The markup's kind in this app (a cloud and an area are both PDF Polygons).
KIND_KEY: Final = "ArxOSKind"
#: open / accepted / rejected / completed.
REVIEW_KEY: Final = "ArxOSReview"
#: A calibration's known length and unit, as ``"5 m"``.
CALIBRATION_KEY: Final = "ArxOSCalibration"
#: In the document catalog: the id of the drawing an exported file was written from, so
#: importing it back (after markups were added in another tool) adds to that drawing.
DOCUMENT_KEY: Final = "ArxOSDocument"

_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")


def pdf_date(iso: str | None) -> str:
    """An ISO 8601 UTC time as a PDF date (``D:20261201030000Z``); now if *iso* is empty."""
    when = dt.datetime.now(dt.UTC)
    if iso:
        when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(dt.UTC)
    return when.strftime("D:%Y%m%d%H%M%SZ")


def iso_from_pdf_date(text: str) -> str | None:
    """The ISO 8601 UTC form of a PDF date, or None if it is not one.

    The time-zone suffix is read as UTC: tools write it inconsistently, and a markup's
    date is shown to the minute at most.
    """
    found = _PDF_DATE.match(text.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second = (
        int(p) if p else d for p, d in zip(found.groups(), (0, 1, 1, 0, 0, 0), strict=True)
    )
    try:
        when = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None
    return when.isoformat().replace("+00:00", "Z")
