"""The command line: argparse, and the dispatch of each command to its module.

``auditor.cli:main`` (the console script) lands here. A command's module
(:mod:`auditor.app.commands`) is imported only when that command runs, so
``auditor --help`` loads none of them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from auditor import __version__
from auditor.app.exits import EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERRUPTED
from auditor.model import Severity
from auditor.render import Format
from auditor.schemas import NAMES as SCHEMA_NAMES

if TYPE_CHECKING:
    from auditor.secrets import Redactor

Handler = Callable[[argparse.Namespace, "Redactor", TextIO], int]
"""A command's ``run(args, redactor, stdout) -> exit code``."""


class HelpFormatter(argparse.HelpFormatter):
    """Fills in the collection names and the default timeout when a help text is shown.

    They come from the collection layer, which takes most of a second to import: a
    command imports it when it runs, ``--help`` only when it shows them.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        if text is None or "{" not in text:
            return text
        from auditor import audit

        values = {
            "{core_collections}": ",".join(audit.CORE_COLLECTIONS),
            "{known_collections}": ",".join(audit.KNOWN_COLLECTIONS),
            "{default_timeout}": f"{audit.DEFAULT_TIMEOUT:g}",
        }
        for marker, value in values.items():
            text = text.replace(marker, value)
        return text


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
        default=default(None),
        help="timeout of every HTTP request (default {default_timeout})",
    )
    group.add_argument(
        "--retries",
        type=int,
        metavar="N",
        default=default(4),
        help="retries of a failed page: 5xx, 429, connection errors (default 4)",
    )
    group.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        default=default(None),
        help="overall time budget of inventory and audit (for cron): after it no page or"
        " retry starts and unfinished collections are reported incomplete (exit 3)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        formatter_class=HelpFormatter,
        prog="auditor",
        description="Inventory OpenStack clouds and prove that a migration lost nothing.",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    _common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    inventory = commands.add_parser(
        "inventory",
        formatter_class=HelpFormatter,
        help="snapshot one cloud (auditor.inventory/v1 JSON)",
        description="List a cloud as an admin across all projects (with project-scoped"
        " credentials: the user's projects, one by one) and write its snapshot.",
    )
    _common_options(inventory, suppress=True)
    inventory.add_argument("--cloud", help="clouds.yaml profile (default: OS_CLOUD)")
    inventory.add_argument("--region", help="region of the profile to list")
    inventory.add_argument(
        "--collections",
        metavar="A,B",
        help="collections to list (default: {core_collections}; known: {known_collections})",
    )
    inventory.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the snapshot here (mode 0600) instead of stdout ('-': stdout)",
    )

    diff_cmd = commands.add_parser(
        "diff",
        formatter_class=HelpFormatter,
        help="diff two snapshot files under rules",
        description="Compare a source and a target snapshot (auditor.inventory/v1 files); with"
        " several sources (a merger of clouds or regions into one target), each source against"
        " the target, in one report.",
    )
    _common_options(diff_cmd, suppress=True)
    diff_cmd.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="source snapshot file (several: a merger; each is labelled cloud@region)",
    )
    diff_cmd.add_argument("target", metavar="TARGET", help="target snapshot file (the last one)")
    _report_options(diff_cmd)

    audit = commands.add_parser(
        "audit",
        formatter_class=HelpFormatter,
        help="inventory source and target concurrently, then diff",
        description="Inventory both clouds at once and report what the migration lost.",
    )
    _common_options(audit, suppress=True)
    audit.add_argument(
        "--source",
        required=True,
        action="append",
        metavar="NAME[@REGION]",
        help="clouds.yaml profile of the source (legacy) cloud; repeat it for a merger of"
        " several clouds or regions into the target",
    )
    audit.add_argument(
        "--target",
        required=True,
        metavar="NAME[@REGION]",
        help="clouds.yaml profile of the target cloud",
    )
    audit.add_argument(
        "--collections",
        metavar="A,B",
        help="collections to audit (default: {core_collections})",
    )
    audit.add_argument(
        "--save-inventories",
        metavar="DIR",
        help="also write DIR/source.json (with several sources: DIR/source-<label>.json each)"
        " and DIR/target.json (mode 0600)",
    )
    _report_options(audit)

    demo = commands.add_parser(
        "demo",
        formatter_class=HelpFormatter,
        help="a full audit of two example clouds served on loopback (no cloud needed)",
        description="Serve a Cloudwatt-style source and its Orange-Cloud-for-Business-style"
        " successor (with seeded defects) on 127.0.0.1, audit them through openstacksdk over"
        " HTTP, and print the report.",
    )
    _common_options(demo, suppress=True)
    demo.add_argument(
        "--output-dir",
        metavar="DIR",
        default="auditor-demo",
        help="where the example data, rules, clouds.yaml and reports go (default: ./auditor-demo)",
    )

    sandbox = commands.add_parser(
        "sandbox",
        formatter_class=HelpFormatter,
        help="serve snapshots as OpenStack APIs on 127.0.0.1 (rehearsals, tests)",
        description="Serve snapshot files as Keystone, Nova, Cinder, Glance and Neutron APIs"
        " on 127.0.0.1 until interrupted, one clouds.yaml profile per snapshot.",
    )
    _common_options(sandbox, suppress=True)
    sandbox.add_argument("snapshots", nargs="+", metavar="SNAPSHOT", help="snapshot files")
    sandbox.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    sandbox.add_argument(
        "--write-clouds-yaml",
        metavar="FILE",
        help="write the clouds.yaml here (mode 0600) instead of printing it",
    )
    sandbox.add_argument(
        "--max-limit",
        type=int,
        default=1000,
        metavar="N",
        help="page cap of every listing (default 1000)",
    )
    sandbox.add_argument(
        "--compute-max-version",
        default="2.96",
        metavar="V",
        help="highest compute microversion offered (default 2.96)",
    )

    render_cmd = commands.add_parser(
        "render",
        formatter_class=HelpFormatter,
        help="render a saved JSON report in another format",
        description="Render a report saved as JSON (auditor.report/v1: --format json, or a"
        " --history file) as text, markdown, html or junit, without touching any cloud.",
    )
    _common_options(render_cmd, suppress=True)
    render_cmd.add_argument("report", metavar="REPORT", help="JSON report file")
    render_cmd.add_argument(
        "--format",
        "-f",
        choices=[f.value for f in Format],
        default=None,
        help="output format (default: text on a TTY, else json)",
    )
    render_cmd.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write it here (mode 0600) instead of stdout ('-': stdout)",
    )

    schema = commands.add_parser(
        "schema",
        formatter_class=HelpFormatter,
        help="print the JSON Schema of a document",
        description="Print the JSON Schema of the snapshot, report, rules or id map document.",
    )
    _common_options(schema, suppress=True)
    schema.add_argument("document", choices=SCHEMA_NAMES)
    return parser


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="FILE", help="rules file (auditor.rules/v1 YAML)")
    parser.add_argument(
        "--format",
        "-f",
        choices=[f.value for f in Format],
        default=None,
        help="report format (default: text on a TTY, else json)",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the report here (mode 0600) instead of stdout ('-': stdout); on a terminal,"
        " the verdict is still printed",
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        default=Severity.ERROR.value,
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    parser.add_argument(
        "--history",
        metavar="DIR",
        help="keep every report as DIR/report-<UTC time>.json (mode 0600) and show what is new"
        " and what was resolved since the newest previous one",
    )
    parser.add_argument(
        "--metrics-file",
        metavar="FILE",
        help="also write Prometheus metrics here (textfile collector format, mode 0644)",
    )
    parser.add_argument(
        "--waivers",
        metavar="FILE",
        help="accepted differences (auditor.waivers/v1 YAML): the findings they match are"
        " reported as waived and do not gate the exit code until the waiver expires",
    )
    parser.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="check waiver expiry dates against this day (default: today, UTC)",
    )
    parser.add_argument(
        "--write-id-map",
        metavar="FILE",
        help="also write the source -> target id of every match here (auditor.idmap/v1 JSON,"
        " mode 0600), reusable as the rules' match.id_map; {source} in FILE: one map per"
        " source, named after its label",
    )


def _handler(command: str) -> Handler:
    """The ``run`` of ``command``'s module, imported now."""
    if command == "inventory":
        from auditor.app.commands import inventory

        return inventory.run
    if command == "diff":
        from auditor.app.commands import diff

        return diff.run
    if command == "audit":
        from auditor.app.commands import audit

        return audit.run
    if command == "demo":
        from auditor.app.commands import demo

        return demo.run
    if command == "sandbox":
        from auditor.app.commands import sandbox

        return sandbox.run
    if command == "render":
        from auditor.app.commands import render

        return render.run
    if command == "schema":
        from auditor.app.commands import schema

        return schema.run
    raise AssertionError(f"no module for command {command!r}")


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Entry point of the ``auditor`` console script; returns the exit code."""
    import sys

    stdout = stdout or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)  # --help and --version end here

    from auditor.app.console import configure_logging, error_line
    from auditor.errors import AuditorError, BadInputError
    from auditor.secrets import Redactor

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
