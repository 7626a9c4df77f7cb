"""Round trip of ports and network RBAC policies: the demo's rows, served by the sandbox
as Neutron answers them and inventoried over HTTP, come back as they were.

Ports are served with their fixed IPs on their subnets (``fixed_ips`` objects),
their allowed address pairs with the port's MAC where the snapshot leaves it
out, paged as Neutron pages them (``fields=``, limit and marker, next and
previous links); the RBAC policies in one answer, as Neutron (which does not
page them) gives them.
"""

from __future__ import annotations

import json
import random
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_snapshot
from auditor.cli import main
from auditor.demo import network, network_access
from auditor.demo.data import source_cloud
from auditor.model import Snapshot
from auditor.sandbox import Sandbox, SandboxOptions

JSON = dict[str, Any]

MINE = ("ports", "rbac_policies")
NEUTRON_PORT_KEYS = {
    "id",
    "name",
    "network_id",
    "tenant_id",
    "project_id",
    "mac_address",
    "fixed_ips",
    "allowed_address_pairs",
    "security_groups",
    "device_id",
    "device_owner",
    "status",
    "admin_state_up",
    "port_security_enabled",
    "binding:vnic_type",
    "extra_dhcp_opts",
    "description",
    "tags",
    "created_at",
    "updated_at",
    "revision_number",
}
"""Keys of a port of neutron 29 (ML2, port_security) that the sandbox gives too (the
real Neutron adds bindings, DNS and QoS fields nothing here reads)."""
NEUTRON_RBAC_KEYS = {
    "id",
    "object_type",
    "object_id",
    "action",
    "target_tenant",
    "tenant_id",
    "project_id",
}
"""Every key of a network RBAC policy of neutron 29."""


def snapshot() -> Snapshot:
    cloud = source_cloud(30, random.Random(7))
    rng = random.Random(7)
    network.add_source(cloud, rng)
    network_access.add_source(cloud, rng)
    return cloud.snapshot()


def inventory(sandbox: Sandbox, tmp_path: Path) -> Snapshot:
    clouds = tmp_path / "clouds.yaml"
    save_clouds_yaml(sandbox, str(clouds))
    out = tmp_path / "cw.json"
    collections = ",".join(("projects", "networks", "subnets", *MINE))
    argv = ["--os-client-config-file", str(clouds), "--no-progress", "inventory"]
    argv += ["--cloud", "cloudwatt", "--collections", collections, "-o", str(out)]
    assert main(argv) == 0
    return read_snapshot(str(out))


@pytest.mark.parametrize("max_limit", [1000, 2])
def test_inventory_of_the_served_ports_and_grants_is_the_snapshot(
    max_limit: int, tmp_path: Path
) -> None:
    served = snapshot()
    with Sandbox([served], options=SandboxOptions(max_limit=max_limit)) as sandbox:
        got = inventory(sandbox, tmp_path)
        log = [r for r in sandbox.requests if "/network/v2.0/" in r.path]
        assert sandbox.errors == []

    for name in MINE:
        assert list(got.collections[name].items) == list(served.collections[name].items), name
    # The listing's walk (the changes asked after it are another request).
    ports = [r for r in log if r.path.endswith("/ports") and "changed_since" not in r.query]
    count = len(served.collections["ports"].items)
    assert len(ports) == (count // max_limit + 1 if max_limit == 2 else 1)
    # Neutron does not page RBAC policies: one request, no limit.
    (rbac,) = [r for r in log if r.path.endswith("/rbac-policies")]
    assert "limit" not in rbac.query and "object_type=network" in rbac.query


def test_ports_and_grants_have_neutrons_keys(tmp_path: Path, token_for: Any) -> None:
    served = snapshot()
    with Sandbox([served]) as sandbox:
        token = token_for(sandbox, "cloudwatt")
        url = f"{sandbox.site('cloudwatt').url}/network/v2.0"

        def get(path: str) -> JSON:
            request = urllib.request.Request(f"{url}/{path}", headers={"X-Auth-Token": token})
            with urllib.request.urlopen(request, timeout=10) as response:
                body: JSON = json.loads(response.read())
            return body

        ports = get("ports")
        grants = get("rbac-policies")
        trimmed = get("ports?fields=id&fields=mac_address&limit=1")
        first = get("rbac-policies")["rbac_policies"][0]["id"]
        one = get(f"rbac-policies/{first}")
        qos = get("rbac-policies?object_type=qos_policy")

    server_port = next(p for p in ports["ports"] if p["device_owner"].startswith("compute:"))
    assert set(server_port) == NEUTRON_PORT_KEYS
    assert set(server_port["fixed_ips"][0]) == {"subnet_id", "ip_address"}
    vip = next(p for p in ports["ports"] if p["allowed_address_pairs"])
    assert vip["allowed_address_pairs"] == [
        {"ip_address": network_access.VIP, "mac_address": vip["mac_address"]}
    ]
    assert {set(g) == NEUTRON_RBAC_KEYS for g in grants["rbac_policies"]} == {True}
    assert set(grants) == {"rbac_policies"}
    assert one["rbac_policy"]["id"] == first
    assert qos == {"rbac_policies": []}
    assert [set(p) for p in trimmed["ports"]] == [{"id", "mac_address"}]
    assert [link["rel"] for link in trimmed["ports_links"]] == ["next", "previous"]
