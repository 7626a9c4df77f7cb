"""The diff of the network collections (their catalog declarations): networks, subnets,
routers, security groups, floating IPs.

Every test starts from one faithful migration of a tenant's network (checked
to be ``verified`` with no finding at all) and changes one thing, so each
finding is caused by that change and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.app.files import read_rules
from auditor.model import Finding, Report, Severity, Verdict
from auditor.rules import Rules
from tests.builders import (
    failed,
    floating_ip,
    network,
    project,
    router,
    security_group,
    server,
    sg_rule,
    subnet,
)
from tests.findings import Side, described, get, rules_with_id_map
from tests.findings import diff_sides as run

RULES_TEXT = r"""version: 1
rename:
  domains: {cloudwatt: ocb-cloudwatt}
  names:
    - collections: [projects, servers, networks, subnets, routers, security_groups]
      pattern: '^cw-(.*)$'
      replace: 'ocb-\1'
match:
  order: [id, id_map, name]
  id_map: idmap.json
scope:
  target_domains: [ocb-cloudwatt]
"""


def make_rules(directory: Path, id_map: dict[str, str] | None = None) -> Rules:
    return rules_with_id_map(directory, RULES_TEXT, id_map)


@pytest.fixture
def rules(tmp_path: Path) -> Rules:
    return make_rules(tmp_path)


WEB_RULES = (
    sg_rule(protocol="tcp", ports=(443, 443)),
    sg_rule(protocol="tcp", ports=(22, 22), remote_ip_prefix="198.51.100.0/24"),
    sg_rule("egress"),
)


def world() -> tuple[Side, Side]:
    """One tenant: two networks, three subnets (one unnamed), a router, two security
    groups, two servers and two floating IPs, migrated faithfully.

    Target ids all differ; the first floating IP moved to the target's public
    range (it is matched through its server), the second kept its address.
    """
    acme = project("p-acme", "cw-acme")
    app = network("n-app", "cw-app-net", acme, subnets=["10.0.1.0/24", "cw-app-subnet"])
    db = network("n-db", "cw-db-net", acme, subnets=["cw-db-subnet"])
    web = server("s-web", "cw-web", acme, security_groups=["cw-web", "default"])
    dbs = server("s-db", "cw-db", acme)
    source: Side = {
        "projects": [acme],
        "servers": [web, dbs],
        "networks": [app, db],
        "subnets": [
            subnet(
                "sub-a",
                "cw-app-subnet",
                acme,
                app,
                "10.0.0.0/24",
                gateway_ip="10.0.0.1",
                dns_nameservers=["9.9.9.9"],
            ),
            subnet("sub-b", "", acme, app, "10.0.1.0/24", gateway_ip="10.0.1.1"),
            subnet("sub-c", "cw-db-subnet", acme, db, "10.0.2.0/24", enable_dhcp=False),
        ],
        "routers": [
            router(
                "r-1",
                "cw-router",
                acme,
                interfaces=["sub-a", "sub-b"],
                routes=[{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}],
            )
        ],
        "security_groups": [
            security_group(
                "sg-default",
                "default",
                acme,
                [sg_rule("egress"), sg_rule(remote_group="default")],
                description="Default security group",
            ),
            security_group(
                "sg-web",
                "cw-web",
                acme,
                [*WEB_RULES, sg_rule(protocol="tcp", ports=(8080, 8080), remote_group="cw-web")],
            ),
        ],
        "floating_ips": [
            floating_ip("fip-1", "203.0.113.7", acme, server=web),
            floating_ip("fip-2", "203.0.113.9", acme),
        ],
    }
    t_acme = project("P-ACME", "ocb-acme", domain="ocb-cloudwatt")
    t_app = network("N-APP", "ocb-app-net", t_acme, subnets=["10.0.1.0/24", "ocb-app-subnet"])
    t_db = network("N-DB", "ocb-db-net", t_acme, subnets=["ocb-db-subnet"])
    t_web = server("S-WEB", "ocb-web", t_acme, security_groups=["default", "ocb-web"])
    t_dbs = server("S-DB", "ocb-db", t_acme)
    target: Side = {
        "projects": [t_acme],
        "servers": [t_web, t_dbs],
        "networks": [t_app, t_db],
        "subnets": [
            subnet(
                "SUB-A",
                "ocb-app-subnet",
                t_acme,
                t_app,
                "10.0.0.0/24",
                gateway_ip="10.0.0.1",
                dns_nameservers=["9.9.9.9"],
            ),
            subnet("SUB-B", "", t_acme, t_app, "10.0.1.0/24", gateway_ip="10.0.1.1"),
            subnet("SUB-C", "ocb-db-subnet", t_acme, t_db, "10.0.2.0/24", enable_dhcp=False),
        ],
        "routers": [
            router(
                "R-1",
                "ocb-router",
                t_acme,
                external_network="ext-net",
                interfaces=["SUB-A", "SUB-B"],
                routes=[{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}],
            )
        ],
        "security_groups": [
            security_group(
                "SG-DEFAULT",
                "default",
                t_acme,
                [sg_rule(remote_group="default"), sg_rule("egress")],
                description="Default security group",
            ),
            security_group(
                "SG-WEB",
                "ocb-web",
                t_acme,
                [*WEB_RULES, sg_rule(protocol="tcp", ports=(8080, 8080), remote_group="ocb-web")],
            ),
        ],
        "floating_ips": [
            floating_ip("FIP-1", "198.51.100.20", t_acme, server=t_web, fixed_ip="10.0.0.9"),
            floating_ip("FIP-2", "203.0.113.9", t_acme),
        ],
    }
    return source, target


def changes(report: Report, collection: str) -> list[tuple[str, Any, Any, str]]:
    (finding,) = [f for f in report.findings if f.collection == collection]
    return [(c.field, c.source, c.target, c.severity.value) for c in finding.changes]


# -- the baseline ---------------------------------------------------------------------------


def test_faithful_migration_is_verified(rules: Rules) -> None:
    report = run(*world(), rules)

    assert [f.message for f in report.findings] == []
    assert report.verdict is Verdict.VERIFIED
    counts = {name: (s.source, s.target, s.matched) for name, s in report.summary.items()}
    assert counts == {
        "projects": (1, 1, 1),
        "servers": (2, 2, 2),
        "networks": (2, 2, 2),
        "subnets": (3, 3, 3),
        "routers": (1, 1, 1),
        "security_groups": (2, 2, 2),
        "floating_ips": (2, 2, 2),
    }


# -- one change, one finding ------------------------------------------------------------------

Mutation = Callable[[Side], None]


def _set(collection: str, item_id: str, **values: Any) -> Mutation:
    def mutate(target: Side) -> None:
        get(target, collection, item_id).update(values)

    return mutate


CASES: dict[str, tuple[Mutation, str, str, str, str]] = {
    # name: (mutation of the target, collection, target id, field, severity)
    "network down": (
        _set("networks", "N-APP", admin_state_up=False),
        "networks",
        "N-APP",
        "admin_state_up",
        "error",
    ),
    "network status": (
        _set("networks", "N-APP", status="DOWN"),
        "networks",
        "N-APP",
        "status",
        "warning",
    ),
    "network in error": (
        _set("networks", "N-APP", status="ERROR"),
        "networks",
        "N-APP",
        "status",
        "error",
    ),
    # Neutron's shared flag is not the whole truth (RBAC grants to other projects
    # are invisible in it): information only.
    "network shared": (
        _set("networks", "N-DB", shared=True),
        "networks",
        "N-DB",
        "shared",
        "info",
    ),
    "network external": (
        _set("networks", "N-DB", external=True),
        "networks",
        "N-DB",
        "external",
        "warning",
    ),
    "smaller MTU": (_set("networks", "N-APP", mtu=1400), "networks", "N-APP", "mtu", "warning"),
    "larger MTU": (_set("networks", "N-APP", mtu=9000), "networks", "N-APP", "mtu", "info"),
    "subnet CIDR": (
        _set("subnets", "SUB-A", cidr="10.9.0.0/24"),
        "subnets",
        "SUB-A",
        "cidr",
        "error",
    ),
    "subnet gateway": (
        _set("subnets", "SUB-A", gateway_ip="10.0.0.254"),
        "subnets",
        "SUB-A",
        "gateway_ip",
        "warning",
    ),
    "subnet lost DHCP": (
        _set("subnets", "SUB-A", enable_dhcp=False),
        "subnets",
        "SUB-A",
        "enable_dhcp",
        "error",
    ),
    "subnet gained DHCP": (
        _set("subnets", "SUB-C", enable_dhcp=True),
        "subnets",
        "SUB-C",
        "enable_dhcp",
        "info",
    ),
    "subnet DNS": (
        _set("subnets", "SUB-A", dns_nameservers=["1.1.1.1"]),
        "subnets",
        "SUB-A",
        "dns_nameservers",
        "warning",
    ),
    "subnet routes": (
        _set("subnets", "SUB-A", host_routes=[{"destination": "0.0.0.0/0", "nexthop": "10.0.0.2"}]),
        "subnets",
        "SUB-A",
        "host_routes",
        "warning",
    ),
    "router down": (
        _set("routers", "R-1", admin_state_up=False),
        "routers",
        "R-1",
        "admin_state_up",
        "error",
    ),
    "router lost gateway": (
        _set("routers", "R-1", external_network=None, enable_snat=None),
        "routers",
        "R-1",
        "external_network",
        "error",
    ),
    "router SNAT": (
        _set("routers", "R-1", enable_snat=False),
        "routers",
        "R-1",
        "enable_snat",
        "warning",
    ),
    "router lost route": (_set("routers", "R-1", routes=[]), "routers", "R-1", "routes", "warning"),
    "router lost interface": (
        _set("routers", "R-1", interfaces=["SUB-A"]),
        "routers",
        "R-1",
        "interfaces",
        "error",
    ),
    "group description": (
        _set("security_groups", "SG-WEB", description="web"),
        "security_groups",
        "SG-WEB",
        "description",
        "info",
    ),
    "group gained rule": (
        _set(
            "security_groups",
            "SG-WEB",
            rules=[
                *WEB_RULES,
                sg_rule(protocol="tcp", ports=(8080, 8080), remote_group="ocb-web"),
                sg_rule(protocol="udp", ports=(53, 53)),
            ],
        ),
        "security_groups",
        "SG-WEB",
        "rules",
        "warning",
    ),
    "floating IP status": (
        _set("floating_ips", "FIP-2", status="ERROR"),
        "floating_ips",
        "FIP-2",
        "status",
        "error",
    ),
    "floating IP description": (
        _set("floating_ips", "FIP-2", description="kept"),
        "floating_ips",
        "FIP-2",
        "description",
        "info",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_one_change_is_one_finding(case: str, rules: Rules) -> None:
    mutate, collection, target_id, field, severity = CASES[case]
    source, target = world()
    mutate(target)

    report = run(source, target, rules)

    assert described(report) == {("changed", collection, target_id, field, severity)}


def test_a_shared_flag_change_says_what_the_flag_cannot_tell(rules: Rules) -> None:
    # Neutron sets shared for an RBAC grant to '*' or to the caller's own project
    # (_is_network_shared): a flag that flips may be a grant to the auditor's project.
    source, target = world()
    get(target, "networks", "N-DB")["shared"] = True

    (finding,) = run(source, target, rules).findings

    assert finding.severity is Severity.INFO
    (change,) = finding.changes
    assert change.message == (
        "shared flag set (Neutron's shared flag says only whether the network is shared"
        " with every project or with the auditor's own project; grants to other projects"
        " are not visible in it)"
    )


def test_a_lost_rule_is_an_error_and_says_which(rules: Rules) -> None:
    source, target = world()
    get(target, "security_groups", "SG-WEB")["rules"] = [
        WEB_RULES[0],
        WEB_RULES[2],
        sg_rule(protocol="tcp", ports=(8080, 8080), remote_group="ocb-web"),
    ]

    report = run(source, target, rules)

    (finding,) = report.findings
    assert (finding.collection, finding.severity) == ("security_groups", Severity.ERROR)
    assert finding.message == (
        "security group ocb-acme/ocb-web lost rule ingress IPv4 tcp port 22 from 198.51.100.0/24."
    )
    assert [(c.field, c.target) for c in finding.changes] == [("rules", None)]


def test_a_rule_whose_remote_group_was_not_renamed_is_lost_and_gained(rules: Rules) -> None:
    source, target = world()
    group = get(target, "security_groups", "SG-WEB")
    group["rules"] = [
        *WEB_RULES,
        sg_rule(protocol="tcp", ports=(8080, 8080), remote_group="cw-web"),
    ]

    report = run(source, target, rules)

    assert sorted(c[3] for c in changes(report, "security_groups")) == ["error", "warning"]


def test_a_subnet_on_another_network_is_seen_from_both_sides(rules: Rules) -> None:
    source, target = world()
    get(target, "subnets", "SUB-A").update(network="ocb-db-net", network_id="N-DB")

    report = run(source, target, rules)

    assert described(report) == {
        ("changed", "subnets", "SUB-A", "network", "error"),
        ("changed", "networks", "N-APP", "subnets", "error"),
        ("changed", "networks", "N-DB", "subnets", "info"),
    }
    (subnet_finding,) = [f for f in report.findings if f.collection == "subnets"]
    assert subnet_finding.message == (
        "subnet ocb-acme/ocb-app-subnet is on network ocb-db-net, expected ocb-acme/ocb-app-net."
    )


def test_an_unnamed_subnet_is_matched_by_network_and_cidr(rules: Rules) -> None:
    source, target = world()
    # Same CIDR, another network: the key differs, so it is missing and unexpected.
    get(target, "subnets", "SUB-B").update(network="ocb-db-net", network_id="N-DB")
    get(target, "subnets", "SUB-B")["cidr"] = "10.0.7.0/24"

    report = run(source, target, rules)

    kinds = {(f.kind.value, f.collection) for f in report.findings if f.collection == "subnets"}
    assert kinds == {("missing", "subnets"), ("unexpected", "subnets")}
    assert report.summary["subnets"].matched == 2


def test_networks_compare_subnet_names_without_the_subnets_collection(rules: Rules) -> None:
    source, target = world()
    for side in (source, target):
        del side["subnets"]
    get(target, "networks", "N-APP")["subnets"] = ["ocb-app-subnet"]

    report = run(source, target, rules)

    assert described(report) == {("changed", "networks", "N-APP", "subnets", "error")}
    assert changes(report, "networks")[0][1] == ["10.0.1.0/24", "ocb-app-subnet"]


def test_references_into_an_incomplete_collection_are_not_judged(rules: Rules) -> None:
    source, target = world()
    get(target, "routers", "R-1")["interfaces"] = []
    get(target, "networks", "N-APP")["subnets"] = []
    target_doc: dict[str, Any] = dict(target)
    target_doc["subnets"] = failed()

    report = run(source, target_doc, rules)

    assert {(f.kind.value, f.collection) for f in report.findings} == {("incomplete", "subnets")}
    assert report.verdict is Verdict.INCOMPLETE


# -- floating IPs ----------------------------------------------------------------------------


def test_a_floating_ip_pointing_to_another_server_is_an_error(rules: Rules) -> None:
    source, target = world()
    # FIP-2 kept its address (matched by it) but now points to the db server.
    get(source, "floating_ips", "fip-2").update(server_id="s-web", port_id="port-s-web")
    get(target, "floating_ips", "FIP-2").update(server_id="S-DB", port_id="port-S-DB")

    report = run(source, target, rules)

    (finding,) = report.findings
    assert (finding.collection, finding.matched_by) == ("floating_ips", "name")
    assert [(c.field, c.source, c.target, c.severity) for c in finding.changes] == [
        ("server_id", "S-WEB", "S-DB", Severity.ERROR),
    ]
    assert finding.message == (
        "floating ip ocb-acme/203.0.113.9 no longer points to server ocb-acme/ocb-web"
        " (points to ocb-acme/ocb-db)."
    )


def test_a_floating_ip_that_lost_its_server_is_an_error(rules: Rules) -> None:
    source, target = world()
    get(source, "floating_ips", "fip-2").update(server_id="s-db", port_id="port-s-db")

    report = run(source, target, rules)

    assert described(report) == {("changed", "floating_ips", "FIP-2", "server_id", "error")}
    assert report.findings[0].message.endswith(
        "no longer points to server ocb-acme/ocb-db (points to nothing)."
    )


def test_a_moved_floating_ip_is_matched_by_its_server_and_its_new_address_is_benign(
    rules: Rules,
) -> None:
    report = run(*world(), rules)

    assert report.findings == ()
    assert report.summary["floating_ips"].matched == 2


def test_a_moved_floating_ip_on_another_server_is_missing(rules: Rules) -> None:
    source, target = world()
    get(target, "floating_ips", "FIP-1").update(server_id="S-DB", port_id="port-S-DB")

    report = run(source, target, rules)

    assert described(report) == {
        ("missing", "floating_ips", "fip-1", None, "error"),
        ("unexpected", "floating_ips", "FIP-1", None, "warning"),
    }


def test_two_moved_floating_ips_of_one_server_are_ambiguous(rules: Rules) -> None:
    source, target = world()
    acme = source["projects"][0]
    web = get(source, "servers", "s-web")
    source["floating_ips"].append(floating_ip("fip-3", "203.0.113.8", acme, server=web))
    t_acme, t_web = target["projects"][0], get(target, "servers", "S-WEB")
    target["floating_ips"].append(floating_ip("FIP-3", "198.51.100.21", t_acme, server=t_web))

    report = run(source, target, rules)

    assert {(f.kind.value, f.collection) for f in report.findings} == {
        ("ambiguous", "floating_ips")
    }


def test_an_address_change_is_told_when_matched_otherwise(tmp_path: Path) -> None:
    rules = make_rules(tmp_path, {"fip-2": "FIP-2"})
    source, target = world()
    get(target, "floating_ips", "FIP-2")["name"] = "198.51.100.99"

    report = run(source, target, rules)

    assert described(report) == {("changed", "floating_ips", "FIP-2", "name", "info")}
    assert report.findings[0].matched_by == "id_map"


# -- servers <-> security groups ----------------------------------------------------------------


def test_a_server_that_lost_a_group_is_a_warning(rules: Rules) -> None:
    source, target = world()
    get(target, "servers", "S-WEB")["security_groups"] = ["default"]

    report = run(source, target, rules)

    assert described(report) == {("changed", "servers", "S-WEB", "security_groups", "warning")}


def test_server_groups_are_compared_through_the_group_matches(tmp_path: Path) -> None:
    # The migration recorded the web group's counterpart, which it named otherwise.
    rules = make_rules(tmp_path, {"sg-web": "SG-WEB"})
    source, target = world()
    get(target, "security_groups", "SG-WEB")["name"] = "ocb-frontend"
    get(target, "servers", "S-WEB")["security_groups"] = ["default", "ocb-frontend"]
    for rule in get(target, "security_groups", "SG-WEB")["rules"]:
        if rule["remote_group"]:
            rule["remote_group"] = "ocb-frontend"

    report = run(source, target, rules)

    # The servers' groups and the rules' remote groups are the counterpart's (issue 17:
    # remote groups are resolved through the matches too, no longer by renamed name).
    assert list(report.findings) == []


def test_a_rule_whose_remote_group_is_not_the_counterpart_is_lost(tmp_path: Path) -> None:
    rules = make_rules(tmp_path, {"sg-web": "SG-WEB"})
    source, target = world()
    get(target, "security_groups", "SG-WEB")["name"] = "ocb-frontend"
    get(target, "servers", "S-WEB")["security_groups"] = ["default", "ocb-frontend"]
    # The rules still name the group by its old (renamed) name: not the counterpart's.

    report = run(source, target, rules)

    (finding,) = report.findings
    assert finding.collection == "security_groups"
    lost = [c for c in finding.changes if c.severity.value == "error"]
    assert lost and all("from group ocb-frontend" in str(c.message) for c in lost), [
        c.message for c in finding.changes
    ]


def test_server_groups_by_name_without_the_security_groups_collection(rules: Rules) -> None:
    source, target = world()
    for side in (source, target):
        del side["security_groups"]
    get(target, "servers", "S-WEB")["security_groups"] = ["default", "ocb-frontend"]

    report = run(source, target, rules)

    assert described(report) == {("changed", "servers", "S-WEB", "security_groups", "warning")}


def test_severities_can_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    (tmp_path / "idmap.json").write_text("{}", encoding="utf-8")
    text = RULES_TEXT + "severity:\n  subnets.cidr: warning\n"
    path.write_text(text, encoding="utf-8")
    rules = read_rules(str(path))
    source, target = world()
    get(target, "subnets", "SUB-A")["cidr"] = "10.9.0.0/24"

    report = run(source, target, rules)

    assert described(report) == {("changed", "subnets", "SUB-A", "cidr", "warning")}


def test_findings_name_the_network_nouns(rules: Rules) -> None:
    source, target = world()
    get(target, "routers", "R-1")["interfaces"] = ["SUB-A"]

    report = run(source, target, rules)

    (finding,) = report.findings
    assert finding.message == (
        # An unnamed subnet is called by its CIDR.
        "router ocb-acme/ocb-router no longer has an interface on subnet ocb-acme/10.0.1.0/24."
    )
    assert isinstance(finding, Finding)


def test_a_floating_ip_that_gained_a_server_is_told(rules: Rules) -> None:
    source, target = world()
    get(target, "floating_ips", "FIP-2").update(server_id="S-DB", port_id="port-S-DB")

    report = run(source, target, rules)

    assert described(report) == {("changed", "floating_ips", "FIP-2", "server_id", "info")}
    assert report.findings[0].message == (
        "floating ip ocb-acme/203.0.113.9 now points to server ocb-acme/ocb-db."
    )
