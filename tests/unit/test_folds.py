"""Folds: source projects merged on purpose into one target project, through the CLI.

The world: Cloudwatt (``cloudwatt@fr1``) and Numergy (``numergy@nm1``) are merged
into OCB (``ocb@ocb-fr1``); acme was a customer of both, and its two tenants
(cw-acme, nm-acme) now share ocb-acme, with every resource of both, quota
limits enough for both tenants' usage together and one ``default`` security
group. The rules declare that fold; without it, two source projects landing
on one target project is a mistake the audit must report, without pairing
their resources.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_rules
from auditor.diff.outcome import compare
from auditor.errors import RulesError
from auditor.model import Kind, Snapshot
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.sandbox.network import NetworkApi
from auditor.schemas import load_schema
from tests.builders import flavor, project, security_group, server, sg_rule, snapshot, volume
from tests.harness import audit_argv
from tests.harness import run_auditor as run
from tests.worlds import cloudwatt_fr1, ocb_fr1

RENAMES = r"""version: 1
rename:
  regions: {fr1: ocb-fr1, nm1: ocb-fr1}
  domains: {cloudwatt: ocb, numergy: ocb}
  names:
    - {collections: [projects, servers, volumes, security_groups], pattern: '^(cw|nm)-(.*)$',
       replace: 'ocb-\2'}
