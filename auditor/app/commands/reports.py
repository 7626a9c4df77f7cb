"""What ``diff`` and ``audit`` do with their report: the id maps, ``--history``, the
report itself (file or terminal), the verdict line, ``--metrics-file``."""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TextIO

from auditor.app import files
from auditor.app.console import emit, to_file
from auditor.app.fileio import check_writable_file, write_private
from auditor.app.options import finding_filter
from auditor.diff.outcome import Outcome
from auditor.filters import apply_filter
from auditor.hints import no_rules_hint, verdict_line
from auditor.logsetup import get_logger
from auditor.render import Format, render

if TYPE_CHECKING:
    from auditor.history import Previous

ID_MAP_SOURCE = "{source}"
"""In ``--write-id-map FILE``: one map per source, this replaced by the source's label."""

log = get_logger("auditor.cli")


@dataclass(frozen=True)
class ReportOutputs:
    """What ``--history`` and ``--metrics-file`` need, read before any cloud is touched."""

    started: float
    """time.monotonic() when the command started."""
    previous: Previous | None
    """The newest report of the history directory."""
    previous_complete_at: float | None
    """The last complete run's time recorded in the existing metrics file."""


def report_format(args: argparse.Namespace, stdout: TextIO) -> Format:
    """``--format``, else text on a terminal and JSON elsewhere."""
    if args.format is not None:
        return Format(args.format)
    if not to_file(args.output) and stdout.isatty():
        return Format.TEXT
    return Format.JSON


def prepare_outputs(args: argparse.Namespace, started: float) -> ReportOutputs:
    """Check every output can be written, and read the previous report and metrics."""
    if args.write_id_map:
        check_writable_file(args.write_id_map.replace(ID_MAP_SOURCE, "source"))
    previous = files.prepare_history(args.history) if args.history else None
    previous_complete_at = None
    if args.metrics_file:
        previous_complete_at = files.previous_metrics(args.metrics_file)
    return ReportOutputs(started, previous, previous_complete_at)


def finish_report(
    outcome: Outcome, args: argparse.Namespace, stdout: TextIO, outputs: ReportOutputs
) -> int:
    """Write the report and what goes with it; the exit code is the report's."""
    report = outcome.report
    if args.write_id_map:
        write_id_maps(args.write_id_map, outcome)
    now = datetime.now(timezone.utc)
    if args.history:
        report = files.record_history(args.history, report, outputs.previous, now)
    if args.rules is None:
        hint = no_rules_hint(report)
        if hint is not None:
            log.warning(hint)
    # The history and the metrics keep every finding; the filters change what is shown.
    shown = apply_filter(report, finding_filter(args))
    emit(render(shown, report_format(args, stdout)), args.output, stdout)
    if to_file(args.output) and stdout.isatty():
        # The report went to a file: the person at the terminal still sees the verdict.
        stdout.write(verdict_line(report, args.output) + "\n")
        stdout.flush()
    if args.metrics_file:
        from auditor import metrics  # only with --metrics-file

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
        filtered=shown.filtered,
        exit_code=report.exit_code,
    )
    return report.exit_code


def write_id_maps(path: str, outcome: Outcome) -> None:
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
