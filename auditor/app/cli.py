"""The command line: the parser (:mod:`auditor.app.parser`), the defaults configured
in a file or the environment (:mod:`auditor.app.config`), and the dispatch of each
command to its module.

``auditor.cli:main`` (the console script) lands here. A command's module
(:mod:`auditor.app.commands`) is imported only when that command runs, so
``auditor --help`` loads none of them.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from auditor.app.exits import EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERRUPTED
from auditor.app.parser import build_parser

if TYPE_CHECKING:
    from auditor.secrets import Redactor

Handler = Callable[[argparse.Namespace, "Redactor", TextIO], int]
"""A command's ``run(args, redactor, stdout) -> exit code``."""


def _handler(command: str) -> Handler:
    """The ``run`` of ``command``'s module (``auditor/app/commands/<command>.py``, dashes as
    underscores), imported only now: ``--help`` never loads a command."""
    module = importlib.import_module(f"auditor.app.commands.{command.replace('-', '_')}")
    run: Handler = module.run
    return run


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Entry point of the ``auditor`` console script; returns the exit code."""
    import sys

    from auditor.app import env

    stdout = stdout or sys.stdout
    parser = build_parser()
    if argv is None and env.completion_requested():
        # A shell asks for completions (the script of `auditor completion SHELL`):
        # argcomplete answers on its own descriptor and ends the process.
        from auditor.app.arguments import fill_commands
        from auditor.app.completion import complete

        fill_commands(parser)
        complete(parser)
    args = parser.parse_args(argv)  # --help and --version end here

    from auditor.app.console import configure_logging, error_line
    from auditor.errors import AuditorError, BadInputError
    from auditor.secrets import Redactor

    if args.command != "completion":
        from auditor.app import config

        try:
            config.apply(
                args,
                env.auditor_variables(),
                client_config_env=env.client_config_file() is not None,
            )
        except BadInputError as exc:
            error_line(args.log_format or "console", str(exc), EXIT_BAD_INPUT)
            return EXIT_BAD_INPUT
    redactor = Redactor()
    verbosity = -1 if args.quiet else args.verbose
    configure_logging(log_format=args.log_format, verbosity=verbosity, redactor=redactor)
    try:
        return _handler(args.command)(args, redactor, stdout)
    except BadInputError as exc:
        error_line(args.log_format, redactor.redact(str(exc)), EXIT_BAD_INPUT)
        return EXIT_BAD_INPUT
    except AuditorError as exc:
        error_line(args.log_format, redactor.redact(str(exc)), EXIT_INCOMPLETE)
        return EXIT_INCOMPLETE
    except KeyboardInterrupt:
        error_line(args.log_format, "interrupted", EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
