"""The diff of the identity collections (their catalog declarations): domains, regions,
services, flavors, keypairs.

Every test starts from one faithful migration of the identity side of a cloud
(checked to be ``verified`` with no finding at all) and changes one thing, so
each finding is caused by that change and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.model import Severity, Verdict
from auditor.rules import Rules, parse_rules
from tests.builders import (
    domain,
    failed,
    flavor_record,
    keypair,
    project,
    region,
    service,
)
from tests.findings import Side, described, get, only
from tests.findings import diff_sides as run

RULES_TEXT = r"""version: 1
rename:
  regions: {fr1: ocb-fr1, fr: ocb-fr}
  domains: {cloudwatt: ocb-cloudwatt}
  names:
    - collections: [projects, flavors, keypairs]
      pattern: '^cw-(.*)$'
      replace: 'ocb-\1'
match:
  order: [id, name]
scope:
  target_domains: [ocb-cloudwatt, Default]
"""

FP_1 = "ee:3c:62:16:2c:b1:4e:12:ba:12:cd:6b:61:0b:2b:0f"
FP_2 = "11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00"


@pytest.fixture
def rules(tmp_path: Path) -> Rules:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_TEXT, encoding="utf-8")
    return parse_rules(RULES_TEXT, str(path))


def world() -> tuple[Side, Side]:
    """Two tenants, two domains, a region tree, a catalog, public and private flavors,
    and two users' keypairs, migrated faithfully (every target id differs)."""
    acme, beta = project("p-acme", "cw-acme"), project("p-beta", "cw-beta")
    t_acme = project("P-ACME", "ocb-acme", domain="ocb-cloudwatt")
    t_beta = project("P-BETA", "ocb-beta", domain="ocb-cloudwatt")
    specs = {"hw:cpu_policy": "dedicated", "pci_passthrough:alias": "a100:1"}
    source: Side = {
        "projects": [acme, beta],
        "domains": [
            domain("d-default", "Default"),
            domain("d-cw", "cloudwatt", description="Cloudwatt customers"),
        ],
        "regions": [
            region("fr", description="France"),
            region("fr1", parent="fr", description="Paris"),
        ],
        "services": [
            service("svc-nova", "compute", "nova"),
            service("svc-cinder", "block-storage", "cinderv3", description="Volumes"),
        ],
        "flavors": [
            flavor_record("f-small", "m1.small", 1, 2048, 20),
            flavor_record(
                "f-gpu",
                "cw-gpu",
                16,
                65536,
                100,
                ephemeral=200,
                swap=4096,
                is_public=False,
                extra_specs=specs,
                access=[acme, beta],
            ),
        ],
        "keypairs": [
            keypair("u-alice", "alice", "cw-deploy", FP_1),
            keypair("u-bob", "bob", "cw-deploy", FP_2, type="x509"),
        ],
    }
    target: Side = {
        "projects": [t_acme, t_beta],
        "domains": [
            domain("D-DEFAULT", "Default"),
            domain("D-CW", "ocb-cloudwatt", description="Cloudwatt customers"),
            # Another customer's domain: out of the scope, never "unexpected".
            domain("D-OTHER", "ocb-enterprise"),
        ],
        "regions": [
            region("ocb-fr", description="France"),
            region("ocb-fr1", parent="ocb-fr", description="Paris"),
            # Another region of the target cloud: out of the scope.
            region("ocb-de1"),
        ],
        "services": [
            service("SVC-NOVA", "compute", "nova"),
            service("SVC-CINDER", "block-storage", "cinderv3", description="Volumes"),
        ],
        "flavors": [
            flavor_record("F-SMALL", "m1.small", 1, 2048, 20),
            flavor_record(
                "F-GPU",
                "ocb-gpu",
                16,
                65536,
                100,
                ephemeral=200,
                swap=4096,
                is_public=False,
                extra_specs=specs,
                access=[t_acme, t_beta],
            ),
        ],
        "keypairs": [
            keypair("U-ALICE", "alice", "ocb-deploy", FP_1, domain="ocb-cloudwatt"),
            keypair("U-BOB", "bob", "ocb-deploy", FP_2, domain="ocb-cloudwatt", type="x509"),
        ],
    }
    return source, target


