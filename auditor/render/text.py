"""Plain text for terminals and cron mail: summary table, findings by project, scorecard."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.model import Report
from auditor.render.common import (
    BY_SOURCE_COLUMNS,
    SCORECARD_COLUMNS,
    SUMMARY_COLUMNS,
    by_source_rows,
    change_line,
    grouped_by_project,
    left_out_lines,
    message,
    project_label,
    scope_line,
    scorecard_counts,
    scorecard_line,
    scorecard_origin,
    severity_counts,
    side_label,
    source_lines,
    summary_rows,
    waived_line,
)
from auditor.textsafe import printable


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(v).rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    return [line(header), *(line(r) for r in rows)]


def render(report: Report) -> str:
    out = [f"{heading}: {side}" for heading, side in source_lines(report)]
    scope = scope_line(report)
    out += [
        f"Target: {side_label(report.target)}",
        *([f"Scope: {scope}"] if scope else []),
        f"Verdict: {report.verdict.value.upper()} (exit {report.exit_code},"
        f" fail on {report.fail_on.value})",
        "",
    ]
    out += table(["collection", *SUMMARY_COLUMNS, "complete"], summary_rows(report))
    if left_out_lines(report):
        out += ["", *left_out_lines(report)]
    if report.summary_by_source:
        out += ["", "By source"]
        out += table(
            ["source", "collection", *BY_SOURCE_COLUMNS, "complete"], by_source_rows(report)
        )
    counted, waived = report.counted, report.waived
    out += ["", f"Findings: {len(counted)} ({severity_counts(counted)})"]
    if report.waivers is not None:
        w = report.waivers
        out.append(
            f"Waivers ({w.file}, as of {w.as_of}): {w.waived} finding(s) waived,"
            f" {w.expired} waiver(s) expired, {len(w.unused)} unused"
        )
    history = report.history
    new = set(history.new) if history else set()
    if history is not None:
        out.append(
            f"Since the previous run ({history.previous}): {len(history.new)} new,"
            f" {len(history.resolved)} resolved"
        )
    for project, findings in grouped_by_project(counted):
        out += ["", f"== {printable(project) if project is not None else '(no project)'}"]
        for f in findings:
            mark = "  NEW" if f.id in new else ""
            out.append(
                f"  {f.severity.value.upper():<7} {f.kind.value:<10} {message(f)}  [{f.id}]{mark}"
            )
            out += [f"          {change_line(c)}" for c in f.changes if f.kind.value == "changed"]
    if waived:
        out += ["", f"== Waived: accepted differences, not counted ({len(waived)})"]
        for f in waived:
            mark = "  NEW" if f.id in new else ""
            out.append(
                f"  {f.severity.value.upper():<7} {f.kind.value:<10} {message(f)}  [{f.id}]{mark}"
            )
            out.append(f"          {waived_line(f)}")
    if history is not None and history.resolved:
        out += ["", f"== Resolved since the previous run ({history.previous})"]
        out += [
            f"  {r.severity.value.upper():<7} {r.kind.value:<10} {printable(r.message)}  [{r.id}]"
            for r in history.resolved
        ]
    if report.scorecard:
        # Every project with something to look at; the fully matched ones summed up.
        attention = [s for s in report.scorecard if not s.fully_matched]
        out += ["", "Scorecard (source projects needing attention)"]
        origins = scorecard_origin(report)
        rows = [
            [
                *([s.origin or ""] if origins else []),
                printable(project_label(s.source.domain, s.source.name, s.source.label)),
                printable(project_label(s.target.domain, s.target.name, s.target.label))
                if s.target
                else "(none)",
                *(str(n) for n in scorecard_counts(s)),
            ]
            for s in attention
        ]
        if rows:
            header = ["source project", "target project", *SCORECARD_COLUMNS]
            out += table(["source", *header] if origins else header, rows)
        out.append(f"{scorecard_line(report)}.")
    # Whatever else came from a file or a cloud (a label, a scope): no control
    # character reaches the terminal but the line breaks made here.
    return printable("\n".join(out) + "\n", limit=None, keep="\n")
