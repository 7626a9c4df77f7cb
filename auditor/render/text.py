"""Plain text for terminals and cron mail: summary table, findings by project, scorecard."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from auditor.model import Finding, Report
from auditor.render.common import (
    HISTORY_COLUMNS,
    by_source_columns,
    by_source_rows,
    change_line,
    filter_lines,
    grouped_by_project,
    history_rows,
    left_out_lines,
    message,
    project_label,
    scope_line,
    scorecard_columns,
    scorecard_counts,
    scorecard_line,
    scorecard_origin,
    severity_counts,
    side_label,
    source_lines,
    still_open,
    summary_columns,
    summary_rows,
    waived_line,
)
from auditor.textsafe import printable

WIDTH = 4000
"""Columns of the page: wide enough that rich never wraps or cuts a line (every name
is cut at 500 characters first); terminals and mail wrap long lines themselves."""


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    """A table with a ruled header: numbers right-aligned, words left-aligned."""
    grid = Table(box=box.ASCII2, show_edge=False, pad_edge=False)
    for i, name in enumerate(header):
        numbers = bool(rows) and all(str(r[i]).isdigit() for r in rows)
        grid.add_column(name, justify="right" if numbers else "left", no_wrap=True)
    for row in rows:
        grid.add_row(*(Text(printable(str(v), limit=None)) for v in row))
    return grid


def _findings(rows: Sequence[tuple[str, str, str, Sequence[str]]]) -> Padding:
    """Severity, kind, then the message with its id; each change under the message."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=len("WARNING"))
    grid.add_column(no_wrap=True, min_width=len("unexpected"))
    grid.add_column(no_wrap=True)
    for severity, kind, line, details in rows:
        grid.add_row(severity, kind, Text(line))
        for detail in details:
            grid.add_row("", "", Text(detail))
    return Padding(grid, (0, 0, 0, 2))


def _page(parts: Sequence[str | RenderableType]) -> str:
    """The parts one after another, through a console that writes plain text only."""
    console = Console(
        file=io.StringIO(),
        width=WIDTH,
        color_system=None,
        force_terminal=False,
        force_interactive=False,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=True,
    )
    for part in parts:
        console.print(Text(printable(part, limit=None)) if isinstance(part, str) else part)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _line(f: Finding, new: set[str]) -> tuple[str, str, str]:
    mark = "  NEW" if f.id in new else ""
    return f.severity.value.upper(), f.kind.value, f"{message(f)}  [{f.id}]{mark}"


def render(report: Report) -> str:
    out: list[str | RenderableType] = [
        *(f"{heading}: {side}" for heading, side in source_lines(report))
    ]
    scope = scope_line(report)
    out += [
        f"Target: {side_label(report.target)}",
        *([f"Scope: {scope}"] if scope else []),
        f"Verdict: {report.verdict.value.upper()} (exit {report.exit_code},"
        f" fail on {report.fail_on.value})",
        "",
        table(["collection", *summary_columns(report), "complete"], summary_rows(report)),
    ]
    if left_out_lines(report):
        out += ["", *left_out_lines(report)]
    if report.notes:
        out += ["", *(f"Note: {note}" for note in report.notes)]
    if report.summary_by_source:
        out += ["", "By source"]
        out.append(
            table(
                ["source", "collection", *by_source_columns(report), "complete"],
                by_source_rows(report),
            )
        )
    counted, waived = report.counted, report.waived
    out += ["", f"Findings: {len(counted)} ({severity_counts(counted)})", *filter_lines(report)]
    if report.waivers is not None:
        w = report.waivers
        out.append(
            f"Waivers ({w.file}, as of {w.as_of}): {w.waived} finding(s) waived,"
            f" {w.expired} waiver(s) expired, {len(w.unused)} unused"
        )
    history = report.history
    new = set(history.new) if history else set()
    if history is not None:
        # The table's caption, above it: rich would wrap a caption to the table's width.
        previous_file = f" (previous: {history.previous_file})" if history.previous_file else ""
        out.append(
            f"Since the previous run ({history.previous}): {len(history.new)} new,"
            f" {len(history.resolved)} resolved, {still_open(report)} still open{previous_file}"
        )
        out.append(Padding(table(HISTORY_COLUMNS, history_rows(report)), (0, 0, 0, 2)))
    for project, findings in grouped_by_project(counted):
        out += ["", f"== {printable(project) if project is not None else '(no project)'}"]
        changes = {
            f.id: [change_line(c) for c in f.changes] for f in findings if f.kind.value == "changed"
        }
        out.append(_findings([(*_line(f, new), changes.get(f.id, [])) for f in findings]))
    if waived:
        out += ["", f"== Waived: accepted differences, not counted ({len(waived)})"]
        out.append(_findings([(*_line(f, new), [waived_line(f)]) for f in waived]))
    if history is not None and history.resolved:
        out += ["", f"== Resolved since the previous run ({history.previous})"]
        resolved: list[tuple[str, str, str, Sequence[str]]] = [
            (r.severity.value.upper(), r.kind.value, f"{printable(r.message)}  [{r.id}]", [])
            for r in history.resolved
        ]
        out.append(_findings(resolved))
    if report.scorecard:
        # Every project with something to look at; the fully matched ones summed up.
        attention = [s for s in report.scorecard if not s.fully_matched]
        out += ["", "Scorecard (source projects needing attention)"]
        origins = scorecard_origin(report)
        columns = scorecard_columns(report)
        rows = [
            [
                *([s.origin or ""] if origins else []),
                printable(project_label(s.source.domain, s.source.name, s.source.label)),
                printable(project_label(s.target.domain, s.target.name, s.target.label))
                if s.target
                else "(none)",
                *(str(n) for n in scorecard_counts(s, columns)),
            ]
            for s in attention
        ]
        if rows:
            header = ["source project", "target project", *columns]
            out.append(table(["source", *header] if origins else header, rows))
        out.append(f"{scorecard_line(report)}.")
    # Whatever else came from a file or a cloud (a label, a scope): no control
    # character reaches the terminal but the line breaks made here.
    return printable(_page(out), limit=None, keep="\n")
