"""The sync engine shared by the field app, the CLI and the cloud service.

Nothing in this package imports Qt or ``arxos_desktop``: the server ships it alone.
"""
