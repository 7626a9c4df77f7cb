"""``--history DIR``: every report kept, and what changed since the previous one.

Reports are kept as ``DIR/report-<UTC timestamp>.json`` (mode 0600); the
timestamps have a fixed width, so the newest report is the last name in sorted
order. Findings are compared by their stable id: an id in this report and not
in the previous one is *new*; an id of the previous report that this one lacks
is *resolved*, unless this run could not list that collection completely (a
finding that disappears because its collection failed to list is not fixed,
only unseen).

``auditor compare OLD NEW`` compares two saved reports the same way
(:func:`compare_reports`), with an exit code of its own about what is new.

This module compares; :mod:`auditor.app.files` lists, reads, locks and writes the
directory.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from auditor.diff.verdict import EXIT_CODES
from auditor.errors import BadInputError
from auditor.model import (
    REPORT_SCHEMA,
    History,
    Kind,
    Report,
    ResolvedFinding,
    Severity,
    TrendPoint,
    Verdict,
)

REPORT_NAME = re.compile(r"^report-\d{8}T\d{6}\.\d{6}Z\.json$")

MAX_TREND_POINTS = 100
"""The trend a report carries: its history's newest runs, at most this many."""


class HistoryError(BadInputError):
    """A report file (one of the history directory's) is unreadable (exit code 2)."""


@dataclass(frozen=True)
class Previous:
    """The newest report of the history directory."""

    name: str
    """Its file name."""
    report: Report


def report_name(now: datetime) -> str:
    """The file name of a report kept at ``now`` (an aware UTC datetime)."""
    return f"report-{now.strftime('%Y%m%dT%H%M%S.%fZ')}.json"


def newest(names: Iterable[str]) -> str | None:
    """The newest report among the file names of a history directory (other files are not
    reports), None when there is none."""
    reports = sorted(n for n in names if REPORT_NAME.match(n))
    return reports[-1] if reports else None


def parse_report(text: str, origin: str) -> Report:
    """A JSON report (``auditor.report/v1``) from its text; ``origin`` names the file in
    errors, each one :class:`HistoryError` line."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryError(
            f"{origin}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(doc, dict) or doc.get("schema") != REPORT_SCHEMA:
        raise HistoryError(f"{origin}: not an auditor report (expected schema {REPORT_SCHEMA!r})")
    try:
        return Report.from_json(doc)
    except (ValueError, KeyError, TypeError) as exc:
        raise HistoryError(f"{origin}: not an auditor report ({exc!r})") from None


def trend_point(report: Report) -> TrendPoint:
    """One report's point of a trend: its counted findings by severity, its matches."""
    counted = [f.severity for f in report.counted]
    return TrendPoint(
        generated_at=report.generated_at,
        error=counted.count(Severity.ERROR),
        warning=counted.count(Severity.WARNING),
        info=counted.count(Severity.INFO),
        matched=sum(s.matched for s in report.summary.values()),
        source=sum(s.source for s in report.summary.values()),
    )


def trend(
    previous: Previous, current: Report, older: Sequence[TrendPoint] = ()
) -> tuple[TrendPoint, ...]:
    """The runs of a history up to ``current``: the trend ``previous`` carries (which ends
    with its own point), else ``older`` (the points of the reports before it, read from
    the directory) and its own point; then ``current``'s."""
    carried = previous.report.history.trend if previous.report.history is not None else ()
    before = carried or (*older, trend_point(previous.report))
    return (*before, trend_point(current))[-MAX_TREND_POINTS:]


def compare(previous: Previous, current: Report, older: Sequence[TrendPoint] = ()) -> History:
    """What ``current`` adds to and removes from ``previous``, by finding id, and the
    trend up to it (``older``: see :func:`trend`)."""
    before = {f.id: f for f in previous.report.findings}
    now = {f.id for f in current.findings}
    unseen = {name for name, s in current.summary.items() if not s.complete}
    # An incomplete finding names its collection: while it stands, that
    # collection's previous findings are unconfirmed, not resolved.
    unseen |= {f.collection for f in current.findings if f.kind is Kind.INCOMPLETE}
    resolved = tuple(
        ResolvedFinding(
            id=f.id,
            kind=f.kind,
            collection=f.collection,
            severity=f.severity,
            message=f.message,
        )
        for f in previous.report.findings
        if f.id not in now and (f.kind is Kind.INCOMPLETE or f.collection not in unseen)
    )
    return History(
        previous=previous.report.generated_at,
        previous_file=previous.name,
        new=tuple(f.id for f in current.findings if f.id not in before),
        resolved=resolved,
        trend=trend(previous, current, older),
    )


@dataclass(frozen=True)
class CompareOptions:
    """How ``auditor compare`` judges what changed between two reports."""

    fail_on: Severity = Severity.ERROR
    """The lowest severity of a new finding that makes the exit code 1."""


@dataclass(frozen=True)
class Comparison:
    """Two reports compared: the newer one, its ``history`` set against the older one."""

    report: Report
    """The newer report; its verdict and exit code stay those of its audit."""
    verdict: Verdict
    """Of the comparison: ``discrepancies`` when a new finding (not waived, not
    ``incomplete``) reaches ``fail_on``; else ``incomplete`` when the newer report
    could not list some collection (some older findings are unconfirmed); else
    ``verified``."""

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


def compare_reports(old: Previous, new: Report, options: CompareOptions) -> Comparison:
    """What ``new`` adds to, keeps of and resolves from ``old``, by finding id."""
    changes = compare(old, new)
    fresh = set(changes.new)
    counted_new = [f for f in new.findings if f.id in fresh and f.counted]
    incomplete = any(not s.complete for s in new.summary.values()) or any(
        f.kind is Kind.INCOMPLETE and f.counted for f in new.findings
    )
    if any(
        f.kind is not Kind.INCOMPLETE and f.severity.rank >= options.fail_on.rank
        for f in counted_new
    ):
        verdict = Verdict.DISCREPANCIES
    elif incomplete:
        verdict = Verdict.INCOMPLETE
    else:
        verdict = Verdict.VERIFIED
    return Comparison(dataclasses.replace(new, history=changes), verdict)
