"""CSV: stable documented columns, one finding a row, no formula a spreadsheet runs."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.model import History, Ref, Report, WaiverNote
from auditor.render import Format, render
from auditor.render.csv_format import COLUMNS, cell

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
DOCUMENTED = (
    "id,severity,kind,collection,project,source_id,source_name,source_project,"
    "target_id,target_name,target_project,matched_by,changes,waived,waiver_owner,"
    "waiver_expires,waiver_reason,origin,side,new,message,baseline"
)
"""The columns docs/report.md documents: only ever added to, at the end."""


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_columns_are_the_documented_ones() -> None:
    assert ",".join(COLUMNS) == DOCUMENTED
    docs = (GOLDEN.parents[1] / "docs" / "report.md").read_text(encoding="utf-8")
    section = docs.split("\n## CSV\n", 1)[1].split("\n## ", 1)[0]
    documented = [
        name
        for line in section.splitlines()
        if line.startswith("| `")
        for name in line.split("|")[1].replace("`", "").replace(" ", "").split(",")
    ]
    assert documented == list(COLUMNS)


def test_cli_writes_one_row_per_finding(tmp_path: Path) -> None:
    """`auditor diff -f csv -o FILE`, as users run it, read back with the csv module."""
    inputs = [str(GOLDEN / "source.json"), str(GOLDEN / "target.json")]
    rules = ["--rules", str(GOLDEN / "rules.yaml")]
    out, as_json = tmp_path / "findings.csv", tmp_path / "report.json"
    assert main(["--no-progress", "diff", *inputs, *rules, "-f", "csv", "-o", str(out)]) == 1
    assert main(["--no-progress", "diff", *inputs, *rules, "-f", "json", "-o", str(as_json)]) == 1

    findings = json.loads(as_json.read_text(encoding="utf-8"))["findings"]
    table = rows(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in table] == [f["id"] for f in findings]
    for row, finding in zip(table, findings, strict=True):
        assert row["severity"] == finding["severity"]
        assert row["kind"] == finding["kind"]
        assert row["collection"] == finding["collection"]
        assert row["message"] == finding["message"]
        assert row["source_name"] == (finding.get("source") or {}).get("name", "")
        assert row["target_id"] == (finding.get("target") or {}).get("id", "")
        assert row["waived"] == "no" and row["new"] == ""
    (volume,) = [r for r in table if r["collection"] == "volumes" and r["kind"] == "changed"]
    assert volume["changes"] == (
        "attachments: ocb-acme/ocb-web (S1) -> none ; encrypted: yes -> no ; size: 100 -> 50"
    )
    assert volume["source_project"] == "cw-acme" and volume["target_project"] == "ocb-acme"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\\x09=1"),
        ("\r=1", "'\\x0d=1"),
        ("web-1 = ok", "web-1 = ok"),
        ("red\x1b[31m", "red\\x1b[31m"),
        (None, ""),
    ],
)
def test_cells_run_no_formula_and_no_control(value: str | None, shown: str) -> None:
    assert cell(value) == shown


def test_waivers_history_and_hostile_names(golden_report: Report) -> None:
    first, second, *rest = golden_report.findings
    evil = "=cmd|' /C calc'!A0\nline two"
    report = replace(
        golden_report,
        findings=(
            replace(
                first,
                source=Ref(id="p2", name=evil, project="@acme"),
                waived=WaiverNote(reason="-accepted", owner="alice", expires="2026-12-31"),
            ),
            second,
            *rest,
        ),
        history=History(previous="2026-11-21T12:00:00Z", previous_file="r.json", new=(second.id,)),
    )
    table = rows(render(report, Format.CSV))
    assert len(table) == len(golden_report.findings)
    assert table[0]["source_name"] == "'=cmd|' /C calc'!A0\\x0aline two"
    assert table[0]["source_project"] == "'@acme"
    assert (table[0]["waived"], table[0]["waiver_owner"], table[0]["waiver_reason"]) == (
        "yes",
        "alice",
        "'-accepted",
    )
    assert table[0]["waiver_expires"] == "2026-12-31"
    assert [r["new"] for r in table[:3]] == ["no", "yes", "no"]
    for row in table:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())
