"""The ``facilitator`` command line (the contract is in DESIGN.md).

Each group of commands lives in its own module and is registered in :mod:`.main`.
"""

from facilitator.cli.main import cli, main

__all__ = ["cli", "main"]
