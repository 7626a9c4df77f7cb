"""One small, coherent cloud of API-shaped raw listings, at a chosen microversion.

Every listing the auditor reads holds a few items, edge cases included (an
unnamed subnet, a boot-from-volume server, a deleted flavor, a down-cell
record, a migration's temporary volume, a hidden image listed twice, rules
with numbered protocols...), so that normalising every collection from it
exercises every field source. The items reference each other (servers their
volumes, floating IPs their ports...), so that their normalised items also
make a world the diff can be run on.
"""

from __future__ import annotations

from typing import Any

from tests import payloads as p
from tests import payloads_apps as a

JSON = dict[str, Any]

FOR = "@for"
"""The key a fan-out listing tags its raw items with (the item it was asked for)."""

VARIANTS: dict[str, dict[str, str]] = {
    "compute-2.1": {"compute": "2.1", "block-storage": "3.0"},
    "compute-2.46": {"compute": "2.46", "block-storage": "3.17"},
    "compute-2.47": {"compute": "2.47", "block-storage": "3.18"},
    "compute-2.61": {"compute": "2.61", "block-storage": "3.60"},
    "compute-2.96": {"compute": "2.96", "block-storage": "3.70"},
}
"""Microversions the golden normalised items are taken at."""


def _v(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor)


def _server_group(
    gid: str,
    name: str,
    project: str,
    members: list[str],
    compute: tuple[int, int],
    policy: str = "anti-affinity",
    rules: JSON | None = None,
) -> JSON:
    """A server group as Nova answers it: ``policies`` and ``metadata`` before 2.64,
    ``policy`` and ``rules`` since; project and user ids since 2.13."""
    group: JSON = {"id": gid, "name": name, "members": members}
    if compute >= (2, 13):
        group.update(project_id=project, user_id="u-1")
    if compute >= (2, 64):
        group.update(policy=policy, rules={"max_server_per_host": 1} if rules is None else rules)
    else:
        group.update(policies=[policy], metadata={})
    return group


ZONE_ACME = p.dns_zone("z-1", "acme.example.org.", "p-acme", description="Acme")
ZONE_BETA = p.dns_zone(
    "z-2", "beta.example.net.", "p-beta", type_="SECONDARY", masters=["192.0.2.9", "192.0.2.8"]
)


