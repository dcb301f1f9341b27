"""One router per resource; ``sync.server.api.main`` mounts them."""
