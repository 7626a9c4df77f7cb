"""Small builders of normalised snapshot items, exactly as the SPEC's core field table.

Each builder returns one plain JSON item with every core field of its
collection (``id``, ``name`` and the table's fields), so a test reads as the
documentation of what a snapshot holds:

| collection | fields (besides id, name) |
|---|---|
| projects | domain, domain_id, enabled, description, tags, parent |
| servers | project, project_id, domain, status, flavor {name, vcpus, ram, disk}, image {id, name},
  key_name, availability_zone, metadata, addresses {network: [ip]}, volumes [id],
  security_groups [name] |
| volumes | project, project_id, domain, status, size, volume_type, bootable, encrypted,
  availability_zone, metadata, attachments [server id] |
| endpoints | service_type, service_name, interface, region, url, enabled |

Project-owned items take their project's item, so ``project``, ``project_id``
and ``domain`` always agree with it. Builders never sort nor reorder: a test
that shuffles items gets exactly the order it asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from auditor.model import CollectionResult, Snapshot, Status

JSON = dict[str, Any]

TAKEN_AT = "2026-11-22T10:00:00Z"


def project(
    id: str,
    name: str,
    *,
    domain: str = "cloudwatt",
    domain_id: str | None = None,
    enabled: bool = True,
    description: str = "",
    tags: Sequence[str] = (),
    parent: str | None = None,
) -> JSON:
    """A Keystone project: ``domain`` is the domain's name, ``parent`` the parent's name."""
    return {
        "id": id,
        "name": name,
        "domain": domain,
        "domain_id": domain_id if domain_id is not None else f"dom-{domain}",
        "enabled": enabled,
        "description": description,
        "tags": sorted(tags),
        "parent": parent,
    }


def flavor(name: str = "m1.small", vcpus: int = 1, ram: int = 2048, disk: int = 20) -> JSON:
    """A server's flavor as embedded in its record: ram in MiB, disk in GiB."""
    return {"name": name, "vcpus": vcpus, "ram": ram, "disk": disk}


def _owned(owner: Mapping[str, Any]) -> JSON:
    return {"project": owner["name"], "project_id": owner["id"], "domain": owner["domain"]}


DEFAULT_IMAGE: Mapping[str, str] = MappingProxyType({"id": "img-debian", "name": "debian-12"})


def server(
    id: str,
    name: str | None,
    owner: Mapping[str, Any],
    *,
    status: str = "ACTIVE",
    flavor_: JSON | None = None,
    image: Mapping[str, str] | None = DEFAULT_IMAGE,
    key_name: str | None = "ops",
    availability_zone: str = "nova",
    metadata: Mapping[str, str] | None = None,
    addresses: Mapping[str, Sequence[str]] | None = None,
    volumes: Sequence[str] = (),
    security_groups: Sequence[str] = ("default",),
    tags: Sequence[str] = (),
    config_drive: bool = False,
    locked: bool = False,
    locked_reason: str | None = None,
) -> JSON:
    """A Nova server of project ``owner``; ``image=None`` boots from a volume."""
    return {
        "id": id,
        "name": name,
        **_owned(owner),
        "status": status,
        "flavor": dict(flavor_) if flavor_ is not None else flavor(),
        "image": dict(image) if image is not None else None,
        "key_name": key_name,
        "availability_zone": availability_zone,
        "metadata": dict(metadata or {}),
        "addresses": {k: list(v) for k, v in (addresses or {"private": ["10.0.0.5"]}).items()},
        "volumes": sorted(volumes),
        "security_groups": sorted(security_groups),
        "tags": sorted(tags),
        "config_drive": config_drive,
        "locked": locked,
        **({"locked_reason": locked_reason} if locked_reason is not None else {}),
    }


def partial_server(id: str, owner: Mapping[str, Any]) -> JSON:
    """A down-cell record (compute 2.69+): status UNKNOWN, no name, flagged partial."""
    return {
        "id": id,
        "name": None,
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "status": "UNKNOWN",
        "partial": True,
    }


