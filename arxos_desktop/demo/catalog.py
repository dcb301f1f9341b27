"""The demo building's equipment list, as a facilities team would keep it.

Tags follow common US practice (AHU-1, VAV-101, LP-1A, FACP-1, CR-101). The
list is two tables: equipment *kinds* (system, type, make, model, nameplate
data) and the *units* installed (tag, name, kind, room, install year, status),
so it reads like an equipment schedule. A room is (level, room number);
rooftop units have neither. Serial numbers, install days and ids are added by
the generator from a seeded generator.

The tables are kept out of the formatter's reach (``fmt: off``): one row per
line is what makes them reviewable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.schema import EquipmentStatus, System

OK = EquipmentStatus.OPERATIONAL
SERVICE = EquipmentStatus.NEEDS_SERVICE
DOWN = EquipmentStatus.OUT_OF_SERVICE
RETIRED = EquipmentStatus.DECOMMISSIONED
H, E, P, M = System.HVAC, System.ELECTRICAL, System.PLUMBING, System.MECHANICAL
F, S, X = System.FIRE, System.SECURITY, System.OTHER


@dataclass(frozen=True)
class Item:
    """One piece of equipment; ``level`` and ``room`` are None for rooftop units."""

    tag: str
    name: str
    system: System
    type: str
    maker: str
    model: str
    level: int | None
    room: str | None
    year: int
    props: dict[str, Any] = field(default_factory=dict)
    status: EquipmentStatus = OK


Kind = tuple[System, str, str, str, dict[str, Any]]
V480 = {"voltage": "480V", "phase": 3}
V208 = {"voltage": "208V", "phase": 3}

# fmt: off
#: Equipment kinds: key → (system, type, manufacturer, model, nameplate properties).
KINDS: dict[str, Kind] = {
    "chiller": (H, "Water-cooled chiller", "Trane", "RTHD-250",
                {"tons": 250, "refrigerant": "R-134a", **V480}),
    "boiler": (H, "Condensing boiler", "Lochinvar", "FTXL FBN1500",
               {"mbh": 1500, "fuel": "natural gas", "efficiency_pct": 96}),
    "old_boiler": (H, "Fire-tube boiler", "Cleaver-Brooks", "CB-700-100",
                   {"mbh": 3348, "fuel": "natural gas"}),
    "tower": (H, "Induced-draft cooling tower", "Baltimore Aircoil", "Series 3000 S3E-1020",
              {"tons": 300, "fan_hp": 25, **V480}),
    "roof_fan": (H, "Roof exhaust fan", "Greenheck", "G-143-VG", {"cfm": 3200, "hp": 1.5, **V208}),
    "roof_fan_big": (H, "Roof exhaust fan", "Greenheck", "CUBE-240-15",
                     {"cfm": 6500, "hp": 3, **V480}),
    "hood_fan": (H, "Utility exhaust fan", "Greenheck", "USF-15", {"cfm": 2400, "hp": 1, **V208}),
    "inline_fan": (H, "Inline exhaust fan", "Greenheck", "SQ-160-VG", {"cfm": 1800, "hp": 0.75}),
    "ahu_large": (H, "VAV air handler", "Trane", "Performance Climate Changer CSAA030",
                  {"cfm": 18000, "supply_fan_hp": 25, "filter": "MERV 14", **V480}),
    "ahu_medium": (H, "VAV air handler", "Trane", "Performance Climate Changer CSAA025",
                   {"cfm": 15000, "supply_fan_hp": 20, "filter": "MERV 14", **V480}),
    "doas": (H, "100% outdoor air unit", "Daikin", "Vision CAH021",
             {"cfm": 6000, "energy_recovery": "wheel", "filter": "MERV 14", **V480}),
    "vav": (H, "VAV terminal with hot-water reheat", "Titus", "DESV 8in", {"inlet_in": 8}),
    "split": (H, "Ductless split fan coil", "Mitsubishi", "PKA-A24KA7",
              {"cooling_btuh": 24000, "voltage": "208V", "phase": 1}),
    "split_daikin": (H, "Ductless split fan coil", "Daikin", "FXAQ24PVJU",
                     {"cooling_btuh": 24000, "voltage": "208V", "phase": 1}),
    "crac": (H, "In-row cooling unit", "Vertiv", "Liebert CRV CR035", {"cooling_kw": 35, **V480}),
    "cuh": (H, "Cabinet unit heater", "Trane", "Force Flo FFCB 06", {"mbh": 40}),
    "unit_heater": (H, "Electric unit heater", "Modine", "HER-5", {"kw": 5, **V208}),
    "pump_chw": (M, "Base-mounted pump", "Bell & Gossett", "e-1510 4BC",
                 {"gpm": 600, "head_ft": 85, "hp": 20, "vfd": True}),
    "pump_cw": (M, "Base-mounted pump", "Bell & Gossett", "e-1510 5E",
                {"gpm": 750, "head_ft": 70, "hp": 25}),
    "pump_hw": (M, "Base-mounted pump", "Bell & Gossett", "e-1510 3AD",
                {"gpm": 240, "head_ft": 60, "hp": 7.5, "vfd": True}),
    "exp_tank": (M, "Expansion tank", "Amtrol", "AX-120V", {"gallons": 120, "precharge_psi": 12}),
    "med_air": (M, "Medical air compressor package", "BeaconMedaes", "Lifeline MSD-10",
                {"scfm": 42, "hp": 10, **V480}),
    "med_vac": (M, "Medical vacuum package", "BeaconMedaes", "Lifeline Claw 7.5",
                {"scfm": 56, "hp": 7.5, **V480}),
    "water_heater": (P, "Gas water heater", "A. O. Smith", "Cyclone BTH-199",
                     {"gallons": 100, "mbh": 199, "setpoint_f": 140}),
    "booster": (P, "Booster pump package", "Grundfos", "Hydro MPC-E 3 CRE 10-3",
                {"gpm": 180, "boost_psi": 45}),
    "rpz": (P, "Reduced-pressure backflow assembly", "Watts", "LF909-4", {"size_in": 4}),
    "recirc": (P, "Inline circulator", "Bell & Gossett", "ecocirc XL 20-35", {"gpm": 12}),
    "sump": (P, "Submersible sump pump", "Zoeller", "M267", {"hp": 0.5, "oil_sensing": True}),
    "tmv": (P, "Thermostatic mixing valve", "Leonard", "TM-520B", {"setpoint_f": 110}),
    "interceptor": (P, "Grease interceptor", "Schier", "GB-75", {"gpm": 75}),
    "ewc": (P, "Bi-level water cooler", "Elkay", "LZSTL8WSLK", {"bottle_filler": True}),
    "fire_pump": (F, "Horizontal split-case fire pump", "Aurora", "481-BF",
                  {"gpm": 750, "psi": 90, "hp": 75, **V480}),
    "jockey": (F, "Pressure maintenance pump", "Grundfos", "CR 3-25", {"gpm": 10, "hp": 3}),
    "fp_ctrl": (F, "Fire pump controller", "Tornatech", "GPX-480", {"starting": "full voltage"}),
    "riser": (F, "Wet-pipe sprinkler riser", "Viking", "Model J-1 6in", {"size_in": 6}),
    "dcva": (F, "Double-check backflow assembly", "Ames", "Colt C300N 6in", {"size_in": 6}),
    "fcv": (F, "Floor control assembly", "Victaulic", "FireLock 747M 4in", {"size_in": 4}),
    "facp": (F, "Addressable fire alarm control panel", "Notifier", "NFS2-3030",
             {"loops": 4, "devices": 412}),
    "annunciator": (F, "Remote annunciator", "Notifier", "NCA-2", {}),
    "smoke": (F, "Addressable smoke detector", "Notifier", "FSP-951", {"type": "photoelectric"}),
    "duct_smoke": (F, "Duct smoke detector", "System Sensor", "D4120", {"type": "photoelectric"}),
    "generator": (E, "Diesel generator", "Caterpillar", "C15 500 kW",
                  {"kw": 500, "fuel": "diesel", "tank_gal": 660, **V480}),
    "ats": (E, "Automatic transfer switch", "ASCO", "7000 Series", {"transition": "open"}),
    "switchboard": (E, "Switchboard", "Square D", "QED-2 2000A",
                    {"amps": 2000, "voltage": "480Y/277V", "phase": 3, "aic_ka": 65}),
    "hv_panel": (E, "Panelboard", "Square D", "I-Line HCP",
                 {"amps": 400, "voltage": "480Y/277V", "circuits": 42}),
    "lv_panel": (E, "Panelboard", "Square D", "NQ 225A",
                 {"amps": 225, "voltage": "208Y/120V", "circuits": 42}),
    "xfmr": (E, "Dry-type transformer", "Eaton", "DS-3 112.5 kVA",
             {"kva": 112.5, "primary": "480V", "secondary": "208Y/120V"}),
    "ups": (E, "Double-conversion UPS", "Eaton", "9PX 22kVA", {"kva": 22, "runtime_min": 14}),
    "pdu": (E, "Power distribution unit", "Eaton", "ePDU G3 EMAT20-30", {"amps": 30}),
    "acp": (S, "Access controller", "HID", "VertX V1000", {"doors": 16}),
    "nvr": (S, "Network video recorder", "Axis", "S1148 24 TB", {"retention_days": 30}),
    "reader": (S, "Card reader", "HID", "iCLASS SE RK40", {"format": "iCLASS SE"}),
    "camera": (S, "Fixed dome camera", "Axis", "P3265-LV", {"resolution": "1080p", "poe": True}),
    "elevator": (X, "Traction elevator", "Otis", "Gen2 Comfort",
                 {"capacity_lb": 3500, "speed_fpm": 200, "stops": 4}),
    "nurse_call": (X, "Nurse call system", "Rauland", "Responder 5", {"stations": 24}),
    "bas": (X, "Supervisory controller", "Siemens", "Desigo PXC100", {"protocol": "BACnet/IP"}),
}

#: Installed units: (tag, name, kind, level, room, install year, status[, extra properties]).
Unit = tuple[Any, ...]
UNITS: tuple[Unit, ...] = (
    ("CH-1", "Chiller 1", "chiller", 0, "001", 2009, OK),
    ("CH-2", "Chiller 2", "chiller", 0, "001", 2009, DOWN),
    ("B-1", "Boiler 1", "boiler", 0, "001", 2019, OK),
    ("B-2", "Boiler 2", "boiler", 0, "001", 2019, OK),
    ("B-3", "Boiler 3 (original, abandoned in place)", "old_boiler", 0, "001", 2008, RETIRED),
    ("P-1", "Chilled water pump 1", "pump_chw", 0, "001", 2009, OK),
    ("P-2", "Chilled water pump 2", "pump_chw", 0, "001", 2009, OK),
    ("P-3", "Condenser water pump 1", "pump_cw", 0, "001", 2009, OK),
    ("P-4", "Condenser water pump 2", "pump_cw", 0, "001", 2016, SERVICE),
    ("P-5", "Heating water pump 1", "pump_hw", 0, "001", 2009, OK),
    ("P-6", "Heating water pump 2", "pump_hw", 0, "001", 2009, OK),
    ("ET-1", "Heating water expansion tank", "exp_tank", 0, "001", 2009, OK),
    ("AC-1", "Medical air compressor", "med_air", 0, "001", 2010, OK),
    ("VP-1", "Medical vacuum pump", "med_vac", 0, "001", 2010, OK),
    ("WH-1", "Domestic water heater 1", "water_heater", 0, "001", 2014, OK),
    ("WH-2", "Domestic water heater 2", "water_heater", 0, "001", 2014, SERVICE),
    ("DBP-1", "Domestic booster pump", "booster", 0, "001", 2009, OK),
    ("BFP-1", "Domestic backflow preventer", "rpz", 0, "001", 2009, OK),
    ("RCP-1", "Hot water recirculation pump", "recirc", 0, "001", 2018, OK),
    ("CT-1", "Cooling tower", "tower", None, None, 2009, OK),
    ("EF-1", "Restroom exhaust fan", "roof_fan", None, None, 2009, OK),
    ("EF-2", "General exhaust fan", "roof_fan_big", None, None, 2009, SERVICE),
    ("FP-1", "Fire pump", "fire_pump", 0, "002", 2009, OK),
    ("JP-1", "Jockey pump", "jockey", 0, "002", 2009, OK),
    ("FPC-1", "Fire pump controller", "fp_ctrl", 0, "002", 2009, OK),
    ("SR-1", "Main sprinkler riser", "riser", 0, "002", 2009, OK),
    ("BFP-2", "Fire service backflow preventer", "dcva", 0, "002", 2009, OK),
    ("UH-1", "Fire pump room unit heater", "unit_heater", 0, "002", 2009, OK),
    ("GEN-1", "Emergency generator", "generator", 0, "003", 2009, OK),
    ("ATS-1", "Life-safety transfer switch", "ats", 0, "003", 2009, OK, {"amps": 400}),
    ("ATS-2", "Equipment transfer switch", "ats", 0, "003", 2009, OK, {"amps": 800}),
    ("UH-2", "Generator room unit heater", "unit_heater", 0, "003", 2009, OK, {"kw": 7.5}),
    ("MDP-1", "Main distribution switchboard", "switchboard", 0, "004", 2009, OK),
    ("HP-G", "Ground floor 480 V panel", "hv_panel", 0, "004", 2009, OK),
    ("EP-1", "Life-safety panel", "lv_panel", 0, "004", 2009, OK),
    ("EP-2", "Equipment branch panel", "hv_panel", 0, "004", 2009, OK),
    ("FCU-4", "Imaging equipment room cooling", "split_daikin", 0, "005", 2020, OK),
    ("TMV-1", "Restroom mixing valve", "tmv", 0, "006", 2012, OK),
    ("CUH-1", "Lobby entrance cabinet heater", "cuh", 0, "007", 2009, SERVICE),
    ("FAA-1", "Fire alarm annunciator", "annunciator", 0, "007", 2016, OK),
    ("FACP-1", "Fire alarm control panel", "facp", 0, "008", 2016, OK),
    ("ACP-1", "Access control panel", "acp", 0, "008", 2020, OK),
    ("NVR-1", "Video recorder", "nvr", 0, "008", 2021, OK),
    ("EF-3", "Café hood exhaust fan", "hood_fan", 0, "011", 2009, OK),
    ("GI-1", "Grease interceptor", "interceptor", 0, "011", 2016, OK),
    ("CUH-2", "Stair 1 cabinet heater", "cuh", 0, "ST1", 2009, OK, {"mbh": 20}),
    ("ELEV-1", "Passenger elevator 1", "elevator", 0, "EL1", 2009, OK),
    ("ELEV-2", "Stretcher elevator 2", "elevator", 0, "EL1", 2009, DOWN, {"capacity_lb": 4500}),
    ("SP-1", "Elevator pit sump pump", "sump", 0, "EL1", 2015, OK),
    ("NCS-1", "Nurse call master station", "nurse_call", 1, "107", 2013, OK),
    ("AHU-1", "Air handling unit 1 (Ground, Level 1)", "ahu_large", 3, "301", 2009, SERVICE),
    ("AHU-2", "Air handling unit 2 (Levels 2, 3)", "ahu_medium", 3, "301", 2009, OK),
    ("AHU-3", "Dedicated outdoor air unit (clinical)", "doas", 3, "301", 2017, OK),
    ("EF-4", "Mechanical room exhaust fan", "inline_fan", 3, "301", 2009, OK),
    ("HP-3", "Mechanical 480 V panel", "hv_panel", 3, "301", 2009, OK, {"amps": 600}),
    ("BAS-1", "Building automation controller", "bas", 3, "301", 2019, OK),
    ("DSD-1", "Duct smoke detector, AHU-1", "duct_smoke", 3, "301", 2016, OK),
    ("DSD-2", "Duct smoke detector, AHU-2", "duct_smoke", 3, "301", 2016, OK),
    ("DSD-3", "Duct smoke detector, AHU-3", "duct_smoke", 3, "301", 2017, OK),
    ("CRAC-1", "Server room cooling unit", "crac", 3, "302", 2017, OK),
    ("UPS-1", "Server room UPS", "ups", 3, "302", 2018, OK, {"battery_replaced": "2022-03"}),
    ("PDU-1", "Server room PDU", "pdu", 3, "302", 2018, OK),
)

#: VAV boxes: tag → (level, room it sits in, rooms it serves).
VAVS: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "VAV-001": (0, "005", ("005",)), "VAV-002": (0, "005", ("005",)),
    "VAV-003": (0, "007", ("007",)), "VAV-004": (0, "010", ("010",)),
    "VAV-005": (0, "011", ("011",)), "VAV-006": (0, "012", ("012",)),
    "VAV-007": (0, "012", ("012", "C002")), "VAV-008": (0, "008", ("008", "009")),
    "VAV-101": (1, "101", ("101", "102")), "VAV-102": (1, "103", ("103",)),
    "VAV-103": (1, "104", ("104",)), "VAV-104": (1, "105", ("105",)),
    "VAV-105": (1, "105", ("105",)), "VAV-106": (1, "107", ("107", "106")),
    "VAV-107": (1, "110", ("110",)), "VAV-108": (1, "110", ("110", "C102")),
    "VAV-109": (1, "111", ("111",)),
    "VAV-201": (2, "201", ("201",)), "VAV-202": (2, "201", ("201",)),
    "VAV-203": (2, "202", ("202",)), "VAV-204": (2, "203", ("203",)),
    "VAV-205": (2, "204", ("204", "205")), "VAV-206": (2, "207", ("207", "206")),
    "VAV-207": (2, "210", ("210",)), "VAV-208": (2, "211", ("211", "C202")),
    "VAV-301": (3, "303", ("303",)), "VAV-302": (3, "304", ("304",)),
    "VAV-303": (3, "306", ("306", "305")), "VAV-304": (3, "309", ("309",)),
    "VAV-305": (3, "309", ("309",)), "VAV-306": (3, "310", ("310",)),
    "VAV-307": (3, "C301", ("C301", "C302")),
}

#: Smoke detectors: tag → (level, room).
SMOKE_DETECTORS: dict[str, tuple[int, str]] = {
    "SD-001": (0, "C001"), "SD-002": (0, "C001"), "SD-003": (0, "C002"), "SD-004": (0, "C002"),
    "SD-005": (0, "004"),
    "SD-101": (1, "C101"), "SD-102": (1, "C101"), "SD-103": (1, "C102"), "SD-104": (1, "108"),
    "SD-201": (2, "C201"), "SD-202": (2, "C201"), "SD-203": (2, "C202"), "SD-204": (2, "208"),
    "SD-301": (3, "C301"), "SD-302": (3, "C301"), "SD-303": (3, "C302"), "SD-304": (3, "302"),
    "SD-305": (3, "307"),
}

#: Card readers and cameras: tag → (level, room, door or view as used mid-sentence).
CARD_READERS: dict[str, tuple[int, str, str]] = {
    "CR-001": (0, "007", "main entrance"), "CR-002": (0, "009", "IT closet"),
    "CR-003": (0, "010", "pharmacy"), "CR-004": (0, "001", "central plant"),
    "CR-101": (1, "109", "IT closet"), "CR-102": (1, "107", "medication room"),
    "CR-201": (2, "209", "IT closet"), "CR-202": (2, "207", "clinical work room"),
    "CR-301": (3, "302", "server room"), "CR-302": (3, "303", "medical records"),
}
CAMERAS: dict[str, tuple[int, str, str]] = {
    "CAM-01": (0, "007", "main entrance"), "CAM-02": (0, "007", "lobby elevators"),
    "CAM-03": (0, "010", "pharmacy counter"), "CAM-04": (0, "C001", "north corridor"),
    "CAM-05": (0, "C002", "south corridor"), "CAM-06": (1, "110", "Level 1 reception"),
    "CAM-07": (1, "C101", "Level 1 corridor"), "CAM-08": (2, "C201", "Level 2 corridor"),
    "CAM-09": (3, "C301", "Level 3 corridor"),
}
# fmt: on

#: Per floor: level → (code used in tags, electrical room, IT closet or None).
FLOOR_ROOMS: dict[int, tuple[str, str, str | None]] = {
    0: ("G", "004", "009"),
    1: ("1", "108", "109"),
    2: ("2", "208", "209"),
    3: ("3", "307", None),
}

#: Units whose status differs from operational among the repeated devices.
DEVICE_STATUS: dict[str, EquipmentStatus] = {"SD-203": SERVICE, "CR-202": DOWN, "CAM-05": SERVICE}


def _item(
    tag: str,
    name: str,
    kind: str,
    level: int | None,
    room: str | None,
    year: int,
    status: EquipmentStatus = OK,
    extra: dict[str, Any] | None = None,
) -> Item:
    """An :class:`Item` from a row of :data:`UNITS` (or a generated device)."""
    system, type_, maker, model, props = KINDS[kind]
    merged = {**props, **(extra or {})}
    return Item(tag, name, system, type_, maker, model, level, room, year, merged, status)


def _per_floor() -> list[Item]:
    """Per-floor distribution, IT closet cooling, water coolers and sprinkler valves."""
    items: list[Item] = []
    for level, (code, elec, it_room) in FLOOR_ROOMS.items():
        items.append(_item(f"XFMR-{code}", f"Transformer {code}", "xfmr", level, elec, 2009))
        for side in "AB":
            name = f"Lighting and receptacle panel {code}{side}"
            items.append(_item(f"LP-{code}{side}", name, "lv_panel", level, elec, 2009))
        corridor = f"C{level}01"
        items.append(_item(f"EWC-{level + 1}", "Drinking fountain", "ewc", level, corridor, 2012))
        items.append(_item(f"FCV-{code}", "Floor control valve", "fcv", level, "ST1", 2009))
        if it_room is not None:
            unit = f"FCU-{level + 1}"
            items.append(_item(unit, "IT closet cooling unit", "split", level, it_room, 2011))
    return items


def _devices() -> list[Item]:
    """Repeated field devices: VAV boxes, smoke detectors, card readers, cameras."""
    items: list[Item] = []
    for tag, (level, room, served) in VAVS.items():
        cfm = 300 + 150 * len(served) + 50 * (int(tag[-1]) % 4)
        flow = {"cfm_max": cfm, "cfm_min": cfm // 3}
        name = f"VAV box serving {', '.join(served)}"
        items.append(_item(tag, name, "vav", level, room, 2009, OK, flow))
    for tag, (level, room) in SMOKE_DETECTORS.items():
        status = DEVICE_STATUS.get(tag, OK)
        address = {"address": f"L1D{tag[-3:]}"}
        items.append(_item(tag, "Smoke detector", "smoke", level, room, 2016, status, address))
    for tag, (level, room, door) in CARD_READERS.items():
        status = DEVICE_STATUS.get(tag, OK)
        name = f"Card reader, {door}"
        items.append(_item(tag, name, "reader", level, room, 2020, status, {"door": door}))
    for tag, (level, room, view) in CAMERAS.items():
        status = DEVICE_STATUS.get(tag, OK)
        name = f"Camera, {view}"
        items.append(_item(tag, name, "camera", level, room, 2021, status, {"view": view}))
    return items


def catalog() -> list[Item]:
    """Every piece of equipment in the demo building, in a fixed order."""
    items = [_item(*unit) for unit in UNITS]
    items += _per_floor()
    items += _devices()
    tags = [item.tag for item in items]
    if len(tags) != len(set(tags)):
        raise ValueError("duplicate equipment tag in the demo catalog")
    return items
