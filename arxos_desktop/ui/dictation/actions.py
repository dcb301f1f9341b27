"""Menu actions and shortcuts for the dictation panel on whichever page shows one.

Like the attachments' actions: the shortcut reaches the panel the technician is looking
at, and closing the window stops every panel's microphone and recognition thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from arxos_desktop.ui.dictation.panel import DictationPanel
from arxos_desktop.ui.main_window import MainWindow

DICTATE_SHORTCUT: Final = "Ctrl+Shift+D"
TRANSCRIBE_SHORTCUT: Final = "Ctrl+Shift+R"
NO_PANEL: Final = "Open a piece of equipment, a room or a work order first, then dictate."


def add_dictation_actions(window: MainWindow) -> None:
    """Edit ▸ Dictate a note / Transcribe a recording…, and clean-up on close."""
    window.add_action(
        window.edit_menu,
        "&Dictate a note",
        DICTATE_SHORTCUT,
        lambda: _on_panel(window, DictationPanel.toggle_dictation),
    )
    window.add_action(
        window.edit_menu,
        "Transcribe a &recording…",
        TRANSCRIBE_SHORTCUT,
        lambda: _on_panel(window, DictationPanel.choose_recording),
    )
    window.on_close(lambda: shutdown_panels(window))


def shutdown_panels(window: MainWindow) -> None:
    for panel in window.findChildren(DictationPanel):
        panel.shutdown()


def _on_panel(window: MainWindow, act: Callable[[DictationPanel], object]) -> None:
    """Act on the dictation panel of the record on screen, bringing its tab forward."""
    from arxos_desktop.ui.record_side import RecordSide

    for side in window.findChildren(RecordSide):
        if side.isVisible() and side.record_id is not None:
            side.setCurrentWidget(side.dictation)
            act(side.dictation)
            return
    window.show_message(NO_PANEL)
