"""Which pages and panels the main window has, in the order the tabs show them.

Each page is built over the shared :class:`~arxos_desktop.ui.state.AppState` and
registers the record kinds it can show, so "go to" requests (search, links
between records, conflicts) land on the right tab.
"""

from __future__ import annotations

from arxos_desktop.ui.attachments.actions import add_attachment_actions
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.state import AppState


def build_pages(window: MainWindow, state: AppState) -> None:
    """Add every page of the app to *window* (called once the replica is open)."""
    add_attachment_actions(window)  # photos: shortcuts reach the panel on screen
