"""Photos and files on a record: the panel, its previews, the camera and the viewer.

The panel has no page of its own: a record's page (equipment, work order, room)
embeds :class:`AttachmentsPanel`, calls ``show_target`` when its record changes
and ``shutdown`` when the window closes (``window.on_close(panel.shutdown)``).
"""

from arxos_desktop.ui.attachments.panel import AttachmentsPanel

__all__ = ["AttachmentsPanel"]
