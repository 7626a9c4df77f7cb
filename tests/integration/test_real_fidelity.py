"""What only a real OpenStack shows, against the real services on loopback.

Glance and Neutron seeded through their APIs (images of every visibility,
networks, routers, security groups, floating IPs, an RBAC grant), paged two
items at a time; a second Keystone with ``list_limit`` and domain-specific
drivers; a second Nova API whose cell2 is down; a Cinder migration in progress.
The auditor is run as users run it, and must get each right.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from realcloud import DOWNCELL_CLOUD, LIMITED_CLOUD, RealCloud
from realnet import Rest
from seedplan import (
    DOWN_CELL_HOST,
    DOWN_CELL_SERVERS,
    EXTERNAL_NETWORK,
    GROUP_RULES,
    IMAGES,
    NETWORK_GRANTS,
    SERVERS,
    USERS,
    migration_rules,
)

from tests.findings import label_of

pytestmark = pytest.mark.integration

JSON = dict[str, Any]

NETWORK = ("networks", "subnets", "routers", "security_groups", "floating_ips")

RULES = migration_rules(
    ("projects", "servers", "volumes", "images", "networks", "subnets", "routers")
)

EXPECTED_NETWORK_AND_IMAGES = {
    ("missing", "images", "cw-acme/cw-acme-base", "error"),
    ("missing", "images", "cw-acme/cw-acme-rescue", "error"),
    ("missing", "images", "cw-globex/cw-globex-tools", "error"),
    ("missing", "images", "cw-initech/cw-initech-draft", "error"),
    ("missing", "networks", "cw-acme/cw-acme-storage", "error"),
    ("missing", "networks", "cw-globex/cw-globex-net", "error"),
    ("missing", "subnets", "cw-acme/cw-acme-net-v6", "error"),
    ("missing", "subnets", "cw-acme/cw-acme-storage-v4", "error"),
    ("missing", "subnets", "cw-globex/cw-globex-net-v4", "error"),
    # The migrated network was given new addresses.
    ("changed", "subnets", "ocb-acme/ocb-acme-net-v4", "error"),
    ("missing", "security_groups", "cw-acme/db", "error"),
    ("missing", "security_groups", "cw-globex/default", "error"),
    ("changed", "floating_ips", "ocb-acme/198.51.100.10", "info"),
}
"""The migration in progress, network and image side: what was not moved yet (the
golden image, cw-acme-net with its router, web group and floating IP were)."""


def audit(cloud: RealCloud, source: str, target: str, *argv: str) -> tuple[int, JSON]:
    """``auditor audit --source SOURCE --target TARGET ARGV --format json``: exit code, report."""
    proc = cloud.auditor("audit", "--source", source, "--target", target, *argv, "--format", "json")
    assert proc.stdout, proc.stderr
    report: JSON = json.loads(proc.stdout)
    return proc.returncode, report


def inventory(
    cloud: RealCloud, tmp_path: Path, profile: str, collections: str
) -> tuple[subprocess.CompletedProcess[str], JSON]:
    out = tmp_path / f"{profile}.json"
    proc = cloud.auditor(
        "inventory", "--cloud", profile, "--collections", collections, "-o", str(out)
    )
    assert out.exists(), proc.stderr
    doc: JSON = json.loads(out.read_text())
    return proc, doc


def items(doc: JSON, name: str) -> list[JSON]:
    found: list[JSON] = doc["collections"][name]["items"]
    return found


def by_name(doc: JSON, name: str) -> dict[str, JSON]:
    return {f"{i.get('project')}/{i['name']}": i for i in items(doc, name)}


@pytest.fixture(scope="module")
def everything(real_cloud: RealCloud, tmp_path_factory: pytest.TempPathFactory) -> JSON:
    """One inventory of every collection, with the services' access logs of it."""
    tmp = tmp_path_factory.mktemp("fidelity")
    marks = real_cloud.access_log_marks()
    proc, doc = inventory(real_cloud, tmp, real_cloud.cloud, "all")
    assert proc.returncode == 0, proc.stderr
    doc["@requests"] = real_cloud.requests_since(marks)
    return doc


