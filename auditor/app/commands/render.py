"""``auditor render``: a saved JSON report in another format, no cloud touched."""

from __future__ import annotations

import argparse
from typing import TextIO

from auditor.app.commands.reports import report_format
from auditor.app.console import emit
from auditor.app.exits import EXIT_OK
from auditor.app.files import read_report
from auditor.app.options import finding_filter
from auditor.filters import apply_filter
from auditor.render import render
from auditor.secrets import Redactor


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    report = apply_filter(read_report(args.report), finding_filter(args))
    emit(render(report, report_format(args, stdout)), args.output, stdout)
    return EXIT_OK
