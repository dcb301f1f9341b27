"""The Scan page: the camera's live preview with the codes it reads, and files scanned alike."""

from arxos_desktop.ui.scanner.page import ScanPage

__all__ = ["ScanPage"]
