"""The DNS zones and record sets of the example clouds (Designate).

Every tenant with a web server's floating IP publishes a zone
``<tenant>.cloudwatt.com.``: its name servers (NS), ``www`` (A, the web
server's floating IP), ``app`` (a CNAME to ``www``), its mail exchanger (MX)
and an SPF string (TXT) naming the provider's mail relay. The migration
re-created each zone under ``<tenant>.orange-business.com.`` (the rules'
``rename.dns``), the records renamed with it and ``www`` pointing at the web
server's floating IP in the target.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import Any

from auditor.demo.base import NAMESPACE, ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("dns_zones", "dns_recordsets")
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "DNS zone stark.orange-business.com. of ocb-stark went into status ERROR",
    "record set www.vandelay.orange-business.com. (A) of ocb-vandelay points at an address"
    " of another tenant",
)
"""What :func:`seed_defects` breaks in the target, one per collection."""

SUFFIX = {"cloudwatt": "cloudwatt.com.", "ocb": "orange-business.com."}
"""Each cloud's DNS suffix (the rules: ``rename.dns: {cloudwatt.com: orange-business.com}``)."""


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _owned(project: Mapping[str, Any]) -> JSON:
    return {"project": project["name"], "project_id": project["id"], "domain": project["domain"]}


def _zone(cloud: str, project: Mapping[str, Any], tenant: str) -> JSON:
    suffix = SUFFIX[cloud]
    return {
        "id": _id(cloud, "dns-zone", tenant),
        "name": f"{tenant}.{suffix}",
        **_owned(project),
        "email": f"hostmaster@{suffix.rstrip('.')}",
        "ttl": 3600,
        "type": "PRIMARY",
        "masters": [],
        "status": "ACTIVE",
        "description": f"{tenant} public zone",
    }


def _recordsets(cloud: str, zone: JSON, tenant: str, address: str) -> list[JSON]:
    suffix = SUFFIX[cloud]
    apex = zone["name"]
    rows = (
        ("", "NS", [f"ns1.{suffix}", f"ns2.{suffix}"], None),
        ("www.", "A", [address], 300),
        ("app.", "CNAME", [f"www.{apex}"], 300),
        ("", "MX", [f"10 mail.{suffix}"], None),
        ("", "TXT", [f'"v=spf1 include:_spf.{suffix.rstrip(".")} ~all"'], None),
    )
    return [
        {
            "id": _id(cloud, "dns-recordset", tenant, label, kind),
            "name": f"{label}{apex}",
            "project": zone["project"],
            "project_id": zone["project_id"],
            "domain": zone["domain"],
            "zone": apex,
            "zone_id": zone["id"],
            "type": kind,
            "records": sorted(records),
            "ttl": ttl,
            "status": "ACTIVE",
            "description": "",
        }
        for label, kind, records, ttl in rows
    ]


def _web_addresses(cloud: ExampleCloud) -> dict[str, str]:
    """Project id -> the floating IP address of its first web server."""
    out: dict[str, str] = {}
    for fip in sorted(cloud.extra.get("floating_ips", []), key=lambda f: str(f["name"])):
        out.setdefault(str(fip["project_id"]), str(fip["name"]))
    return out


def _build(cloud: ExampleCloud, name: str) -> None:
    projects = {str(p["id"]): p for p in cloud.projects}
    zones: list[JSON] = []
    recordsets: list[JSON] = []
    for project_id, address in sorted(_web_addresses(cloud).items()):
        project = projects[project_id]
        tenant = str(project["name"]).split("-", 1)[1]
        zone = _zone(name, project, tenant)
        zones.append(zone)
        recordsets.extend(_recordsets(name, zone, tenant, address))
    cloud.extra.update(dns_zones=zones, dns_recordsets=recordsets)


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """A zone for every tenant with a web server's floating IP."""
    del rng
    _build(cloud, "cloudwatt")


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same zones under the new suffix, in the renamed projects, ``www`` at the floating
    IP the web server has in the target."""
    del source, rng
    _build(target, "ocb")


def seed_defects(target: ExampleCloud) -> None:
    """Break the target as :data:`DEFECTS` says."""
    extra = target.extra
    zone = next(z for z in extra["dns_zones"] if z["project"] == "ocb-stark")
    zone["status"] = "ERROR"
    www = next(
        r for r in extra["dns_recordsets"] if r["project"] == "ocb-vandelay" and r["type"] == "A"
    )
    other = next(
        r["records"][0]
        for r in extra["dns_recordsets"]
        if r["type"] == "A" and r["project"] != "ocb-vandelay"
    )
    www["records"] = [other]
