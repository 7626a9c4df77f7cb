"""``auditor completion SHELL``: print the shell's completion script."""

from __future__ import annotations

import argparse
from typing import TextIO

from auditor.app.completion import script
from auditor.app.exits import EXIT_OK
from auditor.secrets import Redactor


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    stdout.write(script(args.shell))
    stdout.flush()
    return EXIT_OK
