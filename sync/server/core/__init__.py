"""Settings, security primitives and metrics of the sync service (no routes here)."""
