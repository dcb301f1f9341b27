"""Dictation on the record side: microphone, recognition thread, panel and its actions."""

from arxos_desktop.ui.dictation.panel import DictationPanel

__all__ = ["DictationPanel"]
