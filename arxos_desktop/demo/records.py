"""How the demo building's systems connect, and its open work, notes and plan markups.

Kept apart from the generator so the building's "story" (a chiller down, a
lift out, a fire inspection due) can be read and edited as plain data. Rooms
are (level, number); equipment is by tag.
"""

from __future__ import annotations

from typing import Final

from sync.schema import AnnotationKind, ConnectionKind, Priority, WorkOrderStatus

FEEDS, SERVES = ConnectionKind.FEEDS, ConnectionKind.SERVES
POWERS, CONTROLS = ConnectionKind.POWERS, ConnectionKind.CONTROLS
Target = str | tuple[int, str]


def _fan_out(
    source: str, kind: ConnectionKind, *targets: Target
) -> list[tuple[str, ConnectionKind, Target]]:
    return [(source, kind, target) for target in targets]


def wiring() -> list[tuple[str, ConnectionKind, Target]]:
    """Plant, air, power, fire, security and plumbing links (VAVs and devices are added
    by the generator from the catalogue)."""
    links: list[tuple[str, ConnectionKind, Target]] = []
    add = links.extend
    # Chilled, condenser and heating water.
    add(_fan_out("CT-1", FEEDS, "P-3", "P-4"))
    add(_fan_out("P-3", FEEDS, "CH-1"))
    add(_fan_out("P-4", FEEDS, "CH-2"))
    for chiller in ("CH-1", "CH-2"):
        add(_fan_out(chiller, FEEDS, "P-1", "P-2"))
    for boiler in ("B-1", "B-2"):
        add(_fan_out(boiler, FEEDS, "P-5", "P-6"))
    for pump in ("P-1", "P-2"):
        add(_fan_out(pump, FEEDS, "AHU-1", "AHU-2", "AHU-3"))
    for pump in ("P-5", "P-6"):
        add(_fan_out(pump, FEEDS, "AHU-1", "AHU-2", "AHU-3", "CUH-1", "CUH-2"))
    # Air: AHUs straight to rooms, exhaust, local cooling and heating.
    add(_fan_out("AHU-1", SERVES, (0, "C001"), (1, "C101")))
    add(_fan_out("AHU-2", SERVES, (2, "C201")))
    add(_fan_out("AHU-3", SERVES, (0, "005"), (0, "010"), (1, "104"), (2, "202"), (2, "203")))
    add(_fan_out("EF-1", SERVES, (0, "006"), (1, "106"), (2, "206"), (3, "305")))
    add(_fan_out("EF-2", SERVES, (0, "005"), (0, "010"), (1, "104"), (2, "207")))
    add(_fan_out("EF-3", SERVES, (0, "011")))
    add(_fan_out("EF-4", SERVES, (3, "301")))
    for unit, room in (
        ("FCU-1", (0, "009")),
        ("FCU-2", (1, "109")),
        ("FCU-3", (2, "209")),
        ("FCU-4", (0, "005")),
        ("CRAC-1", (3, "302")),
        ("CUH-1", (0, "007")),
        ("CUH-2", (0, "ST1")),
        ("UH-1", (0, "002")),
        ("UH-2", (0, "003")),
        ("TMV-1", (0, "006")),
    ):
        add(_fan_out(unit, SERVES, room))
    add(_fan_out("AC-1", SERVES, (1, "104"), (2, "203")))
    add(_fan_out("VP-1", SERVES, (1, "101"), (1, "102"), (1, "103"), (1, "104")))
    add(_fan_out("NCS-1", SERVES, (1, "101"), (1, "102"), (1, "103"), (1, "104")))
    # Power: utility → MDP → transformers and panels; generator via the two ATSs.
    add(_fan_out("MDP-1", POWERS, "ATS-1", "ATS-2", "HP-G", "HP-3", "CH-1", "CH-2"))
    add(_fan_out("MDP-1", POWERS, "FPC-1", "ELEV-1", "ELEV-2"))
    add(_fan_out("MDP-1", FEEDS, "XFMR-G", "XFMR-1", "XFMR-2", "XFMR-3"))
    add(_fan_out("GEN-1", POWERS, "ATS-1", "ATS-2"))
    add(_fan_out("ATS-1", POWERS, "EP-1"))
    add(_fan_out("ATS-2", POWERS, "EP-2"))
    for code in ("G", "1", "2", "3"):
        add(_fan_out(f"XFMR-{code}", FEEDS, f"LP-{code}A", f"LP-{code}B"))
    add(_fan_out("EP-1", POWERS, "FACP-1", "ACP-1", "NVR-1"))
    add(_fan_out("EP-2", POWERS, "UPS-1", "AC-1", "VP-1", "B-1", "B-2", "SP-1", "DBP-1"))
    add(_fan_out("HP-G", POWERS, "P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "JP-1", "UH-2"))
    add(_fan_out("HP-3", POWERS, "AHU-1", "AHU-2", "AHU-3", "CT-1", "EF-2", "CRAC-1"))
    add(_fan_out("LP-GB", POWERS, "FCU-1", "FCU-4", "EF-3", "UH-1", "WH-1", "WH-2", "RCP-1"))
    add(_fan_out("LP-GB", POWERS, "CUH-1", "CUH-2", "EWC-1"))
    add(_fan_out("LP-1B", POWERS, "FCU-2", "EWC-2", "NCS-1"))
    add(_fan_out("LP-2B", POWERS, "FCU-3", "EWC-3"))
    add(_fan_out("LP-3B", POWERS, "EF-1", "EF-4", "BAS-1", "EWC-4"))
    add(_fan_out("UPS-1", POWERS, "PDU-1"))
    # Controls: fire alarm, fire pump, building automation.
    add(_fan_out("FACP-1", CONTROLS, "FAA-1", "ELEV-1", "ELEV-2"))
    for n in (1, 2, 3):
        add(_fan_out(f"DSD-{n}", CONTROLS, f"AHU-{n}"))
    add(_fan_out("FPC-1", CONTROLS, "FP-1", "JP-1"))
    add(_fan_out("BAS-1", CONTROLS, "AHU-1", "AHU-2", "AHU-3", "CH-1", "CH-2", "B-1", "B-2"))
    add(_fan_out("BAS-1", CONTROLS, "CT-1", "CRAC-1"))
    # Water: fire service and domestic.
    add(_fan_out("BFP-2", FEEDS, "FP-1", "JP-1"))
    add(_fan_out("FP-1", FEEDS, "SR-1"))
    add(_fan_out("JP-1", FEEDS, "SR-1"))
    add(_fan_out("SR-1", FEEDS, "FCV-G", "FCV-1", "FCV-2", "FCV-3"))
    add(_fan_out("BFP-1", FEEDS, "DBP-1"))
    add(_fan_out("DBP-1", FEEDS, "WH-1", "WH-2", "EWC-1", "EWC-2", "EWC-3", "EWC-4"))
    add(_fan_out("WH-1", FEEDS, "TMV-1"))
    add(_fan_out("WH-2", FEEDS, "TMV-1"))
    add(_fan_out("RCP-1", FEEDS, "WH-1", "WH-2"))
    return links


P, S = Priority, WorkOrderStatus

# fmt: off
#: (equipment tag, title, description, priority, status, assignee, due date).
WORK_ORDERS: Final[tuple[tuple[str, str, str, Priority, WorkOrderStatus, str, str], ...]] = (
    ("CH-2", "Chiller 2 tripped on high motor temperature",
     "CH-2 locked out after repeated high motor winding temperature trips. Trane to "
     "megger the motor and check the oil return. Run CH-1 alone until cleared.",
     P.URGENT, S.ON_HOLD, "Trane Service (ticket 48213)", "2026-11-06"),
    ("ELEV-2", "Elevator 2 door operator fault",
     "Car 2 doors reopen and time out on Level 2. Car out of service; stretcher moves "
     "use car 1. Otis to replace the door operator belt.",
     P.URGENT, S.IN_PROGRESS, "Otis Elevator", "2026-11-04"),
    ("AHU-1", "Replace filters and re-tension supply fan belts",
     "Final filter pressure drop at 0.9 in. w.c. (change at 1.0). Replace MERV 14 bank "
     "(24 x 24 x 12, qty 12) and re-tension belts; note the sticking access panel.",
     P.HIGH, S.IN_PROGRESS, "M. Alvarez", "2026-11-12"),
    ("P-4", "Mechanical seal leak, condenser water pump 2",
     "Steady drip at the seal; replace the mechanical seal kit and check alignment.",
     P.HIGH, S.OPEN, "J. Chen", "2026-11-18"),
    ("FACP-1", "Annual fire alarm inspection and test (NFPA 72)",
     "Full device test, battery load test and sequence verification with the AHJ witness.",
     P.NORMAL, S.OPEN, "Tri-County Fire Protection", "2026-12-01"),
    ("FP-1", "Annual fire pump flow test (NFPA 25)",
     "Flow test at 100% and 150% of rated; record suction and discharge pressures.",
     P.NORMAL, S.OPEN, "Tri-County Fire Protection", "2026-11-20"),
    ("WH-2", "Flush water heater 2 and replace anode",
     "Sediment noise on firing. Drain and flush, inspect the anode, verify 140 F setpoint.",
     P.NORMAL, S.OPEN, "K. Okafor", "2026-11-25"),
    ("CR-202", "Card reader offline after power outage",
     "Reader at the clinical work room shows red LED only; check the ACP-1 port and "
     "re-enrol the reader. Door held by a guard until fixed.",
     P.HIGH, S.IN_PROGRESS, "Harbor Security", "2026-11-03"),
    ("CAM-05", "South corridor camera image out of focus",
     "Clean the dome and refocus; footage since October is blurred.",
     P.LOW, S.OPEN, "Harbor Security", "2026-12-15"),
    ("EF-2", "Bearing noise on general exhaust fan",
     "Roof fan EF-2 grinding at start-up. Replace bearings; parts on order.",
     P.HIGH, S.ON_HOLD, "J. Chen", "2026-11-30"),
    ("CT-1", "Winterize cooling tower",
     "Drain the basin, verify the heat trace and the basin heater, lock out the make-up.",
     P.NORMAL, S.OPEN, "M. Alvarez", "2026-11-15"),
    ("UPS-1", "Replace UPS battery string",
     "Battery test shows 62% capacity; replace the internal string (end of life).",
     P.HIGH, S.OPEN, "Eaton Service", "2026-12-10"),
    ("GEN-1", "Monthly generator load test",
     "30-minute run at 40% load via ATS-2 transfer. Completed; log attached to the BAS.",
     P.NORMAL, S.DONE, "K. Okafor", "2026-11-02"),
    ("SD-203", "Smoke detector in trouble (dirty chamber)",
     "Replaced the detector head; panel trouble cleared.",
     P.NORMAL, S.DONE, "Tri-County Fire Protection", "2026-11-01"),
)

#: (target: equipment tag, room (level, number) or None for the building, text).
NOTES: Final[tuple[tuple[str | tuple[int, str] | None, str], ...]] = (
    (None, "Main domestic water shut-off is in the Central Plant (001), north wall, "
           "left of BFP-1. Gas shut-off is outside at the east meter bank."),
    ((0, "001"), "Central Plant key is in the lock box at Security (008), box 4."),
    ("AHU-1", "Filter access panel latch is bent; open the side door instead."),
    ("CH-2", "Trane ticket 48213 open. Do not reset the chiller; it is locked out on purpose."),
    ("GEN-1", "Fuel delivered 2026-10-02; day tank full, main tank at 92%."),
    ((3, "ST2"), "Roof access is through the hatch at the top of Stair 2; harness required."),
    ("B-3", "Original boiler, abandoned in place in 2019. Gas line capped; do not remove "
            "the tag until the asbestos survey of the breeching is done."),
)
# fmt: on

#: Markups on floor plans: level → (equipment tag, kind, text).
PLAN_NOTES: Final[dict[int, tuple[tuple[str, AnnotationKind, str], ...]]] = {
    0: (
        ("CH-2", AnnotationKind.PIN, "Locked out - see work order (Trane ticket 48213)"),
        ("FP-1", AnnotationKind.RECTANGLE, "Keep 1 m clear in front of the fire pump"),
    ),
    3: (("AHU-1", AnnotationKind.PIN, "Filter access panel sticks"),),
}
