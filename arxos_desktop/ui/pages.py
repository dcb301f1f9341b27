"""Which pages and panels the main window has, in the order the tabs show them.

Each page is built over the shared :class:`~arxos_desktop.ui.state.AppState` and
registers the record kinds it can show, so "go to" requests (search, links
between records, conflicts) land on the right tab.
"""

from __future__ import annotations

from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.work_orders_page import WorkOrdersPage


def build_pages(window: MainWindow, state: AppState) -> None:
    """Add every page of the app to *window* (called once the replica is open)."""
    work_orders = WorkOrdersPage(state)
    window.add_page(work_orders, "Work orders", entities=WorkOrdersPage.ENTITIES)
    work_orders.install_actions(window)
