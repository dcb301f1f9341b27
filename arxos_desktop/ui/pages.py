"""Which pages and panels the main window has, in the order the tabs show them.

Each page is built over the shared :class:`~arxos_desktop.ui.state.AppState` and
registers the record kinds it can show, so "go to" requests (search, links
between records, conflicts) land on the right tab.
"""

from __future__ import annotations

from arxos_desktop.ui.edits import install_undo
from arxos_desktop.ui.attachments.actions import add_attachment_actions
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.work_orders_page import WorkOrdersPage


def build_pages(window: MainWindow, state: AppState) -> None:
    """Add every page of the app to *window* (called once the replica is open)."""
    from arxos_desktop.ui.equipment_page import EquipmentPage

    equipment = EquipmentPage(state)
    window.add_page(equipment, "Equipment", entities=("equipment", "room", "floor"))
    equipment.add_actions(window)
    install_undo(window, state)
    from arxos_desktop.ui.conflicts_page import ConflictsPage, page_title
    from arxos_desktop.ui.search_palette import SearchPalette

    conflicts = ConflictsPage(state)
    window.add_page(conflicts, page_title(0))
    conflicts.count_did_change.connect(
        lambda n: window.pages.setTabText(window.pages.indexOf(conflicts), page_title(n))
    )
    palette = SearchPalette(state, window)
    window.add_action(window.edit_menu, "Search…", "Ctrl+K", palette.open_over_window)
    add_attachment_actions(window)  # photos: shortcuts reach the panel on screen
    work_orders = WorkOrdersPage(state)
    window.add_page(work_orders, "Work orders", entities=WorkOrdersPage.ENTITIES)
    work_orders.install_actions(window)
