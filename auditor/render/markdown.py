"""Markdown for tickets: summary, findings by severity, per-project scorecard."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.model import Report, Severity
from auditor.render.common import (
    SUMMARY_COLUMNS,
    change_line,
    severity_counts,
    side_label,
    summary_rows,
)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def render(report: Report) -> str:
    out = [
        f"# Migration audit: {report.verdict.value}",
        "",
        f"- **Source:** {side_label(report.source)}",
        f"- **Target:** {side_label(report.target)}",
        f"- **Exit code:** {report.exit_code} (fail on {report.fail_on.value})",
        f"- **Findings:** {len(report.findings)} ({severity_counts(report.findings)})",
        "",
        "## Summary",
        "",
    ]
    out += table(["collection", *SUMMARY_COLUMNS, "complete"], summary_rows(report))
    for severity in Severity:
        findings = [f for f in report.findings if f.severity is severity]
        if not findings:
            continue
        out += ["", f"## {severity.value.capitalize()} ({len(findings)})", ""]
        rows = []
        for f in findings:
            details = "<br>".join(
                change_line(c.field, c.source, c.target)
                for c in f.changes
                if f.kind.value == "changed"
            )
            rows.append(
                [f.kind.value, f.collection, f.project or "", f.message, details, f"`{f.id}`"]
            )
        out += table(["kind", "collection", "project", "message", "details", "id"], rows)
    if report.scorecard:
        out += ["", "## Scorecard", ""]
        out += table(
            ["source project", "target project", "matched", "missing", "changed"],
            [
                [
                    f"{s.source.domain}/{s.source.name}",
                    f"{s.target.domain}/{s.target.name}" if s.target else "**none**",
                    s.matched,
                    s.missing,
                    s.changed,
                ]
                for s in report.scorecard
            ],
        )
    return "\n".join(out) + "\n"
