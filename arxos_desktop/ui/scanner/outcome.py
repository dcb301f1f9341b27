"""What one scanned code turned out to be, found on the replica worker, and how it reads.

Routing needs the replica (is ``AHU-3`` a tag here? does this linked equipment
exist?), so :func:`route_code` is a job for ``state.ops.run``; the page only
shows the outcome. The sentences never quote a refused payload.
"""

from __future__ import annotations

from dataclasses import dataclass

from arxos_desktop.scanner.decode import Code
from arxos_desktop.scanner.routing import Route, Routed, classify
from arxos_desktop.store import Replica
from arxos_desktop.store.scan_lookup import equipment_id_for_tag, live_equipment_tag

#: Most characters of an unknown code shown in the list (the rest is elided).
SHOWN_CHARS = 60


@dataclass(frozen=True)
class ScanOutcome:
    """A code, its route and, for equipment the replica holds, its id and tag."""

    code: Code
    routed: Routed
    equipment_id: str | None = None
    tag: str | None = None

    @property
    def opens_equipment(self) -> bool:
        return self.equipment_id is not None

    def sentence(self) -> str:
        """The list's line for this code, in plain words."""
        route = self.routed.route
        if self.opens_equipment:
            return f"Equipment {self.tag}"
        if route is Route.ACCESS_TOKEN:
            return "Access pass"
        if route is Route.EQUIPMENT_LINK:
            return "Equipment link: this equipment is not in this replica."
        if route is Route.REFUSED:
            return f"Refused: {self.routed.reason}"
        text = self.routed.text or ""
        shown = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
        return f"Not an ArxOS code: {shown}"


def route_code(replica: Replica, code: Code, *, building_id: str | None) -> ScanOutcome:
    """The outcome of *code* against the replica (run on the replica worker)."""

    def lookup(tag: str) -> str | None:
        return equipment_id_for_tag(replica, tag, building_id=building_id)

    routed = classify(code.data, tag_lookup=lookup)
    if routed.equipment_id is None:
        return ScanOutcome(code, routed)
    tag = live_equipment_tag(replica, routed.equipment_id)
    if tag is None:
        return ScanOutcome(code, routed)
    return ScanOutcome(code, routed, equipment_id=routed.equipment_id, tag=tag)
