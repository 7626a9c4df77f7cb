"""What the real cloud of the integration tests holds: the seed plan.

Plain data, shared by the fixture that seeds the services (realcloud.py) and
the tests that check the auditor's snapshot against it
(test_real_inventory.py). Ids are not here: the services assign them (or the
fixture draws them) when the cloud is built, and RealCloud records them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REGION = "fr1"
OTHER_REGION = "fr2"
DEFAULT_AZ = "fr1-az2"
"""Nova's default availability zone: that of compute hosts in no zoned aggregate."""


def seeded_metadata(
    metadata: Mapping[str, str], migrated_from: str | None, ids: Mapping[str, str]
) -> dict[str, str]:
    """An item's metadata as seeded: its own keys and, for a migrated copy,
    ``migrated_from_id``: the id (in ``ids``, by name) of the item it was copied from."""
    seeded = dict(metadata)
    if migrated_from:
        seeded["migrated_from_id"] = ids[migrated_from]
    return seeded


@dataclass(frozen=True)
class ProjectPlan:
    name: str
    domain: str
    description: str = ""
    tags: tuple[str, ...] = ()
    enabled: bool = True
    parent: str | None = None


@dataclass(frozen=True)
class NetworkPlan:
    name: str
    fixed: tuple[str, ...]
    floating: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServerPlan:
    name: str
    project: str
    flavor: str
    image: str | None
    """Image id; None for a server booted from a volume."""
    key_name: str | None
    host: str
    state: str
    """active, stopped or error."""
    metadata: Mapping[str, str] = field(default_factory=dict)
    networks: tuple[NetworkPlan, ...] = ()
    security_groups: tuple[str, ...] = ()
    migrated_from: str | None = None
    """Name of the server whose id goes in metadata ``migrated_from_id``."""
    tags: tuple[str, ...] = ()
    config_drive: bool = False
    locked: str | None = None
    """Locked (by an admin) with this reason ("": without one); None: not locked."""


@dataclass(frozen=True)
class VolumePlan:
    name: str
    project: str
    size: int
    volume_type: str
    attachments: tuple[str, ...] = ()
    """Names of the servers the volume is attached to."""
    device: str = "/dev/vdb"
    bootable: bool = False
    multiattach: bool = False
    availability_zone: str = "fr1-az1"
    metadata: Mapping[str, str] = field(default_factory=dict)
    migrated_from: str | None = None


@dataclass(frozen=True)
class FlavorPlan:
    name: str
    vcpus: int
    ram: int
    disk: int


IMAGE_ID = "5a0c3e6b-9c61-4c2e-8f0e-0d5b6c1a2f01"
"""The image servers were booted from (there is no Glance here: only its id is known)."""

DOMAINS: Mapping[str, str] = {
    "cloudwatt": "Cloudwatt customers (legacy brand)",
    "ocb-cloudwatt": "Former Cloudwatt customers, on Orange Cloud for Business",
}

PROJECTS: tuple[ProjectPlan, ...] = (
    ProjectPlan("cw-acme", "cloudwatt", "ACME Corporation", ("customer", "gold")),
    ProjectPlan("cw-acme-dev", "cloudwatt", "ACME development", parent="cw-acme"),
    ProjectPlan("cw-globex", "cloudwatt", "Globex", ("customer",)),
    ProjectPlan("cw-initech", "cloudwatt", "Initech (contract ended)", enabled=False),
    ProjectPlan("ocb-acme", "ocb-cloudwatt", "ACME Corporation", ("customer", "gold")),
    ProjectPlan("ocb-globex", "ocb-cloudwatt", "Globex", ("customer",)),
    ProjectPlan("ocb-initech", "ocb-cloudwatt", "Initech (contract ended)", enabled=False),
)

FLAVORS: tuple[FlavorPlan, ...] = (
    FlavorPlan("m1.small", 1, 2048, 20),
    FlavorPlan("m1.medium", 2, 4096, 40),
    FlavorPlan("m1.large", 4, 8192, 80),
)

HOSTS: Mapping[str, str | None] = {"compute-1": "fr1-az1", "compute-2": None}
"""Compute host -> availability zone of its aggregate (None: Nova's default zone)."""

SECURITY_GROUPS: tuple[str, ...] = ("default", "web", "db")

