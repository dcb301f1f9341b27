"""The HTTP surface of the sync service: routers, and the dependencies they share."""
