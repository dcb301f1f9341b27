"""Access passes in the window: what a scanned pass grants, and the contractor session."""

from arxos_desktop.ui.access.pass_view import PassView

__all__ = ["PassView"]
