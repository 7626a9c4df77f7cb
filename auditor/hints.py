"""One-line words for the terminal about a report: its verdict, and a hint when the
audit most likely lacks its rules. Pure: the CLI prints them."""

from __future__ import annotations

from auditor.model import Report
from auditor.render.common import severity_counts


def verdict_line(report: Report, written_to: str) -> str:
    """``Verdict: DISCREPANCIES (exit 1): 27 findings (21 error, ...); report in FILE``."""
    counted = report.counted
    return (
        f"Verdict: {report.verdict.value.upper()} (exit {report.exit_code}):"
        f" {len(counted)} findings ({severity_counts(counted)}); report in {written_to}"
    )


def no_rules_hint(report: Report) -> str | None:
    """What to say when an audit without rules matched less than half the source items:
    names that all differ are what a rules file describes (None when most matched)."""
    source = sum(s.source for s in report.summary.values())
    matched = sum(s.matched for s in report.summary.values())
    if source == 0 or matched * 2 >= source:
        return None
    return (
        f"no rules file given (--rules), and {source - matched} of {source} source items found"
        " no counterpart by id or name: if the migration renamed projects, servers, domains or"
        " regions, describe it in a rules file (see docs/rules.md)"
    )
