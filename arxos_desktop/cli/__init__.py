"""`arx`: the field app's jobs without a screen (one module per command group).

The commands are assembled in :mod:`arxos_desktop.cli.main`; this package
imports nothing itself, so server administration (:mod:`arxos_desktop.admin`)
can use the CLI's argument and output helpers without an import cycle.
"""
