"""Snapshots to serve, and small HTTP helpers for talking to a running sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Sandbox
from auditor.secrets import MASK
from tests.synthetic import synthetic_snapshot

JSON = dict[str, Any]


def _edge_cases(cloud: str, base: Snapshot) -> dict[str, list[JSON]]:
    """Hand-made items for what synthetic data does not cover."""
    projects = {p["name"]: p for p in base.collections["projects"].items}
    domain_a, domain_b = sorted({(p["domain_id"], p["domain"]) for p in projects.values()})[:2]
    twin_a = {
        "id": f"{cloud}-p-twin-a",
        "name": "twin",
        "domain": domain_a[1],
        "domain_id": domain_a[0],
        "enabled": True,
        "description": "",
        "tags": [],
        "parent": None,
    }
    twin_b = {**twin_a, "id": f"{cloud}-p-twin-b", "domain": domain_b[1], "domain_id": domain_b[0]}
    # Its parent's name exists in two domains: the one of its own domain is meant.
    grandchild = {
        **twin_b,
        "id": f"{cloud}-p-twin-child",
        "name": "twin-child",
        "parent": "twin",
        "enabled": False,
        "description": "Décommissionné",
        "tags": ["a", "b"],
    }
    owner = twin_a
    server: JSON = {
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "status": "ACTIVE",
        "key_name": None,
        "availability_zone": "nova",
        "metadata": {},
        "addresses": {},
        "volumes": [],
        "security_groups": [],
        "tags": [],
        "config_drive": False,
        "locked": False,
    }
    servers = [
        {
            **server,
            "id": f"{cloud}-s-deleted-flavor",
            "name": "old-flavor",
            # The flavor was deleted: the API only says its id (below 2.47) or an
            # embedded flavor with nulls.
            "flavor": {"name": None, "vcpus": None, "ram": None, "disk": None},
            "image": {"id": f"{cloud}-img-gone", "name": None},
            "status": "SHUTOFF",
        },
        {
            **server,
            "id": f"{cloud}-s-everything",
            "name": "everything",
            "flavor": {"name": "g1.huge", "vcpus": 64, "ram": 262144, "disk": 0},
            "image": {"id": f"{cloud}-img-custom", "name": "custom ünicode"},
            "key_name": "deploy",
            "metadata": {"api_token": MASK, "owner": "ops", "empty": ""},
            "addresses": {
                "net-a": ["10.1.0.5", "10.1.0.6"],
                "net-b": ["198.51.100.7", "2001:db8::5"],
            },
            "volumes": sorted([f"{cloud}-v-multi", f"{cloud}-v-root"]),
            "security_groups": ["default", "ssh"],
            "tags": ["backup:daily", "prod", "ünicode tag"],
            "config_drive": True,
            "locked": True,
            "locked_reason": "légal hold until 2027",
        },
        {
            **server,
            "id": f"{cloud}-s-other",
            "name": "other",
            "flavor": {"name": "g1.huge", "vcpus": 64, "ram": 262144, "disk": 0},
            "image": None,
            "volumes": [f"{cloud}-v-multi"],
            "status": "ERROR",
        },
    ]
    volume: JSON = {
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "availability_zone": "nova",
        "metadata": {},
        "volume_type": "ceph-ssd",
    }
    volumes = [
        {
            **volume,
            "id": f"{cloud}-v-root",
            "name": "",
            "status": "in-use",
            "size": 1,
            "bootable": True,
            "encrypted": True,
            "attachments": [f"{cloud}-s-everything"],
        },
        {
            **volume,
            "id": f"{cloud}-v-multi",
            "name": "shared-data",
            "status": "in-use",
            "size": 2048,
            "bootable": False,
            "encrypted": False,
            "volume_type": None,
            "metadata": {"secret_key": MASK},
            "attachments": sorted([f"{cloud}-s-everything", f"{cloud}-s-other"]),
        },
    ]
    endpoints: list[JSON] = [
        {
            "id": f"{cloud}-ep-other-region",
            "name": "object-store/public/fr2",
            "service_type": "object-store",
            "service_name": "swift",
            "interface": "public",
            "region": "fr2",
            "url": "https://object.fr2.example/v1/AUTH_%(tenant_id)s",
            "enabled": False,
        },
        {
            "id": f"{cloud}-ep-nameless",
            "name": "placement/public/fr1",
            "service_type": "placement",
            "service_name": None,
            "interface": "public",
            "region": "fr1",
            "url": "https://placement.fr1.example",
            "enabled": True,
        },
    ]
    return {
        "projects": [twin_a, twin_b, grandchild],
        "servers": servers,
        "volumes": volumes,
        "endpoints": endpoints,
    }


def build_snapshot(cloud: str = "cw", region: str | None = "fr1") -> Snapshot:
    """Snapshot S: three domains, ten projects plus child projects, 24 servers and two
    down-cell records, 30 volumes, endpoints; and the edge cases of :func:`_edge_cases`."""
    base = synthetic_snapshot(
        cloud, region, domains=3, projects=10, servers=24, volumes=30, partial_servers=2
    )
    extra = _edge_cases(cloud, base)
    collections = {
        name: CollectionResult(
            Status.OK,
            tuple(sorted([*result.items, *extra[name]], key=lambda item: str(item["id"]))),
        )
        for name, result in base.collections.items()
    }
    return Snapshot(
        cloud=cloud,
        region=region,
        auth_url=None,
        taken_at=base.taken_at,
        duration_s=0.0,
        collections=collections,
        microversions=dict(base.microversions),
    )


@pytest.fixture
def snapshot() -> Snapshot:
    """Snapshot S of cloud ``cw``, region ``fr1``."""
    return build_snapshot()


@pytest.fixture
def make_snapshot() -> Callable[..., Snapshot]:
    """``make_snapshot(cloud, region)``: another S."""
    return build_snapshot


def member_token(
    sandbox: Sandbox, user: str, password: str, project: str, domain: str = "cloudwatt"
) -> str:
    """A token of a project member (``SandboxOptions.members``) scoped to ``project``."""
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"name": "Default"}, "password": password}
                },
            },
            "scope": {"project": {"name": project, "domain": {"name": domain}}},
        }
    }
    answer = requests.post(f"{sandbox.auth_url('cloudwatt')}/auth/tokens", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.headers["X-Subject-Token"]


def post_token(sandbox: Sandbox, cloud: str, password: str | None = None) -> requests.Response:
    """POST a password token request for ``cloud``'s generated user."""
    site = sandbox.site(cloud)
    cred = site.credentials
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": cred.username,
                        "domain": {"name": cred.domain_name},
                        "password": cred.password if password is None else password,
                    }
                },
            },
            "scope": {"project": {"name": cred.project_name, "domain": {"name": "Default"}}},
        }
    }
    return requests.post(f"{site.auth_url}/auth/tokens", json=body, timeout=10)


@pytest.fixture
def issue_token() -> Callable[..., requests.Response]:
    """``issue_token(sandbox, cloud, password=None)``: the raw token response."""
    return post_token


@pytest.fixture
def token_for() -> Callable[[Sandbox, str], str]:
    """``token_for(sandbox, cloud)``: a valid token of a cloud of a running sandbox."""

    def get(sandbox: Sandbox, cloud: str) -> str:
        response = post_token(sandbox, cloud)
        assert response.status_code == 201, response.text
        return response.headers["X-Subject-Token"]

    return get
