"""``auditor inventory`` against real Keystone, Nova API, Cinder API, Glance and Neutron.

The cloud (conftest.py, realcloud.py) is seeded with known projects, servers,
volumes and endpoints; the auditor is run the way users run it (its console
script, a clouds.yaml profile), and every field of every core item of its
snapshot must be what was seeded. The services' own access logs must show
nothing but reads from the moment the auditor started (its token request
excepted).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from realcloud import RealCloud
from realconf import PAGE_SIZE
from seedplan import (
    DEFAULT_AZ,
    DOMAINS,
    FLAVORS,
    HOSTS,
    IMAGE_ID,
    MIGRATING_VOLUMES,
    PROJECTS,
    REGION,
    SERVERS,
    SERVICE_PROJECTS,
    VOLUME_TYPES,
    VOLUMES,
    seeded_metadata,
)

from auditor.catalog import block_storage, compute

pytestmark = pytest.mark.integration

SECRET_METADATA_KEYS = {"db_password", "luks_passphrase"}
"""Seeded metadata keys whose values must be masked in the snapshot."""

SERVER_STATUS = {"active": "ACTIVE", "stopped": "SHUTOFF", "error": "ERROR"}


@dataclass(frozen=True)
class Run:
    """One ``auditor inventory`` run: exit code, snapshot, and what the services saw."""

    code: int
    stderr: str
    snapshot: dict[str, Any]
    requests: list[tuple[str, dict[str, Any]]]
    server_microversions: dict[str, str]


def _max_microversion(url: str) -> str:
    """The highest microversion a service advertises in its version document."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            body = json.load(resp)
    except urllib.error.HTTPError as exc:  # Cinder answers 300 Multiple Choices
        body = json.load(exc)
    versions = body["versions"]
    return str(max((v for v in versions if v.get("version")), key=_mv)["version"])


def _mv(v: Mapping[str, Any] | str) -> tuple[int, int]:
    text = v if isinstance(v, str) else str(v["version"])
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


def _auditor_command() -> list[str]:
    script = Path(sys.executable).with_name("auditor")
    if script.exists():
        return [str(script)]
    found = shutil.which("auditor")
    return [found] if found else [sys.executable, "-m", "auditor"]


