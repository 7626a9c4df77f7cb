"""Glance image members and image properties: declared in the catalog, served by the
sandbox as Glance answers them, inventoried back, and diffed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.audit import CloudTarget, RetryPolicy
from auditor.collect import take_inventory
from auditor.connect import connect
from auditor.demo import build_demo
from auditor.diff.outcome import evaluate
from auditor.model import Snapshot
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox

JSON = dict[str, Any]


def _with(snapshot: Snapshot, name: str, items: list[JSON]) -> Snapshot:
    result = replace(snapshot.collections[name], items=tuple(items))
    return replace(snapshot, collections={**snapshot.collections, name: result})


def _findings(source: Snapshot, target: Snapshot, collection: str) -> list[Any]:
    report = evaluate([source], target, parse_rules(build_demo().rules)).report
    return [f for f in report.findings if f.collection == collection]


def test_members_and_properties_are_inventoried_back(tmp_path: Path) -> None:
    demo = build_demo()
    members = demo.source.collections["image_members"].items
    images = demo.source.collections["images"].items
    assert members and any(i["properties"] for i in images)
    with Sandbox([demo.source]) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        target = CloudTarget("cloudwatt")
        conn = connect(target, config=read_clouds_config(str(clouds)))
        got = take_inventory(
            conn, target, collections=("images", "image_members"), policy=RetryPolicy(attempts=1)
        ).collections
        asked = [r.path for r in sandbox.requests if r.path.endswith("/members")]
    assert got["image_members"].status.value == "ok", got["image_members"].error
    assert list(got["image_members"].items) == list(members)
    assert list(got["images"].items) == list(images)
    # One members request per shared image, none for the others (Glance refuses them).
    shared = [i for i in images if i["visibility"] == "shared"]
    assert sorted(asked) == sorted(f"/cloudwatt/image/v2/images/{i['id']}/members" for i in shared)


def test_a_lost_member_is_missing_and_another_status_an_error() -> None:
    demo = build_demo()
    (lost,) = _findings(demo.source, demo.target, "image_members")
    assert (lost.kind.value, lost.severity.value) == ("missing", "error")
    members = [dict(m) for m in demo.target.collections["image_members"].items]
    members[0]["status"] = "pending"
    (changed, lost) = sorted(
        _findings(demo.source, _with(demo.target, "image_members", members), "image_members"),
        key=lambda f: f.kind.value,
    )
    assert (changed.kind.value, lost.kind.value) == ("changed", "missing")
    assert [(c.field, c.severity.value) for c in changed.changes] == [("status", "error")]
    assert "membership status changed from accepted to pending" in changed.message


def test_image_properties_by_severity() -> None:
    demo = build_demo()
    images = [dict(i) for i in demo.target.collections["images"].items]
    base = next(i for i in images if i["name"] == "ocb-acme-base")
    base["properties"] = {
        "hw_firmware_type": "uefi",  # the demo's defect undone
        "hw_disk_bus": "virtio",  # boot-critical, changed
        "os_distro": "ubuntu",  # changed
        "hw_rng_model": "virtio",  # gained
    }  # hw_scsi_model and os_type lost
    (found,) = [
        f
        for f in _findings(demo.source, _with(demo.target, "images", images), "images")
        if f.target is not None and f.target.name == "ocb-acme-base"
    ]
    assert [(c.field, c.severity.value) for c in found.changes] == [
        ("properties.hw_disk_bus", "error"),
        ("properties.hw_rng_model", "info"),
        ("properties.hw_scsi_model", "error"),
        ("properties.os_distro", "warning"),
        ("properties.os_type", "warning"),
    ]
