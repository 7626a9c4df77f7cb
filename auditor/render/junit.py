"""JUnit XML for CI dashboards: one test suite per collection, one test case per finding.

A finding at or above ``--fail-on`` is a ``<failure>`` (an ``incomplete``
finding, a listing that could not finish, is an ``<error>``: the check could
not run); a finding below it, or waived (``--waivers``), is ``<skipped>`` with
the reason, so dashboards show it without failing the build. A collection without findings is one
passing test case, so a clean audit shows green suites rather than nothing.
With a history (``--history``, ``auditor compare``), each test case has a
``baseline`` property (``new`` or ``unchanged``), and the findings resolved since
the previous report are passing test cases of one more suite, ``auditor.resolved``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.model import Finding, Kind, Report
from auditor.render.common import change_line, waived_line
from auditor.textsafe import printable

SUITE_PREFIX = "auditor."
RESOLVED_SUITE = f"{SUITE_PREFIX}resolved"
"""With a history: the findings of the previous report this one no longer has."""


def _label(f: Finding) -> str:
    label = _item(f)
    return f"{f.origin}: {label}" if f.origin else label


def _item(f: Finding) -> str:
    ref = f.target or f.source
    if ref is not None:
        return ref.label
    return f"{f.side} {f.collection}" if f.side else f.collection


def _testcase(suite: ET.Element, f: Finding, report: Report) -> str:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"{SUITE_PREFIX}{f.collection}.{f.kind.value}",
        name=f"{_label(f)} [{f.id}]",
        time="0",
    )
    if report.history is not None:
        baseline = "new" if f.id in report.history.new else "unchanged"
        properties = ET.SubElement(case, "properties")
        ET.SubElement(properties, "property", name="baseline", value=baseline)
    details = "\n".join(
        [
            f"{f.severity.value} {f.kind.value} {f.collection}: {f.message}",
            *(change_line(c) for c in f.changes),
            *(f"candidate: {c.label}" for c in f.candidates),
            f"finding id: {f.id}",
        ]
    )
    if f.waived is not None:
        ET.SubElement(case, "skipped", message=f"{waived_line(f)}: {f.message}").text = details
        return "skipped"
    if f.severity.rank < report.fail_on.rank:
        ET.SubElement(
            case,
            "skipped",
            message=f"{f.severity.value} below --fail-on {report.fail_on.value}: {f.message}",
        ).text = details
        return "skipped"
    outcome = "error" if f.kind is Kind.INCOMPLETE else "failure"
    ET.SubElement(case, outcome, message=f.message, type=f.kind.value).text = details
    return outcome


def render(report: Report) -> str:
    root = ET.Element(
        "testsuites",
        name=f"auditor {report.source.cloud} -> {report.target.cloud}",
    )
    collections = list(report.summary)
    collections += sorted({f.collection for f in report.findings} - set(collections))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for name in collections:
        findings = [f for f in report.findings if f.collection == name]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{SUITE_PREFIX}{name}",
            timestamp=report.generated_at,
            time="0",
        )
        properties = ET.SubElement(suite, "properties")
        for key, value in (
            ("source", f"{report.source.cloud}@{report.source.region or ''}"),
            ("target", f"{report.target.cloud}@{report.target.region or ''}"),
            *_windows(report),
            ("verdict", report.verdict.value),
            ("fail_on", report.fail_on.value),
        ):
            ET.SubElement(properties, "property", name=key, value=value)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for f in findings:
            outcome = _testcase(suite, f, report)
            counts["tests"] += 1
            if outcome == "failure":
                counts["failures"] += 1
            elif outcome == "error":
                counts["errors"] += 1
            else:
                counts["skipped"] += 1
        if not findings:
            summary = report.summary.get(name)
            what = f"{summary.matched} matched" if summary else "no findings"
            ET.SubElement(
                suite,
                "testcase",
                classname=f"{SUITE_PREFIX}{name}",
                name=f"{name}: every in-scope item has a faithful counterpart ({what})",
                time="0",
            )
            counts["tests"] += 1
        for key, count in counts.items():
            suite.set(key, str(count))
            totals[key] += count
    if report.history is not None and report.history.resolved:
        suite = ET.SubElement(
            root, "testsuite", name=RESOLVED_SUITE, timestamp=report.generated_at, time="0"
        )
        for r in report.history.resolved:
            ET.SubElement(
                suite,
                "testcase",
                classname=f"{SUITE_PREFIX}{r.collection}.{r.kind.value}",
                name=f"resolved since {report.history.previous}: {r.message} [{r.id}]",
                time="0",
            )
        resolved = len(report.history.resolved)
        for key, number in (("tests", resolved), ("failures", 0), ("errors", 0), ("skipped", 0)):
            suite.set(key, str(number))
        totals["tests"] += resolved
    for key, count in totals.items():
        root.set(key, str(count))
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    # XML 1.0 allows no control character but tab and line breaks (a NUL in a
    # server name would make the file unreadable), and a bidirectional override
    # would reorder what a dashboard shows: both become visible escapes.
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + printable(text, limit=None, keep="\n") + "\n"
    )


def _windows(report: Report) -> list[tuple[str, str]]:
    """Each side's audit window, ``START/END`` (ISO 8601 intervals), when known."""
    return [
        (f"{name}_window", f"{side.window.started}/{side.window.ended}")
        for name, side in (("source", report.source), ("target", report.target))
        if side.window is not None
    ]
