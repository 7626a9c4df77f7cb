"""The identity family of the example clouds: domains, regions, services, flavors, keypairs,
server groups.

The source has its two domains, a region tree (``fr`` > ``fr1``), a catalog
of six services (Swift among them), public flavors plus two private ones
shared with a few tenants, and one user per tenant with the keypair its
servers boot with. The target is the same after the rebranding: new ids,
``ocb-`` names, regions ``ocb-fr`` > ``ocb-fr1``, the private flavors shared
with the tenants' counterparts, the keypairs re-imported with the same public
keys under new user ids.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.demo.base import FLAVORS, NAMESPACE, SERVICES, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("domains", "regions", "services", "flavors", "keypairs", "server_groups")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "domain ocb-cloudwatt was left disabled after the cut-over rehearsal",
    "region ocb-fr1 was registered without its parent region ocb-fr",
    "the object-store service (swift) was not carried over to the target catalog",
    "server group acme-web-spread lost a member: its server was booted outside the group",
    "the first database server (by project and name), locked by the operators, was left unlocked",
    "private flavor ocb-gpu is no longer shared with ocb-globex",
    "private flavor ocb-hpc lost its hw:cpu_policy=dedicated extra spec (its guests float)",
    "keypair wonka-ops of user wonka-admin was re-imported with another public key",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""

PUBLIC_FLAVORS = (
    # The smallest flavor a server may be resized down to (see data.seed_defects).
    {"name": "m1.tiny", "vcpus": 1, "ram": 1024, "disk": 20},
    *FLAVORS,
)
PRIVATE_FLAVORS = (
    (
        "cw-gpu",
        {"vcpus": 16, "ram": 65536, "disk": 100, "ephemeral": 0, "swap": 0},
        {"pci_passthrough:alias": "a100:1", "hw:cpu_policy": "dedicated"},
        ("acme", "globex"),
    ),
    (
        "cw-hpc",
        {"vcpus": 32, "ram": 131072, "disk": 200, "ephemeral": 400, "swap": 8192},
        {"hw:cpu_policy": "dedicated", "hw:numa_nodes": "2"},
        ("initech", "hooli"),
    ),
)
"""(name, sizes, extra specs, tenants it is shared with)."""
EXTRA_SERVICES = (("object-store", "swift", "Object storage"),)
"""Catalog services without endpoints in the example clouds."""
DESCRIPTIONS = {
    "identity": "Identity",
    "compute": "Compute",
    "block-storage": "Block storage",
    "image": "Image",
    "network": "Networking",
}


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _hex(*parts: object) -> str:
    return _id(*parts).replace("-", "")


def fingerprint(tenant: str, version: int = 1) -> str:
    """The MD5-style fingerprint of a tenant's (made-up) public key."""
    digest = hashlib.sha256(f"{tenant}/{version}".encode()).hexdigest()[:32]
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def _tenants(cloud: ExampleCloud) -> list[JSON]:
    return [p for p in cloud.projects if p["domain"] not in ("Default", "ocb-enterprise")]


def _flavor(fid: str, name: str, sizes: Mapping[str, Any], specs: Mapping[str, str]) -> JSON:
    return {
        "id": fid,
        "name": name,
        "vcpus": sizes["vcpus"],
        "ram": sizes["ram"],
        "disk": sizes["disk"],
        "ephemeral": sizes.get("ephemeral", 0),
        "swap": sizes.get("swap", 0),
        "is_public": True,
        "extra_specs": dict(specs),
        "access": [],
        "access_ids": [],
    }


def _share(flavor: JSON, projects: Sequence[JSON]) -> None:
    flavor["is_public"] = False
    flavor["access"] = sorted(str(p["name"]) for p in projects)
    flavor["access_ids"] = sorted(str(p["id"]) for p in projects)


def _catalog(cloud: str) -> list[JSON]:
    entries = [(stype, sname, DESCRIPTIONS[stype]) for stype, sname, _short, _path in SERVICES]
    return [
        {
            "id": _hex(cloud, "service", stype),
            "name": name,
            "service_type": stype,
            "description": description,
            "enabled": True,
        }
        for stype, name, description in (*entries, *EXTRA_SERVICES)
    ]


LOCK_REASON = "database primary: unlock only with the DBA on call"


def _locked_server(servers: Sequence[JSON], prefix: str) -> JSON:
    """The server the operators locked: the first database server by project and name."""
    databases = [s for s in servers if str(s["name"]).startswith(f"{prefix}db-")]
    return min(databases, key=lambda s: (str(s["project"]), str(s["name"])))


def _lock(server: JSON) -> None:
    server["locked"] = True
    server["locked_reason"] = LOCK_REASON


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's identity side (``rng`` unused: nothing here is random)."""
    del rng
    _lock(_locked_server(cloud.servers, "cw-"))
    cloud.extra["domains"] = [
        {"id": "default", "name": "Default", "description": "The default domain", "enabled": True},
        {
            "id": _hex("cloudwatt", "domain"),
            "name": "cloudwatt",
            "description": "Public cloud customers",
            "enabled": True,
        },
    ]
    cloud.extra["regions"] = [
        {"id": "fr", "name": "fr", "description": "France", "parent": None},
        {"id": "fr1", "name": "fr1", "description": "Paris", "parent": "fr"},
    ]
    cloud.extra["services"] = _catalog("cloudwatt")
    tenants = {str(p["name"])[3:]: p for p in _tenants(cloud)}
    flavors = [
        _flavor(_id("cloudwatt", "flavor", f["name"]), str(f["name"]), f, {})
        for f in PUBLIC_FLAVORS
    ]
    for name, sizes, specs, shared in PRIVATE_FLAVORS:
        flavor = _flavor(_id("cloudwatt", "flavor", name), name, sizes, specs)
        _share(flavor, [tenants[t] for t in shared if t in tenants])
        flavors.append(flavor)
    cloud.extra["flavors"] = flavors
    cloud.extra["keypairs"] = [
        {
            "id": f"{_hex('cloudwatt', 'user', tenant)}/{tenant}-ops",
            "name": f"{tenant}-ops",
            "user": f"{tenant}-admin",
            "user_id": _hex("cloudwatt", "user", tenant),
            "domain": "cloudwatt",
            "type": "ssh",
            "fingerprint": fingerprint(tenant),
        }
        for tenant in tenants
    ]
    cloud.extra["server_groups"] = _server_groups(cloud.servers)


