"""History: new and resolved findings by stable id; old reports still read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import jsonschema

from auditor import history
from auditor.app.files import latest_report, prepare_history, record_history
from auditor.model import Report
from auditor.render import Format, render
from auditor.schemas import load_schema
from tests.findings import unlisted

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def golden() -> Report:
    return Report.from_json(json.loads((GOLDEN / "report.json").read_text()))


def test_a_report_without_history_reads_and_writes_as_before() -> None:
    doc = json.loads((GOLDEN / "report.json").read_text())
    assert "history" not in doc
    report = Report.from_json(doc)
    assert report.history is None
    assert report.to_json() == doc


def test_compare_by_id() -> None:
    before = golden()
    gone, kept = before.findings[0], before.findings[1:]
    fresh = replace(before.findings[1], id="f-00000000000000aa", message="new one")
    after = replace(before, findings=(*kept, fresh), generated_at="2026-11-23T12:00:00Z")
    result = history.compare(history.Previous("report-x.json", before), after)
    assert result.previous == before.generated_at
    assert result.previous_file == "report-x.json"
    assert result.new == (fresh.id,)
    assert [r.id for r in result.resolved] == [gone.id]
    assert result.resolved[0].message == gone.message


def test_findings_of_an_unlisted_collection_are_not_resolved() -> None:
    before = golden()
    summary = dict(before.summary)
    summary["volumes"] = replace(summary["volumes"], complete=False)
    incomplete = unlisted(
        "f-00000000000000bb", "volumes", "target", "target volumes could not be listed."
    )
    after = replace(
        before,
        summary=summary,
        findings=(*(f for f in before.findings if f.collection != "volumes"), incomplete),
    )
    result = history.compare(history.Previous("p.json", before), after)
    assert result.resolved == ()
    assert result.new == (incomplete.id,)
    # Once listed again, the incomplete finding itself is resolved.
    relisted = replace(after, summary=before.summary, findings=before.findings)
    back = history.compare(history.Previous("q.json", after), relisted)
    assert [r.id for r in back.resolved] == [incomplete.id]
    assert back.new == tuple(f.id for f in before.findings if f.collection == "volumes")


def test_record_keeps_each_report_and_compares_with_the_newest(tmp_path: Path) -> None:
    first = golden()
    t0 = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)
    t1 = datetime(2026, 11, 23, 12, 0, 0, 5, tzinfo=timezone.utc)
    assert prepare_history(str(tmp_path / "h")) is None
    kept = record_history(str(tmp_path / "h"), first, None, t0)
    assert kept.history is None
    previous = latest_report(str(tmp_path / "h"))
    assert previous is not None and previous.name == "report-20261122T120000.000000Z.json"
    second = replace(first, findings=first.findings[1:], generated_at="2026-11-23T12:00:00Z")
    recorded = record_history(str(tmp_path / "h"), second, previous, t1)
    assert recorded.history is not None and len(recorded.history.resolved) == 1
    newest = latest_report(str(tmp_path / "h"))
    assert newest is not None and newest.name == "report-20261123T120000.000005Z.json"
    assert newest.report == recorded
    jsonschema.validate(json.loads(render(recorded, Format.JSON)), load_schema("report"))


def test_text_and_markdown_show_new_and_resolved() -> None:
    before = golden()
    after = replace(before, findings=before.findings[1:])
    result = history.compare(history.Previous("p.json", before), after)
    fresh = replace(after.findings[0], id="f-00000000000000cc")
    after = replace(
        after,
        findings=(fresh, *after.findings[1:]),
        history=replace(result, new=(fresh.id,)),
    )
    text = render(after, Format.TEXT)
    assert "Since the previous run (2026-11-22T12:00:00Z): 1 new, 1 resolved" in text
    assert f"[{fresh.id}]  NEW" in text
    assert "== Resolved since the previous run" in text
    assert before.findings[0].message in text.split("== Resolved")[1]
    markdown = render(after, Format.MARKDOWN)
    assert "**1 new**, **1 resolved**" in markdown
    assert f"`{fresh.id}` **new**" in markdown
