"""What every family of the example clouds builds on: the cloud under construction, the
shared constants, deterministic ids, and what a family module provides (:class:`Family`).

No family is imported here: :mod:`auditor.demo.data` lists them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from auditor.model import CollectionResult, Snapshot, Status

JSON = dict[str, Any]

NAMESPACE = uuid.UUID("6f1c1d2e-8a53-4c53-9a8e-0c9b1f2a7d41")
TAKEN_AT = "2026-11-22T10:00:00Z"

COMPANIES = (
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
    "cyberdyne", "soylent", "gringotts", "monarch", "oscorp", "vandelay", "pied-piper",
    "aperture", "black-mesa", "massive-dynamic", "dunder-mifflin", "prestige", "nakatomi",
    "weyland", "yoyodyne", "bluth", "sterling", "krusty", "duff", "ollivanders", "zorg",
)  # fmt: skip

FLAVORS = (
    {"name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
    {"name": "m1.medium", "vcpus": 2, "ram": 4096, "disk": 40},
    {"name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 80},
    {"name": "m1.xlarge", "vcpus": 8, "ram": 16384, "disk": 160},
)
IMAGES = ("debian-12", "ubuntu-22.04", "rocky-9")
ROLES = ("web", "app", "db", "batch", "cache")
SERVICES = (
    ("identity", "keystone", "identity", "/v3"),
    ("compute", "nova", "compute", "/v2.1"),
    ("block-storage", "cinderv3", "volume", "/v3/%(project_id)s"),
    ("image", "glance", "image", ""),
    ("network", "neutron", "network", ""),
)


def uuid_of(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def hex_of(*parts: object) -> str:
    return uuid_of(*parts).replace("-", "")


@dataclass
class ExampleCloud:
    """One example cloud under construction: normalised items per collection."""

    name: str
    region: str
    projects: list[JSON] = field(default_factory=list)
    servers: list[JSON] = field(default_factory=list)
    volumes: list[JSON] = field(default_factory=list)
    endpoints: list[JSON] = field(default_factory=list)
    extra: dict[str, list[JSON]] = field(default_factory=dict)
    """Extended collections, added by the families of :data:`FAMILIES`."""
    counterparts: dict[str, str] = field(default_factory=dict)
    """Target only: source id -> target id of every item the migration re-created."""

    def snapshot(self) -> Snapshot:
        def result(items: list[JSON]) -> CollectionResult:
            return CollectionResult(Status.OK, tuple(sorted(items, key=lambda i: str(i["id"]))))

        collections = {
            "endpoints": self.endpoints,
            "projects": self.projects,
            "servers": self.servers,
            "volumes": self.volumes,
            **self.extra,
        }
        return Snapshot(
            cloud=self.name,
            region=self.region,
            auth_url=None,
            taken_at=TAKEN_AT,
            duration_s=0.0,
            collections={name: result(items) for name, items in sorted(collections.items())},
        )


class Family(Protocol):
    """A module adding example rows to the clouds (see :data:`auditor.demo.data.FAMILIES`)."""

    @property
    def COLLECTIONS(self) -> tuple[str, ...]:
        """The collections it adds rows to: each collection of the catalog is some family's."""

    @property
    def DEFECTS(self) -> tuple[str, ...]:
        """What its ``seed_defects`` breaks in the target, for people."""

    def add_source(self, cloud: ExampleCloud, rng: random.Random) -> None: ...

    def add_target(
        self, source: ExampleCloud, target: ExampleCloud, rng: random.Random
    ) -> None: ...

    def seed_defects(self, target: ExampleCloud) -> None: ...