def raw_world(microversions: dict[str, str]) -> dict[str, list[JSON]]:
    """Listing key -> raw items, as the services answer at ``microversions``."""
    compute = _v(microversions["compute"])
    volume = _v(microversions["block-storage"])
    small = p.flavor("f-1", "cw-small", 1, 2048, 20, microversion=compute)
    large = p.flavor("f-2", "cw-large", 4, 8192, 80, ephemeral=10, swap=1024, microversion=compute)
    gpu = p.flavor(
        "f-3",
        "cw-gpu",
        8,
        16384,
        100,
        public=False,
        extra_specs={"gpu": "1"},
        microversion=compute,
    )
    odd = p.flavor("f-4", "cw-odd", 2, 4096, 40, microversion=compute)
    odd["swap"] = ""
    odd["OS-FLV-EXT-DATA:ephemeral"] = "5"
    gone = {"id": "f-gone", "name": "cw-gone", "vcpus": 2, "ram": 1024, "disk": 10}
    servers = [
        p.server(
            "s-1",
            "cw-web-01",
            "p-acme",
            flavor_=small,
            microversion=compute,
            volumes=["v-1", "v-2"],
            metadata={"role": "web", "db_password": "hunter2"},
            addresses={"acme-net": ["10.0.0.5", "2001:db8::5"], "ext": ["198.51.100.7"]},
            security_groups=["web", "default", "web"],
            tags=["prod", "backup:daily"],
            config_drive=True,
        ),
        p.server(
            "s-2",
            "cw-db-01",
            "p-acme",
            flavor_=large,
            microversion=compute,
            image_id=None,
            key_name=None,
            status="SHUTOFF",
            locked=True,
            locked_reason="freeze for the migration",
        ),
        p.server(
            "s-3",
            "cw-app-01",
            "p-beta",
            flavor_=gone,
            microversion=compute,
            image_id="img-gone",
            az="az-2",
            security_groups=["default"],
        ),
        p.server("s-4", "cw-gpu-01", "p-beta", flavor_=gpu, microversion=compute),
    ]
    servers[3]["image"] = {"id": "img-hidden"}
    servers[3]["project_id"] = servers[3].pop("tenant_id")
    if compute >= (2, 69):
        servers.append(p.down_cell_server("s-5", "p-beta"))
    world: dict[str, list[JSON]] = {
        "identity.domains": [p.domain("d-cw", "cloudwatt"), p.domain("d-nm", "numergy")],
        "identity.projects": [
            p.project("p-acme", "cw-acme", "d-cw", description="Acme prod", tags=["prod", "b"]),
            p.project("p-beta", "cw-beta", "d-cw", parent_id="p-acme", enabled=False),
            p.project("p-gamma", "nm-gamma", "d-nm", description=None),  # type: ignore[arg-type]
        ],
        "identity.users": [
            p.user("u-1", "acme-admin", "d-cw"),
            p.user("u-2", "gamma-ops", "d-nm"),
        ],
        "identity.services": [
            p.service("svc-c", "compute", "nova"),
            p.service("svc-i", "image", "glance"),
            {**p.service("svc-o", "object-store", "swift"), "enabled": False},
            {k: v for k, v in p.service("svc-x", "placement", "x").items() if k != "name"},
        ],
        "identity.endpoints": [
            p.endpoint("e-1", "svc-c", "public", "fr1", "https://compute.fr1.cloudwatt.com"),
            p.endpoint("e-2", "svc-i", "internal", "fr1", "http://glance.internal:9292"),
            {
                k: v
                for k, v in p.endpoint("e-3", "svc-o", "admin", "fr2", "https://s3").items()
                if k != "region_id"
            },
            {**p.endpoint("e-4", "svc-gone", "public", "", "https://x"), "enabled": False},
        ],
        "identity.regions": [
            p.region("fr", description="France"),
            p.region("fr1", parent="fr"),
            p.region("fr2", parent=""),
        ],
        **_access(),
        "compute.servers": servers,
        "compute.services": [
            {
                "id": 1,
                "host": "compute-1",
                "binary": "nova-compute",
                "status": "enabled",
                "state": "up",
                "zone": "nova",
                "updated_at": None,
            },
        ],
        "compute.flavors": [small, large, gpu, odd],
        "compute.flavor_access": [
            {"flavor_id": "f-3", "tenant_id": "p-beta", FOR: "f-3"},
            {"flavor_id": "f-3", "tenant_id": "p-deleted", FOR: "f-3"},
            {"tenant_id": "p-acme", FOR: "f-3"},
        ],
        "compute.keypairs": [
            {
                **p.keypair("acme-ops", "aa:bb", type_="ssh" if compute >= (2, 2) else None),
                FOR: "u-1",
            },
            {**p.keypair("acme-x509", "cc:dd", type_="x509"), FOR: "u-1"},
            {"keypair": {"name": "gamma", "fingerprint": "ee:ff", "user_id": "u-2"}},
        ],
        "compute.server_groups": [
            _server_group("g-1", "acme-web-spread", "p-acme", ["s-2", "s-1"], compute),
            _server_group("g-2", "beta-db", "p-beta", [], compute, "affinity", {}),
        ],
        "block-storage.volumes": [
            p.volume(
                "v-1",
                "cw-web-01-root",
                "p-acme",
                attached_to=["s-1"],
                bootable=True,
                size=20,
                metadata={"backup": "daily", "api_key": "k-1"},
            ),
            p.volume("v-2", "cw-web-01-data", "p-acme", attached_to=["s-1"], encrypted=True),
            {**p.volume("v-3", "", "p-beta", status="error"), "volume_type": None, "name": None},
            {
                **p.volume("v-4", "cw-web-01-data", "p-acme"),
                "os-vol-mig-status-attr:migstat": "target:v-2",
            },
            {
                **p.volume("v-5", "cw-tmp", "p-beta"),
                "migration_status": "target:v-3",
                "os-vol-mig-status-attr:migstat": None,
            },
        ],
        "block-storage.snapshots": [
            p.snapshot(
                "vs-1", "cw-web-01-root-nightly", "p-acme", "v-1", size=20, metadata={"token": "t"}
            ),
            {**p.snapshot("vs-2", None, "p-beta", "v-3"), "name": None},  # type: ignore[arg-type]
        ],
        "block-storage.backups": [
            p.backup(
                "vb-1",
                "cw-web-01-root-weekly",
                "p-acme" if volume >= (3, 18) else None,
                "v-1",
                incremental=True,
            ),
            {
                k: v
                for k, v in p.backup("vb-2", "cw-gone", None, "v-gone").items()
                if k != "is_incremental"
            },
        ],
        "block-storage.types": [
            {
                "id": "vt-1",
                "name": "ceph-ssd",
                "description": None,
                "is_public": True,
                "os-volume-type-access:is_public": True,
                "extra_specs": {"volume_backend_name": "ceph"},
                "qos_specs_id": "q-1",
            },
            {
                "id": "vt-2",
                "name": "ceph-luks",
                "description": "encrypted",
                "is_public": False,
                "os-volume-type-access:is_public": False,
                "extra_specs": {},
                "qos_specs_id": None,
            },
            {
                "id": "vt-3",
                "name": "gone-qos",
                "is_public": True,
                "extra_specs": {},
                "qos_specs_id": "q-gone",
            },
        ],
        "block-storage.qos_specs": [
            {
                "id": "q-1",
                "name": "gold",
                "consumer": "back-end",
                "specs": {"total_iops_sec": "500"},
            },
        ],
        "block-storage.type_encryption": [
            {
                "volume_type_id": "vt-2",
                "provider": "luks",
                "cipher": "aes-xts-plain64",
                "key_size": 256,
                "control_location": "front-end",
                FOR: "vt-2",
            },
        ],
        "block-storage.type_access": [
            {"volume_type_id": "vt-2", "project_id": "p-beta", FOR: "vt-2"},
            {"volume_type_id": "vt-2", "project_id": "p-deleted", FOR: "vt-2"},
        ],
        "object-store.containers": [
            {
                "name": "cw-site",
                "count": 2,
                "bytes": 7168,
                "headers": {
                    "x-container-object-count": "2",
                    "x-container-bytes-used": "7168",
                    "x-storage-policy": "gold",
                    "x-container-read": ".r:*,.rlistings",
                    "x-versions-location": "cw-site-versions",
                    "x-container-sync-to": "https://swift.fr1.cloudwatt.com/v1/AUTH_x/cw-site",
                    "x-container-meta-web-index": "index.html",
                    "x-container-meta-temp-url-key": "s3cr3t",
                },
                "objects": {
                    "count": 2,
                    "bytes": 7168,
                    "digest": "sha256:" + "0" * 64,
                    "rows": [
                        {
                            "name": "index.html",
                            "bytes": 5120,
                            "etag": "d41d8cd98f00b204e9800998ecf8427e",
                            "content_type": "text/html",
                            "last_modified": "2026-11-20T09:00:00.000000",
                            "large": False,
                        },
                        {
                            "name": "style.css",
                            "bytes": 2048,
                            "etag": "0cc175b9c0f1b6a831c399e269772661",
                            "content_type": "text/css",
                            "last_modified": "2026-11-20T09:00:00.000000",
                            "large": False,
                        },
                    ],
                },
                FOR: "p-acme",
            },
            {
                "name": "cw-empty",
                "count": 0,
                "bytes": 0,
                "headers": {
                    "x-container-object-count": "0",
                    "x-container-bytes-used": "0",
                    "x-storage-policy": "Policy-0",
                    "x-versions-enabled": "True",
                },
                FOR: "p-beta",
            },
        ],
        "image.members": [
            {"image_id": "img-2", "member_id": "p-beta", "status": "accepted", FOR: "img-2"},
            {"image_id": "img-2", "member_id": "p-acme", "status": "pending", FOR: "img-2"},
        ],
        "image.images": [
            {
                **p.image("img-1", "cw-debian-12", owner="p-acme"),
                "hw_disk_bus": "scsi",
                "os_distro": "debian",
                "os_glance_importing_to_stores": "",
            },
            p.image("img-2", "cw-legacy", owner=None, os_hash_value=None, visibility="shared"),
            p.image(
                "img-3",
                "cw-queued",
                owner="p-beta",
                status="queued",
                size=None,
                checksum=None,
                os_hash_value=None,
                protected=True,
                min_disk=10,
                min_ram=512,
            ),
            {**p.image("img-4", "cw-dup", owner="p-acme"), "os_hidden": True},
        ],
        "image.hidden_images": [
            p.image("img-hidden", "cw-rescue", hidden=True, owner="p-acme"),
            {**p.image("img-4", "cw-dup-again", owner="p-acme"), "os_hidden": True},
        ],
        "network.networks": [
            p.network("n-1", "acme-net", "p-acme", subnets=["sn-1", "sn-2", "sn-gone"]),
            p.network("n-ext", "public", "p-admin", external=True, shared=True, mtu=1500),
            {
                **p.network("n-2", "beta-net", "p-beta", status="DOWN", admin_state_up=False),
                "project_id": None,
            },
        ],
        "network.subnets": [
            p.subnet(
                "sn-1",
                "acme-v4",
                "p-acme",
                "n-1",
                "10.0.0.0/24",
                gateway_ip="10.0.0.1",
                dns_nameservers=["9.9.9.9", "1.1.1.1"],
                host_routes=[
                    {"destination": "10.9.0.0/16", "nexthop": "10.0.0.254"},
                    {"destination": "10.8.0.0/16", "nexthop": "10.0.0.253"},
                ],
            ),
            p.subnet("sn-2", "", "p-acme", "n-1", "2001:db8::/64", enable_dhcp=False),
            p.subnet("sn-3", "beta-v4", "p-beta", "n-gone", "10.1.0.0/24"),
        ],
        "network.ports": [
            p.port(
                "port-r1",
                "n-1",
                "p-acme",
                device_id="r-1",
                device_owner="network:router_interface",
                fixed_ips=[("sn-1", "10.0.0.1"), ("sn-2", "2001:db8::1")],
            ),
            p.port(
                "port-r2",
                "n-1",
                "p-acme",
                device_id="r-1",
                device_owner="network:ha_router_replicated_interface",
                fixed_ips=[("sn-1", "10.0.0.2")],
            ),
            p.port(
                "port-s1",
                "n-1",
                "p-acme",
                device_id="s-1",
                device_owner="compute:nova",
                fixed_ips=[("sn-1", "10.0.0.5")],
            ),
            {
                **p.port(
                    "port-s2",
                    "n-1",
                    "p-acme",
                    device_id="s-2",
                    device_owner="compute:fr1-a",
                    fixed_ips=[("sn-1", "10.0.0.7"), ("sn-2", "2001:db8::7")],
                ),
                "name": "db-vip-holder",
                "mac_address": "FA:16:3E:4F:2A:02",
                "allowed_address_pairs": [
                    {"ip_address": "10.0.0.100", "mac_address": "fa:16:3e:4f:2a:02"},
                    {"ip_address": "10.0.0.101", "mac_address": "fa:16:3e:00:00:09"},
                ],
                "security_groups": ["sg-2", "sg-1"],
            },
            {
                **p.port("port-free", "n-1", "p-acme", fixed_ips=[("sn-1", "10.0.0.99")]),
                "port_security_enabled": None,
            },
            p.port(
                "port-dhcp",
                "n-1",
                "p-acme",
                device_id="dhcp-1",
                device_owner="network:dhcp",
                fixed_ips=[("sn-1", "10.0.0.3")],
            ),
        ],
        "network.rbac_policies": [
            p.rbac_policy("rbac-1", "n-1", "p-acme", "p-beta"),
            p.rbac_policy("rbac-2", "n-ext", "p-admin", "*", "access_as_external"),
            p.rbac_policy("rbac-3", "n-gone", "p-beta", "p-unknown"),
        ],
        "network.address_scopes": [
            p.address_scope("as-1", "acme-scope", "p-acme", shared=True),
            p.address_scope("as-2", "beta-v6", "p-beta", ip_version=6),
        ],
        "network.subnet_pools": [
            p.subnet_pool(
                "sp-1",
                "acme-pool",
                "p-acme",
                ["10.9.0.0/16", "10.8.0.0/16"],
                address_scope_id="as-1",
            ),
            p.subnet_pool("sp-2", "beta-pool", "p-beta", ["10.7.0.0/16"], default_quota=256),
        ],
        "dns.zones": [ZONE_ACME, ZONE_BETA],
        "dns.recordsets": [
            p.dns_recordset("rs-1", "www.acme.example.org.", ZONE_ACME, "A", ["192.0.2.5"]),
            p.dns_recordset(
                "rs-2",
                "acme.example.org.",
                ZONE_ACME,
                "MX",
                ["20 mx2.example.org.", "10 mx1.example.org."],
                ttl=300,
                description="mail",
            ),
            p.dns_recordset(
                "rs-3", "beta.example.net.", ZONE_BETA, "NS", ["ns1.example.net."], status="PENDING"
            ),
        ],
        "network.routers": [
            p.router(
                "r-1",
                "acme-router",
                "p-acme",
                gateway_network="n-ext",
                routes=[{"destination": "10.7.0.0/16", "nexthop": "10.0.0.9"}],
            ),
            p.router("r-2", "beta-router", "p-beta", gateway_network="n-ext", enable_snat=None),
            p.router("r-3", "", "p-beta", status="ERROR"),
        ],
        "network.security_groups": [
            p.security_group(
                "sg-1",
                "default",
                "p-acme",
                [
                    p.sg_rule("sgr-1", "sg-1", "p-acme", "egress", ethertype="IPv6"),
                    p.sg_rule("sgr-2", "sg-1", "p-acme", remote_group_id="sg-1"),
                    p.sg_rule(
                        "sgr-3",
                        "sg-1",
                        "p-acme",
                        protocol="6",
                        ports=(22, 22),
                        remote_ip_prefix="0.0.0.0/0",
                    ),
                ],
            ),
            p.security_group(
                "sg-2",
                "web",
                "p-acme",
                [
                    p.sg_rule("sgr-4", "sg-2", "p-acme", protocol="tcp", ports=(443, 443)),
                    p.sg_rule(
                        "sgr-5",
                        "sg-2",
                        "p-acme",
                        protocol="icmpv6",
                        ethertype="IPv6",
                        ports=(128, 0),
                        remote_ip_prefix="::/0",
                    ),
                    p.sg_rule(
                        "sgr-6",
                        "sg-2",
                        "p-acme",
                        protocol="tcp",
                        ports=(80, 8080),
                        remote_ip_prefix="192.0.2.0/24",
                    ),
                    p.sg_rule("sgr-7", "sg-2", "p-acme", protocol="any", remote_group_id="sg-gone"),
                    p.sg_rule(
                        "sgr-8",
                        "sg-2",
                        "p-acme",
                        protocol="17",
                        ports=(53, 53),
                        remote_group_id="sg-3",
                    ),
                ],
                description="Web front",
            ),
            {**p.security_group("sg-3", "", "p-beta", []), "description": None, "project_id": None},
        ],
        "network.floating_ips": [
            p.floating_ip(
                "fip-1",
                "198.51.100.7",
                "p-acme",
                "n-ext",
                port_id="port-s1",
                fixed_ip="10.0.0.5",
                device_id="s-1",
            ),
            p.floating_ip(
                "fip-2",
                "198.51.100.8",
                "p-acme",
                "n-ext",
                port_id="port-s1",
                fixed_ip="10.0.0.5",
                device_id="s-1",
                port_details=False,
            ),
            p.floating_ip("fip-3", "198.51.100.9", "p-beta", "n-gone"),
            p.floating_ip(
                "fip-4",
                "198.51.100.10",
                "p-acme",
                "n-ext",
                port_id="port-dhcp",
                device_id="dhcp-1",
                device_owner="network:dhcp",
            ),
        ],
        "compute.quotas": [
            {**p.nova_quota_set("p-acme", cores=(20, 3), ram=(51200, 10240)), FOR: "p-acme"},
            {**p.nova_quota_set("p-beta", instances=(-1, 2)), FOR: "p-beta"},
        ],
        "block-storage.quotas": [
            {**p.cinder_quota_set("p-acme", gigabytes=(500, 40)), FOR: "p-acme"},
            {"id": "p-beta", "volumes": 10, "gigabytes": -1, "enabled": True, FOR: "p-beta"},
        ],
        "network.quotas": [
            {**p.neutron_quota_details("p-acme", port=(50, 7)), FOR: "p-acme"},
        ],
        **_apps(),
    }
    return world


