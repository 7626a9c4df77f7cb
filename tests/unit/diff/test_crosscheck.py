"""Count cross-checks: the services' usage counters against what was listed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.diff.crosscheck import COUNTERS
from auditor.diff.outcome import evaluate
from auditor.model import CollectionResult, Kind, Severity, Snapshot, Status, Verdict
from auditor.model.flux import Changes, Event, ItemChange, ListingWindow, Method
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.schemas import load_schema
from auditor.waivers import parse_waivers
from tests.builders import flavor, network, project, security_group, server, sg_rule, subnet, volume
from tests.harness import run_auditor

JSON = dict[str, Any]
P = "p-acme"


def quota(service: str, usage: Mapping[str, int], project: str = P) -> JSON:
    return {
        "id": f"{project}/{service}",
        "name": service,
        "project": "acme",
        "project_id": project,
        "domain": "Default",
        "limits": dict.fromkeys(usage, -1),
        "usage": dict(usage),
    }


ACME = project(P, "acme", domain="Default")


def owned(kind: str, n: int, **fields: Any) -> list[JSON]:
    """``n`` items of ``kind`` in project acme, with ``fields`` (snapshots and backups:
    the diff's pure tests only, the sandbox does not serve these bare ones)."""
    return [
        {"id": f"{kind}-{i}", "name": f"{kind}{i}", "project": "acme", "project_id": P,
         "domain": "Default", **fields}
        for i in range(n)
    ]  # fmt: skip


def cloud(name: str, items: Mapping[str, Sequence[JSON]], failed: Sequence[str] = ()) -> Snapshot:
    collections = {
        key: CollectionResult(Status.ERROR if key in failed else Status.OK, tuple(value))
        for key, value in items.items()
    }
    return Snapshot(name, None, None, "2026-12-05T00:00:00Z", 1.0, collections)


def world(**usage: Mapping[str, int]) -> dict[str, list[JSON]]:
    """One project: 3 servers of 2 vCPUs/4 GiB, 2 volumes of 10 GiB and a 5 GiB snapshot,
    1 backup of 8 GiB, 1 network, 2 subnets, a group of 3 rules; counters that agree
    unless ``usage`` says otherwise (per service)."""
    counters = {
        "compute": {"instances": 3, "cores": 6, "ram": 12288},
        "block-storage": {"volumes": 2, "gigabytes": 25, "snapshots": 1, "backups": 1,
                          "backup_gigabytes": 8},
        "network": {"network": 1, "subnet": 2, "router": 0, "floatingip": 0,
                    "security_group": 1, "security_group_rule": 3},
    }  # fmt: skip
    for service, changed in usage.items():
        counters[service.replace("_", "-")].update(changed)
    net = network("n-1", "net", ACME)
    rules = [sg_rule("egress"), sg_rule(protocol="tcp", ports=(22, 22)), sg_rule(ethertype="IPv6")]
    return {
        "projects": [ACME],
        "servers": [
            server(f"s-{i}", f"web{i}", ACME, flavor_=flavor("m2", vcpus=2, ram=4096))
            for i in range(3)
        ],
        "volumes": [volume(f"v-{i}", f"data{i}", ACME, size=10) for i in range(2)],
        "volume_snapshots": owned("snapshot", 1, size=5),
        "volume_backups": owned("backup", 1, size=8),
        "networks": [net],
        "subnets": [
            subnet("sn-1", "sub1", ACME, net, "10.0.0.0/24"),
            subnet("sn-2", "sub2", ACME, net, "10.0.1.0/24"),
        ],
        "routers": [],
        "floating_ips": [],
        "security_groups": [security_group("g-1", "default", ACME, rules)],
        "quotas": [quota(service, values) for service, values in counters.items()],
    }


RULES = parse_rules("version: 1\n")


def mismatches(source: Snapshot, target: Snapshot) -> list[tuple[str | None, str]]:
    report = evaluate([source], target, RULES).report
    return [(f.side, f.message) for f in report.findings if f.kind is Kind.COUNT_MISMATCH]


def test_agreeing_counters_say_nothing() -> None:
    side = world()
    assert mismatches(cloud("cw", side), cloud("ocb", side)) == []


def test_every_counter_that_disagrees_is_named_with_both_figures() -> None:
    source = cloud("cw", world())
    target = cloud(
        "ocb",
        world(
            compute={"instances": 4, "cores": 8, "ram": 16384},
            block_storage={
                "volumes": 3,
                "gigabytes": 35,
                "snapshots": 0,
                "backups": 2,
                "backup_gigabytes": 9,
            },
            network={
                "network": 2,
                "subnet": 1,
                "router": 1,
                "floatingip": 1,
                "security_group": 2,
                "security_group_rule": 4,
            },
        ),
    )
    found = mismatches(source, target)
    assert len(found) == len(COUNTERS)
    assert all(side == "target" for side, _ in found)
    messages = {m.split(": ", 1)[1] for _, m in found}
    for expected in (
        "Nova says project acme uses 4 instances (instances); the listed servers come to 3",
        "Nova says project acme uses 16384 MiB of RAM (ram);"
        " the listed servers' flavors come to 12288",
        "Cinder says project acme uses 35 GiB (gigabytes);"
        " the listed volumes and snapshots come to 25",
        "Neutron says project acme uses 4 security group rules (security_group_rule);"
        " the listed security groups' rules come to 3",
    ):
        assert expected in messages
    assert all(m.startswith("target ocb: ") for _, m in found)


def test_a_mismatch_is_a_warning_of_its_own_kind_never_missing_items() -> None:
    report = evaluate(
        [cloud("cw", world(compute={"instances": 4}))], cloud("ocb", world()), RULES
    ).report
    (finding,) = report.findings
    assert finding.kind is Kind.COUNT_MISMATCH and finding.severity is Severity.WARNING
    assert finding.collection == "servers" and finding.side == "source"
    assert finding.source is not None and finding.source.id == P
    # A warning: under the default --fail-on error the audit still verifies...
    assert report.verdict is Verdict.VERIFIED
    # ... and under --fail-on warning it does not.
    strict = evaluate(
        [cloud("cw", world(compute={"instances": 4}))],
        cloud("ocb", world()),
        RULES,
        fail_on=Severity.WARNING,
    ).report
    assert strict.verdict is Verdict.DISCREPANCIES


def test_a_mismatch_fits_the_report_schema_and_is_waivable(tmp_path: Path) -> None:
    source, target = cloud("cw", world(compute={"instances": 4})), cloud("ocb", world())
    doc = evaluate([source], target, RULES).report.to_json()
    jsonschema.validate(doc, load_schema("report"))
    (finding,) = doc["findings"]
    waivers = parse_waivers(
        "version: 1\nwaivers:\n  - {finding: " + finding["id"] + ", reason: Nova cell 2 being"
        " archived, owner: ops, expires: 2099-01-01}\n"
    )
    waived = evaluate([source], target, RULES, waivers=waivers).report
    assert [f.waived is not None for f in waived.findings] == [True]


def test_counters_served_by_the_sandbox_over_http(tmp_path: Path) -> None:
    """The sandbox answers each project's usage as the services count it; a counter made
    to disagree (a quota item's usage) is found through the command line."""
    consistent = cloud("cw", world())
    drifted = cloud("ocb", world(compute={"instances": 5}))
    with Sandbox([consistent, drifted]) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        code, out = run_auditor(
            "--os-client-config-file", str(tmp_path / "clouds.yaml"), "audit",
            "--source", "cw", "--target", "ocb", "-f", "json", "--collections",
            "projects,servers,volumes,networks,subnets,routers,floating_ips,"
            "security_groups,quotas",
        )  # fmt: skip
    doc = json.loads(out)
    found = [f["message"] for f in doc["findings"] if f["kind"] == "count_mismatch"]
    assert found == [
        "target ocb: Nova says project acme uses 5 instances (instances);"
        " the listed servers come to 3"
    ], doc["findings"]
    assert code == 0  # a warning, under --fail-on error
    # --no-cross-check: the counters are not compared.
    (tmp_path / "cw.json").write_text(consistent.dumps())
    (tmp_path / "ocb.json").write_text(drifted.dumps())
    for extra, expected in (([], 1), (["--no-cross-check"], 0)):
        code, out = run_auditor(
            "diff", str(tmp_path / "cw.json"), str(tmp_path / "ocb.json"), "-f", "json", *extra
        )
        kinds = [f["kind"] for f in json.loads(out)["findings"]]
        assert kinds.count("count_mismatch") == expected, extra


def test_cinder_without_snapshot_gigabytes_is_no_mismatch() -> None:
    """no_snapshot_gb_quota: Cinder counts the volumes' GiB only."""
    side = world(block_storage={"gigabytes": 20})
    assert mismatches(cloud("cw", side), cloud("ocb", world())) == []


def test_an_incomplete_listing_is_not_cross_checked() -> None:
    side = world(compute={"instances": 9})
    source = cloud("cw", side, failed=("servers",))
    found = mismatches(source, cloud("ocb", world()))
    assert [m for _, m in found if "instances" in m] == []


def test_a_migrations_target_volume_is_not_the_tenants() -> None:
    side = world()
    side["volumes"].append({**side["volumes"][0], "id": "tmp", "migration_target_of": "x"})
    assert mismatches(cloud("cw", side), cloud("ocb", world())) == []


def test_a_mismatch_of_a_project_that_changed_inside_the_window_is_in_flux() -> None:
    """Counters and listings are read at different moments: a server of the project
    deleted inside the audit window explains the disagreement; one of another project
    does not."""
    window = ListingWindow("2026-12-05T10:00:00Z", "2026-12-05T10:05:00Z")

    def source(owner: str) -> Snapshot:
        gone = ItemChange("s-9", Event.DELETED, "2026-12-05T10:03:00Z", "web9", owner)
        snapshot = cloud("cw", world(compute={"instances": 4}))
        servers = dataclasses.replace(
            snapshot.collections["servers"],
            listed=window,
            changes=Changes(window.started, window.ended, Method.CHANGES_SINCE, (gone,)),
        )
        return dataclasses.replace(
            snapshot, collections={**snapshot.collections, "servers": servers}
        )

    elsewhere = evaluate([source("p-other")], cloud("ocb", world()), RULES).report
    assert [f.kind for f in elsewhere.findings] == [Kind.COUNT_MISMATCH]
    (finding,) = evaluate([source(P)], cloud("ocb", world()), RULES).report.findings
    assert finding.kind is Kind.IN_FLUX and finding.severity is Severity.INFO
    assert finding.flux is not None and finding.flux.was is Kind.COUNT_MISMATCH
    assert (finding.flux.side, finding.flux.event) == ("source", Event.DELETED)
    assert "not counted as a count mismatch" in finding.message
