"""``auditor compare OLD_REPORT NEW_REPORT``: what changed between two saved JSON
reports, no cloud touched; the exit code says whether something new needs a look."""

from __future__ import annotations

import argparse
from typing import TextIO

from auditor.app.commands.reports import report_format
from auditor.app.console import emit
from auditor.app.files import read_report
from auditor.app.options import finding_filter
from auditor.filters import apply_filter
from auditor.history import CompareOptions, Previous, compare_reports
from auditor.logsetup import get_logger
from auditor.model import Severity
from auditor.render import render
from auditor.secrets import Redactor

log = get_logger("auditor.cli")


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    options = CompareOptions(fail_on=Severity(args.fail_on))
    old = Previous(args.old, read_report(args.old))
    new = read_report(args.new)
    comparison = compare_reports(old, new, options)
    history = comparison.report.history
    shown = apply_filter(comparison.report, finding_filter(args))
    emit(render(shown, report_format(args, stdout)), args.output, stdout)
    log.info(
        "compare done",
        verdict=comparison.verdict.value,
        new=len(history.new) if history else 0,
        resolved=len(history.resolved) if history else 0,
        exit_code=comparison.exit_code,
    )
    return comparison.exit_code
