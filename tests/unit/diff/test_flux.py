"""in_flux findings from the changes a snapshot records, and the snapshot's listing windows
(written, read back, checked; older snapshots without them still load)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

import jsonschema
import pytest

from auditor.diff.outcome import evaluate
from auditor.errors import SnapshotError
from auditor.model import JSON, CollectionResult, Kind, Severity, Snapshot, Status, Verdict
from auditor.model.flux import Changes, Event, ItemChange, ListingWindow, Method
from auditor.render import html, markdown, text
from auditor.rules import parse_rules
from auditor.schemas import load_schema
from tests.builders import project, server
from tests.harness import run_auditor

ACME = project("p-acme", "acme", domain="Default")
WINDOW = ListingWindow("2026-12-05T10:00:00Z", "2026-12-05T10:05:00Z")


def cloud(
    name: str,
    servers: list[str],
    changes: Changes | None = None,
    owners: Mapping[str, JSON] | None = None,
) -> Snapshot:
    """A cloud of ``servers`` (ids) and their projects: ACME, or the project ``owners``
    names for a server id's first letter."""
    owner = {s: (owners or {}).get(s[0], ACME) for s in servers}
    projects = {p["id"]: p for p in owner.values()} or {ACME["id"]: ACME}
    collections = {
        "projects": CollectionResult(Status.OK, tuple(projects.values()), listed=WINDOW),
        "servers": CollectionResult(
            Status.OK,
            tuple(server(s, f"web-{s}", owner[s]) for s in servers),
            listed=WINDOW,
            changes=changes,
        ),
    }
    return Snapshot(name, None, None, "2026-12-05T10:00:00Z", 300.0, collections)


def changes(*items: ItemChange) -> Changes:
    return Changes(WINDOW.started, "2026-12-05T10:06:00Z", Method.CHANGES_SINCE, items)


RULES = parse_rules("version: 1\n")


def test_a_deletion_in_the_source_inside_the_window_is_in_flux() -> None:
    gone = ItemChange("s-2", Event.DELETED, "2026-12-05T10:03:00Z", "web-s-2", "p-acme")
    report = evaluate(
        [cloud("cw", ["s-1", "s-2"], changes(gone))], cloud("ocb", ["s-1"]), RULES
    ).report
    (finding,) = report.findings
    assert finding.kind is Kind.IN_FLUX and finding.severity is Severity.INFO
    assert finding.flux is not None and finding.flux.was is Kind.MISSING
    assert (finding.flux.side, finding.flux.event, finding.flux.at) == (
        "source",
        Event.DELETED,
        "2026-12-05T10:03:00Z",
    )
    assert "deleted at 2026-12-05T10:03:00Z, inside its audit window" in finding.message
    assert report.verdict is Verdict.VERIFIED and report.exit_code == 0
    assert (report.summary["servers"].missing, report.summary["servers"].in_flux) == (0, 1)
    doc = report.to_json()
    jsonschema.validate(doc, load_schema("report"))
    assert doc["source"]["window"] == {
        "started": "2026-12-05T10:00:00Z",
        "ended": "2026-12-05T10:06:00Z",
    }


def test_the_scorecard_counts_an_explained_loss_in_flux_not_missing() -> None:
    """In a merger too: the row of the source the item was deleted from, not the other's."""
    globex = project("p-globex", "globex", domain="Default")

    gone = ItemChange("g-2", Event.DELETED, "2026-12-05T10:03:00Z", "web-g-2", "p-globex")
    owners = {"g": globex}
    target = cloud("ocb", ["a-1", "g-1"], owners=owners)
    sources = [cloud("cw", ["a-1", "a-2"]), cloud("nm", ["g-1", "g-2"], changes(gone), owners)]
    report = evaluate(sources, target, RULES, labels=["cw", "nm"]).report
    rows = {(r.origin, r.source.id): (r.matched, r.missing, r.in_flux) for r in report.scorecard}
    # a-2 is lost (missing); g-2 went away in its source during the audit (in flux).
    assert rows == {("cw", "p-acme"): (1, 1, 0), ("nm", "p-globex"): (1, 0, 1)}
    by_source = {
        label: (s["servers"].missing, s["servers"].in_flux)
        for label, s in report.summary_by_source.items()
    }
    assert by_source == {"cw": (1, 0), "nm": (0, 1)}
    assert (report.summary["servers"].missing, report.summary["servers"].in_flux) == (1, 1)
    doc = report.to_json()
    jsonschema.validate(doc, load_schema("report"))
    by_row = {r["origin"]: r for r in doc["scorecard"]}
    assert by_row["nm"]["in_flux"] == 1 and "in_flux" not in by_row["cw"]
    # The text, Markdown and HTML tables (summary, by source, scorecard) gain the column.
    for render in (text.render, markdown.render):
        lines = render(report).splitlines()
        headers = [line for line in lines if "matched" in line and "missing" in line]
        assert len(headers) == 3 and all("in_flux" in line for line in headers), headers
    assert html.render(report).count(">in_flux</th>") == 3
    quiet = evaluate([cloud("cw", ["s-1", "s-2"])], cloud("ocb", ["s-1"]), RULES).report
    assert "in_flux" not in text.render(quiet) + markdown.render(quiet)


