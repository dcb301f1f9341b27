"""Offline dictation: speech models, audio sources, streaming recognition, notes → updates.

No Qt here (the microphone and the widgets live in ``arxos_desktop.ui.dictation``), and
Vosk is imported only by the modules that recognise speech, so the CLI's other
commands and the app's start-up never pay for it.
"""
