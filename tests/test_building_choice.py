"""Which building a window moves to when the one on screen leaves the device."""

from __future__ import annotations

from arxos_desktop.access.scope import PassScope
from arxos_desktop.store import Replica
from arxos_desktop.store.building_choice import BuildingChoice, choose_building
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.rescope import finish_rescope


def three_buildings(replica: Replica) -> tuple[str, str, str]:
    return (
        create_building(replica, name="Cedar House").id,
        create_building(replica, name="Alder Court").id,
        create_building(replica, name="Birch Hall").id,
    )


def test_the_building_on_screen_is_kept_while_the_device_holds_it(replica: Replica) -> None:
    cedar, alder, _birch = three_buildings(replica)
    assert choose_building(replica, current=cedar, preferred=[alder]) == BuildingChoice(
        cedar, "Cedar House", kept=True
    )


def test_a_building_that_left_gives_way_to_the_preferred_one_still_held(replica: Replica) -> None:
    cedar, alder, birch = three_buildings(replica)
    with replica.conn:
        replica.conn.execute("DELETE FROM outbox")  # synced long ago
    finish_rescope(replica, cedar, set(), None)  # its grant was revoked: all of it left
    chosen = choose_building(replica, current=cedar, preferred=[None, "gone-too", birch])
    assert chosen == BuildingChoice(birch, "Birch Hall", kept=False)
    # Nothing preferred is left: the first by name.
    chosen = choose_building(replica, current=cedar, preferred=[cedar])
    assert chosen == BuildingChoice(alder, "Alder Court", kept=False)


def test_a_leaving_building_is_never_chosen_while_its_rows_are_still_here(
    replica: Replica,
) -> None:
    cedar, alder, birch = three_buildings(replica)
    chosen = choose_building(replica, current=cedar, preferred=[cedar], excluded={cedar, alder})
    assert chosen == BuildingChoice(birch, "Birch Hall", kept=False)


def test_none_left_to_show_says_so(replica: Replica) -> None:
    (only,) = [create_building(replica, name="Solo Depot").id]
    assert choose_building(replica, current=only, excluded={only}) == BuildingChoice(
        None, "", kept=False
    )
    assert choose_building(replica, current=None) == BuildingChoice(only, "Solo Depot", False)


def test_a_running_pass_keeps_the_choice_to_its_own_building(replica: Replica) -> None:
    cedar, alder, _birch = three_buildings(replica)
    replica.access_scope = PassScope(cedar, None, None, frozenset())
    assert choose_building(replica, current=alder, preferred=[alder]) == BuildingChoice(
        cedar, "Cedar House", kept=False
    )
