"""Markdown for tickets: summary, findings by severity, per-project scorecard."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.model import Report, Severity
from auditor.render.common import (
    HISTORY_COLUMNS,
    by_source_columns,
    by_source_rows,
    change_line,
    filter_lines,
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
from auditor.textsafe import markdown_text, printable


class _Md(str):
    """A table cell already written as Markdown (ids in backticks, bold, <br>)."""


def _cell(value: object) -> str:
    if isinstance(value, _Md):
        return value.replace("\n", " ")
    return markdown_text(str(value))


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def render(report: Report) -> str:
    out = [
        f"# Migration audit: {report.verdict.value}",
        "",
        *(f"- **{heading}:** {markdown_text(side)}" for heading, side in source_lines(report)),
        f"- **Target:** {markdown_text(side_label(report.target))}",
        *([f"- **Scope:** {markdown_text(scope)}"] if (scope := scope_line(report)) else []),
        f"- **Exit code:** {report.exit_code} (fail on {report.fail_on.value})",
        f"- **Findings:** {len(report.counted)} ({severity_counts(report.counted)})",
    ]
    out += [f"- **Note:** {markdown_text(note)}" for note in report.notes]
    if report.waivers is not None:
        w = report.waivers
        out.append(
            f"- **Waivers:** {markdown_text(w.file)} as of {w.as_of}: {w.waived} finding(s) waived,"
            f" {w.expired} waiver(s) expired, {len(w.unused)} unused"
        )
    out += [
        f"- **Filtered:** {markdown_text(line.removeprefix('Filtered: '))}"
        for line in filter_lines(report)
    ]
    out += scorecard(report)
    out += [
        "",
        "## Summary",
        "",
    ]
    out += table(["collection", *summary_columns(report), "complete"], summary_rows(report))
    if left_out_lines(report):
        out += ["", *left_out_lines(report)]
    if report.summary_by_source:
        out += ["", "## By source", ""]
        out += table(
            ["source", "collection", *by_source_columns(report), "complete"], by_source_rows(report)
        )
    history = report.history
    new = set(history.new) if history else set()
    if history is not None:
        out += [
            "",
            "## Since the previous run",
            "",
            f"Compared with the report of {history.previous}: **{len(history.new)} new**,"
            f" **{len(history.resolved)} resolved**, **{still_open(report)} still open**.",
            "",
        ]
        out += table(list(HISTORY_COLUMNS), history_rows(report))
        if history.resolved:
            out += ["", "Resolved:", ""]
            out += table(
                ["severity", "kind", "collection", "message", "id"],
                [
                    [r.severity.value, r.kind.value, r.collection, r.message, _Md(f"`{r.id}`")]
                    for r in history.resolved
                ],
            )
    for severity in Severity:
        findings = [f for f in report.counted if f.severity is severity]
        if not findings:
            continue
        out += ["", f"## {severity.value.capitalize()} ({len(findings)})", ""]
        rows = []
        for f in findings:
            details = _Md(
                "<br>".join(
                    markdown_text(change_line(c)) for c in f.changes if f.kind.value == "changed"
                )
            )
            ident = _Md(f"`{f.id}`" + (" **new**" if f.id in new else ""))
            rows.append([f.kind.value, f.collection, f.project or "", message(f), details, ident])
        out += table(["kind", "collection", "project", "message", "details", "id"], rows)
    if report.waived:
        out += ["", f"## Waived ({len(report.waived)})", ""]
        out += ["Accepted differences: kept here, not counted in the verdict.", ""]
        out += table(
            ["severity", "kind", "collection", "project", "message", "waiver", "id"],
            [
                [
                    f.severity.value,
                    f.kind.value,
                    f.collection,
                    f.project or "",
                    message(f),
                    waived_line(f),
                    _Md(f"`{f.id}`" + (" **new**" if f.id in new else "")),
                ]
                for f in report.waived
            ],
        )
    return printable("\n".join(out) + "\n", limit=None, keep="\n")


def scorecard(report: Report) -> list[str]:
    """The scorecard section: the projects needing attention first."""
    if not report.scorecard:
        return []
    origins = scorecard_origin(report)
    columns = scorecard_columns(report)
    header = ["status", "source project", "target project", *columns]
    ordered = sorted(report.scorecard, key=lambda s: s.fully_matched)
    out = ["", "## Scorecard", "", f"{scorecard_line(report)}.", ""]
    out += table(
        ["source", *header] if origins else header,
        [
            [
                *([s.origin or ""] if origins else []),
                "ok" if s.fully_matched else _Md("**attention**"),
                project_label(s.source.domain, s.source.name, s.source.label),
                project_label(s.target.domain, s.target.name, s.target.label)
                if s.target
                else _Md("**none**"),
                *scorecard_counts(s, columns),
            ]
            for s in ordered
        ],
    )
    return out
