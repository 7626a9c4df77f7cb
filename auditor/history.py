"""``--history DIR``: every report kept, and what changed since the previous one.

Reports are kept as ``DIR/report-<UTC timestamp>.json`` (mode 0600); the
timestamps have a fixed width, so the newest report is the last name in sorted
order. Findings are compared by their stable id: an id in this report and not
in the previous one is *new*; an id of the previous report that this one lacks
is *resolved*, unless this run could not list that collection completely (a
finding that disappears because its collection failed to list is not fixed,
only unseen).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from auditor.errors import BadInputError
from auditor.fileio import ensure_writable_dir, locked, write_private
from auditor.model import REPORT_SCHEMA, History, Kind, Report, ResolvedFinding
from auditor.render import json_format

REPORT_NAME = re.compile(r"^report-\d{8}T\d{6}\.\d{6}Z\.json$")


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


def latest(directory: str) -> Previous | None:
    """The newest report kept in ``directory``, None when there is none yet."""
    try:
        names = sorted(n for n in os.listdir(directory) if REPORT_NAME.match(n))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HistoryError(f"{directory}: cannot list ({exc.strerror or exc})") from None
    if not names:
        return None
    name = names[-1]
    return Previous(name, load_report(os.path.join(directory, name)))


def load_report(path: str) -> Report:
    """Read a JSON report (``auditor.report/v1``); failures are one :class:`HistoryError` line."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise HistoryError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HistoryError(f"{path}: cannot read report ({exc})") from None
    except json.JSONDecodeError as exc:
        raise HistoryError(
            f"{path}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(doc, dict) or doc.get("schema") != REPORT_SCHEMA:
        raise HistoryError(f"{path}: not an auditor report (expected schema {REPORT_SCHEMA!r})")
    try:
        return Report.from_json(doc)
    except (ValueError, KeyError, TypeError) as exc:
        raise HistoryError(f"{path}: not an auditor report ({exc!r})") from None


def compare(previous: Previous, current: Report) -> History:
    """What ``current`` adds to and removes from ``previous``, by finding id."""
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
    )


def prepare(directory: str) -> Previous | None:
    """Check ``directory`` can take reports (creating it, mode 0700) and read the newest one.

    Called before any cloud is touched, so a bad directory fails fast.
    """
    ensure_writable_dir(directory)
    return latest(directory)


def record(directory: str, report: Report, previous: Previous | None, now: datetime) -> Report:
    """``report`` with its history against the newest report kept in ``directory``, kept
    there too (mode 0600).

    Runs sharing the directory take turns (a lock): each compares with the report
    the run before it kept, even one kept since ``previous`` was read, and no
    two reports get the same name.
    """
    with locked(directory):
        newest = latest(directory)
        if newest is not None and (previous is None or newest.name != previous.name):
            previous = newest
        if previous is not None:
            report = replace(report, history=compare(previous, report))
        name = report_name(now)
        while os.path.exists(os.path.join(directory, name)):
            now += timedelta(microseconds=1)
            name = report_name(now)
        write_private(os.path.join(directory, name), json_format.render(report))
    return report
