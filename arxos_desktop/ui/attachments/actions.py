"""Menu actions and shortcuts for the attachments panel on whichever page shows one.

The panel is embedded in record pages (equipment, work orders…), so the same
shortcut must reach the panel the technician is looking at: the actions find
the visible panel when triggered. Closing the window stops every panel's
preview worker, so no page has to remember to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from arxos_desktop.ui.attachments.panel import AttachmentsPanel
from arxos_desktop.ui.main_window import MainWindow

ATTACH_FILE_SHORTCUT: Final = "Ctrl+Shift+A"
TAKE_PHOTO_SHORTCUT: Final = "Ctrl+Shift+P"
NO_PANEL: Final = (
    "Open a piece of equipment, a room or a work order first, then attach photos to it."
)


def add_attachment_actions(window: MainWindow) -> None:
    """Edit ▸ Attach a file… / Take a photo…, and panel clean-up when the window closes."""
    window.add_action(
        window.edit_menu,
        "Attach a &file…",
        ATTACH_FILE_SHORTCUT,
        lambda: _on_visible_panel(window, AttachmentsPanel.add_file),
    )
    window.add_action(
        window.edit_menu,
        "Take a p&hoto…",
        TAKE_PHOTO_SHORTCUT,
        lambda: _on_visible_panel(window, AttachmentsPanel.take_photo),
    )
    window.on_close(lambda: shutdown_panels(window))


def visible_panel(window: MainWindow) -> AttachmentsPanel | None:
    """The panel on screen that shows a record, if any."""
    for panel in window.findChildren(AttachmentsPanel):
        if panel.isVisible() and panel.target is not None:
            return panel
    return None


def shutdown_panels(window: MainWindow) -> None:
    for panel in window.findChildren(AttachmentsPanel):
        panel.shutdown()


def _on_visible_panel(window: MainWindow, act: Callable[[AttachmentsPanel], object]) -> None:
    panel = visible_panel(window)
    if panel is None:
        window.show_message(NO_PANEL)
    else:
        act(panel)
