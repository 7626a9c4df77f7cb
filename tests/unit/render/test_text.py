"""The text report laid out by rich: plain text whatever the terminal says, names
never read as rich markup, columns aligned whatever the widths."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from auditor.model import Kind, Ref, Report
from auditor.render import Format, render


def test_the_environment_changes_nothing(
    golden_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = render(golden_report, Format.TEXT)
    for name, value in {
        "COLUMNS": "20",
        "LINES": "5",
        "FORCE_COLOR": "1",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "TTY_COMPATIBLE": "1",
        "TTY_INTERACTIVE": "1",
    }.items():
        monkeypatch.setenv(name, value)
    assert render(golden_report, Format.TEXT) == plain
    assert "\x1b" not in plain and all(line == line.rstrip() for line in plain.splitlines())


def test_names_are_not_rich_markup_or_emoji(golden_report: Report) -> None:
    first, *rest = golden_report.findings
    name = "[bold red]web[/bold red] :smile: [link=http://x]y[/link]"
    evil = replace(first, target=Ref(id="P2", name=name), message=f"project {name} is odd")
    text = render(replace(golden_report, findings=(evil, *rest)), Format.TEXT)
    assert f"project {name} is odd" in text


def test_tables_and_findings_align(golden_report: Report) -> None:
    # A kind longer than any other (waiver_expired) in one project's findings.
    findings = [
        replace(f, kind=Kind.WAIVER_EXPIRED) if f.kind is Kind.MISSING else f
        for f in golden_report.findings
    ]
    text = render(replace(golden_report, findings=tuple(findings)), Format.TEXT)
    lines = text.splitlines()
    header = lines.index(next(line for line in lines if line.startswith("collection ")))
    table = lines[header : header + 6]
    # Every row of the summary has its column separators at the same places.
    bars = {tuple(i for i, ch in enumerate(row) if ch in "|+") for row in table}
    assert len(bars) == 1, table
    assert set(lines[header + 1]) == {"-", "+"}
    # Within a project, the messages start in one column, the changes under them.
    group = lines[lines.index("== ocb-globex") + 1 :]
    group = group[: group.index("")]
    finding = re.compile(r"^  (ERROR|WARNING|INFO)\s+\S+\s+")
    starts = {m.end() for line in group if (m := finding.match(line))}
    starts |= {len(line) - len(line.lstrip()) for line in group if not finding.match(line)}
    assert len(starts) == 1, group
    assert any("waiver_expired" in line for line in group)
    assert any(line.strip() == "enabled: yes -> no" for line in group)
