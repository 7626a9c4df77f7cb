"""The command line: parse, wire, write output, map errors to exit codes.

Nothing below this module prints or exits.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from auditor import __version__
from auditor.collect import COLLECTIONS, CORE_COLLECTIONS, parse_collections, take_inventory
from auditor.collect.pager import RetryPolicy
from auditor.connect import DEFAULT_TIMEOUT, CloudTarget, connect
from auditor.errors import AuditorError, BadInputError
from auditor.fileio import write_private
from auditor.logsetup import configure, get_logger
from auditor.progress import CountingObserver, RichProgress
from auditor.secrets import Redactor

EXIT_OK = 0
EXIT_DISCREPANCIES = 1
EXIT_BAD_INPUT = 2
EXIT_INCOMPLETE = 3

log = get_logger("auditor.cli")


def _common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before or after the command name."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("common options")
    group.add_argument(
        "--os-client-config-file",
        metavar="FILE",
        default=default(None),
        help="clouds.yaml to read (default: openstacksdk's lookup: OS_CLIENT_CONFIG_FILE,"
        " ./clouds.yaml, ~/.config/openstack/clouds.yaml)",
    )
    group.add_argument(
        "--log-format",
        choices=("console", "json"),
        default=default("console"),
        help="log lines on stderr: console (default) or json (for cron)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="more logs (-v info, -vv debug with HTTP traces, secrets redacted)",
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="errors only"
    )
    group.add_argument(
        "--no-progress",
        action="store_true",
        default=default(False),
        help="no progress display, even on a TTY",
    )
    group.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=default(DEFAULT_TIMEOUT),
        help=f"timeout of every HTTP request (default {DEFAULT_TIMEOUT:g})",
    )
    group.add_argument(
        "--retries",
        type=int,
        metavar="N",
        default=default(4),
        help="retries of a failed page: 5xx, 429, connection errors (default 4)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor",
        description="Inventory OpenStack clouds and prove that a migration lost nothing.",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    _common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    inventory = commands.add_parser(
        "inventory",
        help="snapshot one cloud (auditor.inventory/v1 JSON)",
        description="List a cloud as an admin across all projects and write its snapshot.",
    )
    _common_options(inventory, suppress=True)
    inventory.add_argument("--cloud", help="clouds.yaml profile (default: OS_CLOUD)")
    inventory.add_argument("--region", help="region of the profile to list")
    inventory.add_argument(
        "--collections",
        metavar="A,B",
        help=f"collections to list (default: {','.join(CORE_COLLECTIONS)};"
        f" known: {','.join(sorted(COLLECTIONS))})",
    )
    inventory.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the snapshot here (mode 0600) instead of stdout",
    )
    inventory.set_defaults(handler=cmd_inventory)
    return parser


def _retry_policy(args: argparse.Namespace) -> RetryPolicy:
    if args.retries < 0:
        raise BadInputError("--retries: must be 0 or more")
    return RetryPolicy(attempts=args.retries + 1)


@contextlib.contextmanager
def _observer(args: argparse.Namespace, stream: TextIO) -> Iterator[CountingObserver]:
    if args.no_progress or args.quiet or not stream.isatty():
        yield CountingObserver()
        return
    with RichProgress(stream) as progress:
        yield progress


def _emit(text: str, output: str | None, stdout: TextIO) -> None:
    if output:
        write_private(output, text)
    else:
        stdout.write(text)
        stdout.flush()


def _check_timeout(args: argparse.Namespace) -> float:
    timeout = float(args.timeout)
    if timeout <= 0:
        raise BadInputError("--timeout: must be a positive number of seconds")
    return timeout


def cmd_inventory(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    collections = parse_collections(args.collections)
    policy = _retry_policy(args)
    target = CloudTarget(cloud=args.cloud, region=args.region)
    conn = connect(
        target,
        config_file=args.os_client_config_file,
        timeout=_check_timeout(args),
        redactor=redactor,
    )
    with _observer(args, sys.stderr) as observer:
        snapshot = take_inventory(
            conn, target, collections=collections, policy=policy, observer=observer
        )
    log.info(
        "inventory done",
        cloud=snapshot.cloud,
        requests=observer.requests,
        duration_s=round(snapshot.duration_s, 3),
    )
    _emit(snapshot.dumps(), args.output, stdout)
    return EXIT_OK if snapshot.complete else EXIT_INCOMPLETE


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Entry point of the ``auditor`` console script; returns the exit code."""
    stdout = stdout or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    redactor = Redactor()
    verbosity = -1 if args.quiet else args.verbose
    configure(log_format=args.log_format, verbosity=verbosity, redactor=redactor)
    handler: Callable[[argparse.Namespace, Redactor, TextIO], int] = args.handler
    try:
        return handler(args, redactor, stdout)
    except BadInputError as exc:
        print(f"auditor: error: {redactor.redact(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except AuditorError as exc:
        print(f"auditor: error: {redactor.redact(str(exc))}", file=sys.stderr)
        return EXIT_INCOMPLETE
    except KeyboardInterrupt:
        print("auditor: interrupted", file=sys.stderr)
        return 130
