"""What only a real OpenStack shows, reproduced by the sandbox and audited end to end.

Each case is a behaviour of the pinned services' own code that an idealised
fake would not have: Cinder's temporary migration targets, Nova's down cells,
Keystone's list_limit on the catalog, Neutron's ``default`` security group.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests

from auditor.model import CollectionResult, Status
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.ids import synthetic_uuid
from tests.reliability.world import (
    SOURCE,
    TARGET,
    Run,
    audit,
    auditor,
    renamed,
    serving,
    source_snapshot,
)
from tests.unit.sandbox.conftest import post_token

JSON = dict[str, Any]


# -- Cinder: the temporary target volume of an in-progress migration -------------------


def migration_target(volume: JSON) -> JSON:
    """What an admin lists while ``volume`` is migrated or retyped: Cinder's copy of
    it (same name, project, size) whose migration status is ``target:<volume id>``."""
    return {
        **volume,
        "id": synthetic_uuid("migration-target", volume["id"]),
        "status": "creating",
        "attachments": [],
        "migration_target_of": volume["id"],
    }


@pytest.mark.parametrize("side", ["target", "source"])
def test_a_volume_being_migrated_is_no_duplicate(
    side: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = source_snapshot()
    volumes = list(full.collections["volumes"].items)
    moving = [*volumes, migration_target(volumes[0])]
    if side == "target":
        source, target = full, renamed(full, TARGET, volumes=moving)
    else:
        source, target = renamed(full, SOURCE, volumes=moving), renamed(full, TARGET)
    with serving(tmp_path, source, target):
        got = audit(tmp_path, capsys)
        text = auditor(
            [
                "--os-client-config-file",
                str(tmp_path / "clouds.yaml"),
                "--no-progress",
                "diff",
                str(tmp_path / "inventories" / "source.json"),
                str(tmp_path / "inventories" / "target.json"),
                "--format",
                "text",
            ],
            capsys,
        )

    # The inventory keeps it, marked, as Cinder lists it to an admin...
    listed = got.target if side == "target" else got.source
    marked = [v for v in listed["collections"]["volumes"]["items"] if "migration_target_of" in v]
    assert [v["migration_target_of"] for v in marked] == [volumes[0]["id"]]
    # ...and the diff leaves it out, saying so: no duplicate, nothing unexpected.
    assert got.report["findings"] == []
    assert (got.run.code, got.report["verdict"]) == (0, "verified")
    summary = got.report["summary"]["volumes"]
    assert summary["left_out"] == 1
    assert summary["matched"] == summary["source"] == summary["target"] == len(volumes)
    assert (
        "Left out of the comparison: 1 volumes (temporary target volumes of in-progress"
        " migrations or retypes)." in text.stdout
    )


def test_nothing_left_out_says_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full = source_snapshot()
    with serving(tmp_path, full, dataclasses.replace(full, cloud=TARGET)):
        got = audit(tmp_path, capsys)
    assert "left_out" not in got.report["summary"]["volumes"]


# -- Keystone: list_limit on the catalog listings -------------------------------------

CATALOG = ("endpoints", "services", "regions")


def inventory_catalog(tmp_path: Path, capsys: Any, options: SandboxOptions) -> tuple[Run, JSON]:
    """``auditor inventory`` of the catalog collections of the source, served with ``options``."""
    base = source_snapshot()
    regions = [
        {"id": r, "name": r, "description": "", "parent": parent}
        for r, parent in (("fr1", None), ("fr1-a", "fr1"), ("fr2", None), ("fr3", None))
    ]
    snapshot = dataclasses.replace(
        base,
        collections={**base.collections, "regions": CollectionResult(Status.OK, tuple(regions))},
    )
    tmp_path.mkdir(exist_ok=True)
    out = tmp_path / "catalog.json"
    with serving(tmp_path, snapshot, options=options) as sandbox:
        run = auditor(
            [
                "--os-client-config-file",
                str(tmp_path / "clouds.yaml"),
                "--no-progress",
                "inventory",
                "--cloud",
                SOURCE,
                "--collections",
                ",".join(CATALOG),
                "--output",
                str(out),
            ],
            capsys,
        )
        catalog_requests = [
            r for r in sandbox.requests if r.path.endswith(("/endpoints", "/services", "/regions"))
        ]
    doc: JSON = json.loads(out.read_text(encoding="utf-8"))
    return Run(run.code, run.stdout, run.stderr + f"\n{len(catalog_requests)} requests"), {
        "doc": doc,
        "requests": catalog_requests,
        "snapshot": snapshot,
    }


def token_of(sandbox: Sandbox, cloud: str) -> str:
    response = post_token(sandbox, cloud)
    assert response.status_code == 201, response.text
    return str(response.headers["X-Subject-Token"])


def test_the_sandbox_catalog_next_link_repeats_the_first_page(tmp_path: Path) -> None:
    options = SandboxOptions(keystone_list_limit=2)
    with serving(tmp_path, source_snapshot(), options=options) as sandbox:
        token = token_of(sandbox, SOURCE)
        url = f"{sandbox.site(SOURCE).auth_url}/endpoints"
        first = requests.get(url, headers={"X-Auth-Token": token}, timeout=10).json()
        again = requests.get(
            first["links"]["next"], headers={"X-Auth-Token": token}, timeout=10
        ).json()
    assert first["truncated"] is True and len(first["endpoints"]) == 2
    assert "marker=" in first["links"]["next"]
    # Keystone's catalog backend ignores the marker: the "next" page is page 1 again.
    assert again["endpoints"] == first["endpoints"]


def test_list_limit_on_a_current_keystone_the_catalog_comes_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Keystone 2025.1+ with list_limit=2 (max_db_limit 1000): the plain listings are cut
    # with a next link that repeats page 1; a request's limit replaces list_limit.
    _, baseline = inventory_catalog(tmp_path / "plain", capsys, SandboxOptions())
    run, got = inventory_catalog(tmp_path, capsys, SandboxOptions(keystone_list_limit=2))
    assert run.code == 0, run.stderr
    for name in CATALOG:
        result = got["doc"]["collections"][name]
        assert result["status"] == "ok", (name, result.get("error"))
        want = baseline["doc"]["collections"][name]["items"]
        assert len(want) > 2, name
        assert result["items"] == want, name
    # The next link was never followed (it has a marker), and two requests each sufficed;
    # one for regions, which Keystone does not cut at list_limit (its hints go positionally).
    assert not [r for r in got["requests"] if "marker=" in r.query]
    per_path = {p: sum(1 for r in got["requests"] if r.path.endswith(p)) for p in CATALOG}
    assert per_path == {"endpoints": 2, "services": 2, "regions": 1}


def test_list_limit_on_an_older_keystone_endpoints_come_whole_by_interface(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before 2025.1 a request's limit is ignored: list_limit=5 cuts the 15 endpoints,
    # but each interface has 5, which the three filtered requests get whole.
    options = SandboxOptions(keystone_paging=False, keystone_list_limit=5)
    run, got = inventory_catalog(tmp_path, capsys, options)
    assert run.code == 0, run.stderr
    endpoints = got["doc"]["collections"]["endpoints"]
    assert endpoints["status"] == "ok", endpoints.get("error")
    want = [dict(i) for i in got["snapshot"].collections["endpoints"].items]
    assert len(want) == 15
    assert endpoints["items"] == want
    interfaces = sorted(
        dict(parse_qsl(r.query)).get("interface", "-")
        for r in got["requests"]
        if r.path.endswith("/endpoints")
    )
    assert interfaces == ["-", "-", "admin", "internal", "public"]


def test_list_limit_that_cannot_be_worked_around_is_incomplete_never_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # list_limit=2 and max_db_limit=2: nothing gets more than 2 items at once.
    options = SandboxOptions(keystone_list_limit=2, max_limit=2)
    _, baseline = inventory_catalog(tmp_path / "plain", capsys, SandboxOptions())
    run, got = inventory_catalog(tmp_path, capsys, options)
    assert run.code == 3, run.stderr
    collections = got["doc"]["collections"]
    for name in CATALOG:
        result = collections[name]
        everything = baseline["doc"]["collections"][name]["items"]
        assert len(everything) > 2, name
        if name == "regions":
            # Not cut at list_limit: Keystone's region listing never applies it.
            assert result["status"] == "ok", name
            assert result["items"] == everything, name
            continue
        assert result["status"] == "incomplete", name
        # Found items, by id (an endpoint whose service was cut has no service type).
        assert {i["id"] for i in result["items"]} <= {i["id"] for i in everything}, name
        assert "Keystone's list_limit cut identity" in result["error"], name
        assert "cannot be paged" in result["error"], name
        assert result["items"], name
    assert collections["endpoints"]["status"] == "incomplete"
    assert not [r for r in got["requests"] if "marker=" in r.query]


# -- Neutron: the default security group, fields=, previous links ----------------------


def test_the_default_group_a_listing_creates_is_no_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Neither snapshot has the admin project's default group: listing security
    # groups creates it on each side (Neutron's _ensure_default_security_group),
    # and the audit must not report it.
    full = source_snapshot()
    assert "security_groups" not in full.collections
    with serving(tmp_path, full, dataclasses.replace(full, cloud=TARGET)) as sandbox:
        admins = {c: sandbox.site(c).credentials.project_id for c in (SOURCE, TARGET)}
        # With the count cross-check: the sandbox derives the other groups from the
        # servers (the snapshot has none) and its Neutron counts them, as it counts
        # the default group the listing creates.
        got = audit(tmp_path, capsys, "--collections", "projects,security_groups")

    for side, cloud in (("source", SOURCE), ("target", TARGET)):
        groups = getattr(got, side)["collections"]["security_groups"]["items"]
        created = [g for g in groups if g["project_id"] == admins[cloud]]
        assert [g["name"] for g in created] == ["default"], side
    assert got.findings(collection="security_groups") == []
    assert (got.run.code, got.report["verdict"]) == (0, "verified")


def test_the_sandbox_pages_ports_as_neutron_does(tmp_path: Path) -> None:
    options = SandboxOptions(max_limit=2)
    with serving(tmp_path, source_snapshot(), options=options) as sandbox:
        headers = {"X-Auth-Token": token_of(sandbox, SOURCE)}
        base = f"{sandbox.site(SOURCE).url}/network/v2.0/ports"
        asked = requests.get(
            f"{base}?fields=id&fields=device_id&limit=5", headers=headers, timeout=10
        ).json()
        unasked = requests.get(base, headers=headers, timeout=10).json()
    # fields= keeps exactly the fields asked for (repeated, as Neutron wants them).
    assert asked["ports"] and all(set(p) == {"id", "device_id"} for p in asked["ports"])
    # pagination_max_limit caps the limit, and pages even a request without one.
    assert len(asked["ports"]) == len(unasked["ports"]) == 2
    links = {link["rel"]: link["href"] for link in asked["ports_links"]}
    assert set(links) == {"next", "previous"}  # previous even on the first page
    following = parse_qsl(links["next"].partition("?")[2])
    assert ("fields", "id") in following and ("fields", "device_id") in following
    assert dict(following)["marker"] == asked["ports"][-1]["id"]
    assert dict(following)["limit"] == "5"  # the request's own limit, as Neutron links it
    before = dict(parse_qsl(links["previous"].partition("?")[2]))
    assert (before["marker"], before["page_reverse"]) == (asked["ports"][0]["id"], "True")