@pytest.fixture(scope="module")
def run(real_cloud: RealCloud, tmp_path_factory: pytest.TempPathFactory) -> Run:
    server_mv = {
        "compute": _max_microversion(f"{real_cloud.urls['nova']}/"),
        "block-storage": _max_microversion(f"{real_cloud.urls['cinder']}/"),
    }
    output = tmp_path_factory.mktemp("inventory") / "snapshot.json"
    # The user's own OS_* variables (OS_CLOUD...) must not leak into the run.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    marks = real_cloud.access_log_marks()
    proc = subprocess.run(
        [
            *_auditor_command(),
            "inventory",
            "--cloud",
            real_cloud.cloud,
            "--os-client-config-file",
            str(real_cloud.clouds_yaml),
            "--no-progress",
            "--output",
            str(output),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    requests = real_cloud.requests_since(marks)
    snapshot = json.loads(output.read_text()) if output.exists() else {}
    return Run(proc.returncode, proc.stderr, snapshot, requests, server_mv)


def _items(run: Run, collection: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = run.snapshot["collections"][collection]["items"]
    return sorted(items, key=lambda item: str(item["id"]))


def _masked(metadata: Mapping[str, str]) -> dict[str, str]:
    return {k: ("***" if k in SECRET_METADATA_KEYS else v) for k, v in metadata.items()}


def _by_id(expected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(expected, key=lambda item: str(item["id"]))


def test_inventory_completes(run: Run, real_cloud: RealCloud) -> None:
    assert run.code == 0, run.stderr
    snap = run.snapshot
    assert snap["schema"] == "auditor.inventory/v1"
    assert snap["cloud"] == real_cloud.cloud
    assert snap["region"] == REGION
    assert snap["auth_url"] == f"{real_cloud.urls['keystone']}/v3"
    for name in ("projects", "servers", "volumes", "endpoints"):
        result = snap["collections"][name]
        assert result["status"] == "ok", (name, result.get("error"))
        assert result["count"] == len(result["items"])


def test_negotiated_microversions_are_recorded(run: Run) -> None:
    # The highest version both the auditor and the real service know.
    expected = {
        "compute": min(
            compute.CLIENT_MAX_MICROVERSION, run.server_microversions["compute"], key=_mv
        ),
        "block-storage": min(
            block_storage.CLIENT_MAX_MICROVERSION,
            run.server_microversions["block-storage"],
            key=_mv,
        ),
    }
    assert run.snapshot["microversions"] == expected
    # And the auditor's listings were made with them. (Its own requests only: a request
    # of the previous test module, to another Nova, can reach the access log late.)
    sent = {
        service: record.get("microversion")
        for service, record in run.requests
        if record["path"].endswith(("/servers/detail", "/volumes/detail"))
        and "auditor" in record["user_agent"]
    }
    assert sent == {
        "nova": f"compute {expected['compute']}",
        "cinder": f"volume {expected['block-storage']}",
    }


def test_projects(run: Run, real_cloud: RealCloud) -> None:
    ids = real_cloud.project_ids
    domains = real_cloud.domain_ids
    expected = [
        {
            "id": ids[name],
            "name": name,
            "domain": "Default",
            "domain_id": domains["Default"],
            "enabled": True,
            "description": description,
            "tags": [],
            "parent": None,
        }
        for name, description in SERVICE_PROJECTS.items()
    ]
    expected += [
        {
            "id": ids[p.name],
            "name": p.name,
            "domain": p.domain,
            "domain_id": domains[p.domain],
            "enabled": p.enabled,
            "description": p.description,
            "tags": sorted(p.tags),
            "parent": p.parent,
        }
        for p in PROJECTS
    ]
    assert {p["domain"] for p in expected} == {"Default", *DOMAINS}
    assert _items(run, "projects") == _by_id(expected)


def _owner(real_cloud: RealCloud, project: str) -> dict[str, str]:
    """The owner fields of an item of ``project``: its name, id and domain."""
    domain = next(p.domain for p in PROJECTS if p.name == project)
    return {"project": project, "project_id": real_cloud.project_ids[project], "domain": domain}


def test_servers(run: Run, real_cloud: RealCloud) -> None:
    flavors = {f.name: f for f in FLAVORS}
    volumes_of: dict[str, list[str]] = {}
    for v in VOLUMES:
        for server in v.attachments:
            volumes_of.setdefault(server, []).append(real_cloud.volume_ids[v.name])
    expected = []
    for s in SERVERS:
        flavor = flavors[s.flavor]
        metadata = seeded_metadata(s.metadata, s.migrated_from, real_cloud.server_ids)
        expected.append(
            {
                "id": real_cloud.server_ids[s.name],
                "name": s.name,
                **_owner(real_cloud, s.project),
                "status": SERVER_STATUS[s.state],
                "flavor": {
                    "name": flavor.name,
                    "vcpus": flavor.vcpus,
                    "ram": flavor.ram,
                    "disk": flavor.disk,
                },
                # The name comes from the real Glance. Boot from volume: no image.
                "image": {"id": IMAGE_ID, "name": "cirros"} if s.image else None,
                "key_name": s.key_name,
                "availability_zone": HOSTS[s.host] or DEFAULT_AZ,
                "metadata": _masked(metadata),
                "addresses": {n.name: sorted([*n.fixed, *n.floating]) for n in s.networks},
                "volumes": sorted(volumes_of.get(s.name, [])),
                "security_groups": sorted(s.security_groups),
                # Nova's server detail view (compute 2.9+, 2.26+, 2.73+).
                "tags": sorted(s.tags),
                "config_drive": s.config_drive,
                "locked": s.locked is not None,
                **({"locked_reason": s.locked} if s.locked else {}),
            }
        )
    assert _items(run, "servers") == _by_id(expected)


def test_volumes(run: Run, real_cloud: RealCloud) -> None:
    expected = []
    for v in VOLUMES:
        metadata = seeded_metadata(v.metadata, v.migrated_from, real_cloud.volume_ids)
        expected.append(
            {
                "id": real_cloud.volume_ids[v.name],
                "name": v.name,
                **_owner(real_cloud, v.project),
                "status": "in-use" if v.attachments else "available",
                "size": v.size,
                "volume_type": v.volume_type,
                "bootable": v.bootable,
                "encrypted": VOLUME_TYPES[v.volume_type] is not None,
                "availability_zone": v.availability_zone,
                "metadata": _masked(metadata),
                "attachments": sorted(real_cloud.server_ids[s] for s in v.attachments),
            }
        )
        if v.name in MIGRATING_VOLUMES:
            # Cinder's temporary target of the migration in progress: listed, marked.
            expected.append(
                {
                    **expected[-1],
                    "id": real_cloud.migration_targets[v.name],
                    "migration_target_of": real_cloud.volume_ids[v.name],
                }
            )
    assert _items(run, "volumes") == _by_id(expected)


def test_endpoints(run: Run, real_cloud: RealCloud) -> None:
    expected = [
        {
            "id": e.id,
            "name": f"{e.service_type}/{e.interface}/{e.region}",
            "service_type": e.service_type,
            "service_name": e.service_name,
            "interface": e.interface,
            "region": e.region,
            "url": e.url,
            "enabled": e.enabled,
        }
        for e in real_cloud.endpoints
    ]
    assert {e["service_type"] for e in expected} == {
        "identity",
        "compute",
        "block-storage",
        "network",
        "image",
    }
    assert _items(run, "endpoints") == _by_id(expected)


def test_only_reads_reached_the_services(run: Run) -> None:
    assert run.code == 0, run.stderr
    writes = [
        (service, r["method"], r["path"])
        for service, r in run.requests
        if r["method"] not in ("GET", "HEAD")
        and not (service == "keystone" and r["method"] == "POST" and r["path"] == "/v3/auth/tokens")
    ]
    assert writes == []
    # Not vacuous: the auditor's own requests reached every service it lists.
    mine = [(service, r) for service, r in run.requests if "auditor" in r["user_agent"]]
    reached = {service for service, _ in mine}
    assert {"keystone", "nova", "cinder", "glance"} <= reached
    paths = {r["path"].rsplit("/", 2)[-2:][-1] for _, r in mine}
    assert {"detail", "projects", "domains", "endpoints", "services"} <= paths
    token_requests = [r for _, r in mine if r["method"] == "POST"]
    assert token_requests, "the auditor's token request was not seen"
    assert all(r["path"] == "/v3/auth/tokens" for r in token_requests)


def test_listings_walked_the_services_real_pages(run: Run) -> None:
    # The services cap pages at PAGE_SIZE items: every listing spans several
    # pages, walked with the markers the services handed out, and (the item
    # tests above) nothing is lost or duplicated at the boundaries.
    counts = {
        ("keystone", "/projects"): len(SERVICE_PROJECTS) + len(PROJECTS),
        ("keystone", "/domains"): 1 + len(DOMAINS),
        ("nova", "/servers/detail"): len(SERVERS),
        ("cinder", "/volumes/detail"): len(VOLUMES),
    }
    for (service, suffix), count in counts.items():
        assert count > PAGE_SIZE
        sent = [
            r
            for s, r in run.requests
            if s == service
            and r["path"].endswith(suffix)
            and "auditor" in r["user_agent"]
            # The listing's walk; the changes asked after it walk their own pages.
            and not any(f in r["query"] for f in ("changes-since=", "updated_at="))
        ]
        assert len(sent) >= -(-count // PAGE_SIZE), (service, suffix, len(sent))
        assert "marker=" not in sent[0]["query"]
        assert all("marker=" in r["query"] for r in sent[1:])
        assert all(r["status"] == 200 for r in sent)
