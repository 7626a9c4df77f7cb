"""Compute depth: flavors' extra specs by key (lost CPU pinning or huge pages is an error,
another change a warning)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from auditor.demo import build_demo
from auditor.diff.outcome import evaluate
from auditor.rules import parse_rules

JSON = dict[str, Any]


def _flavor_changes(**specs: dict[str, str]) -> list[tuple[str, str, str]]:
    demo = build_demo()
    result = demo.target.collections["flavors"]
    flavors = [
        dict(f, extra_specs=specs[f["name"]]) if f["name"] in specs else f for f in result.items
    ]
    target = replace(
        demo.target,
        collections={**demo.target.collections, "flavors": replace(result, items=tuple(flavors))},
    )
    report = evaluate([demo.source], target, parse_rules(demo.rules)).report
    return sorted(
        (str(f.target.name) if f.target else "", c.field, c.severity.value)
        for f in report.findings
        if f.collection == "flavors"
        for c in f.changes
        if c.field.startswith("extra_specs")
    )


def test_the_demo_reports_the_lost_cpu_policy_as_an_error() -> None:
    assert _flavor_changes() == [("ocb-hpc", "extra_specs.hw:cpu_policy", "error")]


def test_pinning_and_page_size_are_errors_other_hw_and_aggregate_keys_warnings() -> None:
    got = _flavor_changes(
        **{
            "ocb-gpu": {
                "pci_passthrough:alias": "a100:1",
                "hw:cpu_policy": "shared",  # changed: a warning (lost: an error)
                "aggregate_instance_extra_specs:gpu": "true",  # gained: warning
            },
            "ocb-hpc": {
                "hw:numa_nodes": "1",  # changed: warning
                "hw:mem_page_size": "large",  # the source has none: a warning
            },  # hw:cpu_policy lost: an error
        }
    )
    assert got == [
        ("ocb-gpu", "extra_specs", "warning"),
        ("ocb-hpc", "extra_specs", "warning"),
        ("ocb-hpc", "extra_specs.hw:cpu_policy", "error"),
    ]
