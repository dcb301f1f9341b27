"""Frame sources for the camera (a device, or a video file standing in for one).

Qt-free, so the CLI and the tests read frames without a screen; the UI reads
them on a worker thread and shows them.
"""