def _apps() -> dict[str, list[JSON]]:
    """Octavia's and Heat's listings (a load balancer whose member is server s-1's port)."""
    return {
        "load-balancer.loadbalancers": [
            a.load_balancer("lb-1", "acme-lb", "p-acme", listeners=("li-1",), pools=("po-1",)),
            a.load_balancer("lb-2", "", "p-beta", operating_status="ERROR"),
        ],
        "load-balancer.listeners": [
            a.listener("li-1", "http", "p-acme", "lb-1", default_pool_id="po-1"),
        ],
        "load-balancer.pools": [
            a.pool(
                "po-1",
                "web",
                "p-acme",
                "lb-1",
                listeners=("li-1",),
                members=("me-1",),
                healthmonitor_id="hm-1",
                persistence="SOURCE_IP",
            ),
        ],
        "load-balancer.members": [{**a.member("me-1", "", "p-acme", "10.0.0.5"), FOR: "po-1"}],
        "load-balancer.healthmonitors": [a.health_monitor("hm-1", "p-acme", "po-1")],
        "orchestration.stacks": [a.stack_summary("st-1", "acme-app", "p-acme")],
        "orchestration.stack": [
            {
                **a.stack(
                    "st-1",
                    "acme-app",
                    "p-acme",
                    parameters={"url": "https://api.example.com"},
                    outputs={"hosts": ["a", "b"]},
                ),
                FOR: "st-1",
            }
        ],
    }


