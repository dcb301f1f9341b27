"""The Drawings page: a building's drawing library and a tiled, progressive PDF viewer."""
