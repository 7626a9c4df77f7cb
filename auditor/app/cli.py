"""The command line: the parser (:mod:`auditor.app.parser`), the defaults configured
in a file or the environment (:mod:`auditor.app.config`), and the dispatch of each
command to its module.

``auditor.cli:main`` (the console script) lands here. A command's module
(:mod:`auditor.app.commands`) is imported only when that command runs, so
``auditor --help`` loads none of them.

The cyclic garbage collector is paused (:func:`auditor.gcpause.paused_gc`) from the
start: while the parser, the command's modules and the libraries they import (the
catalog, openstacksdk...) are loaded, and, for a command that runs to its end, until
it ends. Imports make hundreds of thousands of objects that live as long as the
process, none of them garbage, and the collector would scan them again and again
(about 0.02 s of a 5k-server audit's CPU, a twelfth of its imports). Only ``sandbox``,
which serves until interrupted, runs with the collector on again once it has started.

Run from the command line (``main()`` without ``argv``: the console script,
``python -m auditor``), the process ends as soon as the command has, its output
flushed, without freeing what the command kept (:func:`auditor.app.exits.keep_until_exit`)
nor unloading its modules one by one.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from auditor.app.exits import EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERRUPTED, KEPT
from auditor.gcpause import paused_gc

if TYPE_CHECKING:
    from auditor.secrets import Redactor

Handler = Callable[[argparse.Namespace, "Redactor", TextIO], int]
"""A command's ``run(args, redactor, stdout) -> exit code``."""

SERVING_COMMANDS = frozenset({"sandbox"})
"""Commands that run until interrupted: the collector runs again once they have started."""


def _handler(command: str) -> Handler:
    """The ``run`` of ``command``'s module (``auditor/app/commands/<command>.py``, dashes as
    underscores), imported only now: ``--help`` never loads a command."""
    module = importlib.import_module(f"auditor.app.commands.{command.replace('-', '_')}")
    run: Handler = module.run
    return run


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Entry point of the ``auditor`` console script; returns the exit code, or, without
    ``argv`` (the command line's own process), ends the process with it."""
    try:
        code = _main(argv, stdout)
    finally:
        if argv is not None:
            KEPT.objects.clear()
    if argv is None:
        _end_process(code)
    return code


def _main(argv: Sequence[str] | None, stdout: TextIO | None) -> int:
    with paused_gc():
        started = _start(argv, stdout)
        if isinstance(started, int):
            return started
        args, redactor, out = started
        if args.command not in SERVING_COMMANDS:
            return _run(args, redactor, out)
    return _run(args, redactor, out)


def _end_process(code: int) -> None:
    """Exit with ``code`` now: log handlers and output flushed, nothing freed. Returns
    when the output cannot be flushed (a closed pipe), for the interpreter's own exit
    to say so as it always has."""
    import logging
    import os
    import sys

    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


_Started = tuple[argparse.Namespace, "Redactor", TextIO]


def _start(argv: Sequence[str] | None, stdout: TextIO | None) -> _Started | int:
    """The command line parsed, the configured defaults applied and logging set up; an
    exit code when the defaults are bad input."""
    import sys

    from auditor.app import env
    from auditor.app.parser import build_parser

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
    from auditor.errors import BadInputError
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
    return args, redactor, stdout


def _run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    """The command run, its errors turned into one line and an exit code."""
    from auditor.app.console import error_line
    from auditor.errors import AuditorError, BadInputError

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
