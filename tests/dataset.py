"""The small example cloud most unit tests list, built from API-reference payloads.

Two domains, a parent and a child project, two services with their endpoints, a
public and a private flavor, two servers (one booted from volume) and two
volumes. The records the auditor must make of them are written out by hand in
the test modules, so that a normaliser is never checked against itself.
"""

from __future__ import annotations

from tests import payloads as p
from tests.fakecloud import JSON, FakeCloud

SMALL = p.flavor("f-small", "m1.small", 1, 2048, 20)
LARGE = p.flavor("f-large", "m1.large", 4, 8192, 80, public=False)

DB_PASSWORD = "hunter2-db-password"
"""A secret in server metadata: it must never reach a snapshot or a log."""


def servers(microversion: tuple[int, int]) -> list[JSON]:
    """The two servers as GET /servers/detail answers them at ``microversion``."""
    return [
        p.server(
            "s-1",
            "cw-web",
            "p-acme",
            flavor_=SMALL,
            microversion=microversion,
            volumes=["v-1"],
            metadata={"role": "web", "db_password": DB_PASSWORD},
            addresses={"private": ["10.0.0.5"], "public": ["203.0.113.7", "192.0.2.10"]},
            security_groups=["web", "default"],
            tags=["web", "backup"],
            config_drive=True,
        ),
        p.server(
            "s-2",
            "cw-db",
            "p-beta",
            flavor_=LARGE,
            microversion=microversion,
            image_id=None,
            volumes=["v-2"],
            key_name=None,
            az="az-2",
            locked=True,
            locked_reason="legal hold",
        ),
    ]


def populate(cloud: FakeCloud, *, compute: tuple[int, int] = (2, 96)) -> FakeCloud:
    """Fill ``cloud`` with the example resources; servers shaped for ``compute``."""
    cloud.domains = [p.domain("default", "Default"), p.domain("d-cw", "cloudwatt")]
    cloud.projects = [
        p.project("p-acme", "cw-acme", "d-cw", tags=["prod", "billing"]),
        p.project(
            "p-beta",
            "cw-beta",
            "d-cw",
            parent_id="p-acme",
            enabled=False,
            description="Beta team",
        ),
    ]
    cloud.services = [
        p.service("svc-nova", "compute", "nova"),
        p.service("svc-cinder", "block-storage", "cinderv3"),
    ]
    cloud.endpoints = [
        p.endpoint("e-1", "svc-nova", "public", "fr1", "https://compute.fr1.cloudwatt.com/v2.1"),
        p.endpoint(
            "e-2", "svc-cinder", "internal", "fr1", "http://10.1.0.4:8776/v3/%(project_id)s"
        ),
    ]
    cloud.flavors = [SMALL, LARGE]
    cloud.servers = servers(compute)
    cloud.volumes = [
        p.volume(
            "v-1",
            "cw-data",
            "p-acme",
            size=100,
            attached_to=["s-1"],
            encrypted=True,
            metadata={"backup": "daily", "luks_passphrase": "open-sesame"},
        ),
        p.volume("v-2", "cw-root", "p-beta", size=20, attached_to=["s-2"], bootable=True),
    ]
    cloud.images = [p.image("img-1", "debian-12")]
    return cloud