# -- Glance ------------------------------------------------------------------------------


def test_images_of_every_visibility_come_from_the_real_glance(
    everything: JSON, real_cloud: RealCloud
) -> None:
    images = {i["name"]: i for i in items(everything, "images")}
    assert set(images) == {plan.name for plan in IMAGES}
    for plan in IMAGES:
        image = images[plan.name]
        assert image["id"] == real_cloud.image_ids[plan.name]
        assert image["project_id"] == real_cloud.project_ids[plan.owner], plan.name
        assert (image["visibility"], image["hidden"], image["protected"]) == (
            plan.visibility,
            plan.hidden,
            plan.protected,
        ), plan.name
        if plan.data is None:
            assert (image["status"], image["size"], image["checksum"]) == ("queued", None, None)
        else:
            assert (image["status"], image["size"]) == ("active", len(plan.data))
            assert str(image["checksum"]).startswith("sha512:")
    # The same bytes under the new brand: the same hash.
    assert images["cw-acme-golden"]["checksum"] == images["ocb-acme-golden"]["checksum"]


def test_glance_and_neutron_were_walked_page_by_page(everything: JSON) -> None:
    # api_limit_max and pagination_max_limit are 2: every listing of more spans pages,
    # followed with the services' own markers.
    requests = everything["@requests"]
    for service, path, count in (
        ("glance", "/v2/images", len(items(everything, "images"))),
        ("neutron", "/v2.0/networks", len(items(everything, "networks"))),
        ("neutron", "/v2.0/subnets", len(items(everything, "subnets"))),
        ("neutron", "/v2.0/security-groups", len(items(everything, "security_groups"))),
    ):
        sent = [r for s, r in requests if s == service and r["path"] == path]
        assert count > 2
        assert len(sent) >= count // 2, (service, path)
        assert sum(1 for r in sent if "marker=" in r["query"]) >= count // 2 - 1, path
        assert all(r["status"] == 200 for r in sent), path


# -- Neutron ---------------------------------------------------------------------------


def test_networks_routers_and_floating_ips_come_from_the_real_neutron(
    everything: JSON, real_cloud: RealCloud
) -> None:
    seeded = real_cloud.network
    networks = by_name(everything, "networks")
    public = networks[f"admin/{EXTERNAL_NETWORK}"]
    assert (public["id"], public["external"]) == (seeded["networks"][EXTERNAL_NETWORK], True)
    assert networks["cw-acme/cw-acme-net"]["subnets"] == ["cw-acme-net-v4", "cw-acme-net-v6"]
    subnets = by_name(everything, "subnets")
    assert subnets["cw-acme/cw-acme-net-v4"]["cidr"] == "10.0.0.0/24"
    assert subnets["cw-acme/cw-acme-net-v6"]["ip_version"] == 6
    assert subnets["cw-acme/cw-acme-net-v4"]["dns_nameservers"] == ["192.0.2.53", "192.0.2.54"]
    routers = by_name(everything, "routers")
    router = routers["cw-acme/cw-acme-router"]
    assert (router["external_network"], router["interfaces"]) == (
        EXTERNAL_NETWORK,
        [seeded["subnets"]["cw-acme-net-v4"]],
    )
    fips = {f["name"]: f for f in items(everything, "floating_ips")}
    web = fips["203.0.113.10"]
    assert (web["server_id"], web["fixed_ip"]) == (real_cloud.server_ids["cw-web-1"], "10.0.0.5")
    # No agent here: Neutron leaves floating IPs DOWN.
    assert web["status"] == "DOWN"


