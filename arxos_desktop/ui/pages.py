"""Which pages and panels the main window has, in the order the tabs show them.

Each page is built over the shared :class:`~arxos_desktop.ui.state.AppState` and
registers the record kinds it can show, so "go to" requests (search, links
between records, conflicts) land on the right tab.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from arxos_desktop.ui.access.session_controller import install_access
from arxos_desktop.ui.attachments.actions import add_attachment_actions
from arxos_desktop.ui.building_keeper import BuildingKeeper
from arxos_desktop.ui.conflicts_page import ConflictsPage, page_title
from arxos_desktop.ui.dictation.actions import add_dictation_actions
from arxos_desktop.ui.drawings.page import DrawingsPage
from arxos_desktop.ui.edits import install_undo
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.equipment_page import EquipmentPage
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.no_building import NoBuildingCover
from arxos_desktop.ui.record_side import RecordSide
from arxos_desktop.ui.scanner import ScanPage
from arxos_desktop.ui.search_palette import SearchPalette
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.work_orders_page import WorkOrdersPage

#: Menu actions that act on the open building: off while the device shows none.
NEEDS_A_BUILDING = (
    "Filter equipment",
    "Clear equipment filters",
    "&Save equipment",
    "New work order…",
    "Edit work order…",
    "Move work order to…",
    "Attach a &file…",
    "Take a p&hoto…",
    "&Dictate a note",
    "Transcribe a &recording…",
)


def build_pages(window: MainWindow, state: AppState) -> None:
    """Add every page of the app to *window* (called once the replica is open)."""
    keeper = BuildingKeeper(window, state)  # first: it hears a building change before pages
    equipment = equipment_page(window, state)
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
    scan = scan_page(window, state)
    install_access(window, state, scan, keeper)  # scanned passes, the session
    for page in (equipment, work_orders, drawings):
        cover_without_building(window, state, page, scan)
    keeper.require_building(building_actions(window))


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

    def building_changed(_building_id: str) -> None:
        detail.show_equipment(None)  # saves unsaved typing first; never another building's
        side.show_record("equipment", None)

    page.equipment_was_selected.connect(equipment_selected)
    page.navigator.location_was_chosen.connect(location_chosen)
    state.building_did_change.connect(building_changed)
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


def building_actions(window: MainWindow) -> list[QAction]:
    """The actions of :data:`NEEDS_A_BUILDING` and the whole Drawing menu."""
    found = [a for a in window.findChildren(QAction) if a.text() in NEEDS_A_BUILDING]
    menus = [a.menu() for a in window.menuBar().actions() if a.text() == "&Drawing"]
    while menus:
        menu = menus.pop()
        if not isinstance(menu, QMenu):
            continue
        for action in menu.actions():
            if action.menu() is not None:
                menus.append(action.menu())
            elif not action.isSeparator():
                found.append(action)
    return found


def cover_without_building(
    window: MainWindow, state: AppState, page: QWidget, scan: ScanPage
) -> NoBuildingCover:
    """The page's "no building on this device" cover, with sign-in and the Scan page."""

    def sign_in() -> None:
        action = next((a for a in window.file_menu.actions() if a.text() == "Sign &in…"), None)
        if action is None:
            state.post("This window cannot sign in: restart ArxOS Field to sign in.")
        else:
            action.trigger()

    return NoBuildingCover(
        page, state, sign_in=sign_in, scan=lambda: window.pages.setCurrentWidget(scan)
    )
