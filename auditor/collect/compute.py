"""Nova (compute v2.1): servers, and the flavors needed before microversion 2.47."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.collect.spec import JSON, Collection, Listing, Lookups
from auditor.secrets import mask_mapping

CLIENT_MAX_MICROVERSION = "2.96"
"""Highest compute microversion whose server shapes this module knows."""

FLAVOR_EMBEDDED = (2, 47)
"""From 2.47 a server's flavor is embedded (original_name, vcpus, ram, disk), with no id."""

SERVER_FIELDS = frozenset(
    {
        "id",
        "name",
        "tenant_id",
        "project_id",
        "status",
        "flavor",
        "image",
        "key_name",
        "OS-EXT-AZ:availability_zone",
        "metadata",
        "addresses",
        "os-extended-volumes:volumes_attached",
        "security_groups",
    }
)
"""What :func:`normalise_servers` reads of a server (of its ~45 fields)."""
FLAVOR_FIELDS = frozenset({"id", "name", "vcpus", "ram", "disk"})
"""What the flavor lookup reads of a flavor."""

# Nova caps limit at [api] max_limit (default 1000) and gives servers_links
# "next" only when a page is full. is_public=none lists private flavors too.
LISTINGS = (
    Listing(
        "compute.servers",
        "compute",
        "compute",
        "/servers/detail",
        "servers",
        {"all_tenants": "True", "limit": "1000"},
        microversioned=True,
        fields=SERVER_FIELDS,
    ),
    Listing(
        "compute.flavors",
        "compute",
        "compute",
        "/flavors/detail",
        "flavors",
        {"is_public": "none", "limit": "1000"},
        microversioned=True,
        fields=FLAVOR_FIELDS,
    ),
)


def version_tuple(version: str | None) -> tuple[int, int]:
    """``"2.47"`` -> (2, 47); None (no microversion) -> (2, 1), the compute baseline."""
    if not version:
        return (2, 1)
    major, _, minor = version.partition(".")
    return (int(major), int(minor or 0))


def _flavor(raw: Any, lk: Lookups) -> JSON | None:
    if not isinstance(raw, dict):
        return None
    if "original_name" in raw or "vcpus" in raw:
        name = raw.get("original_name")
        source: Mapping[str, Any] = raw
    else:
        source = lk.flavors.get(raw.get("id") or "", {})
        # A deleted flavor is no longer listed; its id is all the API still says.
        name = source.get("name") if source else None
    return {
        "name": name,
        "vcpus": source.get("vcpus"),
        "ram": source.get("ram"),
        "disk": source.get("disk"),
    }


def _image(raw: Any, lk: Lookups) -> JSON | None:
    # Boot-from-volume servers answer image: "" (or null in some releases).
    if not isinstance(raw, dict) or not raw.get("id"):
        return None
    return {"id": raw["id"], "name": lk.image_names.get(raw["id"])}


def _addresses(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        return {}
    return {
        str(net): sorted(a["addr"] for a in entries if isinstance(a, dict) and a.get("addr"))
        for net, entries in raw.items()
        if isinstance(entries, list)
    }


def normalise_servers(raw: list[JSON], lk: Lookups) -> list[JSON]:
    out = []
    for s in raw:
        project_id = s.get("tenant_id") or s.get("project_id")
        item: JSON = {
            "id": s["id"],
            "name": s.get("name"),
            "project": lk.project_name(project_id),
            "project_id": project_id,
            "domain": lk.project_domain(project_id),
            "status": s.get("status"),
            "flavor": _flavor(s.get("flavor"), lk),
            "image": _image(s.get("image"), lk),
            "key_name": s.get("key_name"),
            "availability_zone": s.get("OS-EXT-AZ:availability_zone"),
            "metadata": mask_mapping(s.get("metadata")),
            "addresses": _addresses(s.get("addresses")),
            "volumes": sorted(
                {
                    v["id"]
                    for v in s.get("os-extended-volumes:volumes_attached") or []
                    if isinstance(v, dict) and v.get("id")
                }
            ),
            "security_groups": sorted(
                {
                    g["name"]
                    for g in s.get("security_groups") or []
                    if isinstance(g, dict) and "name" in g
                }
            ),
        }
        # Compute 2.69+: a server in a cell that is down comes back as a partial
        # record (id, status UNKNOWN, tenant_id, created, links...). Its absent
        # fields are unknown, not changed.
        if s.get("status") == "UNKNOWN" and "flavor" not in s:
            item["partial"] = True
        out.append(item)
    return out


def _servers_require(microversions: Mapping[str, str | None]) -> tuple[str, ...]:
    needed: tuple[str, ...] = ("identity.projects", "identity.domains")
    if version_tuple(microversions.get("compute")) < FLAVOR_EMBEDDED:
        needed += ("compute.flavors",)
    return needed


COLLECTIONS = (
    Collection(
        "servers",
        "compute.servers",
        normalise_servers,
        requires=_servers_require,
        optional=("image.images", "image.hidden_images"),
        microversion_service="compute",
        per_page=True,
    ),
)
