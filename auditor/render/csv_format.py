"""CSV for spreadsheets and scripts: one finding a row, under stable columns.

The columns (:data:`COLUMNS`) are part of the contract: new columns are only
ever added at the end. Every finding of the report is a row, waived ones too
(``waived`` says so). With a history (``--history``, ``auditor compare``),
``baseline`` says ``new`` or ``unchanged``, and each finding resolved since the
previous report is a row too, ``absent``, with the columns it still has (id,
severity, kind, collection, message). Cells are text a spreadsheet cannot run: control
characters become visible escapes, and a cell that a spreadsheet would read as
a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is prefixed with ``'``, as OWASP's CSV-injection advice says.
"""

from __future__ import annotations

import csv
import io

from auditor.model import Finding, Ref, Report, ResolvedFinding
from auditor.render.common import change_line
from auditor.textsafe import printable

COLUMNS = (
    "id",
    "severity",
    "kind",
    "collection",
    "project",
    "source_id",
    "source_name",
    "source_project",
    "target_id",
    "target_name",
    "target_project",
    "matched_by",
    "changes",
    "waived",
    "waiver_owner",
    "waiver_expires",
    "waiver_reason",
    "origin",
    "side",
    "new",
    "message",
    "baseline",
)
"""The header row, in order: stable across versions (additions go at the end)."""

CHANGE_SEPARATOR = " ; "
"""Between two changes of one finding in the ``changes`` cell."""

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def cell(value: str | None) -> str:
    """A value as a CSV cell that no spreadsheet evaluates and no terminal obeys."""
    if value is None:
        return ""
    if value.startswith(_FORMULA):
        value = "'" + value
    return printable(value, limit=None)


def _ref(ref: Ref | None) -> list[str | None]:
    if ref is None:
        return [None, None, None]
    return [ref.id, ref.name, ref.project]


def _row(f: Finding, new: set[str] | None) -> list[str]:
    w = f.waived
    values: list[str | None] = [
        f.id,
        f.severity.value,
        f.kind.value,
        f.collection,
        f.project,
        *_ref(f.source),
        *_ref(f.target),
        f.matched_by,
        CHANGE_SEPARATOR.join(change_line(c) for c in f.changes),
        "yes" if w is not None else "no",
        w.owner if w is not None else None,
        w.expires if w is not None else None,
        w.reason if w is not None else None,
        f.origin,
        f.side,
        None if new is None else ("yes" if f.id in new else "no"),
        f.message,
        None if new is None else ("new" if f.id in new else "unchanged"),
    ]
    return [cell(v) for v in values]


def _resolved_row(r: ResolvedFinding) -> list[str]:
    values: dict[str, str | None] = {
        "id": r.id,
        "severity": r.severity.value,
        "kind": r.kind.value,
        "collection": r.collection,
        "message": r.message,
        "new": "no",
        "baseline": "absent",
    }
    return [cell(values.get(column)) for column in COLUMNS]


def render(report: Report) -> str:
    """The header, then one row per finding in the report's order (``\\n`` line ends;
    a cell holding a line break is quoted, as RFC 4180 says)."""
    new = set(report.history.new) if report.history is not None else None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(f, new) for f in report.findings)
    if report.history is not None:
        writer.writerows(_resolved_row(r) for r in report.history.resolved)
    return out.getvalue()