def test_a_faithful_migration_is_verified(rules: Rules) -> None:
    source, target = world()

    report = run(source, target, rules)

    assert report.findings == ()
    assert report.verdict is Verdict.VERIFIED
    for name in ("domains", "regions", "services", "flavors", "keypairs"):
        summary = report.summary[name]
        assert (summary.matched, summary.missing, summary.unexpected) == (
            len(source[name]),
            0,
            0,
        ), name


# -- domains ----------------------------------------------------------------------------


def test_a_disabled_domain_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(target, "domains", "D-CW")["enabled"] = False

    finding = only(run(source, target, rules))

    assert (finding.collection, finding.severity) == ("domains", Severity.ERROR)
    assert finding.message == "domain ocb-cloudwatt is disabled in the target."


def test_a_domain_description_change_is_info(rules: Rules) -> None:
    source, target = world()
    get(target, "domains", "D-CW")["description"] = "OCB customers"

    assert described(run(source, target, rules)) == {
        ("changed", "domains", "D-CW", "description", "info")
    }


def test_a_domain_the_migration_did_not_create_is_missing(rules: Rules) -> None:
    source, target = world()
    target["domains"] = [d for d in target["domains"] if d["id"] != "D-CW"]

    assert ("missing", "domains", "d-cw", None, "error") in described(run(source, target, rules))


def test_source_domains_outside_the_scope_are_not_audited(tmp_path: Path) -> None:
    text = RULES_TEXT + "  source_domains: [cloudwatt]\n"
    rules = parse_rules(text, str(tmp_path / "rules.yaml"))
    source, target = world()
    target["domains"] = [d for d in target["domains"] if d["name"] != "Default"]

    report = run(source, target, rules)

    assert report.findings == ()
    assert report.summary["domains"].source == 1


# -- regions ----------------------------------------------------------------------------


def test_a_region_under_another_parent_is_a_warning(rules: Rules) -> None:
    source, target = world()
    get(target, "regions", "ocb-fr1")["parent"] = None

    finding = only(run(source, target, rules))

    assert (finding.collection, finding.severity) == ("regions", Severity.WARNING)
    assert finding.changes[0].source == "ocb-fr"
    assert "expected ocb-fr" in finding.message


def test_a_region_that_was_not_renamed_is_missing(rules: Rules) -> None:
    source, target = world()
    get(target, "regions", "ocb-fr").update(id="france", name="france")
    get(target, "regions", "ocb-fr1")["parent"] = "france"

    got = described(run(source, target, rules))

    # Outside the renamed regions, the other one is out of scope, not "unexpected".
    assert got == {
        ("missing", "regions", "fr", None, "error"),
        ("changed", "regions", "ocb-fr1", "parent", "warning"),
    }


# -- services ---------------------------------------------------------------------------


def test_a_disabled_service_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(target, "services", "SVC-NOVA")["enabled"] = False

    assert described(run(source, target, rules)) == {
        ("changed", "services", "SVC-NOVA", "enabled", "error")
    }


def test_a_service_type_the_target_lacks_is_missing(rules: Rules) -> None:
    source, target = world()
    target["services"] = [s for s in target["services"] if s["service_type"] != "block-storage"]

    finding = only(run(source, target, rules))

    assert (finding.kind.value, finding.severity) == ("missing", Severity.ERROR)
    assert finding.source is not None and finding.source.id == "svc-cinder"


def test_a_service_renamed_otherwise_is_matched_by_its_type(rules: Rules) -> None:
    source, target = world()
    get(target, "services", "SVC-CINDER")["name"] = "cinder"

    finding = only(run(source, target, rules))

    assert finding.matched_by == "name"
    assert (finding.kind.value, finding.severity) == ("changed", Severity.INFO)
    assert finding.changes[0].field == "name"


def test_two_target_services_of_a_renamed_type_are_ambiguous(rules: Rules) -> None:
    source, target = world()
    get(target, "services", "SVC-CINDER")["name"] = "cinder"
    target["services"].append(service("SVC-CINDER-2", "block-storage", "cinder-b"))

    assert {f.kind.value for f in run(source, target, rules).findings} == {"ambiguous"}