def test_without_a_change_a_difference_stays_what_it_is() -> None:
    # A change of another item explains nothing.
    other = ItemChange("s-1", Event.UPDATED, "2026-12-05T10:03:00Z")
    report = evaluate(
        [cloud("cw", ["s-1", "s-2"], changes(other))], cloud("ocb", ["s-1"]), RULES
    ).report
    assert [f.kind for f in report.findings] == [Kind.MISSING]
    assert report.verdict is Verdict.DISCREPANCIES


def test_an_update_that_renamed_nothing_does_not_explain_a_missing_item() -> None:
    # s-2 changed during the audit (its status, say), under the same name: its absence
    # from the target is still a loss; renamed, it would have been in flux.
    same = ItemChange("s-2", Event.UPDATED, "2026-12-05T10:03:00Z", "web-s-2")
    renamed = ItemChange("s-2", Event.UPDATED, "2026-12-05T10:03:00Z", "web-s-2-new")
    lost = evaluate([cloud("cw", ["s-1", "s-2"], changes(same))], cloud("ocb", ["s-1"]), RULES)
    assert [f.kind for f in lost.report.findings] == [Kind.MISSING]
    moved = evaluate([cloud("cw", ["s-1", "s-2"], changes(renamed))], cloud("ocb", ["s-1"]), RULES)
    assert [f.kind for f in moved.report.findings] == [Kind.IN_FLUX]
    # A deletion in the target is a loss, whenever it happened.
    gone = ItemChange("s-2", Event.DELETED, "2026-12-05T10:03:00Z")
    deleted = evaluate([cloud("cw", ["s-1", "s-2"])], cloud("ocb", ["s-1"], changes(gone)), RULES)
    assert [f.kind for f in deleted.report.findings] == [Kind.MISSING]


def test_a_target_creation_and_rules_can_raise_in_flux() -> None:
    made = ItemChange("s-3", Event.CREATED, "2026-12-05T10:04:00Z")
    strict = parse_rules("version: 1\nseverity:\n  servers.in_flux: error\n")
    report = evaluate(
        [cloud("cw", ["s-1"])], cloud("ocb", ["s-1", "s-3"], changes(made)), strict
    ).report
    (finding,) = report.findings
    assert finding.kind is Kind.IN_FLUX and finding.flux is not None
    assert (finding.flux.was, finding.flux.side) == (Kind.UNEXPECTED, "target")
    assert finding.severity is Severity.ERROR and report.exit_code == 1


def test_windows_and_changes_survive_a_round_trip_and_fit_the_schema() -> None:
    snapshot = cloud(
        "cw", ["s-1"], changes(ItemChange("s-9", Event.DELETED, "2026-12-05T10:01:00Z"))
    )
    doc = json.loads(snapshot.dumps())
    jsonschema.validate(doc, load_schema("inventory"))
    assert doc["collections"]["servers"]["listed"] == WINDOW.to_json()
    assert Snapshot.loads(snapshot.dumps(), "cw.json") == snapshot
    assert snapshot.window == ListingWindow("2026-12-05T10:00:00Z", "2026-12-05T10:06:00Z")


def test_an_older_snapshot_without_windows_loads() -> None:
    old = dataclasses.replace(
        cloud("cw", ["s-1"]),
        collections={"servers": CollectionResult(Status.OK, (server("s-1", "web", ACME),))},
        duration_s=61.2,
    )
    loaded = Snapshot.loads(old.dumps(), "old.json")
    assert loaded.collections["servers"].listed is None
    # Its window: its start and duration.
    assert loaded.window == ListingWindow("2026-12-05T10:00:00Z", "2026-12-05T10:01:02Z")


@pytest.mark.parametrize(
    ("listed", "error"),
    [
        (
            {"started": "yesterday", "ended": "2026-12-05T10:00:00Z"},
            "collections.servers.listed.started is 'yesterday', not a UTC time",
        ),
        (
            {"started": "2026-12-05T10:00:00Z", "ended": "2026-12-05T09:00:00Z"},
            "collections.servers.listed: ended 2026-12-05T09:00:00Z before it started",
        ),
    ],
)
def test_a_bad_window_is_one_line_naming_the_key(
    tmp_path: Path, listed: dict[str, str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(cloud("cw", ["s-1"]).dumps())
    doc["collections"]["servers"]["listed"] = listed
    with pytest.raises(SnapshotError, match="^cw.json: " + error):
        Snapshot.from_json(doc, "cw.json")
    path = tmp_path / "cw.json"
    path.write_text(json.dumps(doc))
    code, _out = run_auditor("diff", str(path), str(path))
    assert code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert error in line and "Traceback" not in line
