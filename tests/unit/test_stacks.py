"""Heat stacks: listed for all tenants and shown one by one (through Heat's redirect) from
the sandbox over HTTP, then diffed: a FAILED target, parameters and outputs, residue."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.audit import CloudTarget, RetryPolicy
from auditor.collect import take_inventory
from auditor.connect import connect
from auditor.demo import build_demo
from auditor.demo.data import RULES, generate
from auditor.diff.outcome import evaluate
from auditor.model import Snapshot
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox

JSON = dict[str, Any]
CLEAN_SOURCE, CLEAN_TARGET = generate(extended=True, defects=False)


def _with(snapshot: Snapshot, items: list[JSON]) -> Snapshot:
    result = replace(snapshot.collections["stacks"], items=tuple(items))
    return replace(snapshot, collections={**snapshot.collections, "stacks": result})


def _findings(target_stacks: list[JSON]) -> list[Any]:
    target = _with(CLEAN_TARGET, target_stacks)
    report = evaluate([CLEAN_SOURCE], target, parse_rules(RULES)).report
    return [f for f in report.findings if f.collection == "stacks"]


def _target() -> list[JSON]:
    return copy.deepcopy(list(CLEAN_TARGET.collections["stacks"].items))


def test_stacks_are_inventoried_back_with_their_parameters_and_outputs(tmp_path: Path) -> None:
    demo = build_demo()
    expected = demo.target.collections["stacks"].items
    # A parameter and an output not declared hidden: Heat answers them in clear.
    served = copy.deepcopy(list(expected))
    served[0]["parameters"]["db_password"] = "hunter2"
    served[0]["outputs"]["admin_token"] = "gAAAAAB-not-for-reports"
    with Sandbox([_with(demo.target, served)]) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        target = CloudTarget("ocb")
        conn = connect(target, config=read_clouds_config(str(clouds)))
        got = take_inventory(
            conn, target, collections=("stacks",), policy=RetryPolicy(attempts=1)
        ).collections
        asked = [(r.path, r.query, r.status) for r in sandbox.requests if "/stacks" in r.path]
    result = got["stacks"]
    assert result.status.value == "ok", result.error
    first, *others = result.items
    assert others == list(expected[1:])
    assert first["parameters"] == {**expected[0]["parameters"], "db_password": "***"}
    assert first["outputs"] == {**expected[0]["outputs"], "admin_token": "***"}
    (listing,) = [q for p, q, _s in asked if p.endswith("/stacks")]
    assert "global_tenant=True" in listing and "limit=1000" in listing
    # One show per stack: by id (302), then by name and id.
    redirects = [p for p, _q, status in asked if status == 302]
    shown = [p for p, _q, status in asked if status == 200 and not p.endswith("/stacks")]
    assert len(redirects) == len(shown) == len(expected)
    assert sorted(p.rsplit("/", 2)[-2] for p in shown) == sorted(s["name"] for s in expected)


def test_a_benign_migration_reports_nothing_and_a_failed_stack_is_an_error() -> None:
    assert _findings(_target()) == []
    demo = build_demo()
    report = evaluate([demo.source], demo.target, parse_rules(RULES)).report
    (failed,) = [f for f in report.findings if f.collection == "stacks"]
    assert failed.severity.value == "error"
    assert failed.message.endswith("is in status UPDATE_FAILED: Resource UPDATE failed: timed out.")


def test_a_stack_still_in_progress_is_a_warning() -> None:
    stacks = _target()
    stacks[0]["status"] = "UPDATE_IN_PROGRESS"
    (finding,) = _findings(stacks)
    assert [(c.field, c.severity.value) for c in finding.changes] == [("status", "warning")]


def test_parameters_and_outputs_key_by_key_after_the_url_renaming() -> None:
    stacks = _target()
    del stacks[0]["parameters"]["image"]
    stacks[1]["parameters"]["flavor"] = "m1.large"
    stacks[2]["outputs"] = {}
    found = sorted(
        (c.field, c.severity.value, c.message) for f in _findings(stacks) for c in f.changes
    )
    assert found == [
        ("outputs.public_url", "error", "lost output public_url"),
        ("parameters.flavor", "warning", "parameter flavor changed from m1.small to m1.large"),
        ("parameters.image", "error", "lost parameter image"),
    ]


def test_an_old_brand_url_in_a_parameter_or_output_is_residue() -> None:
    stacks = _target()
    source_stack = next(
        s for s in CLEAN_SOURCE.collections["stacks"].items if s["name"].endswith("-stark-app")
    )
    stack = next(s for s in stacks if s["name"] == "ocb-stark-app")
    # Kept as they were in the source: not rewritten to the new brand.
    stack["parameters"]["api_url"] = source_stack["parameters"]["api_url"]
    stack["outputs"]["public_url"] = source_stack["outputs"]["public_url"]
    found = _findings(stacks)
    residue = sorted(c.field for f in found if f.kind.value == "residue" for c in f.changes)
    assert residue == ["outputs.public_url", "parameters.api_url"]
    # The same value as the source's is no change: the residue says what is wrong.
    assert [f.kind.value for f in found] == ["residue"]
    assert "still carries the old brand" in found[0].message