# -- flavors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "severity"),
    [
        ("vcpus", 8, "error"),
        ("ram", 32768, "error"),
        ("disk", 80, "error"),
        ("ephemeral", 0, "error"),
        ("swap", 0, "error"),
        ("vcpus", 32, "info"),
        ("disk", 200, "info"),
    ],
)
def test_a_smaller_flavor_is_an_error_a_larger_one_info(
    rules: Rules, field: str, value: int, severity: str
) -> None:
    source, target = world()
    get(target, "flavors", "F-GPU")[field] = value

    assert described(run(source, target, rules)) == {
        ("changed", "flavors", "F-GPU", field, severity)
    }


def test_a_smaller_flavor_says_by_how_much(rules: Rules) -> None:
    source, target = world()
    get(target, "flavors", "F-GPU")["ram"] = 32768

    assert only(run(source, target, rules)).message == (
        "flavor ocb-gpu has less RAM: 32768 MiB, was 65536 MiB."
    )


def test_a_private_flavor_no_longer_shared_with_a_project_is_an_error(rules: Rules) -> None:
    source, target = world()
    gpu = get(target, "flavors", "F-GPU")
    gpu["access"], gpu["access_ids"] = ["ocb-acme"], ["P-ACME"]

    finding = only(run(source, target, rules))

    assert (finding.collection, finding.severity) == ("flavors", Severity.ERROR)
    assert finding.changes[0].field == "access"
    assert finding.changes[0].source == ["P-BETA"]
    assert finding.message == "flavor ocb-gpu is no longer shared with project(s) ocb-beta."


def test_access_is_compared_through_the_project_matches_not_the_names(rules: Rules) -> None:
    # A project of the same name in another domain is not the counterpart.
    source, target = world()
    other = project("P-IMPOSTOR", "ocb-beta", domain="ocb-enterprise")
    target["projects"].append(other)
    gpu = get(target, "flavors", "F-GPU")
    gpu["access"], gpu["access_ids"] = ["ocb-acme", "ocb-beta"], ["P-ACME", "P-IMPOSTOR"]

    got = described(run(source, target, rules))

    assert got == {("changed", "flavors", "F-GPU", "access", "error")}


def test_without_projects_access_is_compared_by_renamed_names(rules: Rules) -> None:
    source, target = world()
    del source["projects"], target["projects"]
    gpu = get(target, "flavors", "F-GPU")
    gpu["access"], gpu["access_ids"] = ["ocb-acme"], ["P-ACME"]

    report = run(source, target, rules)

    (finding,) = [f for f in report.findings if f.collection == "flavors"]
    assert finding.changes[0].source == ["ocb-beta"]
    assert finding.severity is Severity.ERROR


def test_a_private_flavor_shared_with_one_more_counterpart_is_info(rules: Rules) -> None:
    source, target = world()
    gpu = get(source, "flavors", "f-gpu")
    gpu["access"], gpu["access_ids"] = ["cw-acme"], ["p-acme"]

    assert described(run(source, target, rules)) == {
        ("changed", "flavors", "F-GPU", "access", "info")
    }


def test_a_private_flavor_made_public_is_a_warning_and_loses_no_project(rules: Rules) -> None:
    source, target = world()
    gpu = get(target, "flavors", "F-GPU")
    gpu.update(is_public=True, access=[], access_ids=[])

    assert described(run(source, target, rules)) == {
        ("changed", "flavors", "F-GPU", "is_public", "warning")
    }


def test_changed_extra_specs_are_a_warning_unknown_ones_are_not_compared(
    rules: Rules,
) -> None:
    source, target = world()
    get(target, "flavors", "F-GPU")["extra_specs"] = {"hw:cpu_policy": "shared"}
    get(target, "flavors", "F-SMALL")["extra_specs"] = None  # listed before compute 2.61

    finding = only(run(source, target, rules))

    assert finding.changes[0].field == "extra_specs"
    assert finding.severity is Severity.WARNING
    assert "hw:cpu_policy, pci_passthrough:alias" in finding.message


