"""Prometheus metrics: parsed by the real client library's text parser."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from auditor import metrics
from auditor.model import (
    CollectionSummary,
    Finding,
    History,
    Kind,
    Report,
    Severity,
    Side,
    Verdict,
)


def report(*, complete: bool = True, findings: tuple[Finding, ...] = ()) -> Report:
    return Report(
        source=Side('cloud"watt', "fr1", "2026-11-22T10:00:00Z", True),
        target=Side("ocb", "ocb-fr1", "2026-11-22T10:00:00Z", complete),
        verdict=Verdict.DISCREPANCIES if findings else Verdict.VERIFIED,
        exit_code=1 if findings else 0,
        fail_on=Severity.ERROR,
        summary={
            "servers": CollectionSummary(10, 11, matched=9, missing=1, unexpected=2),
            "volumes": CollectionSummary(5, 4 if complete else 0, matched=4, complete=complete),
        },
        findings=findings,
        generated_at="2026-11-22T10:01:00Z",
    )


MISSING = Finding(
    id="f-0000000000000001",
    kind=Kind.MISSING,
    collection="servers",
    severity=Severity.ERROR,
    message="gone",
)
UNEXPECTED = replace(
    MISSING, id="f-0000000000000002", kind=Kind.UNEXPECTED, severity=Severity.WARNING
)


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family.name
        assert family.documentation, family.name
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


def value(parsed: dict[str, Any], name: str, **labels: str) -> float:
    (found,) = [v for got, v in parsed[name] if got == labels]
    return float(found)


def test_counts_verdict_and_times_parse() -> None:
    text = metrics.render(
        report(findings=(MISSING, UNEXPECTED)),
        metrics.RunFacts(duration_s=12.5, finished_at=1_700_000_000.25),
    )
    parsed = samples(text)
    assert (
        value(parsed, "auditor_findings", collection="servers", kind="missing", severity="error")
        == 1
    )
    assert (
        value(
            parsed, "auditor_findings", collection="servers", kind="unexpected", severity="warning"
        )
        == 1
    )
    assert (
        value(parsed, "auditor_findings", collection="volumes", kind="missing", severity="error")
        == 0
    )
    # Every combination is present, zeros included: series never vanish.
    assert len(parsed["auditor_findings"]) == 2 * len(Kind) * len(Severity)
    assert value(parsed, "auditor_collection_items", collection="servers", side="target") == 11
    assert value(parsed, "auditor_collection_matched", collection="servers") == 9
    assert value(parsed, "auditor_collection_complete", collection="volumes") == 1
    assert value(parsed, "auditor_verdict", verdict="discrepancies") == 1
    assert value(parsed, "auditor_verdict", verdict="verified") == 0
    assert value(parsed, "auditor_exit_code") == 1
    assert value(parsed, "auditor_audit_duration_seconds") == 12.5
    assert value(parsed, "auditor_last_run_timestamp_seconds") == 1_700_000_000.25
    assert value(parsed, "auditor_last_complete_run_timestamp_seconds") == 1_700_000_000.25
    (info,) = parsed["auditor_info"]
    assert info[0]["source"] == 'cloud"watt'
    assert "auditor_findings_new" not in parsed


def test_an_incomplete_run_keeps_the_previous_complete_time() -> None:
    previous = metrics.render(report(), metrics.RunFacts(1.0, 1_000.0))
    kept = metrics.previous_last_complete(previous)
    assert kept == 1_000.0
    text = metrics.render(report(complete=False), metrics.RunFacts(2.0, 2_000.0, kept))
    parsed = samples(text)
    assert value(parsed, "auditor_last_run_timestamp_seconds") == 2_000
    assert value(parsed, "auditor_last_complete_run_timestamp_seconds") == 1_000
    assert value(parsed, "auditor_collection_complete", collection="volumes") == 0


def test_never_complete_means_no_complete_timestamp() -> None:
    text = metrics.render(report(complete=False), metrics.RunFacts(2.0, 2_000.0, None))
    assert "auditor_last_complete_run_timestamp_seconds" not in samples(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("auditor_last_complete_run_timestamp_seconds 17\n", 17.0),
        ("# HELP x\nauditor_last_complete_run_timestamp_seconds{} 1.5e9 1700000000000\n", 1.5e9),
        ("auditor_last_complete_run_timestamp_seconds NaN\n", None),
        ("auditor_last_complete_run_timestamp_seconds_other 3\n", None),
    ],
)
def test_previous_value_parsing(text: str, expected: float | None) -> None:
    assert metrics.previous_last_complete(text) == expected


def test_history_counts() -> None:
    r = replace(
        report(findings=(MISSING,)),
        history=History(previous="x", previous_file="y", new=(MISSING.id,), resolved=()),
    )
    parsed = samples(metrics.render(r, metrics.RunFacts(1.0, 1.0)))
    assert value(parsed, "auditor_findings_new") == 1
    assert value(parsed, "auditor_findings_resolved") == 0


def test_render_is_pure_and_leaves_the_client_registry_alone() -> None:
    from prometheus_client import REGISTRY

    before = [m.name for m in REGISTRY.collect()]
    facts = metrics.RunFacts(duration_s=1.0, finished_at=1_000.0)
    first = metrics.render(report(findings=(MISSING,)), facts)
    assert metrics.render(report(findings=(MISSING,)), facts) == first
    assert [m.name for m in REGISTRY.collect()] == before
    assert not any(name.startswith("auditor") for name in before)
