"""Dictated English notes → suggested field changes, on a table of real technician phrases.

Dates are read against Tuesday 1 December 2026; the building knows the tags below, and
EF-7 and BLR-1 (not in it) are caught by their usual equipment prefixes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from arxos_desktop.voice.numbers import read_number, spoken
from arxos_desktop.voice.parse_update import (
    ParsedUpdate,
    Reading,
    Suggestion,
    parse_update,
    suggestions,
)

TODAY = dt.date(2026, 12, 1)
KNOWN_TAGS = ("AHU-3", "AHU-1", "RTU-9", "VAV-101", "CH-2", "P-4")


def D(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


Row = tuple[str, str | None, str | None, list[tuple[str, float, str]], dt.date | None]
TABLE: list[Row] = [
    ("EF seven fifty five degrees", "EF-7", None, [("temperature", 55, "°F")], None),
    ("FCU twelve at forty percent", "FCU-12", None, [("percent", 40, "%")], None),
    ("EF one oh two needs service", "EF-102", "needs_service", [], None),
    ("AHU three filter dirty needs service", "AHU-3", "needs_service", [], None),
    (
        "ahu three supply air fifty five degrees return seventy two degrees",
        "AHU-3",
        None,
        [("supply air", 55, "°F"), ("return", 72, "°F")],
        None,
    ),
    ("RTU nine is down, compressor tripped", "RTU-9", "out_of_service", [], None),
    (
        "vav one oh one damper at forty percent back next tuesday",
        "VAV-101",
        None,
        [("damper", 40, "%")],
        D(12, 8),
    ),
    (
        "chiller CH-2 leaving water 44.5°F, entering 54°F",
        "CH-2",
        None,
        [("leaving water", 44.5, "°F"), ("entering", 54, "°F")],
        None,
    ),
    (
        "pump p four running normally, motor current twelve point five amps",
        "P-4",
        "operational",
        [("motor current", 12.5, "A")],
        None,
    ),
    (
        "EF-7 belt replaced, fan speed twelve hundred rpm",
        "EF-7",
        None,
        [("fan speed", 1200, "rpm")],
        None,
    ),
    ("decommissioned AHU-1 on 2027-01-15", "AHU-1", "decommissioned", [], D(1, 15, 2027)),
    (
        "AHU 3 static pressure one point two inches of water",
        "AHU-3",
        None,
        [("static pressure", 1.2, "inH2O")],
        None,
    ),
    (
        "discharge pressure two hundred ten psi suction sixty eight psi",
        None,
        None,
        [("discharge pressure", 210, "psi"), ("suction", 68, "psi")],
        None,
    ),
    ("voltage four eighty volts on all three phases", None, None, [("voltage", 480, "V")], None),
    ("room 101 humidity fifty five percent", None, None, [("humidity", 55, "%")], None),
    (
        "supply airflow two thousand five hundred cfm",
        None,
        None,
        [("supply airflow", 2500, "cfm")],
        None,
    ),
    ("was out of service, now back in service", None, "operational", [], None),
    ("not operational", None, "out_of_service", [], None),
    (
        "condenser water 85 f and 29 c",
        None,
        None,
        [("condenser water", 85, "°F"), ("temperature", 29, "°C")],
        None,
    ),
    ("needs repair on friday", None, "needs_service", [], D(12, 4)),
    ("a h u three two oh eight volts", "AHU-3", None, [("voltage", 208, "V")], None),
    ("RTU nine compressor tripped unit is down", "RTU-9", "out_of_service", [], None),
    (
        "AHU one running normally supply air fifty four degrees",
        "AHU-1",
        "operational",
        [("supply air", 54, "°F")],
        None,
    ),
    (
        "VAV one oh one damper stuck at one hundred percent needs repair",
        "VAV-101",
        "needs_service",
        [("percent", 100, "%")],
        None,
    ),
    (
        "CH two leaving chilled water forty four degrees entering fifty four degrees",
        "CH-2",
        None,
        [("leaving chilled water", 44, "°F"), ("entering", 54, "°F")],
        None,
    ),
    (
        "cooling tower fan motor drawing twenty two point four amps",
        None,
        None,
        [("fan motor", 22.4, "A")],
        None,
    ),
    ("exhaust fan EF seven belt replaced running fine", "EF-7", "operational", [], None),
    (
        "AHU three filter differential point eight inches of water needs a new filter",
        "AHU-3",
        "needs_service",
        [("filter differential", 0.8, "inH2O")],
        None,
    ),
    ("boiler BLR one decommissioned", "BLR-1", "decommissioned", [], None),
    ("supply fan speed eleven fifty rpm", None, None, [("supply fan speed", 1150, "rpm")], None),
    ("outside air damper thirty five percent", None, None, [("outside air damper", 35, "%")], None),
    (
        "space temperature twenty two degrees celsius",
        None,
        None,
        [("space temperature", 22, "°C")],
        None,
    ),
    (
        "return air humidity forty eight percent",
        None,
        None,
        [("return air humidity", 48, "%")],
        None,
    ),
    ("RTU nine back online after reset", "RTU-9", "operational", [], None),
    ("AHU one out of service until march third", "AHU-1", "out_of_service", [], D(3, 3, 2027)),
    ("follow up next monday", None, None, [], D(12, 7)),
    ("schedule service for the twenty first of january", None, None, [], D(1, 21, 2027)),
    ("check again in three days", None, None, [], D(12, 4)),
    (
        "chilled water supply 44°F return 56°F",
        None,
        None,
        [("chilled water supply", 44, "°F"), ("return", 56, "°F")],
        None,
    ),
    ("AHU-3 reading 3.2 kPa", "AHU-3", None, [("pressure", 3.2, "kPa")], None),
    ("airflow twelve thousand cfm at AHU one", "AHU-1", None, [("airflow", 12000, "cfm")], None),
    ("not running, tagged out", None, "out_of_service", [], None),
    (
        "VAV one oh one needs service on december fifteenth",
        "VAV-101",
        "needs_service",
        [],
        D(12, 15),
    ),
    ("due for service next week", None, "needs_service", [], D(12, 8)),
    (
        "ahu one leaking at the coil, needs maintenance tomorrow",
        "AHU-1",
        "needs_service",
        [],
        D(12, 2),
    ),
    (
        "hot water supply one hundred eighty degrees",
        None,
        None,
        [("hot water supply", 180, "°F")],
        None,
    ),
    (
        "pump P four operating normally, suction pressure minus two psi",
        "P-4",
        "operational",
        [("suction pressure", -2, "psi")],
        None,
    ),
    ("AHU three retired and removed", "AHU-3", "decommissioned", [], None),
    ("RTU 9 was down earlier now working again", "RTU-9", "operational", [], None),
    ("filter changed 2027-01-15 next service", None, None, [], D(1, 15, 2027)),
    ("AHU one noisy bearing", "AHU-1", None, [], None),
    ("oil pressure forty psig", None, None, [("oil pressure", 40, "psi")], None),
    ("duct static two inches of water", None, None, [("duct static", 2, "inH2O")], None),
    (
        "room one zero one temperature seventy one degrees",
        None,
        None,
        [("temperature", 71, "°F")],
        None,
    ),
]


@pytest.mark.parametrize(("phrase", "tag", "status", "readings", "date"), TABLE)
def test_a_technician_phrase_suggests_the_expected_changes(
    phrase: str,
    tag: str | None,
    status: str | None,
    readings: list[tuple[str, float, str]],
    date: dt.date | None,
) -> None:
    parsed = parse_update(phrase, today=TODAY, known_tags=KNOWN_TAGS)
    assert parsed.tag == tag
    assert parsed.status == status
    assert [(r.name, r.value, r.unit) for r in parsed.readings] == readings
    assert parsed.date == date


def test_the_table_is_long_enough_to_mean_something() -> None:
    assert len(TABLE) >= 40
    assert len({row[0] for row in TABLE}) == len(TABLE)


def test_a_known_tag_wins_over_digits_that_follow_it() -> None:
    parsed = parse_update("ahu three fifty five degrees", today=TODAY, known_tags=KNOWN_TAGS)
    assert parsed.tag == "AHU-3"
    assert parsed.readings == (Reading("temperature", 55.0, "°F", "temperature"),)


def test_nothing_to_suggest_in_a_plain_remark() -> None:
    assert parse_update("checked the plant room, all quiet", today=TODAY) == ParsedUpdate()
    assert suggestions(ParsedUpdate()) == []


def test_suggestions_read_as_sentences_in_order() -> None:
    parsed = parse_update(
        "AHU three needs service supply air fifty five degrees next tuesday",
        today=TODAY,
        known_tags=KNOWN_TAGS,
    )
    assert suggestions(parsed) == [
        Suggestion("status", "Set status to Needs service", "needs_service"),
        Suggestion(
            "reading",
            "Record supply air: 55 °F",
            Reading("supply air", 55.0, "°F", "temperature"),
        ),
        Suggestion("date", "Next service on Tue 8 Dec 2026", D(12, 8)),
    ]


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("fifty five point five", 55.5),
        ("two oh eight", 208),
        ("four eighty", 480),
        ("twelve hundred", 1200),
        ("two thousand five hundred", 2500),
        ("one hundred and five", 105),
        ("minus five", -5),
        ("point two five", 0.25),
        ("72.5", 72.5),
    ],
)
def test_numbers_are_read_as_technicians_say_them(said: str, value: float) -> None:
    tokens = said.split()
    assert read_number(tokens, 0) == (value, len(tokens))


def test_no_number_in_words_that_are_not_numbers() -> None:
    assert read_number(["point"], 0) is None
    assert read_number(["filter"], 0) is None
    assert read_number([], 0) is None


def test_tags_and_rooms_are_spoken_the_way_the_grammar_expects() -> None:
    assert spoken("AHU-3") == "ahu three"
    assert spoken("CH-12") == "ch twelve"
    assert spoken("101") == "one zero one"
    assert spoken("VAV-101") == "vav one zero one"
