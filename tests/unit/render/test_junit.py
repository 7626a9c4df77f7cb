"""The JUnit XML report: well-formed, one suite per collection, outcomes by --fail-on."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from auditor.model import CollectionSummary, Report, Severity
from auditor.render import Format, render
from tests.findings import unlisted


def parse(report: Report) -> ET.Element:
    return ET.fromstring(render(report, Format.JUNIT))


def outcome(case: ET.Element) -> str:
    for name in ("failure", "error", "skipped"):
        if case.find(name) is not None:
            return name
    return "passed"


def test_one_suite_per_collection_and_one_case_per_finding(golden_report: Report) -> None:
    root = parse(golden_report)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"auditor.{c}" for c in golden_report.summary]
    cases = root.findall("testsuite/testcase")
    findings = {f.id: f for f in golden_report.findings}
    finding_cases = [c for c in cases if "[f-" in str(c.get("name"))]
    assert len(finding_cases) == len(findings)
    for case in finding_cases:
        finding = findings[str(case.get("name")).rsplit("[", 1)[1].rstrip("]")]
        expected = "failure" if finding.severity is Severity.ERROR else "skipped"
        assert outcome(case) == expected, case.get("name")
        assert case.get("classname") == f"auditor.{finding.collection}.{finding.kind.value}"


def test_counts_add_up(golden_report: Report) -> None:
    root = parse(golden_report)
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        for name, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(suite.get(attr, "-1")) == sum(1 for c in cases if outcome(c) == name)
    for attr in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(attr, "-1")) == sum(
            int(s.get(attr, "0")) for s in root.findall("testsuite")
        )
    assert int(root.get("failures", "0")) == sum(
        1 for f in golden_report.findings if f.severity is Severity.ERROR
    )


def test_a_clean_collection_is_one_passing_case(golden_report: Report) -> None:
    report = replace(
        golden_report,
        summary={**golden_report.summary, "flavors": CollectionSummary(3, 3, matched=3)},
    )
    suite = next(
        s for s in parse(report).findall("testsuite") if s.get("name") == "auditor.flavors"
    )
    (case,) = suite.findall("testcase")
    assert outcome(case) == "passed"
    assert "3 matched" in str(case.get("name"))


def test_fail_on_info_fails_every_finding_and_incomplete_is_an_error(
    golden_report: Report,
) -> None:
    incomplete = unlisted(
        "f-00000000000000ff",
        "volumes",
        "target",
        "target volumes could not be listed: HTTP 503 after 5 attempts.",
    )
    report = replace(
        golden_report,
        fail_on=Severity.INFO,
        findings=(*golden_report.findings, incomplete),
    )
    cases = parse(report).findall("testsuite/testcase")
    outcomes = [outcome(c) for c in cases if "[f-" in str(c.get("name"))]
    assert outcomes.count("skipped") == 0
    assert outcomes.count("error") == 1
    error_case = next(c for c in cases if outcome(c) == "error")
    assert error_case.get("name") == "target volumes [f-00000000000000ff]"


def test_markup_in_names_stays_text(golden_report: Report) -> None:
    finding = replace(golden_report.findings[0], message="server <b>&x</b> ]]> lost")
    root = parse(replace(golden_report, findings=(finding,)))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "server <b>&x</b> ]]> lost"
