"""``python -m arxos_desktop.cli``: the same as the ``arx`` console script."""

from arxos_desktop.cli.main import main

main()
