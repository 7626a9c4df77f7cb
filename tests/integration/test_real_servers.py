"""Servers' tags, config drive and lock against the real Nova, band by band.

seed_nova.py seeds the servers as Nova's own code leaves them: tags as Tag
rows, ``config_drive`` as the string column ("True" or ""), a lock as
``locked_by`` plus the reason in the system metadata (compute/api.py
``lock``). Nova's server detail view gives ``locked`` from compute 2.9,
``tags`` from 2.26 and ``locked_reason`` from 2.73, ``config_drive`` at every
microversion. The auditor's inventory must read the seeded values (and leave
out what a microversion does not give), and the sandbox, serving that
inventory, must answer those fields as the real Nova did at each band.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from realcloud import RealCloud
from realnet import Rest
from seedplan import SERVERS
from test_real_fidelity import _admin_password, inventory, items

from auditor.app.files import read_snapshot
from auditor.sandbox import Sandbox

pytestmark = pytest.mark.integration

JSON = dict[str, Any]

FIELDS = ("tags", "config_drive", "locked", "locked_reason")
"""The raw fields of GET /servers/detail that the catalog reads these from."""
BANDS = ("2.8", "2.9", "2.25", "2.26", "2.72", "2.73", "2.96")
"""Each side of each microversion that adds one of them, and the auditor's highest."""


def walk_servers(rest: Rest, url: str, microversion: str) -> list[JSON]:
    """Every server of GET /servers/detail?all_tenants=True, next links followed."""
    header = {"OpenStack-API-Version": f"compute {microversion}"}
    out: list[JSON] = []
    while url:
        body = rest.call("GET", url, headers=header)
        out.extend(body["servers"])
        url = next(
            (link["href"] for link in body.get("servers_links", []) if link["rel"] == "next"), ""
        )
    return out


def the_fields(servers: list[JSON]) -> dict[str, JSON]:
    """Server id -> the fields present among FIELDS (absence matters too)."""
    return {s["id"]: {k: s[k] for k in FIELDS if k in s} for s in servers}


@pytest.fixture(scope="module")
def listed(real_cloud: RealCloud, tmp_path_factory: pytest.TempPathFactory) -> tuple[JSON, Path]:
    tmp = tmp_path_factory.mktemp("servers")
    proc, doc = inventory(real_cloud, tmp, real_cloud.cloud, "projects,servers")
    assert proc.returncode == 0, proc.stderr
    return doc, tmp / f"{real_cloud.cloud}.json"


def test_the_seeded_tags_config_drives_and_locks_are_inventoried(
    real_cloud: RealCloud, listed: tuple[JSON, Path]
) -> None:
    doc, _path = listed
    servers = {s["name"]: s for s in items(doc, "servers")}
    assert any(plan.tags for plan in SERVERS) and any(plan.locked for plan in SERVERS)
    assert any(plan.locked == "" for plan in SERVERS)  # locked without a reason
    for plan in SERVERS:
        got = {k: servers[plan.name][k] for k in FIELDS if k in servers[plan.name]}
        want: JSON = {
            "tags": sorted(plan.tags),
            "config_drive": plan.config_drive,
            "locked": plan.locked is not None,
        }
        if plan.locked:
            want["locked_reason"] = plan.locked
        assert got == want, plan.name


@pytest.mark.parametrize("microversion", BANDS)
def test_the_sandbox_answers_them_as_the_real_nova_at(
    microversion: str, real_cloud: RealCloud, listed: tuple[JSON, Path]
) -> None:
    _doc, path = listed
    rest = Rest(real_cloud.urls["keystone"], _admin_password(real_cloud))
    query = "/servers/detail?all_tenants=True"
    real = the_fields(walk_servers(rest, f"{real_cloud.urls['nova']}/v2.1{query}", microversion))
    assert sorted(real) == sorted(real_cloud.server_ids[plan.name] for plan in SERVERS)
    snapshot = read_snapshot(str(path))
    with Sandbox([snapshot]) as sandbox:
        site = sandbox.site(snapshot.cloud)
        served_rest = Rest(f"{site.url}/identity", site.credentials.password)
        served = the_fields(
            walk_servers(served_rest, f"{site.url}/compute/v2.1{query}", microversion)
        )
    assert served == real