def _server_groups(servers: Sequence[JSON]) -> list[JSON]:
    """Each tenant's first two servers, spread (anti-affinity) on distinct hosts."""
    by_tenant: dict[str, list[JSON]] = {}
    for server in sorted(servers, key=lambda s: str(s["name"])):
        by_tenant.setdefault(str(server["project"]), []).append(server)
    return [
        {
            "id": _id(str(members[0]["project_id"]), "server-group"),
            "name": f"{str(project)[3:]}-web-spread",
            "project": project, "project_id": members[0]["project_id"],
            "domain": members[0]["domain"],
            "policy": "anti-affinity",
            "rules": {"max_server_per_host": 1} if index % 2 else {},
            "members": sorted(str(s["id"]) for s in members[:2]),
        }
        for index, (project, members) in enumerate(sorted(by_tenant.items()))
        if len(members) >= 2
    ]  # fmt: skip


def _rebrand(name: str) -> str:
    return "ocb-" + name[3:] if name.startswith("cw-") else name


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same after the rebranding: new ids and names, same substance."""
    del rng
    counterparts = target.counterparts
    locked = counterparts[str(_locked_server(source.servers, "cw-")["id"])]
    _lock(next(s for s in target.servers if s["id"] == locked))
    target.extra["domains"] = [
        {"id": "default", "name": "Default", "description": "The default domain", "enabled": True},
        {
            "id": _hex("ocb", "domain", "ocb-cloudwatt"),
            "name": "ocb-cloudwatt",
            "description": "Public cloud customers",
            "enabled": True,
        },
        # Orange's other customers: out of the migration's scope.
        {
            "id": _hex("ocb", "domain", "ocb-enterprise"),
            "name": "ocb-enterprise",
            "description": "Enterprise customers",
            "enabled": True,
        },
    ]
    counterparts[_hex("cloudwatt", "domain")] = _hex("ocb", "domain", "ocb-cloudwatt")
    target.extra["regions"] = [
        {"id": "ocb-fr", "name": "ocb-fr", "description": "France", "parent": None},
        {"id": "ocb-fr1", "name": "ocb-fr1", "description": "Paris", "parent": "ocb-fr"},
    ]
    target.extra["services"] = _catalog("ocb")
    for service in source.extra["services"]:
        counterparts[str(service["id"])] = _hex("ocb", "service", service["service_type"])
    projects = {str(p["id"]): p for p in target.projects}
    flavors = []
    for flavor in source.extra["flavors"]:
        copy = dict(
            flavor, id=_id("ocb", "flavor", flavor["id"]), name=_rebrand(str(flavor["name"]))
        )
        counterparts[str(flavor["id"])] = str(copy["id"])
        if not flavor["is_public"]:
            _share(copy, [projects[counterparts[p]] for p in flavor["access_ids"]])
        flavors.append(copy)
    target.extra["flavors"] = flavors
    keypairs = []
    for keypair in source.extra["keypairs"]:
        user_id = _hex("ocb", "user", keypair["user"])
        copy = dict(
            keypair,
            id=f"{user_id}/{keypair['name']}",
            user_id=user_id,
            domain="ocb-cloudwatt",
        )
        counterparts[str(keypair["id"])] = str(copy["id"])
        keypairs.append(copy)
    target.extra["keypairs"] = keypairs
    target.extra["server_groups"] = [
        dict(
            group,
            id=_id("ocb", group["id"]),
            project=_rebrand(str(group["project"])),
            project_id=counterparts[str(group["project_id"])],
            domain="ocb-cloudwatt",
            members=sorted(counterparts[m] for m in group["members"]),
        )
        for group in source.extra["server_groups"]
    ]


def _named(items: list[JSON], name: str) -> JSON:
    return next(i for i in items if i.get("name") == name)


def seed_defects(target: ExampleCloud) -> None:
    """Break the target's identity side as :data:`DEFECTS` says."""
    extra = target.extra
    _named(extra["domains"], "ocb-cloudwatt")["enabled"] = False
    _named(extra["regions"], "ocb-fr1")["parent"] = None
    extra["services"] = [s for s in extra["services"] if s["service_type"] != "object-store"]
    gpu = _named(extra["flavors"], "ocb-gpu")
    globex = _named(target.projects, "ocb-globex")
    gpu["access"] = [name for name in gpu["access"] if name != "ocb-globex"]
    gpu["access_ids"] = [pid for pid in gpu["access_ids"] if pid != globex["id"]]
    _named(extra["keypairs"], "wonka-ops")["fingerprint"] = fingerprint("wonka", version=2)
    _named(extra["server_groups"], "acme-web-spread")["members"].pop()
    unlocked = next(s for s in target.servers if s.get("locked"))
    unlocked["locked"] = False  # and Nova's unlock forgets the reason
    del unlocked["locked_reason"]
    hpc = _named(extra["flavors"], "ocb-hpc")
    hpc["extra_specs"] = {k: v for k, v in hpc["extra_specs"].items() if k != "hw:cpu_policy"}