def test_security_groups_have_their_rules_and_the_servers_their_groups(
    everything: JSON, real_cloud: RealCloud
) -> None:
    groups = by_name(everything, "security_groups")
    web = groups["cw-acme/web"]
    ingress = {
        (r["protocol"], r["port_range_min"], r["remote_ip_prefix"] or "0.0.0.0/0")
        for r in web["rules"]
        if r["direction"] == "ingress"
    }
    assert ingress == set(GROUP_RULES["web"])
    # Neutron's default rules: egress everywhere, ingress from the group itself.
    default = groups["cw-acme/default"]
    assert [(r["direction"], r["ethertype"], r["remote_group"]) for r in default["rules"]] == [
        ("egress", "IPv4", None),
        ("egress", "IPv6", None),
        ("ingress", "IPv4", "default"),
        ("ingress", "IPv6", "default"),
    ]
    servers = {s["name"]: s for s in items(everything, "servers")}
    for plan in SERVERS:
        assert servers[plan.name]["security_groups"] == sorted(plan.security_groups), plan.name


def test_shared_is_true_only_for_a_grant_to_the_callers_project(everything: JSON) -> None:
    # Both networks are shared by RBAC with one project: Neutron says "shared" only
    # of the one shared with the auditor's own project (admin).
    networks = by_name(everything, "networks")
    assert NETWORK_GRANTS == {"cw-globex-net": "admin", "cw-acme-storage": "cw-globex"}
    assert networks["cw-globex/cw-globex-net"]["shared"] is True
    assert networks["cw-acme/cw-acme-storage"]["shared"] is False


def test_the_default_group_of_the_auditors_project_is_no_difference(
    real_cloud: RealCloud, tmp_path: Path
) -> None:
    # Listing security groups makes sure the caller's project has its default
    # group: on both sides of an audit, so it is never reported.
    cloud = real_cloud.cloud
    code, report = audit(real_cloud, cloud, cloud, "--collections", "projects,security_groups")
    assert (code, report["verdict"], report["findings"]) == (0, "verified", [])
    rest = Rest(real_cloud.urls["keystone"], _admin_password(real_cloud))
    admin = real_cloud.project_ids["admin"]
    listed = rest.call(
        "GET", f"{real_cloud.urls['neutron']}/v2.0/security-groups?project_id={admin}"
    )
    assert [g["name"] for g in listed["security_groups"]] == ["default"]