def volume(
    id: str,
    name: str | None,
    owner: Mapping[str, Any],
    *,
    status: str | None = None,
    size: int = 10,
    volume_type: str = "ssd",
    bootable: bool = False,
    encrypted: bool = False,
    availability_zone: str = "nova",
    metadata: Mapping[str, str] | None = None,
    attachments: Sequence[str] = (),
) -> JSON:
    """A Cinder volume of project ``owner``; status follows the attachments unless given."""
    return {
        "id": id,
        "name": name,
        **_owned(owner),
        "status": status if status is not None else ("in-use" if attachments else "available"),
        "size": size,
        "volume_type": volume_type,
        "bootable": bootable,
        "encrypted": encrypted,
        "availability_zone": availability_zone,
        "metadata": dict(metadata or {}),
        "attachments": sorted(attachments),
    }


def endpoint(
    id: str,
    service_type: str,
    interface: str,
    region: str,
    url: str,
    *,
    service_name: str | None = None,
    enabled: bool = True,
) -> JSON:
    """A Keystone catalog endpoint; its name is service_type/interface/region."""
    return {
        "id": id,
        "name": f"{service_type}/{interface}/{region}",
        "service_type": service_type,
        "service_name": service_name if service_name is not None else service_type,
        "interface": interface,
        "region": region,
        "url": url,
        "enabled": enabled,
    }


def ok(items: Iterable[JSON]) -> CollectionResult:
    """A collection listed completely."""
    return CollectionResult(Status.OK, tuple(items))


def failed(
    error: str = "HTTP 503 after 5 attempts", items: Iterable[JSON] = ()
) -> CollectionResult:
    """A collection whose listing failed after retries."""
    return CollectionResult(Status.ERROR, tuple(items), error=error)


def truncated(items: Iterable[JSON], error: str = "list truncated by Keystone") -> CollectionResult:
    """A collection the service cut short (Keystone ``truncated``)."""
    return CollectionResult(Status.INCOMPLETE, tuple(items), error=error)


def snapshot(
    cloud: str,
    region: str | None,
    collections: Mapping[str, Iterable[JSON] | CollectionResult],
) -> Snapshot:
    """A snapshot; a plain list of items is a collection listed completely."""
    return Snapshot(
        cloud=cloud,
        region=region,
        auth_url=f"https://identity.{cloud}.example/v3",
        taken_at=TAKEN_AT,
        duration_s=1.5,
        collections={
            name: value if isinstance(value, CollectionResult) else ok(value)
            for name, value in collections.items()
        },
    )


# -- network family (Neutron) --------------------------------------------------------------


def network(
    id: str,
    name: str | None,
    owner: Mapping[str, Any],
    *,
    subnets: Sequence[str] = (),
    status: str = "ACTIVE",
    admin_state_up: bool = True,
    shared: bool = False,
    external: bool = False,
    mtu: int | None = 1450,
) -> JSON:
    """A Neutron network of project ``owner``; ``subnets`` are its subnets' names."""
    return {
        "id": id,
        "name": name,
        **_owned(owner),
        "status": status,
        "admin_state_up": admin_state_up,
        "shared": shared,
        "external": external,
        "mtu": mtu,
        "subnets": sorted(subnets),
    }


def subnet(
    id: str,
    name: str | None,
    owner: Mapping[str, Any],
    net: Mapping[str, Any],
    cidr: str,
    *,
    gateway_ip: str | None = None,
    enable_dhcp: bool = True,
    dns_nameservers: Sequence[str] = (),
    host_routes: Sequence[Mapping[str, str]] = (),
) -> JSON:
    """A subnet of project ``owner`` on network ``net`` (an item of :func:`network`)."""
    return {
        "id": id,
        "name": name,
        **_owned(owner),
        "network": net["name"],
        "network_id": net["id"],
        "cidr": cidr,
        "ip_version": 6 if ":" in cidr else 4,
        "gateway_ip": gateway_ip,
        "enable_dhcp": enable_dhcp,
        "dns_nameservers": sorted(dns_nameservers),
        "host_routes": [dict(r) for r in host_routes],
    }


