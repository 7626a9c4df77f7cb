"""The sandbox's property: inventorying a served snapshot over HTTP gives the snapshot back.

The real inventory runs (the CLI, openstacksdk, keystoneauth) against the
sandbox on 127.0.0.1, at several service configurations: current
microversions, compute before 2.47 (flavors resolved through one flavor
listing) with block storage 3.0 and pages of 7 items, compute 2.68 (no
down-cell records).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config, read_snapshot
from auditor.cli import main
from auditor.collect import take_inventory
from auditor.collect.pager import RetryPolicy
from auditor.connect import CloudTarget, connect
from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Sandbox, SandboxOptions
from tests.synthetic import down_cell_inventory

VOLATILE = ("taken_at", "duration_s", "auth_url", "tool_version", "microversions")

VARIANTS = {
    "current": SandboxOptions(),
    "flavor-lookup-paged": SandboxOptions(
        max_limit=7, compute_max_version="2.40", volume_max_version="3.0"
    ),
    "before-down-cells": SandboxOptions(compute_max_version="2.68", max_limit=50),
}


def stable(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot document without what changes from one inventory to the next."""
    doc = snapshot.to_json()
    for key in VOLATILE:
        doc.pop(key)
    for collection in doc["collections"].values():
        # When it was listed, and what changed meanwhile (nothing in these tests).
        collection.pop("listed", None)
        assert not collection.pop("changes", {}).get("items")
    return doc


def expected(snapshot: Snapshot, options: SandboxOptions) -> dict[str, Any]:
    """What an inventory of the served snapshot must say: S, but for the servers of its
    down cell (partial records), which Nova leaves out or answers as partial records
    in the room the first page leaves, making the servers incomplete from 2.69."""
    doc = stable(snapshot)
    status, items, error = down_cell_inventory(
        snapshot.collections["servers"].items, options.max_limit, options.compute_max_version
    )
    servers = CollectionResult(status, items, error).to_json()
    doc["collections"]["servers"] = servers
    return doc


def exit_code(snapshot: Snapshot, options: SandboxOptions) -> int:
    """0, or 3 when the served down cell makes the servers incomplete."""
    complete = expected(snapshot, options)["collections"]["servers"]["status"] == "ok"
    return 0 if complete else 3


