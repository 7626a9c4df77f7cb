"""The command line: parse, wire, write output, map errors to exit codes.

Nothing below this module prints or exits.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, TextIO

from auditor import __version__, history, metrics
from auditor.app import env, files
from auditor.app.console import (
    CountingObserver,
    RichProgress,
    configure_logging,
    emit,
    error_line,
    to_file,
)
from auditor.app.fileio import check_writable_file, ensure_writable_dir, write_private
from auditor.audit import run_audit
from auditor.collect import COLLECTIONS, CORE_COLLECTIONS, parse_collections
from auditor.collect.pager import Deadline, RetryPolicy
from auditor.collect.scoped import inventory
from auditor.connect import DEFAULT_TIMEOUT, CloudTarget, ConfigSource, connect, connect_project
from auditor.demo import build_demo
from auditor.diff.merge import check_labels, source_label
from auditor.diff.outcome import Outcome, compare
from auditor.errors import AuditorError, BadInputError, SnapshotError
from auditor.hints import no_rules_hint, verdict_line
from auditor.logsetup import get_logger
from auditor.model import Severity, Snapshot
from auditor.render import Format, render
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.sandbox import serve as sandbox_serve
from auditor.schemas import NAMES as SCHEMA_NAMES
from auditor.schemas import load_schema
from auditor.secrets import Redactor
from auditor.waivers import Waivers

EXIT_OK = 0
EXIT_DISCREPANCIES = 1
EXIT_BAD_INPUT = 2
EXIT_INCOMPLETE = 3

ID_MAP_SOURCE = "{source}"
"""In ``--write-id-map FILE``: one map per source, this replaced by the source's label."""

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
        prog="auditor",
        description="Inventory OpenStack clouds and prove that a migration lost nothing.",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    _common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    inventory = commands.add_parser(
        "inventory",
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
        help=f"collections to list (default: {','.join(CORE_COLLECTIONS)};"
        f" known: {','.join(sorted(COLLECTIONS))})",
    )
    inventory.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the snapshot here (mode 0600) instead of stdout ('-': stdout)",
    )
    inventory.set_defaults(handler=cmd_inventory)

    diff_cmd = commands.add_parser(
        "diff",
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
    diff_cmd.set_defaults(handler=cmd_diff)

    audit = commands.add_parser(
        "audit",
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
        help=f"collections to audit (default: {','.join(CORE_COLLECTIONS)})",
    )
    audit.add_argument(
        "--save-inventories",
        metavar="DIR",
        help="also write DIR/source.json (with several sources: DIR/source-<label>.json each)"
        " and DIR/target.json (mode 0600)",
    )
    _report_options(audit)
    audit.set_defaults(handler=cmd_audit)

    demo = commands.add_parser(
        "demo",
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
    demo.set_defaults(handler=cmd_demo)

    sandbox = commands.add_parser(
        "sandbox",
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
    sandbox.set_defaults(handler=cmd_sandbox)

    render_cmd = commands.add_parser(
        "render",
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
    render_cmd.set_defaults(handler=cmd_render)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a document",
        description="Print the JSON Schema of the snapshot, report, rules or id map document.",
    )
    _common_options(schema, suppress=True)
    schema.add_argument("document", choices=SCHEMA_NAMES)
    schema.set_defaults(handler=cmd_schema)
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


@dataclass(frozen=True)
class _Waiving:
    """``--waivers`` and ``--as-of``, read and checked before any cloud is touched."""

    waivers: Waivers | None
    today: date | None


def _waiving(args: argparse.Namespace) -> _Waiving:
    today = None
    if args.as_of is not None:
        try:
            today = date.fromisoformat(args.as_of)
        except ValueError:
            raise BadInputError(f"--as-of: {args.as_of!r} is not a date (YYYY-MM-DD)") from None
    return _Waiving(files.read_waivers(args.waivers) if args.waivers else None, today)


def _retry_policy(args: argparse.Namespace) -> RetryPolicy:
    """The retry policy of ``--retries``; the ``--deadline`` clock starts here."""
    if args.retries < 0:
        raise BadInputError("--retries: must be 0 or more")
    deadline = None
    if args.deadline is not None:
        if not args.deadline > 0:
            raise BadInputError("--deadline: must be a positive number of seconds")
        deadline = Deadline.after(args.deadline)
    return RetryPolicy(attempts=args.retries + 1, deadline=deadline)


@contextlib.contextmanager
def _observer(args: argparse.Namespace, stream: TextIO) -> Iterator[CountingObserver]:
    if args.no_progress or args.quiet or not stream.isatty():
        yield CountingObserver()
        return
    with RichProgress(stream) as progress:
        yield progress


def _check_timeout(args: argparse.Namespace) -> float:
    timeout = float(args.timeout)
    if timeout <= 0:
        raise BadInputError("--timeout: must be a positive number of seconds")
    return timeout


def cmd_inventory(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    collections = parse_collections(args.collections)
    policy = _retry_policy(args)
    if to_file(args.output):
        check_writable_file(args.output)
    target = CloudTarget(cloud=args.cloud or env.cloud_name(), region=args.region)
    timeout = _check_timeout(args)
    conn = connect(
        target,
        config=_clouds_config(args),
        timeout=timeout,
        redactor=redactor,
    )
    with _observer(args, sys.stderr) as observer:
        snapshot = inventory(
            conn,
            target,
            rescope=functools.partial(connect_project, conn, timeout=timeout),
            collections=collections,
            policy=policy,
            observer=observer,
        )
    log.info(
        "inventory done",
        cloud=snapshot.cloud,
        requests=observer.requests,
        duration_s=round(snapshot.duration_s, 3),
    )
    emit(snapshot.dumps(), args.output, stdout)
    return EXIT_OK if snapshot.complete else EXIT_INCOMPLETE


def _clouds_config(args: argparse.Namespace) -> ConfigSource:
    return files.read_clouds_config(args.os_client_config_file, env.client_config_file())


def _report_format(args: argparse.Namespace, stdout: TextIO) -> Format:
    if args.format is not None:
        return Format(args.format)
    if not to_file(args.output) and stdout.isatty():
        return Format.TEXT
    return Format.JSON


@dataclass(frozen=True)
class _ReportOutputs:
    """What ``--history`` and ``--metrics-file`` need, read before any cloud is touched."""

    started: float
    """time.monotonic() when the command started."""
    previous: history.Previous | None
    """The newest report of the history directory."""
    previous_complete_at: float | None
    """The last complete run's time recorded in the existing metrics file."""


def _prepare_outputs(args: argparse.Namespace, started: float) -> _ReportOutputs:
    if args.write_id_map:
        check_writable_file(args.write_id_map.replace(ID_MAP_SOURCE, "source"))
    previous = files.prepare_history(args.history) if args.history else None
    previous_complete_at = None
    if args.metrics_file:
        previous_complete_at = files.previous_metrics(args.metrics_file)
    return _ReportOutputs(started, previous, previous_complete_at)


def _finish_report(
    outcome: Outcome, args: argparse.Namespace, stdout: TextIO, outputs: _ReportOutputs
) -> int:
    report = outcome.report
    if args.write_id_map:
        _write_id_maps(args.write_id_map, outcome)
    now = datetime.now(timezone.utc)
    if args.history:
        report = files.record_history(args.history, report, outputs.previous, now)
    if args.rules is None:
        hint = no_rules_hint(report)
        if hint is not None:
            log.warning(hint)
    emit(render(report, _report_format(args, stdout)), args.output, stdout)
    if to_file(args.output) and stdout.isatty():
        # The report went to a file: the person at the terminal still sees the verdict.
        stdout.write(verdict_line(report, args.output) + "\n")
        stdout.flush()
    if args.metrics_file:
        facts = metrics.RunFacts(
            duration_s=time.monotonic() - outputs.started,
            finished_at=time.time(),
            previous_complete_at=outputs.previous_complete_at,
        )
        files.write_metrics(args.metrics_file, metrics.render(report, facts))
    log.info(
        "audit done",
        verdict=report.verdict.value,
        findings=len(report.findings),
        exit_code=report.exit_code,
    )
    return report.exit_code


def _write_id_maps(path: str, outcome: Outcome) -> None:
    """One id map, or with ``{source}`` in ``path`` one per source, named after its label."""
    if ID_MAP_SOURCE not in path:
        write_private(path, outcome.id_map.dumps())
        return
    for id_map in outcome.id_maps:
        (source,) = id_map.sources
        label = source.label or (
            f"{source.cloud}@{source.region}" if source.region else source.cloud
        )
        write_private(path.replace(ID_MAP_SOURCE, file_label(label)), id_map.dumps())


def file_label(label: str) -> str:
    """A source label as part of a file name: ``cloudwatt@fr1`` stays, ``a/b`` -> ``a-b``."""
    return re.sub(r"[^A-Za-z0-9@._-]+", "-", label).strip("-") or "source"


def cmd_diff(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    started = time.monotonic()
    rules = files.read_rules(args.rules)
    waiving = _waiving(args)
    sources = [files.read_snapshot(path) for path in args.sources]
    target = files.read_snapshot(args.target)
    check_labels([source_label(s) for s in sources])
    outputs = _prepare_outputs(args, started)
    try:
        outcome = compare(
            sources,
            target,
            rules,
            fail_on=Severity(args.fail_on),
            waivers=waiving.waivers,
            today=waiving.today,
        )
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # The core collections' items are checked on load (auditor.shapecheck);
        # an edited file can still break another collection's comparison.
        named = ", ".join([*args.sources, args.target])
        raise SnapshotError(
            f"{named}: an item is not shaped like an auditor snapshot's ({exc!r})"
        ) from None
    return _finish_report(outcome, args, stdout, outputs)


def cmd_audit(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    # Everything that can be checked before touching a cloud is checked first.
    started = time.monotonic()
    rules = files.read_rules(args.rules)
    waiving = _waiving(args)
    collections = parse_collections(args.collections)
    policy = _retry_policy(args)
    timeout = _check_timeout(args)
    sources = [CloudTarget.parse(text) for text in args.source]
    check_labels([str(s) for s in sources])
    if args.save_inventories:
        ensure_writable_dir(args.save_inventories)
    if to_file(args.output):
        check_writable_file(args.output)
    outputs = _prepare_outputs(args, started)
    with _observer(args, sys.stderr) as observer:
        result = run_audit(
            sources,
            CloudTarget.parse(args.target),
            rules,
            config=_clouds_config(args),
            collections=collections,
            policy=policy,
            timeout=timeout,
            fail_on=Severity(args.fail_on),
            observer=observer,
            redactor=redactor,
            waivers=waiving.waivers,
            today=waiving.today,
        )
    log.info("inventories done", requests=observer.requests)
    if args.save_inventories:
        _save_inventories(args.save_inventories, sources, result.sources, result.target)
    return _finish_report(result.outcome, args, stdout, outputs)


def _save_inventories(
    directory: str, names: Sequence[CloudTarget], sources: Sequence[Snapshot], target: Snapshot
) -> None:
    """``source.json`` (several sources: ``source-<label>.json`` each) and ``target.json``."""
    for name, source in zip(names, sources, strict=True):
        file = "source.json" if len(sources) == 1 else f"source-{file_label(str(name))}.json"
        write_private(os.path.join(directory, file), source.dumps())
    write_private(os.path.join(directory, "target.json"), target.dumps())


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo writes what."""

    directory: str
    served_source: str
    served_target: str
    rules: str
    clouds_yaml: str
    source_inventory: str
    target_inventory: str
    report_json: str
    report_markdown: str
    report_html: str


def demo_files(directory: str) -> DemoFiles:
    def path(*parts: str) -> str:
        return os.path.join(directory, *parts)

    return DemoFiles(
        directory=directory,
        served_source=path("served", "cloudwatt.json"),
        served_target=path("served", "ocb.json"),
        rules=path("rules.yaml"),
        clouds_yaml=path("clouds.yaml"),
        source_inventory=path("inventories", "source.json"),
        target_inventory=path("inventories", "target.json"),
        report_json=path("report.json"),
        report_markdown=path("report.md"),
        report_html=path("report.html"),
    )


def cmd_demo(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    """Generate, serve, audit; write every input and output under ``--output-dir``."""
    files = demo_files(args.output_dir)
    for sub in ("served", "inventories"):
        ensure_writable_dir(os.path.join(files.directory, sub))
    demo = build_demo()
    write_private(files.served_source, demo.source.dumps())
    write_private(files.served_target, demo.target.dumps())
    write_private(files.rules, demo.rules)
    rules = parse_rules(demo.rules, files.rules)
    with Sandbox([demo.source, demo.target]) as sandbox:
        clouds_yaml = sandbox_serve.clouds_yaml_text(sandbox)
        write_private(files.clouds_yaml, clouds_yaml)
        with _observer(args, sys.stderr) as observer:
            result = run_audit(
                CloudTarget(demo.source.cloud),
                CloudTarget(demo.target.cloud),
                rules,
                config=ConfigSource(files.clouds_yaml, clouds_yaml),
                collections=tuple(demo.source.collections),
                observer=observer,
                redactor=redactor,
            )
    write_private(files.source_inventory, result.source.dumps())
    write_private(files.target_inventory, result.target.dumps())
    write_private(files.report_json, render(result.report, Format.JSON))
    write_private(files.report_markdown, render(result.report, Format.MARKDOWN))
    write_private(files.report_html, render(result.report, Format.HTML))
    stdout.write(render(result.report, Format.TEXT))
    rerun = f"auditor --os-client-config-file {files.clouds_yaml}"
    stdout.write(
        "\n"
        f"The demo served two example clouds on 127.0.0.1 and audited them over HTTP.\n"
        f"  example data served:  {files.served_source}, {files.served_target}\n"
        f"  rules:                {files.rules}\n"
        f"  clouds.yaml:          {files.clouds_yaml}\n"
        f"  inventories:          {files.source_inventory}, {files.target_inventory}\n"
        f"  reports:              {files.report_json}, {files.report_markdown},"
        f" {files.report_html}\n"
        "\n"
        "Rerun each step by hand:\n"
        f"  auditor sandbox {files.served_source} {files.served_target}"
        f" --write-clouds-yaml {files.clouds_yaml} &\n"
        f"  {rerun} inventory --cloud cloudwatt --collections all -o source.json\n"
        f"  {rerun} audit --source cloudwatt --target ocb --collections all"
        f" --rules {files.rules} -f text\n"
        f"  auditor diff {files.source_inventory} {files.target_inventory}"
        f" --rules {files.rules} -f markdown\n"
    )
    return result.report.exit_code


def cmd_sandbox(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    from auditor.app.commands import sandbox

    return sandbox.run(args, redactor, stdout)


def cmd_render(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    report = files.read_report(args.report)
    emit(render(report, _report_format(args, stdout)), args.output, stdout)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    stdout.write(json.dumps(load_schema(args.document), indent=2) + "\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Entry point of the ``auditor`` console script; returns the exit code."""
    stdout = stdout or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    redactor = Redactor()
    verbosity = -1 if args.quiet else args.verbose
    configure_logging(log_format=args.log_format, verbosity=verbosity, redactor=redactor)
    handler: Callable[[argparse.Namespace, Redactor, TextIO], int] = args.handler
    try:
        return handler(args, redactor, stdout)
    except BadInputError as exc:
        _error(args, redactor.redact(str(exc)), EXIT_BAD_INPUT)
        return EXIT_BAD_INPUT
    except AuditorError as exc:
        _error(args, redactor.redact(str(exc)), EXIT_INCOMPLETE)
        return EXIT_INCOMPLETE
    except KeyboardInterrupt:
        _error(args, "interrupted", 130)
        return 130


def _error(args: argparse.Namespace, message: str, code: int) -> None:
    error_line(args.log_format, message, code)
