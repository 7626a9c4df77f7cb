"""One self-contained HTML page: summary, findings filterable in the browser, scorecard.

Jinja2 renders it with autoescaping on: finding messages carry names chosen by
the clouds' users. The CSS and the script are inline and the page loads nothing
(its Content-Security-Policy forbids it), so the file can be mailed, attached
to a ticket or archived as it is.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import markupsafe

from auditor.model import Finding, Kind, Report, Severity
from auditor.render.common import (
    HISTORY_COLUMNS,
    by_source_columns,
    change_line,
    completeness,
    filter_lines,
    history_rows,
    project_label,
    scope_line,
    scorecard_columns,
    scorecard_counts,
    scorecard_line,
    severity_counts,
    still_open,
    summary_columns,
    waived_line,
    window_note,
)
from auditor.render.trend import svg as trend_svg
from auditor.textsafe import printable

NO_PROJECT = "-"
"""Filter value of the findings that belong to no project."""


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Every {{ value }} of text: autoescaped, and with no control or
        # bidirectional character (a NUL, an ANSI escape, a right-to-left override).
        finalize=_shown,
    )
    return env.get_template("report.html.j2")


def _shown(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return printable(value, limit=None)
    return value


def _where(cloud: str, region: str | None) -> str:
    return f"{cloud}@{region}" if region else cloud


def _finding(f: Finding, new: set[str]) -> dict[str, Any]:
    return {
        "id": f.id,
        "severity": f.severity.value,
        "kind": f.kind.value,
        "collection": f.collection,
        "project": f.project or "",
        "project_key": f.project if f.project is not None else NO_PROJECT,
        "message": f.message,
        "changes": [change_line(c) for c in f.changes if f.kind is Kind.CHANGED],
        "candidates": [c.label for c in f.candidates],
        "new": f.id in new,
        "waived": waived_line(f),
        "origin": f.origin or "",
    }


def render(report: Report) -> str:
    history = report.history
    new = set(history.new) if history else set()
    counted = report.counted
    projects = sorted({f.project for f in counted if f.project is not None})
    # The tables' columns, worked out once (in_flux when the report counts some).
    summary_cols = summary_columns(report)
    by_source_cols = by_source_columns(report)
    scorecard_cols = scorecard_columns(report)
    scorecard = [
        {
            "source": project_label(s.source.domain, s.source.name, s.source.label),
            "target": project_label(s.target.domain, s.target.name, s.target.label)
            if s.target
            else None,
            "counts": scorecard_counts(s, scorecard_cols),
            "attention": not s.fully_matched,
            "origin": s.origin or "",
        }
        for s in sorted(report.scorecard, key=lambda s: s.fully_matched)
    ]
    context = {
        "tool_version": report.tool_version,
        "generated_at": report.generated_at,
        "verdict": report.verdict.value,
        "exit_code": report.exit_code,
        "fail_on": report.fail_on.value,
        "source": _where(report.source.cloud, report.source.region),
        "sources": [
            {
                "label": s.label,
                "where": _where(s.cloud, s.region),
                "taken": s.taken_at,
                "window": printable(window_note(s)),
                "complete": s.complete,
            }
            for s in report.sources
        ],
        "multi": bool(report.sources),
        "scope": scope_line(report, shown=50),
        "notes": list(report.notes),
        "by_source": [
            {
                "label": label,
                "name": name,
                "cells": [getattr(s, c) for c in by_source_cols],
            }
            for label, summary in report.summary_by_source.items()
            for name, s in summary.items()
        ],
        "by_source_columns": by_source_cols,
        "source_taken": report.source.taken_at,
        "source_window": printable(window_note(report.source)),
        "source_complete": report.source.complete,
        "target": _where(report.target.cloud, report.target.region),
        "target_taken": report.target.taken_at,
        "target_window": printable(window_note(report.target)),
        "target_complete": report.target.complete,
        "severity_counts": severity_counts(counted),
        "summary_columns": summary_cols,
        "summary": [
            {
                "name": name,
                "cells": [getattr(s, c) for c in summary_cols],
                "complete": s.complete,
                "state": completeness(s),
            }
            for name, s in report.summary.items()
        ],
        "findings": [_finding(f, new) for f in counted],
        "waived": [_finding(f, new) for f in report.waived],
        "waivers": report.waivers,
        "filter_lines": filter_lines(report),
        "severities": [s.value for s in Severity],
        "kinds": sorted({f.kind.value for f in counted}),
        "collections": sorted({f.collection for f in counted}),
        "projects": [{"value": p, "label": p} for p in projects]
        + (
            [{"value": NO_PROJECT, "label": "(no project)"}]
            if any(f.project is None for f in counted)
            else []
        ),
        "history": history,
        # A trend needs two runs at least.
        "trend": trend_svg(history.trend) if history and len(history.trend) > 1 else None,
        "trend_runs": len(history.trend) if history else 0,
        "history_columns": HISTORY_COLUMNS,
        "history_rows": history_rows(report),
        "still_open": still_open(report),
        "scorecard": scorecard,
        "scorecard_columns": scorecard_cols,
        "scorecard_line": scorecard_line(report),
    }
    return _template().render(context)
