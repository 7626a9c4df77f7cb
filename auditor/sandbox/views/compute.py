"""Nova's items as ``GET /servers/detail``, ``/flavors/detail`` and ``/os-keypairs`` give
them at a microversion, and the microversions that change them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.sandbox.cells import (
    host_of,
)
from auditor.sandbox.ids import bucket, shared_hex, synthetic_hex, synthetic_mac, synthetic_uuid
from auditor.sandbox.microversion import Version
from auditor.sandbox.wire import (
    JSON,
    ApiError,
)

CREATED = "2024-01-15T09:30:00Z"
UPDATED = "2026-11-20T08:00:00Z"

# Microversions that change what a server or a flavor looks like in a listing.
MV_DELETE_ON_TERMINATION = (2, 3)
MV_LOCKED = (2, 9)
MV_HOST_STATUS = (2, 16)
MV_KEYPAIR_TYPE = (2, 2)
MV_KEYPAIRS_OF_USER = (2, 10)
MV_DESCRIPTION = (2, 19)
MV_KEYPAIR_PAGING = (2, 35)
MV_TAGS = (2, 26)
MV_FLAVOR_EMBEDDED = (2, 47)
MV_FLAVOR_DESCRIPTION = (2, 55)
MV_FLAVOR_EXTRA_SPECS = (2, 61)
MV_TRUSTED_CERTS = (2, 63)
MV_DOWN_CELLS = (2, 69)
MV_LOCKED_REASON = (2, 73)
MV_SWAP_INT = (2, 75)
MV_PINNED_AZ = (2, 96)

SERVER_BANDS: tuple[Version, ...] = (
    (2, 1),
    MV_DELETE_ON_TERMINATION,
    MV_LOCKED,
    MV_HOST_STATUS,
    MV_DESCRIPTION,
    MV_TAGS,
    MV_FLAVOR_EMBEDDED,
    MV_TRUSTED_CERTS,
    MV_DOWN_CELLS,
    MV_LOCKED_REASON,
    MV_PINNED_AZ,
)
FLAVOR_BANDS: tuple[Version, ...] = (
    (2, 1),
    MV_FLAVOR_DESCRIPTION,
    MV_FLAVOR_EXTRA_SPECS,
    MV_SWAP_INT,
)
KEYPAIR_BANDS: tuple[Version, ...] = ((2, 1), MV_KEYPAIR_TYPE)

STATES = {
    "ACTIVE": ("active", 1),
    "BUILD": ("building", 0),
    "SHUTOFF": ("stopped", 4),
    "PAUSED": ("paused", 3),
    "SUSPENDED": ("suspended", 4),
    "ERROR": ("error", 0),
    "RESCUE": ("rescued", 1),
    "VERIFY_RESIZE": ("resized", 1),
    "SHELVED": ("shelved", 4),
    "SHELVED_OFFLOADED": ("shelved_offloaded", 4),
    "SOFT_DELETED": ("soft-delete", 0),
    "DELETED": ("deleted", 0),
}


def flavor_key(flavor: Mapping[str, Any]) -> str:
    """What identifies a flavor derived from servers: its name and sizes."""
    return json.dumps(
        [flavor.get("name"), flavor.get("vcpus"), flavor.get("ram"), flavor.get("disk")],
        default=str,
    )


def derive_flavors(
    cloud: str, servers: Sequence[JSON], listed: Sequence[JSON] = ()
) -> tuple[list[JSON], dict[str, str]]:
    """The flavors to list and flavor key -> id: the snapshot's flavors (``listed``), then
    those the servers use that it lacks (id, name, vcpus, ram, disk).

    A flavor whose name and sizes are all null is one the audited cloud had
    deleted: it gets an id but is not listed, like a deleted flavor.
    """
    flavors: dict[str, JSON] = {}
    ids: dict[str, str] = {}
    for item in listed:
        flavors[str(item["id"])] = item
        ids.setdefault(flavor_key(item), str(item["id"]))
    for server in servers:
        flavor = server.get("flavor")
        if not isinstance(flavor, dict):
            continue
        key = flavor_key(flavor)
        if key in ids:
            continue
        flavor_id = synthetic_uuid(cloud, "flavor", key)
        ids[key] = flavor_id
        fields = {f: flavor.get(f) for f in ("name", "vcpus", "ram", "disk")}
        if any(v is not None for v in fields.values()):
            flavors[flavor_id] = {"id": flavor_id, **fields}
    return sorted(flavors.values(), key=lambda f: f["id"]), ids


def marker_gone(marker: str) -> ApiError:
    """Nova answers 400 for a marker it does not know (deleted or archived)."""
    return ApiError(400, f"marker [{marker}] not found")


@dataclass(frozen=True)
class Urls:
    root: str
    """Unversioned service URL (bookmark links)."""
    versioned: str
    """``.../v2.1`` (self links)."""


def self_links(urls: Urls, kind: str, item_id: str) -> list[JSON]:
    return [
        {"rel": "self", "href": f"{urls.versioned}/{kind}/{item_id}"},
        {"rel": "bookmark", "href": f"{urls.root}/{kind}/{item_id}"},
    ]


def addresses(raw: Any, server_id: str) -> JSON:
    if not isinstance(raw, dict):
        return {}
    return {
        net: [
            {
                "version": 6 if ":" in str(ip) else 4,
                "addr": ip,
                "OS-EXT-IPS:type": "fixed",
                "OS-EXT-IPS-MAC:mac_addr": synthetic_mac(server_id, net),
            }
            for ip in ips or []
        ]
        for net, ips in raw.items()
    }


def server_view(server: JSON, mv: Version, urls: Urls, flavor_ids: Mapping[str, str]) -> JSON:
    """One server of ``GET /servers/detail`` at microversion ``mv``."""
    sid = str(server["id"])
    links = self_links(urls, "servers", sid)
    project_id = server.get("project_id")
    if server.get("partial"):
        return {
            "id": sid,
            "status": "UNKNOWN",
            "tenant_id": project_id,
            "created": CREATED,
            "links": links,
        }
    status = server.get("status")
    vm_state, power_state = STATES.get(str(status).upper(), (str(status).lower(), 0))
    flavor = server.get("flavor")
    flavor_view: Any = flavor
    if isinstance(flavor, dict):
        if mv >= MV_FLAVOR_EMBEDDED:
            flavor_view = {
                "original_name": flavor.get("name"),
                "vcpus": flavor.get("vcpus"),
                "ram": flavor.get("ram"),
                "disk": flavor.get("disk"),
                "ephemeral": 0,
                "swap": 0,
                "extra_specs": {},
            }
        else:
            flavor_id = flavor_ids[flavor_key(flavor)]
            flavor_view = {
                "id": flavor_id,
                "links": [{"rel": "bookmark", "href": f"{urls.root}/flavors/{flavor_id}"}],
            }
    image = server.get("image")
    image_view: Any = ""
    if isinstance(image, dict) and image.get("id"):
        image_view = {
            "id": image["id"],
            "links": [{"rel": "bookmark", "href": f"{urls.root}/images/{image['id']}"}],
        }
    host = host_of(sid)
    attached: list[JSON] = [
        {"id": v, "delete_on_termination": False} if mv >= MV_DELETE_ON_TERMINATION else {"id": v}
        for v in server.get("volumes") or []
    ]
    view: JSON = {
        "id": sid,
        "name": server.get("name"),
        "status": status,
        "tenant_id": project_id,
        "user_id": shared_hex("user", project_id),
        "metadata": dict(server.get("metadata") or {}),
        "hostId": shared_hex("host", project_id, host),
        "image": image_view,
        "flavor": flavor_view,
        "created": CREATED,
        "updated": UPDATED,
        "addresses": addresses(server.get("addresses"), sid),
        "accessIPv4": "",
        "accessIPv6": "",
        "links": links,
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0,
        "OS-EXT-AZ:availability_zone": server.get("availability_zone"),
        # Nova's column is a string: "True" or "" (what it answers for an unknown one).
        "config_drive": "True" if server.get("config_drive") else "",
        "key_name": server.get("key_name"),
        "OS-SRV-USG:launched_at": "2024-01-15T09:31:02.000000",
        "OS-SRV-USG:terminated_at": None,
        "OS-EXT-SRV-ATTR:host": host,
        "OS-EXT-SRV-ATTR:instance_name": f"instance-{bucket(sid, 1 << 24):08x}",
        "OS-EXT-SRV-ATTR:hypervisor_hostname": f"{host}.sandbox",
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": vm_state,
        "OS-EXT-STS:power_state": power_state,
        "os-extended-volumes:volumes_attached": attached,
        "security_groups": [{"name": g} for g in server.get("security_groups") or []],
    }
    if mv >= MV_DELETE_ON_TERMINATION:
        view["OS-EXT-SRV-ATTR:hostname"] = server.get("name")
        view["OS-EXT-SRV-ATTR:reservation_id"] = "r-" + sid[:8]
        view["OS-EXT-SRV-ATTR:launch_index"] = 0
        view["OS-EXT-SRV-ATTR:kernel_id"] = ""
        view["OS-EXT-SRV-ATTR:ramdisk_id"] = ""
        view["OS-EXT-SRV-ATTR:root_device_name"] = "/dev/vda"
    if mv >= MV_LOCKED:
        view["locked"] = bool(server.get("locked"))
    if mv >= MV_HOST_STATUS:
        view["host_status"] = "UP"
    if mv >= MV_DESCRIPTION:
        view["description"] = None
    if mv >= MV_TAGS:
        view["tags"] = list(server.get("tags") or [])
    if mv >= MV_TRUSTED_CERTS:
        view["trusted_image_certificates"] = None
    if mv >= MV_LOCKED_REASON:
        view["locked_reason"] = server.get("locked_reason")
    if mv >= MV_PINNED_AZ:
        view["pinned_availability_zone"] = None
    return view


def server_summary(server: JSON, mv: Version, urls: Urls) -> JSON:
    """One server of ``GET /servers``."""
    sid = str(server["id"])
    summary: JSON = {"id": sid, "links": self_links(urls, "servers", sid)}
    if server.get("partial"):
        summary["status"] = "UNKNOWN"
    else:
        summary["name"] = server.get("name")
    return summary


def flavor_view(flavor: JSON, mv: Version, urls: Urls, detail: bool) -> JSON:
    """One flavor of ``GET /flavors/detail`` (or ``/flavors``) at ``mv``."""
    view: JSON = {
        "id": flavor["id"],
        "name": flavor.get("name"),
        "links": self_links(urls, "flavors", flavor["id"]),
    }
    if mv >= MV_FLAVOR_DESCRIPTION:
        view["description"] = None
    if not detail:
        return view
    swap = flavor.get("swap") or 0
    view.update(
        {
            "vcpus": flavor.get("vcpus"),
            "ram": flavor.get("ram"),
            "disk": flavor.get("disk"),
            "OS-FLV-EXT-DATA:ephemeral": flavor.get("ephemeral") or 0,
            "OS-FLV-DISABLED:disabled": False,
            # Before 2.75 no swap is "", not 0.
            "swap": swap if swap or mv >= MV_SWAP_INT else "",
            "rxtx_factor": 1.0,
            "os-flavor-access:is_public": flavor.get("is_public", True) is not False,
        }
    )
    if mv >= MV_FLAVOR_EXTRA_SPECS:
        view["extra_specs"] = dict(flavor.get("extra_specs") or {})
    return view


def public_key(keypair: JSON) -> str:
    """A made-up public key: the snapshot keeps only the fingerprint."""
    blob = synthetic_hex("public-key", keypair.get("user_id"), keypair.get("name"))
    if keypair.get("type") == "x509":
        return f"-----BEGIN CERTIFICATE-----\n{blob}\n-----END CERTIFICATE-----\n"
    return f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{blob} {keypair.get('name')}"


def keypair_view(keypair: JSON, mv: Version) -> JSON:
    """One item of ``GET /os-keypairs``: each keypair wrapped, without its user."""
    view: JSON = {
        "name": keypair.get("name"),
        "public_key": public_key(keypair),
        "fingerprint": keypair.get("fingerprint"),
    }
    if mv >= MV_KEYPAIR_TYPE:
        view["type"] = keypair.get("type") or "ssh"
    return {"keypair": view}
