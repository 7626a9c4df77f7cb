"""Round trip of the identity family: serving a snapshot's domains, regions, services,
flavors and keypairs and inventorying them over HTTP gives them back.

What the APIs do not say is left out of the expectation: extra specs before
compute 2.61 (null: unknown). Request counts show the per-item calls: one
access-list request per private flavor, one keypair walk per Keystone user.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests

from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.ids import synthetic_hex, synthetic_uuid
from auditor.sandbox.microversion import parse_version
from tests.synthetic import FLAVORS, servers_at, synthetic_snapshot
from tests.unit.sandbox.test_roundtrip import inventory

JSON = dict[str, Any]

MINE = ("domains", "regions", "services", "flavors", "keypairs")
COLLECTIONS = ("projects", "servers", *MINE)


def _identity(base: Snapshot) -> dict[str, list[JSON]]:
    cloud = base.cloud
    projects = list(base.collections["projects"].items)
    domains: dict[str, JSON] = {}
    for p in projects:
        domains[p["domain_id"]] = {
            "id": p["domain_id"],
            "name": p["domain"],
            "description": f"Domain {p['domain']}",
            "enabled": True,
        }
    domains["d-off"] = {
        "id": "d-off",
        "name": "décommissionné",
        "description": "",
        "enabled": False,
    }
    regions: list[JSON] = [
        {"id": "fr", "name": "fr", "description": "France", "parent": None},
        {"id": "fr1", "name": "fr1", "description": "", "parent": "fr"},
        {"id": "fr2", "name": "fr2", "description": "Paris 2", "parent": "fr"},
    ]
    services = [
        {
            "id": synthetic_hex(cloud, "svc", stype),
            "name": name,
            "service_type": stype,
            "description": f"{name} service",
            "enabled": True,
        }
        for stype, name in (
            ("identity", "keystone"),
            ("compute", "nova"),
            ("block-storage", "cinderv3"),
            ("image", "glance"),
            ("network", "neutron"),
        )
    ]
    services.append(
        {
            "id": synthetic_hex(cloud, "svc", "object-store"),
            "name": "swift",
            "service_type": "object-store",
            "description": "",
            "enabled": False,
        }
    )
    flavors: list[JSON] = [
        {
            "id": synthetic_uuid(cloud, "flavor", f["name"]),
            **f,
            "ephemeral": 0,
            "swap": 0,
            "is_public": True,
            "extra_specs": {"hw:cpu_policy": "shared"} if f["vcpus"] > 1 else {},
            "access": [],
            "access_ids": [],
        }
        for f in FLAVORS
    ]
    shared = sorted(projects[:2], key=lambda p: p["id"])
    flavors += [
        {
            "id": synthetic_uuid(cloud, "flavor", "gpu"),
            "name": "p1.gpu",
            "vcpus": 16,
            "ram": 65536,
            "disk": 100,
            "ephemeral": 200,
            "swap": 4096,
            "is_public": False,
            "extra_specs": {"pci_passthrough:alias": "a100:1", "hw:numa_nodes": "1"},
            "access": sorted(p["name"] for p in shared),
            "access_ids": [p["id"] for p in shared],
        },
        {
            "id": synthetic_uuid(cloud, "flavor", "orphan"),
            "name": "p1.nobody",
            "vcpus": 2,
            "ram": 2048,
            "disk": 10,
            "ephemeral": 0,
            "swap": 0,
            "is_public": False,
            "extra_specs": {},
            "access": [],
            "access_ids": [],
        },
    ]
    users = [
        (synthetic_hex(cloud, "user", n), f"user-{n}", projects[n % len(projects)]["domain"])
        for n in range(3)
    ]
    keypairs: list[JSON] = []
    for n, (user_id, user, domain) in enumerate(users):
        for k in range(n + 1):
            name = f"key-{k}" if k else "ops-key"
            keypairs.append(
                {
                    "id": f"{user_id}/{name}",
                    "name": name,
                    "user": user,
                    "user_id": user_id,
                    "domain": domain,
                    "type": "x509" if (n, k) == (2, 2) else "ssh",
                    "fingerprint": ":".join(f"{(n * 16 + k * 7 + i) % 256:02x}" for i in range(16)),
                }
            )
    return {
        "domains": list(domains.values()),
        "regions": regions,
        "services": services,
        "flavors": flavors,
        "keypairs": keypairs,
    }


def identity_snapshot(cloud: str = "cw") -> Snapshot:
    base = synthetic_snapshot(cloud, "fr1", domains=2, projects=6, servers=12, volumes=0)
    collections = dict(base.collections)
    for name, items in _identity(base).items():
        collections[name] = CollectionResult(
            Status.OK, tuple(sorted(items, key=lambda i: str(i["id"])))
        )
    return dataclasses.replace(base, collections=collections)


VARIANTS = {
    "current": SandboxOptions(),
    # Pages of 2 (users, flavors, keypairs), flavors without extra specs, keypairs paged.
    "paged-2.40": SandboxOptions(max_limit=2, compute_max_version="2.40"),
    # Keypairs not paged yet, swap "" for none.
    "2.10": SandboxOptions(compute_max_version="2.10", max_limit=3),
    # LDAP-style domain-specific drivers: an unfiltered user listing sees one domain.
    "domain-drivers": SandboxOptions(keystone_domain_drivers=True, max_limit=2),
}


def query(request: Any) -> dict[str, str]:
    return dict(parse_qsl(request.query))


def expected(snapshot: Snapshot, options: SandboxOptions) -> dict[str, Any]:
    doc: dict[str, Any] = {
        name: [dict(i) for i in snapshot.collections[name].items] for name in COLLECTIONS
    }
    if parse_version(options.compute_max_version) < (2, 61):
        for flavor in doc["flavors"]:
            flavor["extra_specs"] = None
    doc["servers"] = list(servers_at(tuple(doc["servers"]), options.compute_max_version))
    return doc


def run_inventory(sandbox: Sandbox, tmp_path: Path, collections: tuple[str, ...]) -> Snapshot:
    code, snapshot = inventory(sandbox, "cw", tmp_path, collections)
    assert snapshot is not None
    assert code == (0 if snapshot.complete else 3)
    return snapshot


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_identity_collections_come_back_from_the_sandbox(variant: str, tmp_path: Path) -> None:
    options = VARIANTS[variant]
    snapshot = identity_snapshot()
    with Sandbox([snapshot], options=options) as sandbox:
        got = run_inventory(sandbox, tmp_path, COLLECTIONS)
        log = sandbox.requests
        assert sandbox.errors == []
    want = expected(snapshot, options)
    for name in COLLECTIONS:
        result = got.collections[name]
        assert result.status is Status.OK, (name, result.error)
        assert [dict(i) for i in result.items] == want[name], name
    # Read-only, and the per-item requests are exactly the unavoidable ones.
    assert {r.method for r in log} == {"GET", "POST"}
    access = [r for r in log if r.path.endswith("/os-flavor-access")]
    assert len(access) == 2  # the two private flavors, not the four public ones
    keypair_walks = {query(r).get("user_id") for r in log if r.path.endswith("/os-keypairs")}
    users = {k["user_id"] for k in snapshot.collections["keypairs"].items}
    # Users are listed per domain of the snapshot: the sandbox's admin lives in a
    # domain (``default``) this snapshot does not list, so it is not walked.
    assert keypair_walks == users
    flavor_listings = [r for r in log if r.path.endswith("/flavors/detail")]
    assert all(query(r).get("is_public") == "none" for r in flavor_listings)


def test_keypairs_page_per_user_with_keypairs_links(tmp_path: Path) -> None:
    options = VARIANTS["paged-2.40"]
    snapshot = identity_snapshot()
    with Sandbox([snapshot], options=options) as sandbox:
        got = run_inventory(sandbox, tmp_path, ("keypairs",))
        log = sandbox.requests
    assert got.collections["keypairs"].status is Status.OK
    walks: dict[str, int] = {}
    for r in log:
        if r.path.endswith("/os-keypairs"):
            user_id = str(query(r).get("user_id"))
            walks[user_id] = walks.get(user_id, 0) + 1
    per_user: dict[str, int] = {}
    for k in snapshot.collections["keypairs"].items:
        per_user[k["user_id"]] = per_user.get(k["user_id"], 0) + 1
    # Pages of 2: a next link on every full page, so 1 key = 1 page, 2 = 2, 3 = 2.
    assert {u: walks[u] for u in per_user} == {u: n // 2 + 1 for u, n in per_user.items()}


def test_keypairs_before_2_10_are_an_error_not_the_admins_keys(tmp_path: Path) -> None:
    snapshot = identity_snapshot()
    with Sandbox([snapshot], options=SandboxOptions(compute_max_version="2.9")) as sandbox:
        got = run_inventory(sandbox, tmp_path, ("flavors", "keypairs"))
    keypairs = got.collections["keypairs"]
    assert keypairs.status is Status.ERROR
    assert "2.10" in str(keypairs.error)
    assert got.collections["flavors"].status is Status.OK


def test_keypairs_of_every_domains_users_with_domain_specific_drivers(
    tmp_path: Path, token_for: Callable[[Sandbox, str], str]
) -> None:
    # Keystone with domain-specific drivers answers GET /v3/users with the token's
    # domain's users only: the keypairs of the other domains' users are found
    # because users are listed per domain (?domain_id=).
    options = SandboxOptions(keystone_domain_drivers=True)
    snapshot = identity_snapshot()
    keypairs = snapshot.collections["keypairs"].items
    owners = {k["domain"] for k in keypairs}
    assert len(owners) >= 2
    with Sandbox([snapshot], options=options) as sandbox:
        url = f"{sandbox.site('cw').auth_url}/users"
        headers = {"X-Auth-Token": token_for(sandbox, "cw")}
        unfiltered = requests.get(url, headers=headers, timeout=10).json()["users"]
        sandbox.clear_requests()
        got = run_inventory(sandbox, tmp_path, ("keypairs",))
        log = sandbox.requests
    # The sandbox answers as Keystone does: the admin's own domain only.
    assert {u["domain_id"] for u in unfiltered} == {"default"}
    assert got.collections["keypairs"].status is Status.OK
    assert [dict(i) for i in got.collections["keypairs"].items] == [dict(k) for k in keypairs]
    user_walks = {query(r).get("domain_id") for r in log if r.path.endswith("/v3/users")}
    domains = {d["id"] for d in snapshot.collections["domains"].items}
    assert user_walks == domains
