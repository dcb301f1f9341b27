"""PDF drawings without Qt: opening with bounds, tiled rendering, annotations, import/export."""