def inventory(
    sandbox: Sandbox, cloud: str, tmp_path: Path, collections: Sequence[str] = ()
) -> tuple[int, Snapshot | None]:
    """``auditor inventory --cloud CLOUD [--collections A,B] -o FILE`` against the sandbox:
    the exit code and the snapshot written (None when none was)."""
    clouds = tmp_path / "clouds.yaml"
    save_clouds_yaml(sandbox, str(clouds))
    out = tmp_path / f"{cloud}.json"
    chosen = ["--collections", ",".join(collections)] if collections else []
    argv = ["--os-client-config-file", str(clouds), "--no-progress", "inventory"]
    code = main([*argv, "--cloud", cloud, *chosen, "-o", str(out)])
    return code, read_snapshot(str(out)) if out.exists() else None


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Equality, failing on the first differing item rather than a 100 kB diff."""
    for name, collection in want["collections"].items():
        items = got["collections"][name]["items"]
        for mine, theirs in zip(items, collection["items"], strict=False):
            assert mine == theirs, name
        assert got["collections"][name] == collection, name
    assert got == want


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_inventory_of_the_sandbox_is_the_snapshot(
    variant: str, snapshot: Snapshot, tmp_path: Path
) -> None:
    options = VARIANTS[variant]
    with Sandbox([snapshot], options=options) as sandbox:
        code, got = inventory(sandbox, "cw", tmp_path)
        log = sandbox.requests
        assert sandbox.errors == []

    assert code == exit_code(snapshot, options)
    assert got is not None
    assert_same(stable(got), expected(snapshot, options))
    assert got.microversions == {
        "compute": options.compute_max_version,
        "block-storage": options.volume_max_version,
    }
    # Read-only: every request a GET, but the one token request.
    assert [(r.method, r.path) for r in log if r.method != "GET"] == [
        ("POST", "/cw/identity/v3/auth/tokens")
    ]
    assert all(r.status is not None and r.status < 400 for r in log)
    flavor_listings = [r for r in log if r.path.endswith("/flavors/detail")]
    assert len(flavor_listings) == (1 if options.compute_max_version == "2.40" else 0)


def test_pages_are_walked_across_every_paged_listing(snapshot: Snapshot, tmp_path: Path) -> None:
    options = VARIANTS["flavor-lookup-paged"]
    with Sandbox([snapshot], options=options) as sandbox:
        code, _got = inventory(sandbox, "cw", tmp_path)
        log = sandbox.requests
    assert code == 0

    def pages(suffix: str) -> int:
        # The listing's walk (the changes asked after it are other requests).
        asked = ("changes-since=", "updated_at=", "changed_since=")
        return sum(
            1 for r in log if r.path.endswith(suffix) and not any(a in r.query for a in asked)
        )

    def expected_pages(items: int) -> int:
        # A next link comes with every full page, so an exact multiple costs one more.
        return math.floor(items / options.max_limit) + 1

    servers = [s for s in snapshot.collections["servers"].items if not s.get("partial")]
    assert pages("/servers/detail") == expected_pages(len(servers))
    assert pages("/volumes/detail") == expected_pages(len(snapshot.collections["volumes"].items))
    assert pages("/v3/projects") == expected_pages(len(snapshot.collections["projects"].items))
    assert pages("/servers/detail") > 3


def test_several_clouds_share_one_port(
    make_snapshot: Callable[..., Snapshot], tmp_path: Path
) -> None:
    source, target = make_snapshot("cloudwatt", "fr1"), make_snapshot("ocb", None)
    with Sandbox([source, target]) as sandbox:
        assert sandbox.auth_url("cloudwatt").startswith(f"{sandbox.url}/cloudwatt/")
        assert sandbox.auth_url("ocb").startswith(f"{sandbox.url}/ocb/")
        profiles = sandbox.clouds_yaml()["clouds"]
        assert set(profiles) == {"cloudwatt", "ocb"}
        assert profiles["cloudwatt"]["region_name"] == "fr1"
        assert "region_name" not in profiles["ocb"]
        assert profiles["cloudwatt"]["auth"]["password"] != profiles["ocb"]["auth"]["password"]
        code_source, got_source = inventory(sandbox, "cloudwatt", tmp_path)
        code_target, got_target = inventory(sandbox, "ocb", tmp_path)
    assert (code_source, code_target) == (
        exit_code(source, SandboxOptions()),
        exit_code(target, SandboxOptions()),
    )
    assert got_source is not None and got_target is not None
    assert stable(got_source) == expected(source, SandboxOptions())
    assert stable(got_target) == expected(target, SandboxOptions())
    assert got_target.region is None


def test_wrong_password_exits_2(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox([snapshot]) as sandbox:
        config = sandbox.clouds_yaml()
        config["clouds"]["cw"]["auth"]["password"] = "not-the-password"
        clouds = tmp_path / "clouds.yaml"
        clouds.write_text(yaml.safe_dump(config), encoding="utf-8")
        code = main(["--os-client-config-file", str(clouds), "inventory", "--cloud", "cw"])
        log = sandbox.requests
    assert code == 2
    assert "credentials rejected" in capsys.readouterr().err
    assert [(r.method, r.status) for r in log if r.method == "POST"] == [("POST", 401)]
    assert not [r for r in log if "/compute/" in r.path or "/volume/" in r.path]


def test_keystone_list_limit_makes_the_inventory_incomplete(
    snapshot: Snapshot, tmp_path: Path
) -> None:
    options = SandboxOptions(keystone_paging=False, keystone_list_limit=5)
    with Sandbox([snapshot], options=options) as sandbox:
        code, got = inventory(sandbox, "cw", tmp_path)
    assert code == 3
    assert got is not None
    projects = got.collections["projects"]
    assert projects.status is Status.INCOMPLETE
    assert len(projects.items) == 5
    # Servers need every project's name: they are incomplete with it.
    assert got.collections["servers"].status is Status.INCOMPLETE


def test_expired_tokens_are_renewed(snapshot: Snapshot, tmp_path: Path) -> None:
    # Concurrent listings (the default 8 workers) race on the same expired token:
    # keystoneauth re-authenticates for one of them; the pager asks again for the others.
    with Sandbox([snapshot]) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        conn = connect(CloudTarget("cw"), config=read_clouds_config(str(clouds)))
        first = take_inventory(conn, CloudTarget("cw"), policy=RetryPolicy(attempts=1))
        sandbox.expire_tokens()
        # A slow token request keeps the other listings' 401s inside the race window.
        sandbox.faults.delay(r"/auth/tokens", 0.3)
        second = take_inventory(conn, CloudTarget("cw"), policy=RetryPolicy(attempts=1))
        log = sandbox.requests
    assert stable(first)["collections"] == expected(snapshot, SandboxOptions())["collections"]
    assert stable(second) == stable(first)
    posts = [r.status for r in log if r.method == "POST"]
    assert len(posts) >= 2 and set(posts) == {201}
    assert any(r.status == 401 for r in log)
