"""The dictation tests' shared inputs (defined in :mod:`tests.voice.inputs`)."""

from tests.voice.inputs import ko_model, ko_model_path, voices

__all__ = ["ko_model", "ko_model_path", "voices"]
