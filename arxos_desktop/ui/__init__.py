"""The field app's widgets: the only package (with ``app.py``) that imports Qt.

Widgets call services (store, pdf, scanner, voice, access, repo_format) and
never run SQL or HTTP themselves; import-linter contracts in pyproject.toml
hold both rules.
"""
