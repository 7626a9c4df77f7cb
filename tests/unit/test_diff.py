"""auditor.diff: comparators, severities, residue, incomplete listings, verdict and report.

Every test starts from one faithful migration (checked to be ``verified`` with
no finding at all) and changes one thing, so each finding is caused by that
change and nothing else.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.app.files import read_snapshot
from auditor.diff import diff
from auditor.model import (
    Change,
    CollectionResult,
    Finding,
    Kind,
    Report,
    Severity,
    Snapshot,
    Verdict,
)
from auditor.rules import Rules
from auditor.schemas import load_schema
from tests.builders import (
    endpoint,
    failed,
    flavor,
    partial_server,
    project,
    server,
    snapshot,
    truncated,
    volume,
)
from tests.findings import GENERATED_AT, Side, get, rules_with_id_map, summary_counts
from tests.findings import diff_sides as run
from tests.findings import only as the_finding
from tests.worlds import RENAMES_WITH_URLS

RULES_TEXT = (
    "version: 1\n"
    + RENAMES_WITH_URLS
    + r"""match:
  order: [id, id_map, metadata, name]
  metadata_key: migrated_from_id
  id_map: idmap.json
scope:
  target_domains: [ocb-cloudwatt]
residue:
  patterns: ['cloudwatt']
