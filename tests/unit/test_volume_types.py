"""Cinder volume types: declared in the catalog, served by the sandbox as Cinder answers
them (is_public, QoS specs, encryption, access), inventoried back, and diffed."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

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
from auditor.sandbox.options import SandboxOptions

JSON = dict[str, Any]


def _with(snapshot: Snapshot, name: str, items: list[JSON]) -> Snapshot:
    result = replace(snapshot.collections[name], items=tuple(items))
    return replace(snapshot, collections={**snapshot.collections, name: result})


def _findings(target: Snapshot, collection: str) -> list[Any]:
    demo = build_demo()
    report = evaluate([demo.source], target, parse_rules(demo.rules)).report
    return [f for f in report.findings if f.collection == collection]


@pytest.mark.parametrize("max_limit", [1000, 1])
def test_volume_types_are_inventoried_back_with_qos_encryption_and_access(
    max_limit: int, tmp_path: Path
) -> None:
    demo = build_demo()
    served = demo.source.collections["volume_types"].items
    assert any(t["encryption"] for t in served) and any(t["access_ids"] for t in served)
    with Sandbox([demo.source], options=SandboxOptions(max_limit=max_limit)) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        target = CloudTarget("cloudwatt")
        conn = connect(target, config=read_clouds_config(str(clouds)))
        got = take_inventory(
            conn, target, collections=("volume_types",), policy=RetryPolicy(attempts=1)
        ).collections["volume_types"]
        paths = [r.path for r in sandbox.requests]
        pages = [r.query for r in sandbox.requests if r.path.endswith("/types")]
    assert got.status.value == "ok", got.error
    assert list(got.items) == list(served)
    # Cinder pages types at its max limit, the next link under volume_type_links
    # (singular), on every full page: one more request than full pages.
    assert len(pages) == (1 if max_limit >= len(served) else len(served) + 1)
    assert all("is_public=None" in q for q in pages)
    # One encryption request per type, one access request per private type.
    assert sum(p.endswith("/encryption") for p in paths) == len(served)
    private = [t for t in served if not t["is_public"]]
    assert sum(p.endswith("/os-volume-type-access") for p in paths) == len(private)


def _get(url: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"X-Auth-Token": token})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_sandbox_lists_private_types_only_for_is_public_none(tmp_path: Path) -> None:
    demo = build_demo()
    with Sandbox([demo.source]) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        conn = connect(CloudTarget("cloudwatt"), config=read_clouds_config(str(clouds)))
        token = str(conn.session.get_token())
        base = conn.block_storage.get_endpoint()
        names = {}
        for query in ("", "?is_public=None", "?is_public=false"):
            status, body = _get(f"{base}/types{query}", token)
            assert status == 200
            names[query] = sorted(t["name"] for t in body["volume_types"])
        bad, error = _get(f"{base}/types?is_public=maybe", token)
        luks = next(t for t in demo.source.collections["volume_types"].items if t["encryption"])
        public = next(t for t in demo.source.collections["volume_types"].items if t["is_public"])
        _, encryption = _get(f"{base}/types/{luks['id']}/encryption", token)
        _, none = _get(f"{base}/types/{public['id']}/encryption", token)
        gone, _ = _get(f"{base}/types/{public['id']}/os-volume-type-access", token)
    assert names == {
        "": ["ceph-hdd", "ceph-ssd"],
        "?is_public=None": ["ceph-hdd", "ceph-ssd", "ceph-ssd-luks"],
        "?is_public=false": ["ceph-ssd-luks"],
    }
    assert bad == 400 and "Invalid is_public filter [maybe]" in json.dumps(error)
    assert encryption["provider"] == "luks" and encryption["volume_type_id"] == luks["id"]
    assert none == {}
    assert gone == 404


def test_the_demo_finds_the_lost_encryption_and_nothing_else() -> None:
    demo = build_demo()
    (lost,) = _findings(demo.target, "volume_types")
    assert lost.severity.value == "error"
    assert [c.field for c in lost.changes] == ["encryption"]
    assert "lost its encryption (was luks aes-xts-plain64 256 front-end)" in lost.message


def _type_change(**changes: Any) -> list[Any]:
    demo = build_demo()
    types = [dict(t) for t in demo.target.collections["volume_types"].items]
    for item in types:
        if item["name"] in changes:
            item.update(changes[item["name"]])
    return _findings(_with(demo.target, "volume_types", types), "volume_types")


def test_lower_qos_lost_access_and_changed_specs() -> None:
    found = _type_change(
        **{
            "ceph-ssd": {
                "qos": {"name": "q", "consumer": "front-end", "specs": {"total_iops_sec": "500"}},
                "extra_specs": {"volume_backend_name": "other"},
            },
            "ceph-ssd-luks": {"access": [], "access_ids": []},
        }
    )
    changes = sorted((c.field, c.severity.value) for f in found for c in f.changes)
    assert changes == [
        ("access", "error"),
        ("encryption", "error"),  # the demo's own defect
        ("extra_specs", "warning"),
        ("qos", "error"),
    ]
    qos = next(c for f in found for c in f.changes if c.field == "qos")
    assert qos.message == "QoS limits are lower (total_iops_sec 5000 -> 500)"


@pytest.mark.parametrize(
    ("was", "now", "fields"),
    [
        ("ceph-ssd", "ceph-hdd", [("volume_type", "warning")]),
        (
            "ceph-ssd-luks",
            "ceph-hdd",
            [("volume_type", "warning"), ("volume_type.encryption", "error")],
        ),
        ("ceph-ssd", "ceph-ssd-luks", [("volume_type", "warning"), ("volume_type.qos", "error")]),
    ],
)
def test_a_volume_moved_to_a_type_without_encryption_or_with_lower_qos_is_an_error(
    was: str, now: str, fields: list[tuple[str, str]]
) -> None:
    demo = build_demo()
    source_volumes = [dict(v) for v in demo.source.collections["volumes"].items]
    moved = source_volumes[0]
    moved["volume_type"] = was
    target_volumes = [dict(v) for v in demo.target.collections["volumes"].items]
    counterpart = next(
        v for v in target_volumes if v["metadata"].get("migrated_from_id") == moved["id"]
    )
    counterpart["volume_type"] = now
    source = _with(demo.source, "volumes", source_volumes)
    target = _with(demo.target, "volumes", target_volumes)
    # The target's ceph-ssd-luks is encrypted here: only the move is under test.
    types = [
        dict(t, encryption=s["encryption"])
        for t, s in zip(
            demo.target.collections["volume_types"].items,
            demo.source.collections["volume_types"].items,
            strict=True,
        )
    ]
    target = _with(target, "volume_types", types)
    report = evaluate([source], target, parse_rules(demo.rules)).report
    (finding,) = [
        f
        for f in report.findings
        if f.collection == "volumes" and f.source is not None and f.source.id == moved["id"]
    ]
    got = [
        (c.field, c.severity.value) for c in finding.changes if c.field.startswith("volume_type")
    ]
    assert got == fields
