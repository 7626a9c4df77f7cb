"""The ``auditor`` console script's entry point, ``auditor.cli:main``.

The command line lives in :mod:`auditor.app.cli`, the commands in
:mod:`auditor.app.commands`.
"""

from auditor.app.cli import main

__all__ = ["main"]
