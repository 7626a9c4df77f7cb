"""Nova server groups: declared once in the catalog, served by the sandbox from the
declaration, inventoried back at both shapes of the API, and diffed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.audit import CloudTarget, RetryPolicy
from auditor.collect import take_inventory
from auditor.connect import connect
from auditor.demo import build_demo
from auditor.diff.outcome import evaluate
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.sandbox.options import SandboxOptions


@pytest.mark.parametrize("max_version", ["2.96", "2.63"])
def test_server_groups_are_inventoried_back_page_by_page(max_version: str, tmp_path: Path) -> None:
    demo = build_demo()
    served = demo.source.collections["server_groups"].items
    options = SandboxOptions(max_limit=7, compute_max_version=max_version)
    with Sandbox([demo.source], options=options) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        target = CloudTarget("cloudwatt")
        conn = connect(target, config=read_clouds_config(str(clouds)))
        got = take_inventory(
            conn, target, collections=("server_groups",), policy=RetryPolicy(attempts=1)
        ).collections["server_groups"]
        pages = [r.query for r in sandbox.requests if r.path.endswith("/os-server-groups")]
    assert got.status.value == "ok", got.error
    # Below 2.64 Nova answers a list of one policy and no rules: rules are unknown.
    want = [g if max_version == "2.96" else {**g, "rules": None} for g in served]
    assert list(got.items) == want
    # Nova pages server groups by offset (no links), capped at its max_limit (7 here):
    # asked until an empty page, every one across all projects.
    assert len(pages) == len(served) // 7 + 1 + (1 if len(served) % 7 else 0)
    assert all("all_projects=True" in q for q in pages)


def test_a_lost_member_or_another_policy_is_an_error() -> None:
    demo = build_demo()
    rules = parse_rules(demo.rules)
    report = evaluate([demo.source], demo.target, rules).report
    (lost,) = [f for f in report.findings if f.collection == "server_groups"]
    assert lost.severity.value == "error"
    assert lost.message == "server group ocb-acme/acme-web-spread lost member ocb-acme/ocb-app-01."
    result = demo.target.collections["server_groups"]
    spread = next(g for g in result.items if g["name"] == "acme-web-spread")
    groups = tuple(
        {**g, "policy": "soft-anti-affinity"} if g is spread else g for g in result.items
    )
    target = replace(
        demo.target,
        collections={**demo.target.collections, "server_groups": replace(result, items=groups)},
    )
    findings = [
        f for f in evaluate([demo.source], target, rules).report.findings
        if f.collection == "server_groups"
    ]  # fmt: skip
    (changed,) = findings
    assert sorted((c.field, c.severity.value) for c in changed.changes) == [
        ("members", "error"),
        ("policy", "error"),
    ]