SERVERS: tuple[ServerPlan, ...] = (
    ServerPlan(
        "cw-web-1",
        "cw-acme",
        "m1.small",
        IMAGE_ID,
        "acme-key",
        "compute-1",
        "active",
        {"role": "web", "tier": "front", "db_password": "s3cr3t-value"},
        (NetworkPlan("cw-acme-net", ("10.0.0.5", "2001:db8:0:1::5"), ("203.0.113.10",)),),
        ("default", "web"),
        tags=("web", "backup:daily"),
        config_drive=True,
    ),
    ServerPlan(
        "cw-db-1",
        "cw-acme",
        "m1.large",
        None,
        "acme-key",
        "compute-1",
        "active",
        {"role": "db"},
        (
            NetworkPlan("cw-acme-net", ("10.0.0.6",)),
            NetworkPlan("cw-acme-storage", ("192.168.10.6",)),
        ),
        ("default", "db"),
        locked="legal hold: do not delete",
    ),
    ServerPlan(
        "cw-app-1",
        "cw-globex",
        "m1.medium",
        IMAGE_ID,
        None,
        "compute-2",
        "stopped",
        {},
        (NetworkPlan("cw-globex-net", ("10.1.0.5",)),),
        ("default",),
        locked="",
    ),
    ServerPlan("cw-batch-1", "cw-initech", "m1.small", IMAGE_ID, None, "compute-2", "error"),
    ServerPlan(
        "ocb-web-1",
        "ocb-acme",
        "m1.small",
        IMAGE_ID,
        "acme-key",
        "compute-1",
        "active",
        {"role": "web", "tier": "front"},
        (NetworkPlan("ocb-acme-net", ("10.20.0.5",), ("198.51.100.10",)),),
        ("default", "web"),
        migrated_from="cw-web-1",
        tags=("backup:daily", "web"),
        config_drive=True,
    ),
)

VOLUME_TYPES: Mapping[str, Mapping[str, Any] | None] = {
    "standard": None,
    "encrypted": {
        "provider": "luks",
        "cipher": "aes-xts-plain64",
        "key_size": 256,
        "control_location": "front-end",
    },
}
"""Volume type -> its encryption (None: not encrypted)."""

VOLUMES: tuple[VolumePlan, ...] = (
    VolumePlan(
        "cw-web-data", "cw-acme", 10, "standard", ("cw-web-1",), metadata={"purpose": "www"}
    ),
    VolumePlan("cw-db-boot", "cw-acme", 20, "standard", ("cw-db-1",), "/dev/vda", bootable=True),
    VolumePlan(
        "cw-db-data",
        "cw-acme",
        100,
        "encrypted",
        ("cw-db-1",),
        metadata={"purpose": "postgres", "luks_passphrase": "hunter2-value"},
    ),
    VolumePlan(
        "cw-shared", "cw-acme", 5, "standard", ("cw-web-1", "cw-db-1"), "/dev/vdc", multiattach=True
    ),
    VolumePlan("cw-spare", "cw-globex", 1, "standard", availability_zone="fr1-az2"),
    VolumePlan(
        "ocb-web-data",
        "ocb-acme",
        10,
        "standard",
        ("ocb-web-1",),
        metadata={"purpose": "www"},
        migrated_from="cw-web-data",
    ),
)

SERVICE_PROJECTS: Mapping[str, str] = {
    "admin": "Bootstrap project for initializing the cloud.",
    "service": "Service users of the cloud",
}
"""Projects of the Default domain: keystone-manage bootstrap's, and the services'."""


# -- Glance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImagePlan:
    name: str
    owner: str
    """Name of the owning project."""
    visibility: str
    data: bytes | None = b""
    """The image's bytes; None leaves it queued (no data)."""
    hidden: bool = False
    members: tuple[str, ...] = ()
    """Projects a shared image is shared with."""
    protected: bool = False
    image_id: str | None = None
    """A fixed id (the one the servers boot from); None: Glance's."""
    min_ram: int = 0
    properties: tuple[tuple[str, str], ...] = ()
    """Extra properties (hw_*, os_*...)."""


IMAGES: tuple[ImagePlan, ...] = (
    ImagePlan("cirros", "admin", "public", b"cirros-disk-" * 64, image_id=IMAGE_ID, min_ram=64),
    ImagePlan("cw-acme-golden", "cw-acme", "private", b"acme-golden-" * 40, protected=True),
    ImagePlan(
        "cw-acme-base",
        "cw-acme",
        "shared",
        b"acme-base-" * 30,
        members=("cw-globex",),
        properties=(
            ("hw_disk_bus", "scsi"),
            ("hw_scsi_model", "virtio-scsi"),
            ("os_distro", "debian"),
        ),
    ),
    ImagePlan("cw-globex-tools", "cw-globex", "community", b"globex-tools-" * 20),
    ImagePlan("cw-acme-rescue", "cw-acme", "public", b"acme-rescue-" * 10, hidden=True),
    ImagePlan("cw-initech-draft", "cw-initech", "private", None),
    # Migrated: the same data under the new brand.
    ImagePlan("ocb-acme-golden", "ocb-acme", "private", b"acme-golden-" * 40, protected=True),
)