def test_an_incomplete_project_listing_proves_no_lost_access(rules: Rules) -> None:
    source, listed = world()
    target: dict[str, Any] = {**listed, "projects": failed()}
    gpu = get(listed, "flavors", "F-GPU")
    gpu["access"], gpu["access_ids"] = ["ocb-acme", "ocb-beta"], ["X", "Y"]

    report = run(source, target, rules)

    assert [f for f in report.findings if f.collection == "flavors"] == []


# -- keypairs ---------------------------------------------------------------------------


def test_a_keypair_with_another_key_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(target, "keypairs", "U-ALICE/ocb-deploy")["fingerprint"] = FP_2

    finding = only(run(source, target, rules))

    assert (finding.collection, finding.severity) == ("keypairs", Severity.ERROR)
    assert "of user ocb-cloudwatt/alice holds a different public key" in finding.message


def test_a_keypair_type_change_is_a_warning(rules: Rules) -> None:
    source, target = world()
    get(target, "keypairs", "U-BOB/ocb-deploy")["type"] = "ssh"

    assert described(run(source, target, rules)) == {
        ("changed", "keypairs", "U-BOB/ocb-deploy", "type", "warning")
    }


def test_keypairs_are_matched_per_user_and_domain(rules: Rules) -> None:
    # Both users have an ocb-deploy keypair: each is matched to its own user's.
    source, target = world()
    get(target, "keypairs", "U-ALICE/ocb-deploy")["fingerprint"] = FP_2
    get(target, "keypairs", "U-BOB/ocb-deploy")["fingerprint"] = FP_1

    got = described(run(source, target, rules))

    assert got == {
        ("changed", "keypairs", "U-ALICE/ocb-deploy", "fingerprint", "error"),
        ("changed", "keypairs", "U-BOB/ocb-deploy", "fingerprint", "error"),
    }


def test_a_users_lost_keypair_is_missing_and_another_domains_is_out_of_scope(
    rules: Rules,
) -> None:
    source, target = world()
    target["keypairs"] = [k for k in target["keypairs"] if k["user"] != "bob"]
    target["keypairs"].append(keypair("U-EVE", "eve", "deploy", FP_1, domain="ocb-enterprise"))

    report = run(source, target, rules)

    assert described(report) == {("missing", "keypairs", "u-bob/cw-deploy", None, "error")}
    assert report.summary["keypairs"].unexpected == 0


# -- residue ----------------------------------------------------------------------------


def test_a_domain_name_the_rules_spell_out_is_no_residue(tmp_path: Path) -> None:
    text = RULES_TEXT + "residue:\n  patterns: ['cloudwatt']\n"
    rules = parse_rules(text, str(tmp_path / "rules.yaml"))
    source, target = world()
    get(source, "domains", "d-cw")["description"] = "Public cloud customers"
    get(target, "domains", "D-CW")["description"] = "Public cloud customers"

    assert run(source, target, rules).findings == ()

    # Its description is not in the rules: an old-brand string there is residue.
    get(source, "domains", "d-cw")["description"] = "Cloudwatt customers"
    get(target, "domains", "D-CW")["description"] = "Cloudwatt customers"
    get(target, "keypairs", "U-ALICE/ocb-deploy")["name"] = "cloudwatt-deploy"
    get(source, "keypairs", "u-alice/cw-deploy")["name"] = "cloudwatt-deploy"

    got = {
        (f.kind.value, f.collection, f.changes[0].field)
        for f in run(source, target, rules).findings
    }
    assert got == {("residue", "domains", "description"), ("residue", "keypairs", "name")}


# -- messages of missing items ----------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "item_id", "looked_for"),
    [
        ("domains", "D-CW", "looked for ocb-cloudwatt"),
        ("regions", "ocb-fr", "looked for ocb-fr"),
        ("services", "SVC-CINDER", "looked for block-storage/cinderv3"),
        ("keypairs", "U-BOB/ocb-deploy", "looked for ocb-deploy of user ocb-cloudwatt/bob"),
    ],
)
def test_a_missing_item_says_what_was_looked_for_after_renaming(
    rules: Rules, collection: str, item_id: str, looked_for: str
) -> None:
    source, target = world()
    target[collection] = [i for i in target[collection] if i["id"] != item_id]

    missing = [f for f in run(source, target, rules).findings if f.kind.value == "missing"]

    assert len(missing) == 1
    assert looked_for in missing[0].message
