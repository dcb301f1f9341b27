"""Which pages and panels the main window has, in the order the tabs show them.

Each page is built over the shared :class:`~arxos_desktop.ui.state.AppState` and
registers the record kinds it can show, so "go to" requests (search, links
between records, conflicts) land on the right tab.
"""

from __future__ import annotations

from arxos_desktop.ui.access.session_controller import install_access
from arxos_desktop.ui.attachments.actions import add_attachment_actions
from arxos_desktop.ui.conflicts_page import ConflictsPage, page_title
from arxos_desktop.ui.dictation.actions import add_dictation_actions
from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.edits import install_undo
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.equipment_page import EquipmentPage
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.record_side import RecordSide
from arxos_desktop.ui.scanner import ScanPage
from arxos_desktop.ui.search_palette import SearchPalette
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.work_orders_page import WorkOrdersPage


def build_pages(window: MainWindow, state: AppState) -> None:
    """Add every page of the app to *window* (called once the replica is open)."""
    equipment_page(window, state)
    work_orders = WorkOrdersPage(state)
    window.add_page(work_orders, "Work orders", entities=WorkOrdersPage.ENTITIES)
    work_orders.install_actions(window)

    drawings = DrawingsPage(state)
    window.add_page(drawings, "Drawings", entities=DrawingsPage.ENTITIES)
    drawings.install_actions(window)

    conflicts = ConflictsPage(state)
    window.add_page(conflicts, page_title(0))
    conflicts.title_did_change.connect(window.retitle_page)
    conflicts.reload()  # its first read may land while later pages are built, unheard
    palette = SearchPalette(state, window)
    window.add_action(window.edit_menu, "Search…", "Ctrl+K", palette.open_over_window)
    install_undo(window, state)
    add_attachment_actions(window)  # photos: shortcuts reach the panel on screen
    add_dictation_actions(window)  # dictation: the same, and microphones stop on close
    install_access(window, state, scan_page(window, state))  # scanned passes, the session


def equipment_page(window: MainWindow, state: AppState) -> EquipmentPage:
    """Navigator | equipment table | the selected equipment's fields, notes and photos.

    A room picked in the navigator shows that room's notes and photos on the side
    until a piece of equipment is selected.
    """
    detail = EquipmentDetail(state)
    side = RecordSide(state, details=detail)
    page = EquipmentPage(state, detail=side)
    window.add_page(page, "Equipment", entities=("equipment", "room", "floor"))
    page.add_actions(window)
    detail.attach_to(window)

    def equipment_selected(equipment_id: str) -> None:
        detail.show_equipment(equipment_id)
        side.show_record("equipment", equipment_id)

    def location_chosen(kind: str, node_id: str) -> None:
        if kind == "room":
            side.show_record("room", node_id)

    page.equipment_was_selected.connect(equipment_selected)
    page.navigator.location_was_chosen.connect(location_chosen)
    return page


def scan_page(window: MainWindow, state: AppState) -> ScanPage:
    """The Scan tab: the camera runs while it is on screen; Ctrl+Shift+S goes there.

    Access passes it reads leave through ``page.access_token_was_read`` (the access
    service verifies them).
    """
    page = ScanPage(state)
    window.add_page(page, "Scan")
    window.add_action(
        window.file_menu,
        "Scan a code…",
        "Ctrl+Shift+S",
        lambda: window.pages.setCurrentWidget(page),
    )

    def scan_a_file() -> None:
        window.pages.setCurrentWidget(page)
        page.choose_file()

    window.add_action(window.file_menu, "Scan a file…", "Ctrl+Shift+O", scan_a_file)
    window.on_close(page.shutdown)
    return page