"""
FOLD = "fold:\n  - {into: ocb-acme, projects: [cw-acme, nm-acme]}\n"
RULES = RENAMES + FOLD

CW, NM = "cloudwatt@fr1", "numergy@nm1"
COLLECTIONS = "projects,servers,volumes,security_groups,quotas"


def quota(
    owner: dict[str, Any], cores: int, servers: Sequence[dict[str, Any]], instances: int = 10
) -> dict[str, Any]:
    """A compute quota set (auditor's normalised shape) whose usage is Nova's count of the
    project's ``servers`` (what the count cross-check holds it to)."""
    mine = [s for s in servers if s["project_id"] == owner["id"]]
    return {
        "id": f"{owner['id']}/compute",
        "name": "compute",
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "limits": {"cores": cores, "instances": instances},
        "usage": {"cores": sum(s["flavor"]["vcpus"] for s in mine), "instances": len(mine)},
    }


def sized(id: str, name: str, owner: dict[str, Any], vcpus: int, **extra: Any) -> dict[str, Any]:
    """A server of a flavor of ``vcpus`` (the quotas' usage counts them)."""
    return server(id, name, owner, flavor_=flavor(f"c{vcpus}", vcpus=vcpus), **extra)


def default_group(id: str, owner: dict[str, Any], *extra: dict[str, Any]) -> dict[str, Any]:
    rules = [sg_rule("egress"), sg_rule(remote_group="default"), *extra]
    return security_group(id, "default", owner, rules)


def cloudwatt() -> Snapshot:
    acme = project("p-acme", "cw-acme")
    servers = [sized("s-web", "cw-web", acme, 6, volumes=["v-data"])]
    return cloudwatt_fr1(
        projects=[acme],
        servers=servers,
        volumes=[volume("v-data", "cw-data", acme, attachments=["s-web"])],
        security_groups=[default_group("g-cw", acme, sg_rule(protocol="tcp", ports=(22, 22)))],
        quotas=[quota(acme, 20, servers)],
    )


def numergy() -> Snapshot:
    acme = project("q-acme", "nm-acme", domain="numergy")
    servers = [sized("r-db", "nm-db", acme, 8)]
    return snapshot(
        "numergy",
        "nm1",
        {
            "projects": [acme],
            "servers": servers,
            "volumes": [],
            "security_groups": [
                default_group("g-nm", acme, sg_rule(protocol="tcp", ports=(443, 443)))
            ],
            "quotas": [quota(acme, 20, servers)],
        },
    )


def ocb(*, cores: int = 20, lost_rule: bool = False, extra: bool = False) -> Snapshot:
    """The target: everything of both acme tenants in ocb-acme (``cores`` of quota)."""
    acme = project("P-ACME", "ocb-acme", domain="ocb")
    rules = [] if lost_rule else [sg_rule(protocol="tcp", ports=(443, 443))]
    servers = [
        sized("S-WEB", "ocb-web", acme, 6, volumes=["V-DATA"]),
        sized("S-DB", "ocb-db", acme, 8),
    ]
    if extra:
        servers.append(sized("S-TMP", "ocb-tmp", acme, 1))
    return ocb_fr1(
        projects=[acme],
        servers=servers,
        volumes=[volume("V-DATA", "ocb-data", acme, attachments=["S-WEB"])],
        security_groups=[
            default_group("G-ACME", acme, sg_rule(protocol="tcp", ports=(22, 22)), *rules)
        ],
        quotas=[quota(acme, cores, servers)],
    )


def write(tmp: Path, target: Snapshot, rules: str = RULES) -> list[str]:
    """The snapshot files and the rules file of ``auditor diff CW NM TARGET --rules R``."""
    (tmp / "cw.json").write_text(cloudwatt().dumps())
    (tmp / "nm.json").write_text(numergy().dumps())
    (tmp / "ocb.json").write_text(target.dumps())
    (tmp / "rules.yaml").write_text(rules)
    return [str(tmp / n) for n in ("cw.json", "nm.json", "ocb.json")] + [
        "--rules",
        str(tmp / "rules.yaml"),
    ]


def findings(doc: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    jsonschema.validate(doc, load_schema("report"))
    return sorted(
        (f["kind"], f["collection"], (f.get("target") or f.get("source") or {}).get("name"))
        for f in doc["findings"]
    )


# -- an intended merger verifies -----------------------------------------------------------


ADMIN_LEFT_OUT = """ignore:
  items:
    - {collection: projects, name: admin}
    - {collection: security_groups, project: admin}
    - {collection: quotas, project: admin}
"""
"""What an operator writes for a merger of several clouds: each cloud's own admin project
(its quotas, and the ``default`` group Neutron creates in it when the auditor lists security
groups) is not part of the migration, and the sources' ones would all land on the target's."""


def with_admin(cloud: Snapshot) -> Snapshot:
    """``cloud`` as a real cloud lists it: with the admin's own project (the sandbox's
    Neutron then creates that project's ``default`` group when groups are listed)."""
    admin = project(f"admin-{cloud.cloud}", "admin", domain="Default")
    projects = cloud.collections["projects"]
    collections = {
        **cloud.collections,
        "projects": replace(projects, items=(*projects.items, admin)),
    }
    return replace(cloud, collections=collections)


@pytest.fixture(params=["as_served", "slow_default_group"])
def neutron(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Neutron as served, or slow to create the caller's ``default`` group when security
    groups are listed: the counters the audit reads meanwhile do not count it yet."""
    if request.param == "slow_default_group":
        ensure = NetworkApi._ensure_default_group

        def slowly(self: NetworkApi, *args: Any) -> Any:
            time.sleep(0.5)
            return ensure(self, *args)

        monkeypatch.setattr(NetworkApi, "_ensure_default_group", slowly)
    return str(request.param)


def test_an_intended_two_source_merger_over_http_exits_0_without_waivers(
    tmp_path: Path, neutron: str
) -> None:
    # Listing security groups creates the admin project's default group (as Neutron
    # does); its usage counters are read after that listing, so they count it.
    (tmp_path / "rules.yaml").write_text(RULES + ADMIN_LEFT_OUT)
    with Sandbox([with_admin(cloudwatt()), with_admin(numergy()), with_admin(ocb())]) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        code, out = run(
            *audit_argv(
                tmp_path / "clouds.yaml",
                "cloudwatt",
                "numergy",
                target="ocb",
                rules=tmp_path / "rules.yaml",
            ),
            "--collections",
            COLLECTIONS,
            "-f",
            "json",
        )
        assert sandbox.errors == []
    doc = json.loads(out)
    assert (code, doc["verdict"], doc["findings"]) == (0, "verified", [])
    assert "waivers" not in doc
    rows = {(r["origin"], r["source"]["name"]): r for r in doc["scorecard"]}
    assert set(rows) == {("cloudwatt", "cw-acme"), ("numergy", "nm-acme")}
    for row in rows.values():
        assert row["target"]["name"] == "ocb-acme" and row["fully_matched"] is True
    assert doc["summary"]["projects"]["matched"] == 2
    assert doc["summary"]["quotas"]["matched"] == 6  # two projects, three services each


def test_an_intended_merger_of_files_is_verified(tmp_path: Path) -> None:
    code, out = run("diff", *write(tmp_path, ocb()), "-f", "text")
    assert code == 0, out
    assert "Verdict: VERIFIED (exit 0" in out
    assert "2 of 2 source projects fully matched." in out


# -- what a fold checks ----------------------------------------------------------------------


def test_fold_quota_must_hold_the_sources_usage_together(tmp_path: Path) -> None:
    # 12 cores: enough for either tenant alone (6 or 8), not for both (14).
    code, out = run("diff", *write(tmp_path, ocb(cores=12)), "-f", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, load_schema("report"))
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["kind"], finding["collection"], finding["severity"]) == (
        "changed",
        "quotas",
        "error",
    )
    assert finding["message"] == (
        "quota ocb-acme/compute cores quota is 12, below the 14 that cw-acme + nm-acme used"
        " together in the source: the merged project cannot even recreate what they had."
    )
    assert finding["origin"] == f"{CW}, {NM}"
    assert sorted([finding["source"]["id"], *(c["id"] for c in finding["candidates"])]) == [
        "p-acme/compute",
        "q-acme/compute",
    ]
    # Both tenants' rows count the error.
    assert [r["errors"] for r in doc["scorecard"]] == [1, 1]


def test_fold_quota_below_a_source_limit_is_a_warning(tmp_path: Path) -> None:
    code, out = run("diff", *write(tmp_path, ocb(cores=16)), "-f", "json")
    doc = json.loads(out)
    assert code == 0  # a warning does not fail at --fail-on error
    (finding,) = doc["findings"]
    assert finding["severity"] == "warning"
    assert "quota is 16, below the 20 one of cw-acme + nm-acme had alone" in finding["message"]


def test_fold_default_group_must_hold_every_sources_rules(tmp_path: Path) -> None:
    code, out = run("diff", *write(tmp_path, ocb(lost_rule=True)), "-f", "text")
    assert code == 1
    assert (
        "security group ocb-acme/default lost rule ingress IPv4 tcp port 443 from anywhere." in out
    )
    assert "rules: ingress IPv4 tcp port 443 from anywhere -> none" in out


def test_fold_target_holds_the_union_of_the_resources(tmp_path: Path) -> None:
    code, out = run("diff", *write(tmp_path, ocb(extra=True)), "-f", "json")
    doc = json.loads(out)
    assert code == 0
    assert findings(doc) == [("unexpected", "servers", "ocb-tmp")]
    # The unexpected server is in the fold's target project: both tenants' rows say so.
    assert [(r["unexpected"], r["warnings"], r["fully_matched"]) for r in doc["scorecard"]] == [
        (1, 1, False),
        (1, 1, False),
    ]


# -- an undeclared fold is an error --------------------------------------------------------


def test_an_undeclared_fold_in_a_merger_is_a_conflict_and_pairs_nothing(tmp_path: Path) -> None:
    code, out = run("diff", *write(tmp_path, ocb(), rules=RENAMES), "-f", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, load_schema("report"))
    assert code == 1
    conflicts = [f for f in doc["findings"] if f["kind"] == "conflict"]
    assert [(f["collection"], f["target"]["name"]) for f in conflicts] == [("projects", "ocb-acme")]
    assert (
        "declare the fold in the rules (fold: [{into: ocb-acme, projects: [cw-acme, nm-acme]}])"
        in (conflicts[0]["message"])
    )
    # Their resources are not paired: no changed, no missing, no unexpected, no id map entry.
    kinds = {(f["kind"], f["collection"]) for f in doc["findings"]}
    assert ("ambiguous", "servers") in kinds and ("ambiguous", "quotas") in kinds
    assert not {k for k, _ in kinds} & {"changed", "missing", "unexpected"}
    assert doc["summary"]["servers"]["matched"] == 0
    servers = [
        f for f in doc["findings"] if f["kind"] == "ambiguous" and f["collection"] == "servers"
    ]
    assert sorted(f["origin"] for f in servers) == [CW, NM]
    assert servers[0]["message"] == (
        "1 source and 2 target server(s) of project ocb-acme were not paired: source projects"
        f" {CW}: cw-acme, {NM}: nm-acme all landed on ocb-acme and no fold in the rules says so;"
        " declare the fold (fold: in the rules) if they were merged on purpose, else rename all"
        " but one project."
    )
    # Each tenant's row needs attention: its resources are unpaired, its project contested.
    assert [(r["fully_matched"], r["errors"]) for r in doc["scorecard"]] == [(False, 5), (False, 4)]
    assert "matched_by" not in servers[0]


def test_an_undeclared_fold_in_one_cloud_is_ambiguous_and_pairs_nothing(tmp_path: Path) -> None:
    acme, acme2 = project("p-acme", "cw-acme"), project("p-acme2", "cw-acme2")
    source = cloudwatt_fr1(
        projects=[acme, acme2],
        servers=[server("s-1", "cw-web", acme), server("s-2", "cw-db", acme2)],
    )
    target_acme = project("P-ACME", "ocb-acme", domain="ocb")
    target = ocb_fr1(
        projects=[target_acme],
        servers=[server("S-1", "ocb-web", target_acme), server("S-2", "ocb-db", target_acme)],
    )
    rules = RENAMES.replace("'^(cw|nm)-(.*)$'", "'^(cw|nm)-(acme)2?$|^(cw|nm)-(.*)$'").replace(
        "'ocb-\\2'", "'ocb-\\2\\4'"
    )
    (tmp_path / "s.json").write_text(source.dumps())
    (tmp_path / "t.json").write_text(target.dumps())
    (tmp_path / "r.yaml").write_text(rules)
    argv = ["diff", str(tmp_path / "s.json"), str(tmp_path / "t.json"), "-f", "json", "--rules"]
    code, out = run(*argv, str(tmp_path / "r.yaml"))
    doc = json.loads(out)
    assert code == 1
    assert findings(doc) == [
        ("ambiguous", "projects", "cw-acme"),
        ("ambiguous", "servers", "cw-web"),
    ]
    project_finding = next(f for f in doc["findings"] if f["collection"] == "projects")
    assert (
        "2 source projects (cw-acme, cw-acme2) all map onto target project ocb-acme"
        in (project_finding["message"])
    )
    # Declared, the same two projects verify.
    (tmp_path / "r.yaml").write_text(
        rules + "fold:\n  - {into: ocb-acme, projects: [cw-acme, cw-acme2]}\n"
    )
    code, out = run(*argv, str(tmp_path / "r.yaml"))
    assert (code, json.loads(out)["findings"]) == (0, [])


# -- the rules ---------------------------------------------------------------------------------


def test_fold_rules_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        RENAMES
        + "fold:\n  - {into: ocb-acme, projects: [cw-acme, nm-acme]}\n"
        + "  - {into: ocb-other, projects: [cw-other, nm-acme]}\n"
    )
    with pytest.raises(
        RulesError,
        match=r"line 10: fold\[1\]\.projects\[1\]: 'nm-acme' is"
        r" already folded into 'ocb-acme' \(fold\[0\]\)",
    ):
        read_rules(str(path))
    path.write_text(RENAMES + "fold:\n  - {into: ocb-acme, projects: [cw-acme]}\n")
    with pytest.raises(RulesError, match=r"fold\[0\]\.projects"):
        read_rules(str(path))
    code, out = run("diff", str(path), str(path), "--rules", str(path))
    assert (code, out) == (2, "")


def test_a_folded_project_is_renamed_into_its_fold() -> None:
    rules = parse_rules(RULES)
    assert rules.name("projects", "cw-acme") == rules.name("projects", "nm-acme") == "ocb-acme"
    assert rules.name("projects", "cw-globex") == "ocb-globex"
    assert rules.name("servers", "cw-acme") == "ocb-acme"  # folds are about projects only
    fold = rules.fold_of("nm-acme")
    assert fold is not None and fold.label == "cw-acme + nm-acme -> ocb-acme"


def test_a_fold_member_matched_by_id_map_takes_the_others_along() -> None:
    """One tenant's project matched by the id map: the other joins it through the fold."""
    acme, acme2 = project("p-acme", "cw-acme"), project("p-acme2", "cw-acme2")
    servers = [sized("s-1", "cw-web", acme, 6), sized("s-2", "cw-db", acme2, 8)]
    source = cloudwatt_fr1(
        projects=[acme, acme2],
        servers=servers,
        quotas=[quota(acme, 20, servers), quota(acme2, 20, servers)],
    )
    target_acme = project("P-ACME", "ocb-acme", domain="ocb")
    moved = [sized("S-1", "ocb-web", target_acme, 6), sized("S-2", "ocb-db", target_acme, 8)]
    target = ocb_fr1(projects=[target_acme], servers=moved, quotas=[quota(target_acme, 12, moved)])
    rules = replace(
        parse_rules(RENAMES + "fold:\n  - {into: ocb-acme, projects: [cw-acme, cw-acme2]}\n"),
        order=("id_map", "name"),
        id_map={"p-acme": "P-ACME", "p-acme/compute": "P-ACME/compute"},
    )
    report = compare([source], target, rules).report
    assert report.summary["projects"].matched == report.summary["quotas"].matched == 2
    (finding,) = report.findings
    assert (finding.kind, finding.collection) == (Kind.CHANGED, "quotas")
    assert "below the 14 that cw-acme + cw-acme2 used together" in finding.message


def test_the_fold_example_of_the_rules_reference_is_valid_and_folds() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text()
    section = page[page.index("## Folds") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n", 8)]
    rules = parse_rules(example, "docs/rules.md")
    assert rules.name("projects", "cw-acme") == rules.name("projects", "nm-acme") == "ocb-acme"
    assert compare([cloudwatt(), numergy()], ocb(), rules).report.findings == ()
