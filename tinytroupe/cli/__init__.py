"""The ``tinytroupe`` command line: demo, run (scenario files), chat, personas, cache.

:mod:`tinytroupe.cli.main` holds the app and the entry point; each command group has its own
module. This package and :mod:`tinytroupe.ui` are the only places that print.
"""
