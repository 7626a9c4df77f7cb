"""Nova (compute v2.1): servers, flavors (with the access lists of private ones), keypairs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.collect.spec import FAN_OUT_KEY, JSON, Collection, FanOut, Listing, Lookups
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
FLAVOR_FIELDS = frozenset(
    {
        "id",
        "name",
        "vcpus",
        "ram",
        "disk",
        "OS-FLV-EXT-DATA:ephemeral",
        "swap",
        "os-flavor-access:is_public",
        "extra_specs",
    }
)
"""What the flavor lookup and :func:`normalise_flavors` read of a flavor."""
IS_PUBLIC = "os-flavor-access:is_public"
FLAVOR_EXTRA_SPECS = (2, 61)
"""From 2.61 a flavor of ``/flavors/detail`` embeds its extra specs."""
KEYPAIRS_OF_USER = (2, 10)
"""From 2.10 an admin lists another user's keypairs with ``user_id`` (earlier: ignored)."""


def _private(flavor: JSON) -> bool:
    return flavor.get(IS_PUBLIC) is False


# Nova caps limit at [api] max_limit (default 1000) and gives servers_links
# "next" only when a page is full. is_public=none lists private flavors too.
#
# Down cells (2.69+): Nova answers partial records for the servers of a cell
# that does not respond only to a listing with no limit, marker, sort key or
# filter but all_tenants (servers.py _is_cell_down_supported), and then only
# as many as the page has room for; any other listing skips them silently
# ([api] list_records_by_skipping_down_cells, default true) or answers 500. So
# the first page is asked with no limit (Nova pages at max_limit anyway; the
# next links carry limit and marker), and os-services, whose records of a
# down cell's compute hosts are minimal (status UNKNOWN, no id), says whether
# a cell is down even when no partial record had room on that page.
LISTINGS = (
    Listing(
        "compute.servers",
        "compute",
        "compute",
        "/servers/detail",
        "servers",
        {"all_tenants": "True"},
        microversioned=True,
        fields=SERVER_FIELDS,
    ),
    Listing(
        "compute.services",
        "compute",
        "compute",
        "/os-services",
        "services",
        {"binary": "nova-compute"},
        microversioned=True,
        fields=frozenset({"id", "host", "binary", "status", "state", "zone"}),
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
    # No listing gives every private flavor's projects: one request per
    # private flavor (public ones have no access list: Nova answers 404).
    Listing(
        "compute.flavor_access",
        "compute",
        "compute",
        "/flavors/{id}/os-flavor-access",
        "flavor_access",
        fan_out=FanOut("compute.flavors", select=_private),
    ),
    # Keypairs belong to users, and no listing spans users: one walk per
    # Keystone user (pages of keypairs_links with limit/marker since 2.35).
    Listing(
        "compute.keypairs",
        "compute",
        "compute",
        "/os-keypairs",
        "keypairs",
        {"user_id": "{id}", "limit": "1000"},
        microversioned=True,
        fan_out=FanOut("identity.users"),
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


def _int(value: Any) -> int:
    """Nova's sizes: an int, or "" for none (swap before 2.75)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return 0


def down_cell_hosts(services: list[JSON]) -> list[str]:
    """Compute hosts of cells that are down: os-services (2.69+) answers them as
    minimal records, ``{binary, host, status: UNKNOWN}`` with no id."""
    return sorted(
        {
            str(s.get("host"))
            for s in services
            if s.get("status") == "UNKNOWN" and "id" not in s and s.get("host")
        }
    )


def assess_servers(items: list[JSON], lk: Lookups) -> str | None:
    """Why the servers are incomplete: a Nova cell is down (its servers are not listed;
    some may be partial records). Nova's API names no cell: its hosts stand for it."""
    hosts = down_cell_hosts(lk.listing("compute.services"))
    partial = sum(1 for item in items if item.get("partial"))
    if not hosts and not partial:
        return None
    where = f" (its compute hosts {', '.join(hosts)} answer UNKNOWN)" if hosts else ""
    kept = f"; {partial} came back as partial records" if partial else ""
    return (
        f"compute: a cell is down{where}: Nova leaves its servers out of paged listings,"
        f" so they are not all listed{kept}"
    )


def normalise_flavors(raw: list[JSON], lk: Lookups) -> list[JSON]:
    access: dict[str, set[str]] = {}
    for entry in lk.listing("compute.flavor_access"):
        flavor_id = entry.get("flavor_id") or entry.get(FAN_OUT_KEY)
        if flavor_id and entry.get("tenant_id"):
            access.setdefault(str(flavor_id), set()).add(str(entry["tenant_id"]))
    out = []
    for f in raw:
        specs = f.get("extra_specs")
        project_ids = sorted(access.get(str(f["id"]), ())) if _private(f) else []
        out.append(
            {
                "id": f["id"],
                "name": f.get("name"),
                "vcpus": f.get("vcpus"),
                "ram": f.get("ram"),
                "disk": f.get("disk"),
                "ephemeral": _int(f.get("OS-FLV-EXT-DATA:ephemeral")),
                "swap": _int(f.get("swap")),
                "is_public": not _private(f),
                # Before 2.61 they are one request per flavor away: unknown, not empty.
                "extra_specs": dict(specs) if isinstance(specs, dict) else None,
                # A project deleted since it was granted access keeps its id.
                "access": sorted(lk.project_name(p) or p for p in project_ids),
                "access_ids": project_ids,
            }
        )
    return out


def normalise_keypairs(raw: list[JSON], lk: Lookups) -> list[JSON]:
    microversion = lk.microversions.get("compute")
    # Before 2.10 Nova answers the caller's own keypairs whatever user_id says:
    # an empty or wrong list would pass for the truth.
    if version_tuple(microversion) < KEYPAIRS_OF_USER:
        raise ValueError(
            f"compute microversion {microversion or '2.1'} ignores user_id: listing every"
            " user's keypairs needs 2.10 or later"
        )
    out = []
    for item in raw:
        # GET /os-keypairs wraps each keypair, and does not say whose it is:
        # the user is the one the request was made for.
        kp = item.get("keypair") or item
        user_id = item.get(FAN_OUT_KEY) or kp.get("user_id")
        user = lk.users.get(str(user_id), {})
        name = kp.get("name")
        out.append(
            {
                "id": f"{user_id}/{name}",
                "name": name,
                "user": user.get("name"),
                "user_id": user_id,
                "domain": lk.domain_names.get(user.get("domain_id") or ""),
                # Before 2.2 every keypair is ssh (the field came with x509).
                "type": kp.get("type") or "ssh",
                "fingerprint": kp.get("fingerprint"),
            }
        )
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
        assess=assess_servers,
        checks=("compute.services",),
    ),
    Collection(
        "flavors",
        "compute.flavors",
        normalise_flavors,
        requires=lambda _mv: ("compute.flavor_access", "identity.projects"),
        microversion_service="compute",
    ),
    Collection(
        "keypairs",
        "compute.keypairs",
        normalise_keypairs,
        requires=lambda _mv: ("identity.users", "identity.domains"),
        microversion_service="compute",
    ),
)
