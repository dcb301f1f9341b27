"""ArxOS Field: the offline-first field app for buildings."""

__version__ = "0.1.0"