def router(
    id: str,
    name: str | None,
    owner: Mapping[str, Any],
    *,
    external_network: str | None = "public",
    enable_snat: bool | None = True,
    interfaces: Sequence[str] = (),
    routes: Sequence[Mapping[str, str]] = (),
    status: str = "ACTIVE",
    admin_state_up: bool = True,
) -> JSON:
    """A router of project ``owner``; ``interfaces`` are subnet ids."""
    return {
        "id": id,
        "name": name,
        **_owned(owner),
        "status": status,
        "admin_state_up": admin_state_up,
        "external_network": external_network,
        "enable_snat": enable_snat if external_network else None,
        "interfaces": sorted(interfaces),
        "routes": [dict(r) for r in routes],
    }


def sg_rule(
    direction: str = "ingress",
    *,
    ethertype: str = "IPv4",
    protocol: str | None = None,
    ports: tuple[int, int] | None = None,
    remote_ip_prefix: str | None = None,
    remote_group: str | None = None,
) -> JSON:
    """A normalised security-group rule (its remote group by name)."""
    return {
        "direction": direction,
        "ethertype": ethertype,
        "protocol": protocol,
        "port_range_min": ports[0] if ports else None,
        "port_range_max": ports[1] if ports else None,
        "remote_ip_prefix": remote_ip_prefix,
        "remote_group": remote_group,
    }


def security_group(
    id: str,
    name: str | None,
    owner: Mapping[str, Any],
    rules: Sequence[JSON] = (),
    *,
    description: str = "",
) -> JSON:
    """A security group of project ``owner`` with its rules, in the order given."""
    return {
        "id": id,
        "name": name,
        **_owned(owner),
        "description": description,
        "rules": [dict(r) for r in rules],
    }


def floating_ip(
    id: str,
    address: str,
    owner: Mapping[str, Any],
    *,
    server: Mapping[str, Any] | None = None,
    floating_network: str = "public",
    fixed_ip: str | None = None,
    status: str | None = None,
    description: str = "",
) -> JSON:
    """A floating IP of project ``owner``, pointing to ``server``'s port (or free)."""
    return {
        "id": id,
        "name": address,
        **_owned(owner),
        "floating_network": floating_network,
        "fixed_ip": fixed_ip if fixed_ip is not None else ("10.0.0.5" if server else None),
        "port_id": f"port-{server['id']}" if server else None,
        "server_id": server["id"] if server else None,
        "status": status or ("ACTIVE" if server else "DOWN"),
        "description": description,
    }


# -- identity family (Keystone, Nova flavors and keypairs) -------------------------------


def domain(id: str, name: str, *, enabled: bool = True, description: str = "") -> JSON:
    """A Keystone domain."""
    return {"id": id, "name": name, "description": description, "enabled": enabled}


def region(id: str, *, parent: str | None = None, description: str = "") -> JSON:
    """A Keystone region: its id is its name."""
    return {"id": id, "name": id, "description": description, "parent": parent}


def service(
    id: str, service_type: str, name: str | None, *, enabled: bool = True, description: str = ""
) -> JSON:
    """A Keystone catalog service."""
    return {
        "id": id,
        "name": name,
        "service_type": service_type,
        "description": description,
        "enabled": enabled,
    }


def flavor_record(
    id: str,
    name: str,
    vcpus: int = 2,
    ram: int = 4096,
    disk: int = 40,
    *,
    ephemeral: int = 0,
    swap: int = 0,
    is_public: bool = True,
    extra_specs: Mapping[str, str] | None = None,
    access: Sequence[Mapping[str, Any]] = (),
) -> JSON:
    """A Nova flavor of the flavors collection; ``access`` are project items (private
    flavors)."""
    return {
        "id": id,
        "name": name,
        "vcpus": vcpus,
        "ram": ram,
        "disk": disk,
        "ephemeral": ephemeral,
        "swap": swap,
        "is_public": is_public,
        "extra_specs": dict(extra_specs) if extra_specs is not None else {},
        "access": sorted(p["name"] for p in access),
        "access_ids": sorted(p["id"] for p in access),
    }


def keypair(
    user_id: str,
    user: str,
    name: str,
    fingerprint: str,
    *,
    domain: str = "cloudwatt",
    type: str = "ssh",
) -> JSON:
    """A Nova keypair of a Keystone user (id ``user_id/name``)."""
    return {
        "id": f"{user_id}/{name}",
        "name": name,
        "user": user,
        "user_id": user_id,
        "domain": domain,
        "type": type,
        "fingerprint": fingerprint,
    }