def _access() -> dict[str, list[JSON]]:
    """Keystone's groups, their members, roles and role assignments (include_names)."""
    cw = {"id": "d-cw", "name": "cloudwatt"}

    def user(uid: str, name: str) -> JSON:
        return {"id": uid, "name": name, "domain": cw}

    acme = {"id": "p-acme", "name": "cw-acme", "domain": cw}
    return {
        "identity.groups": [
            {"id": "g-1", "name": "acme-team", "domain_id": "d-cw", "description": "Acme"},
            {"id": "g-2", "name": "empty", "domain_id": "d-nm", "description": None},
        ],
        "identity.group_users": [
            {"id": "u-1", "name": "acme-admin", "domain_id": "d-cw", FOR: "g-1"},
            {"id": "u-2", "name": "gamma-ops", "domain_id": "d-nm", FOR: "g-1"},
        ],
        "identity.roles": [
            {"id": "r-a", "name": "admin", "domain_id": None, "description": None},
            {"id": "r-m", "name": "member", "domain_id": None},
        ],
        "identity.role_assignments": [
            {
                "role": {"id": "r-m", "name": "member"},
                "user": user("u-1", "acme-admin"),
                "scope": {"project": acme},
                "links": {"assignment": "x"},
            },
            {
                "role": {"id": "r-a", "name": "admin"},
                "group": {"id": "g-1", "name": "acme-team", "domain": cw},
                "scope": {"domain": cw, "OS-INHERIT:inherited_to": "projects"},
                "links": {"assignment": "x"},
            },
            {
                "role": {"id": "r-a", "name": "admin"},
                "user": user("u-0", "admin"),
                "scope": {"system": {"all": True}},
                "links": {"assignment": "x"},
            },
        ],
    }
