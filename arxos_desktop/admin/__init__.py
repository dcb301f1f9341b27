"""Server administration, run where the server is: accounts, grants, imports, ``arx serve``.

The only part of the field app that may import ``sync.server`` (an import-linter
contract holds it), so the app and the rest of the CLI never pull in FastAPI.
"""
