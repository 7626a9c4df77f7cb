"""SARIF 2.1.0: valid against OASIS's schema, one result per finding, with rule id,
level and a logical location naming cloud, project, collection and item."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from auditor.model import Finding, History, Kind, Report, Severity, WaiverNote
from auditor.render import Format, render
from tests.sarifschema import validate


def sarif(report: Report) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render(report, Format.SARIF))
    return doc


def test_golden_report_is_valid_sarif_2_1_0(golden_report: Report) -> None:
    validate(sarif(golden_report))


def test_an_empty_report_is_valid_sarif_with_no_result(golden_report: Report) -> None:
    doc = sarif(replace(golden_report, findings=()))
    validate(doc)
    (run,) = doc["runs"]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_the_schema_check_catches_a_broken_document(golden_report: Report) -> None:
    doc = sarif(golden_report)
    del doc["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError, match="message"):
        validate(doc)


def test_each_finding_is_one_result_with_rule_level_and_fingerprint(
    golden_report: Report,
) -> None:
    doc = sarif(golden_report)
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("/sarif-schema-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "auditor" and driver["version"] == golden_report.tool_version
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    results = run["results"]
    assert len(results) == len(golden_report.findings)
    level = {"error": "error", "warning": "warning", "info": "note"}
    for finding, result in zip(golden_report.findings, results, strict=True):
        assert result["ruleId"] == f"{finding.collection}/{finding.kind.value}"
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == level[finding.severity.value]
        assert result["partialFingerprints"] == {"auditorFindingId/v1": finding.id}
        assert result["message"]["text"].startswith(finding.message)
        assert result["properties"]["findingId"] == finding.id
        assert "suppressions" not in result and "baselineState" not in result
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    assert run["invocations"] == [
        {"executionSuccessful": True, "exitCode": 1, "endTimeUtc": "2026-11-22T12:00:00Z"}
    ]
    assert run["properties"]["verdict"] == "discrepancies"


def _result(doc: dict[str, Any], finding_id: str) -> dict[str, Any]:
    results: list[dict[str, Any]] = doc["runs"][0]["results"]
    (result,) = [r for r in results if r["properties"]["findingId"] == finding_id]
    return result


def test_logical_locations_name_cloud_project_collection_and_item(
    golden_report: Report,
) -> None:
    doc = sarif(golden_report)
    by_kind: dict[tuple[str, Kind], Finding] = {}
    for f in golden_report.findings:
        by_kind.setdefault((f.collection, f.kind), f)  # the first of each

    def location(collection: str, kind: Kind) -> dict[str, Any]:
        result = _result(doc, by_kind[(collection, kind)].id)
        (where,) = result["locations"]
        (logical,) = where["logicalLocations"]
        assert "physicalLocation" not in where
        return dict(logical)

    # A changed volume: the target's cloud, project, collection and name.
    volume = location("volumes", Kind.CHANGED)
    assert volume["fullyQualifiedName"] == "ocb/ocb-acme/volumes/ocb-data"
    assert volume["name"] == "ocb-data"
    assert volume["properties"] == {"id": "V1"}
    # A missing server has no target: the source's.
    missing = location("servers", Kind.MISSING)
    assert missing["fullyQualifiedName"] == "cloudwatt/cw-globex/servers/cw-app"
    assert missing["kind"] == "resource"
    # A project is not inside a project; an endpoint belongs to none.
    assert location("projects", Kind.CHANGED)["fullyQualifiedName"] == "ocb/projects/ocb-globex"
    assert (
        location("endpoints", Kind.CHANGED)["fullyQualifiedName"]
        == "ocb/endpoints/identity/public/ocb-fr1"
    )


def test_incomplete_finding_names_the_cloud_and_collection(golden_report: Report) -> None:
    base = golden_report.findings[0]
    incomplete = replace(
        base,
        id="f-incomplete",
        kind=Kind.INCOMPLETE,
        collection="volumes",
        severity=Severity.ERROR,
        message="volumes of the source could not be listed",
        source=None,
        target=None,
        matched_by=None,
        changes=(),
        side="source",
        project=None,
    )
    doc = sarif(replace(golden_report, findings=(incomplete,)))
    validate(doc)
    (result,) = doc["runs"][0]["results"]
    (logical,) = result["locations"][0]["logicalLocations"]
    assert logical["fullyQualifiedName"] == "cloudwatt/volumes"
    assert result["properties"]["side"] == "source"


def test_waived_findings_are_suppressed_and_history_sets_baseline_state(
    golden_report: Report,
) -> None:
    first, second, *rest = golden_report.findings
    waiver = WaiverNote(reason="CHG-1234 accepted", owner="alice", expires="2026-12-31")
    report = replace(
        golden_report,
        findings=(replace(first, waived=waiver), second, *rest),
        history=History(previous="2026-11-21T12:00:00Z", previous_file="r.json", new=(second.id,)),
    )
    doc = sarif(report)
    validate(doc)
    assert _result(doc, first.id)["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "CHG-1234 accepted",
            "properties": {"owner": "alice", "expires": "2026-12-31"},
        }
    ]
    assert _result(doc, second.id)["baselineState"] == "new"
    assert {_result(doc, f.id)["baselineState"] for f in rest} == {"unchanged"}
    assert "suppressions" not in _result(doc, second.id)