def test_audit_of_the_network_and_image_side_of_the_migration(
    real_cloud: RealCloud, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    # Servers too: a moved floating IP is matched through its server's counterpart.
    collections = ",".join(("projects", "servers", "images", *NETWORK))
    cloud = real_cloud.cloud
    code, report = audit(
        real_cloud, cloud, cloud, "--rules", str(rules), "--collections", collections
    )
    got = {
        (f["kind"], f["collection"], label_of(f), f["severity"])
        for f in report["findings"]
        if f["collection"] in ("images", *NETWORK)
    }
    assert got == EXPECTED_NETWORK_AND_IMAGES
    assert (code, report["verdict"]) == (1, "discrepancies")
    summary = report["summary"]
    assert (summary["routers"]["matched"], summary["floating_ips"]["matched"]) == (1, 1)
    assert summary["security_groups"]["matched"] == 2  # cw-acme's default and web


# -- Keystone: list_limit, domain-specific drivers ---------------------------------------


def test_list_limit_keystone_gives_the_catalog_whole_and_every_domains_keypairs(
    real_cloud: RealCloud, everything: JSON, tmp_path: Path
) -> None:
    marks = real_cloud.access_log_marks()
    proc, doc = inventory(
        real_cloud, tmp_path, LIMITED_CLOUD, "endpoints,services,regions,keypairs"
    )
    requests = real_cloud.requests_since(marks)
    assert proc.returncode == 0, proc.stderr
    for name in ("endpoints", "services", "regions", "keypairs"):
        assert doc["collections"][name]["status"] == "ok", name
        assert items(doc, name) == items(everything, name), name
    assert len(items(doc, "endpoints")) > 2 and len(items(doc, "services")) > 2
    # Its catalog listings were cut (list_limit 2) with a next link that repeats the
    # first page: never followed, the request's limit had them whole.
    catalog = [
        r
        for s, r in requests
        if s == "keystone-limited" and r["path"] in ("/v3/endpoints", "/v3/services")
    ]
    assert catalog and not [r for r in catalog if "marker=" in r["query"]]
    assert {r["query"] for r in catalog} == {"", "limit=1000"}
    # Keypairs of users of every domain (an unfiltered user listing sees one).
    owners = {k["user"] for k in items(doc, "keypairs")}
    assert owners == {u.name for u in USERS}


def test_the_limited_keystone_really_limits(real_cloud: RealCloud) -> None:
    # What the test above relies on, asked of the second Keystone directly.
    rest = Rest(real_cloud.urls["keystone-limited"], _admin_password(real_cloud))
    base = f"{real_cloud.urls['keystone-limited']}/v3"
    first = rest.call("GET", f"{base}/endpoints")
    assert first["truncated"] is True and len(first["endpoints"]) == 2
    again = rest.call("GET", first["links"]["next"])
    assert again["endpoints"] == first["endpoints"]  # the marker is ignored
    users = rest.call("GET", f"{base}/users")["users"]
    assert {u["domain_id"] for u in users} == {"default"}


# -- Nova: a cell that is down ---------------------------------------------------------


def test_a_down_cell_makes_the_servers_incomplete_never_missing(
    real_cloud: RealCloud, tmp_path: Path
) -> None:
    proc, doc = inventory(real_cloud, tmp_path, DOWNCELL_CLOUD, "servers")
    assert proc.returncode == 3, proc.stderr
    servers = doc["collections"]["servers"]
    assert servers["status"] == "incomplete"
    assert f"its compute hosts {DOWN_CELL_HOST} answer UNKNOWN" in servers["error"]
    down = {real_cloud.server_ids[name] for name in DOWN_CELL_SERVERS}
    partial = {s["id"]: s for s in servers["items"] if s.get("partial")}
    # The first page (max_limit 10) had room: Nova gave their partial records.
    assert set(partial) == down
    assert {s["project_id"] for s in partial.values()} == {
        real_cloud.project_ids[p.project] for p in SERVERS if p.name in DOWN_CELL_SERVERS
    }
    assert all(s["status"] == "UNKNOWN" for s in partial.values())
    # A partial record says nothing of tags, config drive or lock: unknown, so absent.
    unknown = ("tags", "config_drive", "locked", "locked_reason")
    assert [k for s in partial.values() for k in unknown if k in s] == []

    # Audited as the target of the full cloud: incomplete, nothing missing.
    code, report = audit(
        real_cloud, real_cloud.cloud, DOWNCELL_CLOUD, "--collections", "projects,servers"
    )
    assert (code, report["verdict"]) == (3, "incomplete")
    (finding,) = report["findings"]
    assert (finding["kind"], finding["collection"], finding["side"]) == (
        "incomplete",
        "servers",
        "target",
    )
    assert report["summary"]["servers"]["partial"] == len(DOWN_CELL_SERVERS)


def test_the_down_cell_nova_skips_the_cell_in_paged_listings(real_cloud: RealCloud) -> None:
    # Nova's own behaviour, asked directly: with a limit the down cell is skipped.
    rest = Rest(real_cloud.urls["keystone"], _admin_password(real_cloud))
    url = f"{real_cloud.urls['nova-downcell']}/v2.1/servers/detail?all_tenants=True"
    request = urllib.request.Request(
        f"{url}&limit=10",
        headers={"X-Auth-Token": rest.token, "OpenStack-API-Version": "compute 2.96"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        paged = json.load(response)["servers"]
    assert len(paged) == len(SERVERS) - len(DOWN_CELL_SERVERS)
    assert all(s["status"] != "UNKNOWN" for s in paged)


def _admin_password(cloud: RealCloud) -> str:
    import yaml

    doc = yaml.safe_load(cloud.clouds_yaml.read_text())
    return str(doc["clouds"][cloud.cloud]["auth"]["password"])