# -- Neutron --------------------------------------------------------------------------


@dataclass(frozen=True)
class RouterPlan:
    name: str
    project: str
    interfaces: tuple[str, ...]
    """Names of the project networks it has an interface on (their IPv4 subnet)."""


EXTERNAL_NETWORK = "public"
EXTERNAL_SUBNETS: Mapping[str, str] = {
    "public-v4": "203.0.113.0/24",
    "public-v4-b": "198.51.100.0/24",
}
"""The external (flat, router:external) network's subnets, where floating IPs come from."""

NETWORK_PROJECTS: Mapping[str, str] = {
    "cw-acme-net": "cw-acme",
    "cw-acme-storage": "cw-acme",
    "cw-globex-net": "cw-globex",
    "ocb-acme-net": "ocb-acme",
}
"""Tenant network -> its project (their subnets follow from the servers' addresses)."""

ROUTERS: tuple[RouterPlan, ...] = (
    RouterPlan("cw-acme-router", "cw-acme", ("cw-acme-net",)),
    RouterPlan("ocb-acme-router", "ocb-acme", ("ocb-acme-net",)),
)

NETWORK_GRANTS: Mapping[str, str] = {
    "cw-globex-net": "admin",
    "cw-acme-storage": "cw-globex",
}
"""Network -> project it is shared with by an RBAC policy: Neutron's ``shared`` says true
only for a grant to ``*`` or to the caller's own project (the admin's here)."""

GROUP_RULES: Mapping[str, tuple[tuple[str, int, str], ...]] = {
    "web": (("tcp", 443, "0.0.0.0/0"), ("tcp", 22, "198.51.100.0/24")),
    "db": (("tcp", 5432, "10.0.0.0/24"),),
}
"""Security group (created in each project one of whose servers uses it) -> its ingress
rules (protocol, port, source prefix); every project also has Neutron's ``default``."""


# -- Keystone: users in two domains, with keypairs --------------------------------------


@dataclass(frozen=True)
class UserPlan:
    name: str
    domain: str
    keypairs: tuple[str, ...]


USERS: tuple[UserPlan, ...] = (
    UserPlan("alice", "cloudwatt", ("acme-key", "alice-laptop")),
    UserPlan("bob", "ocb-cloudwatt", ("acme-key",)),
)
"""Users outside the Default domain (the admin's), each with Nova keypairs: a Keystone
with domain-specific drivers lists them only per domain."""

LIMITED_LIST_LIMIT = 2
"""``list_limit`` of the second Keystone process (same database): every catalog listing
is longer than that."""

EXTRA_REGIONS: Mapping[str, str | None] = {"fr1-b": REGION}
"""Regions beyond the endpoints' (region -> parent), so regions outnumber list_limit."""


# -- Nova: a cell that is down; Cinder: a migration in progress -------------------------

DOWN_CELL_SERVERS: tuple[str, ...] = ("cw-app-1", "cw-batch-1")
"""Servers that live in cell2 for the second Nova API process, whose cell2 is down."""
DOWN_CELL_HOST = "compute-3"
"""cell2's compute host (its host mapping)."""

MIGRATING_VOLUMES: tuple[str, ...] = ("cw-spare",)
"""Volumes being migrated: Cinder has made each a temporary target volume
(migration_status target:<id>), which an admin's listing shows."""


def migration_rules(renamed: tuple[str, ...] = ("projects", "servers", "volumes")) -> str:
    """The rules of the migration in progress: the ``cloudwatt`` domain's ``cw-*``
    resources (of the collections ``renamed``) moved to ``ocb-cloudwatt`` as ``ocb-*``."""
    return rf"""
version: 1
rename:
  domains: {{cloudwatt: ocb-cloudwatt}}
  names:
    - {{collections: [{", ".join(renamed)}], pattern: '^cw-(.*)$', replace: 'ocb-\1'}}
match:
  order: [metadata, name]
  metadata_key: migrated_from_id
scope:
  source_domains: [cloudwatt]
  target_domains: [ocb-cloudwatt]
"""