"""
)

# The id map the migration tool wrote: it only knows the down-cell server.
ID_MAP = {"s-app": "S-APP"}


def make_rules(directory: Path, extra: str = "") -> Rules:
    return rules_with_id_map(directory, RULES_TEXT + extra, ID_MAP)


@pytest.fixture
def rules(tmp_path: Path) -> Rules:
    return make_rules(tmp_path)


MEDIUM = flavor("m1.medium", vcpus=2, ram=4096, disk=40)


def world() -> tuple[Side, Side]:
    """A faithful migration of two customer projects, renamed by the rules above.

    Target ids all differ from the source's, the servers' IPs changed, and the
    target also holds things outside the migration's scope (a project of
    another domain and its server, an endpoint of another region) which carry
    the old brand but are none of the audit's business.
    """
    acme = project("p-acme", "cw-acme", description="ACME production", tags=["gold"])
    globex = project("p-globex", "cw-globex")
    source: Side = {
        "projects": [acme, globex],
        "servers": [
            server(
                "s-web",
                "cw-web",
                acme,
                flavor_=MEDIUM,
                metadata={"role": "web"},
                volumes=["v-data"],
                addresses={"private": ["10.0.0.5"], "public": ["203.0.113.7"]},
            ),
            server("s-db", "cw-db", acme, image=None, volumes=[]),
            server("s-app", "cw-app", globex),
        ],
        "volumes": [
            volume("v-data", "cw-data", acme, size=100, encrypted=True, attachments=["s-web"]),
            volume("v-logs", "cw-logs", globex, size=20, metadata={"tier": "cold"}),
        ],
        "endpoints": [
            endpoint(
                "e-compute", "compute", "public", "fr1", "https://compute.fr1.cloudwatt.com/v2.1"
            ),
            endpoint(
                "e-identity", "identity", "public", "fr1", "https://identity.fr1.cloudwatt.com/v3"
            ),
        ],
    }
    t_acme = project(
        "P-ACME", "ocb-acme", domain="ocb-cloudwatt", description="ACME production", tags=["gold"]
    )
    t_globex = project("P-GLOBEX", "ocb-globex", domain="ocb-cloudwatt")
    elsewhere = project("P-X", "cloudwatt-archive", domain="customer-x")
    target: Side = {
        "projects": [t_acme, t_globex, elsewhere],
        "servers": [
            server(
                "S-WEB",
                "ocb-web",
                t_acme,
                flavor_=MEDIUM,
                metadata={"role": "web", "migrated_from_id": "s-web"},
                volumes=["V-DATA"],
                addresses={"private": ["10.20.0.9"], "public": ["198.51.100.4"]},
            ),
            server("S-DB", "ocb-db", t_acme, image=None, volumes=[]),
            server("S-APP", "ocb-app", t_globex),
            server("S-X", "cw-leftover-cloudwatt", elsewhere),
        ],
        "volumes": [
            volume("V-DATA", "ocb-data", t_acme, size=100, encrypted=True, attachments=["S-WEB"]),
            volume("V-LOGS", "ocb-logs", t_globex, size=20, metadata={"tier": "cold"}),
        ],
        "endpoints": [
            endpoint(
                "E-COMPUTE",
                "compute",
                "public",
                "ocb-fr1",
                "https://compute.fr1.cloud.orange-business.com/v2.1",
            ),
            endpoint(
                "E-IDENTITY",
                "identity",
                "public",
                "ocb-fr1",
                "https://identity.fr1.cloud.orange-business.com/v3",
            ),
            endpoint("E-LYON", "compute", "public", "ocb-lyon2", "https://compute.cloudwatt.lyon2"),
        ],
    }
    return source, target


def drop(side: Side, collection: str, item_id: str) -> None:
    side[collection] = [i for i in side[collection] if i["id"] != item_id]


def snapshots(
    source: Side | dict[str, Any], target: Side | dict[str, Any]
) -> tuple[Snapshot, Snapshot]:
    return snapshot("cloudwatt", "fr1", source), snapshot("ocb", "ocb-fr1", target)


def findings(
    report: Report, kind: Kind | None = None, collection: str | None = None
) -> list[Finding]:
    return [
        f
        for f in report.findings
        if (kind is None or f.kind is kind) and (collection is None or f.collection == collection)
    ]


def finding_after(rules: Rules, side: str, collection: str, item_id: str, **values: Any) -> Finding:
    """The one finding of the faithful :func:`world` once ``values`` are set on one item
    of its ``side`` ("source" or "target")."""
    source, target = world()
    get({"source": source, "target": target}[side], collection, item_id).update(values)
    return the_finding(run(source, target, rules))


def fields(finding: Finding) -> dict[str, Change]:
    return {c.field: c for c in finding.changes}


# -- the baseline -------------------------------------------------------------------------


def test_faithful_migration_is_verified(rules: Rules) -> None:
    report = run(*world(), rules)
    assert report.findings == ()
    assert report.verdict is Verdict.VERIFIED
    assert report.exit_code == 0
    # Out-of-scope target items (project P-X, its server, endpoint E-LYON) are not counted.
    assert summary_counts(report) == {
        "projects": (2, 2, 2, 0, 0, 0, 0),
        "servers": (3, 3, 3, 0, 0, 0, 0),
        "volumes": (2, 2, 2, 0, 0, 0, 0),
        "endpoints": (2, 2, 2, 0, 0, 0, 0),
    }
    assert all(s.complete for s in report.summary.values())
    assert report.source.cloud == "cloudwatt" and report.target.region == "ocb-fr1"
    assert report.source.complete and report.target.complete


def test_without_rules_the_renamed_world_is_all_missing() -> None:
    # A control for the baseline: the renaming rules are what make it verified.
    report = run(*world(), Rules())
    assert report.summary["servers"].matched == 0
    assert report.summary["servers"].missing == 3
    assert report.verdict is Verdict.DISCREPANCIES


# -- volumes ----------------------------------------------------------------------------------


def test_volume_shrank_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(target, "volumes", "V-DATA")["size"] = 50
    report = run(source, target, rules)
    f = the_finding(report)
    assert (f.kind, f.collection, f.severity) == (Kind.CHANGED, "volumes", Severity.ERROR)
    assert (f.source.id, f.target.id, f.matched_by) == ("v-data", "V-DATA", "name")  # type: ignore[union-attr]
    assert f.project == "ocb-acme"
    assert [(c.field, c.source, c.target, c.severity) for c in f.changes] == [
        ("size", 100, 50, Severity.ERROR)
    ]
    assert "shrank from 100 GiB to 50 GiB" in f.message
    assert (report.verdict, report.exit_code) == (Verdict.DISCREPANCIES, 1)
    assert report.summary["volumes"].changed == 1


def test_volume_grew_is_info_and_verified(rules: Rules) -> None:
    source, target = world()
    get(target, "volumes", "V-DATA")["size"] = 200
    report = run(source, target, rules)
    f = the_finding(report)
    assert f.severity is Severity.INFO
    assert fields(f)["size"].target == 200
    assert (report.verdict, report.exit_code) == (Verdict.VERIFIED, 0)


def test_volume_lost_encryption_is_an_error(rules: Rules) -> None:
    f = finding_after(rules, "target", "volumes", "V-DATA", encrypted=False)
    assert f.severity is Severity.ERROR
    assert list(fields(f)) == ["encrypted"]
    assert "lost its encryption" in f.message


def test_volume_gained_encryption_is_info(rules: Rules) -> None:
    assert (
        finding_after(rules, "target", "volumes", "V-LOGS", encrypted=True).severity
        is Severity.INFO
    )


def test_volume_no_longer_bootable_is_an_error(rules: Rules) -> None:
    f = finding_after(rules, "source", "volumes", "v-logs", bootable=True)
    assert (f.severity, list(fields(f))) == (Severity.ERROR, ["bootable"])


def test_volume_type_changed_is_a_warning(rules: Rules) -> None:
    f = finding_after(rules, "target", "volumes", "V-LOGS", volume_type="hdd")
    assert (f.severity, fields(f)["volume_type"].source) == (Severity.WARNING, "ssd")


# -- servers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "smaller",
    [{"vcpus": 1}, {"ram": 2048}, {"disk": 20}, {"vcpus": 1, "ram": 8192}],
    ids=["vcpus", "ram", "disk", "fewer-vcpus-more-ram"],
)
def test_smaller_flavor_is_an_error(rules: Rules, smaller: dict[str, int]) -> None:
    f = finding_after(
        rules, "target", "servers", "S-WEB", flavor={**MEDIUM, "name": "m1.custom", **smaller}
    )
    assert (f.collection, f.severity) == ("servers", Severity.ERROR)
    change = fields(f)["flavor"]
    assert change.source == MEDIUM
    assert "smaller flavor" in f.message
    for key, value in smaller.items():
        if value < MEDIUM[key]:
            assert key in f.message


def test_larger_flavor_is_info(rules: Rules) -> None:
    source, target = world()
    get(target, "servers", "S-WEB")["flavor"] = flavor("m1.large", 4, 8192, 80)
    report = run(source, target, rules)
    assert the_finding(report).severity is Severity.INFO
    assert report.verdict is Verdict.VERIFIED


def test_same_size_flavor_under_another_name_is_info(rules: Rules) -> None:
    f = finding_after(rules, "target", "servers", "S-WEB", flavor={**MEDIUM, "name": "ocb.medium"})
    assert (f.severity, list(fields(f))) == (Severity.INFO, ["flavor.name"])


def test_attachment_lost_on_both_sides_of_the_reference(rules: Rules) -> None:
    source, target = world()
    get(target, "volumes", "V-DATA").update(attachments=[], status="available")
    get(target, "servers", "S-WEB")["volumes"] = []
    report = run(source, target, rules)
    server_f = findings(report, Kind.CHANGED, "servers")
    volume_f = findings(report, Kind.CHANGED, "volumes")
    assert len(report.findings) == 2
    (s,) = server_f
    (v,) = volume_f
    # Compared through the matches: the source's s-web/v-data are expected as S-WEB/V-DATA.
    assert [(c.field, c.source, c.target, c.severity) for c in s.changes] == [
        ("volumes", "V-DATA", None, Severity.ERROR)
    ]
    assert [(c.field, c.source, c.target, c.severity) for c in v.changes] == [
        ("attachments", "S-WEB", None, Severity.ERROR)
    ]
    assert "ocb-acme/ocb-data" in s.message
    assert "ocb-acme/ocb-web" in v.message


def test_attachment_moved_to_another_server_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(target, "volumes", "V-DATA")["attachments"] = ["S-DB"]
    get(target, "servers", "S-WEB")["volumes"] = []
    get(target, "servers", "S-DB")["volumes"] = ["V-DATA"]
    report = run(source, target, rules)
    (v,) = findings(report, Kind.CHANGED, "volumes")
    assert v.severity is Severity.ERROR
    assert {(c.field, c.source, c.target, c.severity) for c in v.changes} == {
        ("attachments", "S-WEB", None, Severity.ERROR),
        ("attachments", None, "S-DB", Severity.INFO),
    }
    by_server = {f.target.id: f.severity for f in findings(report, Kind.CHANGED, "servers")}  # type: ignore[union-attr]
    assert by_server == {"S-WEB": Severity.ERROR, "S-DB": Severity.INFO}


def test_attachment_to_the_source_server_id_is_not_its_counterpart(rules: Rules) -> None:
    # The target volume names the *source* server's id, which is no server of the target.
    f = finding_after(rules, "target", "volumes", "V-DATA", attachments=["s-web"])
    assert f.collection == "volumes"
    assert [(c.field, c.source, c.severity) for c in f.changes] == [
        ("attachments", "S-WEB", Severity.ERROR)
    ]


@pytest.mark.parametrize(
    ("collection", "item_id", "before", "after", "severity"),
    [
        ("servers", "S-WEB", "ACTIVE", "ERROR", Severity.ERROR),
        ("servers", "S-WEB", "ACTIVE", "SHUTOFF", Severity.WARNING),
        ("servers", "S-WEB", "ERROR", "ACTIVE", Severity.WARNING),
        ("volumes", "V-LOGS", "available", "error", Severity.ERROR),
        ("volumes", "V-LOGS", "available", "error_restoring", Severity.ERROR),
        ("volumes", "V-LOGS", "available", "maintenance", Severity.WARNING),
    ],
)
def test_status_became_error_is_an_error_other_changes_warnings(
    rules: Rules, collection: str, item_id: str, before: str, after: str, severity: Severity
) -> None:
    source, target = world()
    source_id = {"S-WEB": "s-web", "V-LOGS": "v-logs"}[item_id]
    get(source, collection, source_id)["status"] = before
    get(target, collection, item_id)["status"] = after
    f = the_finding(run(source, target, rules))
    assert f.collection == collection
    assert [(c.field, c.source, c.target, c.severity) for c in f.changes] == [
        ("status", before, after, severity)
    ]


def test_same_error_status_on_both_sides_is_no_finding(rules: Rules) -> None:
    source, target = world()
    get(source, "servers", "s-db")["status"] = "ERROR"
    get(target, "servers", "S-DB")["status"] = "ERROR"
    assert run(source, target, rules).findings == ()


def test_server_lost_security_group_and_keypair_are_warnings(rules: Rules) -> None:
    source, target = world()
    get(target, "servers", "S-DB").update(security_groups=[], key_name=None)
    f = the_finding(run(source, target, rules))
    assert {k: c.severity for k, c in fields(f).items()} == {
        "security_groups": Severity.WARNING,
        "key_name": Severity.WARNING,
    }


def test_server_lost_every_address_is_a_warning(rules: Rules) -> None:
    f = finding_after(rules, "target", "servers", "S-WEB", addresses={})
    assert (list(fields(f)), f.severity) == (["addresses"], Severity.WARNING)


# -- benign differences ---------------------------------------------------------------------


def test_benign_differences_are_no_findings(rules: Rules) -> None:
    source, target = world()
    # New IPs and networks renamed, and volatile fields that a normaliser may have let through.
    get(target, "servers", "S-DB")["addresses"] = {"ocb-net": ["10.99.0.1", "10.99.0.2"]}
    for side, marker in ((source, "old"), (target, "new")):
        for items in side.values():
            for item in items:
                item.update(
                    updated_at=f"2026-11-{len(marker)}T00:00:00Z",
                    created_at=f"created-{marker}",
                    host=f"compute-{marker}-17",
                    links=[{"rel": "self", "href": f"https://{marker}/x"}],
                    progress=0 if marker == "old" else 100,
                    task_state=None if marker == "old" else "powering-on",
                )
    report = run(source, target, rules)
    assert report.findings == ()
    assert report.verdict is Verdict.VERIFIED


# -- endpoints and projects ------------------------------------------------------------------


def test_endpoint_url_not_rewritten_is_an_error_and_residue(rules: Rules) -> None:
    source, target = world()
    get(target, "endpoints", "E-COMPUTE")["url"] = "https://compute.fr1.cloudwatt.com/v2.1"
    report = run(source, target, rules)
    (changed,) = findings(report, Kind.CHANGED)
    assert changed.severity is Severity.ERROR
    url = fields(changed)["url"]
    assert url.source == "https://compute.fr1.cloud.orange-business.com/v2.1", "the rewritten URL"
    assert url.target == "https://compute.fr1.cloudwatt.com/v2.1"
    assert changed.project is None, "endpoints belong to no project"
    (residue,) = findings(report, Kind.RESIDUE)
    assert (residue.severity, residue.target.id) == (Severity.WARNING, "E-COMPUTE")  # type: ignore[union-attr]
    assert [c.field for c in residue.changes] == ["url"]
    assert len(report.findings) == 2


def test_endpoint_url_with_another_path_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(target, "endpoints", "E-IDENTITY")["url"] = (
        "https://identity.fr1.cloud.orange-business.com/v2.0"
    )
    f = the_finding(run(source, target, rules))
    assert (f.severity, list(fields(f))) == (Severity.ERROR, ["url"])


def test_endpoint_disabled_is_an_error(rules: Rules) -> None:
    assert (
        finding_after(rules, "target", "endpoints", "E-IDENTITY", enabled=False).severity
        is Severity.ERROR
    )


def test_project_disabled_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(target, "projects", "P-GLOBEX")["enabled"] = False
    report = run(source, target, rules)
    f = the_finding(report)
    assert (f.collection, f.severity, f.project) == ("projects", Severity.ERROR, "ocb-globex")
    assert fields(f)["enabled"].target is False
    assert report.exit_code == 1


def test_project_enabled_again_is_info(rules: Rules) -> None:
    assert (
        finding_after(rules, "source", "projects", "p-globex", enabled=False).severity
        is Severity.INFO
    )


def test_project_lost_tags_is_a_warning(rules: Rules) -> None:
    f = finding_after(rules, "target", "projects", "P-ACME", tags=[])
    assert (list(fields(f)), f.severity) == (["tags"], Severity.WARNING)


# -- metadata ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target_metadata", "severity"),
    [
        ({"role": "api"}, Severity.WARNING),
        ({}, Severity.WARNING),
        ({"role": "web", "owner": "ops"}, Severity.INFO),
    ],
    ids=["value-changed", "key-lost", "key-gained"],
)
def test_metadata_changes(
    rules: Rules, target_metadata: dict[str, str], severity: Severity
) -> None:
    f = finding_after(
        rules,
        "target",
        "servers",
        "S-WEB",
        metadata={**target_metadata, "migrated_from_id": "s-web"},
    )
    (change,) = f.changes
    assert change.field.startswith("metadata.")
    assert change.severity is severity


def test_metadata_key_is_matching_data_not_a_difference(rules: Rules) -> None:
    source, target = world()
    web = get(target, "servers", "S-WEB")
    web.update(name="web-renamed-by-hand", status="SHUTOFF")  # only metadata can match it now
    f = the_finding(run(source, target, rules))
    assert f.matched_by == "metadata"
    assert list(fields(f)) == ["status"], "migrated_from_id is not reported as gained"


def test_metadata_key_of_an_earlier_migration_is_not_a_difference(rules: Rules) -> None:
    # The source was itself migrated once: its own migrated_from_id points further back.
    source, target = world()
    get(source, "servers", "s-web")["metadata"]["migrated_from_id"] = "legacy-0042"
    assert run(source, target, rules).findings == ()


def test_volume_metadata_changed_is_a_warning(rules: Rules) -> None:
    f = finding_after(rules, "target", "volumes", "V-LOGS", metadata={"tier": "hot"})
    assert [(c.field, c.source, c.target) for c in f.changes] == [("metadata.tier", "cold", "hot")]
    assert f.severity is Severity.WARNING


# -- rules: ignore, severity overrides, fail-on ------------------------------------------------


def test_ignore_fields_suppresses_that_field_only(tmp_path: Path) -> None:
    rules = make_rules(tmp_path, "ignore:\n  fields: {servers: [status]}\n")
    source, target = world()
    get(target, "servers", "S-WEB")["status"] = "ERROR"
    assert run(source, target, rules).findings == ()
    get(target, "servers", "S-WEB")["flavor"] = flavor("m1.tiny", 1, 512, 1)
    f = the_finding(run(source, target, rules))
    assert list(fields(f)) == ["flavor"]


def test_ignore_fields_suppresses_cross_references(tmp_path: Path) -> None:
    rules = make_rules(tmp_path, "ignore:\n  fields: {volumes: [attachments]}\n")
    source, target = world()
    get(target, "volumes", "V-DATA")["attachments"] = []
    assert run(source, target, rules).findings == ()


@pytest.mark.parametrize(
    ("extra", "severity", "exit_code"),
    [
        ("", Severity.ERROR, 1),
        ("severity:\n  servers.status: info\n", Severity.INFO, 0),
        ("severity:\n  servers.status: warning\n", Severity.WARNING, 0),
        ("severity:\n  volumes.status: info\n", Severity.ERROR, 1),
    ],
    ids=["default", "status-info", "status-warning", "other-collection"],
)
def test_field_severity_override_changes_verdict(
    tmp_path: Path, extra: str, severity: Severity, exit_code: int
) -> None:
    rules = make_rules(tmp_path, extra)
    source, target = world()
    get(target, "servers", "S-WEB")["status"] = "ERROR"
    report = run(source, target, rules)
    assert the_finding(report).severity is severity
    assert report.exit_code == exit_code


@pytest.mark.parametrize(
    ("extra", "fail_on", "severity", "exit_code"),
    [
        ("", Severity.ERROR, Severity.ERROR, 1),
        ("severity:\n  volumes.missing: warning\n", Severity.ERROR, Severity.WARNING, 0),
        ("severity:\n  volumes.missing: warning\n", Severity.WARNING, Severity.WARNING, 1),
        ("severity:\n  servers.missing: warning\n", Severity.ERROR, Severity.ERROR, 1),
    ],
)
def test_kind_severity_override_changes_verdict(
    tmp_path: Path, extra: str, fail_on: Severity, severity: Severity, exit_code: int
) -> None:
    rules = make_rules(tmp_path, extra)
    source, target = world()
    drop(target, "volumes", "V-LOGS")
    report = run(source, target, rules, fail_on)
    f = the_finding(report)
    assert (f.kind, f.severity) == (Kind.MISSING, severity)
    assert report.exit_code == exit_code
    assert report.fail_on is fail_on


def test_changed_kind_override_applies_below_field_overrides(tmp_path: Path) -> None:
    rules = make_rules(
        tmp_path, "severity:\n  volumes.changed: info\n  volumes.encrypted: warning\n"
    )
    source, target = world()
    get(target, "volumes", "V-DATA").update(size=50, encrypted=False)
    report = run(source, target, rules)
    f = the_finding(report)
    assert {k: c.severity for k, c in fields(f).items()} == {
        "size": Severity.INFO,
        "encrypted": Severity.WARNING,
    }
    assert f.severity is Severity.WARNING
    assert report.exit_code == 0


@pytest.mark.parametrize(
    ("change", "fail_on", "verdict"),
    [
        ("warning", Severity.ERROR, Verdict.VERIFIED),
        ("warning", Severity.WARNING, Verdict.DISCREPANCIES),
        ("warning", Severity.INFO, Verdict.DISCREPANCIES),
        ("info", Severity.ERROR, Verdict.VERIFIED),
        ("info", Severity.WARNING, Verdict.VERIFIED),
        ("info", Severity.INFO, Verdict.DISCREPANCIES),
    ],
)
def test_fail_on(rules: Rules, change: str, fail_on: Severity, verdict: Verdict) -> None:
    source, target = world()
    if change == "warning":
        get(target, "servers", "S-DB")["status"] = "SHUTOFF"
    else:
        get(target, "volumes", "V-LOGS")["size"] = 40
    report = run(source, target, rules, fail_on)
    assert the_finding(report).severity.value == change
    assert report.verdict is verdict
    assert report.exit_code == {Verdict.VERIFIED: 0, Verdict.DISCREPANCIES: 1}[verdict]


# -- missing, unexpected, ambiguous ----------------------------------------------------------


def test_missing_server(rules: Rules) -> None:
    source, target = world()
    drop(target, "servers", "S-APP")
    report = run(source, target, rules)
    f = the_finding(report)
    assert (f.kind, f.severity, f.source.id, f.target) == (  # type: ignore[union-attr]
        Kind.MISSING,
        Severity.ERROR,
        "s-app",
        None,
    )
    assert f.project == "ocb-globex", "grouped under the counterpart project"
    assert "ocb-globex/ocb-app" in f.message, "names what it looked for"
    assert report.summary["servers"].missing == 1


def test_unexpected_server_in_scope_is_a_warning(rules: Rules) -> None:
    source, target = world()
    t_acme = get(target, "projects", "P-ACME")
    target["servers"].append(server("S-NEW", "ocb-new", t_acme))
    report = run(source, target, rules)
    f = the_finding(report)
    assert (f.kind, f.severity, f.target.id, f.project) == (  # type: ignore[union-attr]
        Kind.UNEXPECTED,
        Severity.WARNING,
        "S-NEW",
        "ocb-acme",
    )
    assert report.verdict is Verdict.VERIFIED
    assert run(source, target, rules, Severity.WARNING).exit_code == 1


def test_ambiguous_target_candidates(rules: Rules) -> None:
    source, target = world()
    t_acme = get(target, "projects", "P-ACME")
    target["servers"].append(server("S-DB2", "ocb-db", t_acme, image=None))
    report = run(source, target, rules)
    f = the_finding(report)
    assert (f.kind, f.severity, f.matched_by) == (Kind.AMBIGUOUS, Severity.ERROR, "name")
    assert f.source.id == "s-db"  # type: ignore[union-attr]
    assert [c.id for c in f.candidates] == ["S-DB", "S-DB2"]
    summary = report.summary["servers"]
    assert (summary.ambiguous, summary.missing, summary.unexpected, summary.matched) == (1, 0, 0, 2)
    assert report.exit_code == 1


# -- residue ----------------------------------------------------------------------------------


def test_residue_in_names_descriptions_urls_and_metadata(rules: Rules) -> None:
    source, target = world()
    get(target, "servers", "S-WEB")["name"] = "ocb-web-CloudWatt"  # still matched by metadata
    get(target, "projects", "P-GLOBEX")["description"] = "Ex-Cloudwatt customer"
    get(source, "projects", "p-globex")["description"] = "Ex-Cloudwatt customer"
    get(target, "volumes", "V-LOGS")["metadata"] = {"tier": "cold", "backup": "cloudwatt-s3"}
    get(source, "volumes", "v-logs")["metadata"] = {"tier": "cold", "backup": "cloudwatt-s3"}
    get(target, "endpoints", "E-IDENTITY")["url"] = "https://identity.cloudwatt.example/v3"
    report = run(source, target, rules)
    residue = {
        f.target.id: ([c.field for c in f.changes], f.severity)  # type: ignore[union-attr]
        for f in findings(report, Kind.RESIDUE)
    }
    assert residue == {
        "S-WEB": (["name"], Severity.WARNING),
        "P-GLOBEX": (["description"], Severity.WARNING),
        "V-LOGS": (["metadata.backup"], Severity.WARNING),
        "E-IDENTITY": (["url"], Severity.WARNING),
    }
    # Out-of-scope P-X 'cloudwatt-archive', its server and E-LYON are never residue.
    assert not {"P-X", "S-X", "E-LYON"} & set(residue)


def test_residue_in_an_unexpected_in_scope_item(rules: Rules) -> None:
    source, target = world()
    target["servers"].append(server("S-NEW", "cloudwatt-tmp", get(target, "projects", "P-ACME")))
    report = run(source, target, rules)
    assert sorted(f.kind.value for f in report.findings) == ["residue", "unexpected"]


def test_residue_ignores_the_metadata_key(rules: Rules) -> None:
    source, target = world()
    # A source id that happens to carry the brand, recorded in the matching key.
    get(source, "servers", "s-web")["id"] = "cloudwatt-0042"
    get(source, "volumes", "v-data")["attachments"] = ["cloudwatt-0042"]
    get(target, "servers", "S-WEB")["metadata"]["migrated_from_id"] = "cloudwatt-0042"
    get(target, "servers", "S-WEB")["name"] = "web-renamed-by-hand"
    report = run(source, target, rules)
    assert report.findings == ()


def test_no_residue_patterns_no_residue(tmp_path: Path) -> None:
    rules = replace(make_rules(tmp_path), residue=())
    source, target = world()
    get(target, "servers", "S-WEB")["name"] = "cloudwatt-web"
    assert run(source, target, rules).findings == ()


# -- incomplete listings ----------------------------------------------------------------------


def test_target_collection_error_is_incomplete_not_missing(rules: Rules) -> None:
    source, target = world()
    tgt: dict[str, Any] = dict(target)
    tgt["volumes"] = failed("block-storage: HTTP 503 after 5 attempts")
    report = run(source, tgt, rules)
    f = the_finding(report)  # no missing volume, and no "volume lost" on s-web
    assert (f.kind, f.collection, f.side, f.severity) == (
        Kind.INCOMPLETE,
        "volumes",
        "target",
        Severity.ERROR,
    )
    assert "HTTP 503" in f.message
    assert (report.verdict, report.exit_code) == (Verdict.INCOMPLETE, 3)
    summary = report.summary["volumes"]
    assert (summary.missing, summary.complete) == (0, False)
    assert report.target.complete is False and report.source.complete is True


def test_incomplete_with_a_discrepancy_elsewhere_is_discrepancies(rules: Rules) -> None:
    source, target = world()
    tgt: dict[str, Any] = dict(target)
    tgt["volumes"] = failed()
    get(target, "servers", "S-WEB")["flavor"] = flavor("m1.tiny", 1, 512, 1)
    report = run(source, tgt, rules)
    assert sorted(f.kind.value for f in report.findings) == ["changed", "incomplete"]
    assert (report.verdict, report.exit_code) == (Verdict.DISCREPANCIES, 1)


def test_incomplete_with_only_warnings_below_fail_on_stays_incomplete(rules: Rules) -> None:
    source, target = world()
    tgt: dict[str, Any] = dict(target)
    tgt["endpoints"] = failed()
    get(target, "servers", "S-DB")["status"] = "SHUTOFF"
    report = run(source, tgt, rules)
    assert (report.verdict, report.exit_code) == (Verdict.INCOMPLETE, 3)
    assert run(source, tgt, rules, Severity.WARNING).exit_code == 1


def test_source_collection_error_reports_no_unexpected(rules: Rules) -> None:
    source, target = world()
    target["servers"].append(server("S-NEW", "ocb-new", get(target, "projects", "P-ACME")))
    src: dict[str, Any] = dict(source)
    src["servers"] = failed("compute: HTTP 500 after 5 attempts")
    report = run(src, target, rules)
    f = the_finding(report)  # no unexpected servers, no attachment checked against servers
    assert (f.kind, f.collection, f.side) == (Kind.INCOMPLETE, "servers", "source")
    assert report.summary["servers"].unexpected == 0
    assert report.exit_code == 3
    assert report.source.complete is False


@pytest.mark.parametrize(
    ("collection", "broken"),
    [("servers", "volumes"), ("volumes", "servers")],
    ids=["volume-refs-need-volumes", "attachments-need-servers"],
)
def test_cross_references_into_an_incomplete_collection_are_skipped(
    rules: Rules, collection: str, broken: str
) -> None:
    # Every item listed but the list flagged truncated: the pairs exist, yet a
    # reference into that collection proves nothing.
    source, target = world()
    get(target, "servers", "S-WEB")["volumes"] = []
    get(target, "volumes", "V-DATA")["attachments"] = []
    get(target, "volumes", "V-DATA")["status"] = "available"
    tgt: dict[str, Any] = dict(target)
    tgt[broken] = truncated(target[broken])
    report = run(source, tgt, rules)
    lost = [
        f
        for f in findings(report, Kind.CHANGED)
        if any(c.field in ("volumes", "attachments") for c in f.changes)
    ]
    # The reference into the complete collection is still checked.
    assert [f.collection for f in lost] == [broken]
    assert [f.collection for f in findings(report, Kind.INCOMPLETE)] == [broken]
    assert collection != broken


def test_truncated_target_compares_what_was_listed_and_reports_no_missing(rules: Rules) -> None:
    source, target = world()
    get(target, "projects", "P-ACME")["enabled"] = False
    tgt: dict[str, Any] = dict(target)
    tgt["projects"] = truncated([get(target, "projects", "P-ACME")])
    report = run(source, tgt, rules)
    kinds = sorted((f.kind.value, f.collection) for f in report.findings)
    assert kinds == [("changed", "projects"), ("incomplete", "projects")]
    assert report.summary["projects"].matched == 1
    assert report.exit_code == 1


def test_collection_absent_from_one_snapshot_is_incomplete(rules: Rules) -> None:
    source, target = world()
    del target["endpoints"]
    report = run(source, target, rules)
    f = the_finding(report)
    assert (f.kind, f.collection, f.side) == (Kind.INCOMPLETE, "endpoints", "target")
    assert "not in the target snapshot" in f.message
    assert report.summary["endpoints"].missing == 0
    assert (report.verdict, report.exit_code) == (Verdict.INCOMPLETE, 3)
    assert report.target.complete is False


def test_collection_absent_from_both_snapshots_is_not_mentioned(rules: Rules) -> None:
    source, target = world()
    del source["endpoints"], target["endpoints"]
    report = run(source, target, rules)
    assert "endpoints" not in report.summary
    assert report.verdict is Verdict.VERIFIED


# -- partial (down-cell) servers ---------------------------------------------------------------


@pytest.mark.parametrize("side", ["source", "target"])
def test_partial_server_is_matched_not_compared(rules: Rules, side: str) -> None:
    source, target = world()
    if side == "target":
        drop(target, "servers", "S-APP")
        target["servers"].append(partial_server("S-APP", get(target, "projects", "P-GLOBEX")))
    else:
        drop(source, "servers", "s-app")
        source["servers"].append(partial_server("s-app", get(source, "projects", "p-globex")))
    report = run(source, target, rules)
    assert report.findings == (), "status UNKNOWN and absent fields are not changes"
    summary = report.summary["servers"]
    assert (summary.matched, summary.partial, summary.changed) == (3, 1, 0)
    assert report.verdict is Verdict.VERIFIED


# -- the report -------------------------------------------------------------------------------


def busy_world() -> tuple[dict[str, Any], dict[str, Any]]:
    """One finding of every kind (and several severities) over all four collections."""
    source, target = world()
    drop(target, "servers", "S-APP")  # missing, in globex
    t_acme, t_globex = get(target, "projects", "P-ACME"), get(target, "projects", "P-GLOBEX")
    target["servers"].append(server("S-NEW", "ocb-new-cloudwatt", t_acme))  # unexpected + residue
    get(target, "servers", "S-DB")["status"] = "SHUTOFF"  # changed, warning
    get(target, "volumes", "V-DATA")["size"] = 50  # changed, error
    target["volumes"].append(volume("V-LOGS2", "ocb-logs", t_globex, size=20))  # ambiguous
    tgt: dict[str, Any] = dict(target)
    tgt["endpoints"] = failed("identity: HTTP 503 after 5 attempts")  # incomplete
    return dict(source), tgt


def test_busy_report_summary(rules: Rules) -> None:
    report = run(*busy_world(), rules)
    assert summary_counts(report) == {
        "projects": (2, 2, 2, 0, 0, 0, 0),
        # S-WEB, S-DB, S-NEW in scope; S-X is out of scope.
        "servers": (3, 3, 2, 1, 1, 1, 0),
        "volumes": (2, 3, 1, 0, 0, 1, 1),
        # The target failed to list: nothing is missing, nothing matched.
        "endpoints": (2, 0, 0, 0, 0, 0, 0),
    }
    assert [n for n, s in report.summary.items() if not s.complete] == ["endpoints"]
    assert sorted(f.kind.value for f in report.findings) == [
        "ambiguous",
        "changed",
        "changed",
        "incomplete",
        "missing",
        "residue",
        "unexpected",
    ]
    assert (report.verdict, report.exit_code) == (Verdict.DISCREPANCIES, 1)


def test_scorecard_per_source_project(rules: Rules) -> None:
    report = run(*busy_world(), rules)
    rows = [
        (r.source.name, r.target.name if r.target else None, r.matched, r.missing, r.changed)
        for r in report.scorecard
    ]
    assert rows == [
        # s-web, s-db, v-data matched; s-db and v-data changed.
        ("cw-acme", "ocb-acme", 3, 0, 2),
        # s-app missing; v-logs ambiguous (neither matched nor missing).
        ("cw-globex", "ocb-globex", 0, 1, 0),
    ]


def test_scorecard_of_a_project_without_counterpart(rules: Rules) -> None:
    source, target = world()
    drop(target, "projects", "P-GLOBEX")
    drop(target, "servers", "S-APP")
    drop(target, "volumes", "V-LOGS")
    report = run(source, target, rules)
    rows = {r.source.id: (r.target, r.matched, r.missing, r.changed) for r in report.scorecard}
    assert rows["p-globex"] == (None, 0, 2, 0)
    assert rows["p-acme"][1:] == (3, 0, 0)
    missing = findings(report, Kind.MISSING)
    assert {f.project for f in missing} == {"ocb-globex"}, "grouped under the expected name"
    assert len(missing) == 3


def test_findings_are_sorted_by_collection_then_severity(rules: Rules) -> None:
    report = run(*busy_world(), rules)
    order = ["projects", "servers", "volumes", "endpoints"]
    keys = [(order.index(f.collection), -f.severity.rank) for f in report.findings]
    assert keys == sorted(keys)
    assert len({f.collection for f in report.findings}) == 3


def test_same_inputs_give_the_same_ids_and_json(rules: Rules) -> None:
    src, tgt = snapshots(*busy_world())
    first = diff(src, tgt, rules).to_json()
    second = diff(src, tgt, rules, generated_at="another time").to_json()
    assert [f["id"] for f in first["findings"]] == [f["id"] for f in second["findings"]]
    assert second["generated_at"] == "another time"
    del first["generated_at"], second["generated_at"]
    assert first == second


def test_snapshots_reloaded_from_files_give_identical_findings(
    rules: Rules, tmp_path: Path
) -> None:
    src, tgt = snapshots(*busy_world())
    (tmp_path / "source.json").write_text(src.dumps(), encoding="utf-8")
    (tmp_path / "target.json").write_text(tgt.dumps(), encoding="utf-8")
    reloaded = (
        read_snapshot(str(tmp_path / "source.json")),
        read_snapshot(str(tmp_path / "target.json")),
    )
    live = diff(src, tgt, rules, generated_at=GENERATED_AT)
    from_files = diff(*reloaded, rules, generated_at=GENERATED_AT)
    assert from_files.to_json() == live.to_json()
    assert len(live.findings) == 7


def test_finding_ids_are_distinct_and_depend_on_identity_not_values(rules: Rules) -> None:
    report = run(*busy_world(), rules)
    ids = [f.id for f in report.findings]
    assert len(set(ids)) == len(ids)
    source, target = busy_world()
    get(target, "volumes", "V-DATA")["size"] = 40  # same finding, other value
    again = {
        (f.kind, f.collection, f.source and f.source.id): f.id
        for f in run(source, target, rules).findings
    }
    before = {(f.kind, f.collection, f.source and f.source.id): f.id for f in report.findings}
    assert again == before


def test_the_same_item_id_in_two_collections_gives_two_ids(rules: Rules) -> None:
    source, target = world()
    globex = get(source, "projects", "p-globex")
    source["servers"].append(server("x-1", "cw-lost", globex))
    source["volumes"].append(volume("x-1", "cw-lost", globex))
    report = run(source, target, rules)
    missing = findings(report, Kind.MISSING)
    assert [f.collection for f in missing] == ["servers", "volumes"]
    assert missing[0].id != missing[1].id


def shuffled(side: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    names = list(side)
    rng.shuffle(names)
    for name in names:
        value = side[name]
        if isinstance(value, CollectionResult):
            items = list(value.items)
            rng.shuffle(items)
            out[name] = replace(value, items=tuple(items))
        else:
            items = copy.deepcopy(value)
            rng.shuffle(items)
            out[name] = items
    return out


def busy_and_ambiguous() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    source, target = busy_world()
    # Two sources contest one key too: the ambiguity's members must not follow input order.
    acme = get(source, "projects", "p-acme")
    source["servers"] += [server("s-z", "cw-twin", acme), server("s-a", "cw-twin", acme)]
    target["servers"].append(server("S-TWIN", "ocb-twin", get(target, "projects", "P-ACME")))
    yield source, target


def test_input_order_does_not_change_the_report(rules: Rules) -> None:
    ((source, target),) = list(busy_and_ambiguous())
    expected = run(source, target, rules).to_json()
    assert any(
        f["kind"] == "ambiguous" and f["collection"] == "servers" for f in expected["findings"]
    )
    for seed in range(5):
        rng = random.Random(seed)
        assert run(shuffled(source, rng), shuffled(target, rng), rules).to_json() == expected


def test_report_validates_against_its_schema(rules: Rules) -> None:
    report = run(*busy_world(), rules)
    doc = report.to_json()
    # Waivers, mergers, the count cross-check and the audit window add their own kinds
    # (test_waivers.py, test_multisource.py, diff/test_crosscheck.py, diff/test_flux.py).
    assert {f["kind"] for f in doc["findings"]} == {k.value for k in Kind} - {
        "waiver_expired",
        "conflict",
        "count_mismatch",
        "in_flux",
    }
    validator = jsonschema.Draft202012Validator(load_schema("report"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    # The report is plain JSON.
    assert json.loads(json.dumps(doc)) == doc


def test_schema_rejects_a_report_missing_a_required_part(rules: Rules) -> None:
    # A control: the validation above can fail.
    doc = run(*busy_world(), rules).to_json()
    changed = next(f for f in doc["findings"] if f["kind"] == "changed")
    del changed["matched_by"]
    validator = jsonschema.Draft202012Validator(load_schema("report"))
    assert list(validator.iter_errors(doc))


def test_report_json_round_trip(rules: Rules) -> None:
    report = run(*busy_world(), rules)
    again = Report.from_json(json.loads(json.dumps(report.to_json())))
    assert again == report
    assert again.to_json() == report.to_json()
