"""Clouds that change during the audit, end to end: ``auditor audit`` against two sandbox
clouds whose data is deleted, created and renamed between pages and after a listing.

The sandbox changes its data through its test hook (:class:`auditor.sandbox.flux.Mutations`,
run by a :meth:`~auditor.sandbox.faults.FaultRules.before` rule on a request) and answers
Nova's ``changes-since``, Cinder's and Glance's ``updated_at=gte:`` and Neutron's
``changed_since`` as the services do; the audit asks them after its listings and reads
the rest again by id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.model import CollectionResult, Snapshot, Status
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.schemas import load_schema
from tests.builders import network, project, server, volume
from tests.harness import run_auditor

JSON = dict[str, Any]

ACME = project("p-acme", "acme", domain="Default")
COLLECTIONS = "projects,servers,volumes,networks"


def world(
    servers: dict[str, str], volumes: dict[str, str], networks: dict[str, str]
) -> dict[str, list[JSON]]:
    return {
        "projects": [ACME],
        "servers": [server(i, n, ACME) for i, n in servers.items()],
        "volumes": [volume(i, n, ACME) for i, n in volumes.items()],
        "networks": [network(i, n, ACME) for i, n in networks.items()],
    }


def cloud(name: str, items: dict[str, list[JSON]]) -> Snapshot:
    collections = {k: CollectionResult(Status.OK, tuple(v)) for k, v in items.items()}
    return Snapshot(name, None, None, "2026-12-05T00:00:00Z", 1.0, collections)


SERVERS = {f"s-{i}": f"web{i}" for i in range(9)}
VOLUMES = {f"v-{i}": f"data{i}" for i in range(4)}
NETWORKS = {f"n-{i}": f"net{i}" for i in range(4)}


RULES = "version: 1\nmatch:\n  order: [name]\n"
"""Items matched by name: a rename is a missing item and an unexpected one."""


def audit(sandbox: Sandbox, tmp_path: Path, *extra: str) -> tuple[int, JSON]:
    save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
    (tmp_path / "rules.yaml").write_text(RULES)
    code, out = run_auditor(
        "--os-client-config-file", str(tmp_path / "clouds.yaml"), "audit",
        "--source", "cw", "--target", "ocb", "-f", "json", "--collections", COLLECTIONS,
        "--rules", str(tmp_path / "rules.yaml"),
        "--save-inventories", str(tmp_path / "inventories"), *extra,
    )  # fmt: skip
    doc: JSON = json.loads(out)
    jsonschema.validate(doc, load_schema("report"))
    return code, doc


def hook(sandbox: Sandbox, path: str, action: Callable[[], object]) -> None:
    """Run ``action`` once, before answering the first request whose target matches."""
    sandbox.faults.before(path, action)


def in_flux(doc: JSON) -> set[tuple[str, str, str, str]]:
    """(item id, what it would have been, which side changed, how) of the findings, each
    of which must be in_flux."""
    out = set()
    for f in doc["findings"]:
        assert f["kind"] == "in_flux", f
        ref = f.get("source") or f.get("target")
        out.add((ref["id"], f["flux"]["was"], f["flux"]["side"], f["flux"]["event"]))
    return out


@pytest.mark.parametrize(
    "validation", [True, False], ids=["neutron-rereads", "neutron-changed-since"]
)
def test_changes_between_pages_and_after_listings_are_only_in_flux(
    tmp_path: Path, validation: bool
) -> None:
    """Neutron's filter validation (its default) refuses changed_since: the renamed
    network is then read again; without it, changed_since answers it."""
    # The target as the migration left it: s-3 and v-2 were being deleted in the source
    # (the migration skipped them), s-4 was being renamed in the source (synced).
    target_servers = {k: v for k, v in SERVERS.items() if k != "s-3"} | {"s-4": "web4-new"}
    source = cloud("cw", world(SERVERS, VOLUMES, NETWORKS))
    target = cloud(
        "ocb", world(target_servers, {k: v for k, v in VOLUMES.items() if k != "v-2"}, NETWORKS)
    )
    options = SandboxOptions(max_limit=2, neutron_filter_validation=validation)
    with Sandbox([source, target], options=options) as sandbox:
        cw, ocb = sandbox.site("cw").mutations, sandbox.site("ocb").mutations
        listing = r"/servers/detail\?(?!.*changes-since).*marker="
        # Between two pages: s-8 deleted in the source before its page was read (the
        # target still has it); s-9 created in the target before its page; n-2 renamed
        # in the target before its page.
        hook(sandbox, r"^/cw/compute/v2\.1" + listing, lambda: cw.delete("servers", "s-8"))
        hook(
            sandbox,
            r"^/ocb/compute/v2\.1" + listing,
            lambda: ocb.create("servers", server("s-9", "web9", ACME)),
        )
        hook(
            sandbox,
            r"^/ocb/network/v2\.0/networks\?(?!.*changed_since).*marker=",
            lambda: ocb.rename("networks", "n-2", "net2-new"),
        )

        # After the listings (when the changes are asked): s-3 and v-2 deleted in the
        # source, s-4 renamed in the source.
        def after_servers() -> None:
            cw.delete("servers", "s-3")
            cw.rename("servers", "s-4", "web4-new")

        hook(sandbox, r"^/cw/compute/v2\.1/servers/detail\?.*changes-since=", after_servers)
        hook(
            sandbox,
            r"^/cw/volume/.*/volumes/detail\?.*updated_at=",
            lambda: cw.delete("volumes", "v-2"),
        )
        code, doc = audit(sandbox, tmp_path, "--evidence", str(tmp_path / "evidence"))
        assert sandbox.errors == []
        asked = [f"{r.path}?{r.query}" for r in sandbox.requests]
    # The default count cross-check reads each cloud's counters beside its listings: read
    # before a change, they disagree with the listing, and the same changes explain that
    # (the latest of the project's); read after it, they agree. Either is right.
    counts = {
        ("p-acme", "count_mismatch", "source", "deleted"),
        ("p-acme", "count_mismatch", "target", "created"),
    }
    assert in_flux(doc) - counts == {
        ("s-8", "unexpected", "source", "deleted"),
        ("s-9", "unexpected", "target", "created"),
        ("s-3", "missing", "source", "deleted"),
        # Renamed: the old name missing, the new one unexpected, both explained.
        ("s-4", "missing", "source", "updated"),
        ("s-4", "unexpected", "source", "updated"),
        ("v-2", "missing", "source", "deleted"),
        ("n-2", "missing", "target", "updated"),
        ("n-2", "unexpected", "target", "updated"),
    }, doc["findings"]
    assert code == 0 and doc["verdict"] == "verified"
    assert all(f["severity"] == "info" for f in doc["findings"])
    assert doc["summary"]["servers"]["missing"] == 0
    assert doc["summary"]["servers"]["in_flux"] == 5
    # The project's scorecard row counts them as the summary does: in flux, not missing.
    (row,) = doc["scorecard"]
    explained = [f for f in doc["findings"] if f["kind"] == "in_flux"]
    assert (row["missing"], row["changed"], row["unexpected"]) == (0, 0, 0), row
    assert row["in_flux"] == len([f for f in explained if f["flux"]["was"] != "count_mismatch"])
    assert row["fully_matched"] is True
    # The report shows each cloud's window; each change happened inside its cloud's.
    for side in ("source", "target"):
        window = doc[side]["window"]
        assert window["started"] <= window["ended"]
    for f in doc["findings"]:
        window = f["flux"]["window"]
        assert window["started"] <= f["flux"]["at"] <= window["ended"], f
        assert "inside its audit window" in f["message"]
    # Nova answered the deleted servers; Cinder's deletion was found by a GET of v-2.
    assert any("changes-since=" in a and "all_tenants=True" in a for a in asked)
    assert any(a.startswith("/cw/volume/") and a.endswith("/volumes/v-2?") for a in asked)
    assert doc["source"]["rereads"] >= 1
    networks = json.loads((tmp_path / "inventories" / "target.json").read_text())["collections"][
        "networks"
    ]["changes"]
    assert networks["method"] == ("reread" if validation else "changed_since")
    assert any("changed_since=" in a for a in asked) is not validation
    # The snapshots record when each listing ran, and what the clouds said changed.
    saved = json.loads((tmp_path / "inventories" / "source.json").read_text())
    jsonschema.validate(saved, load_schema("inventory"))
    servers = saved["collections"]["servers"]
    assert servers["listed"]["started"] <= servers["listed"]["ended"]
    assert servers["changes"]["method"] == "changes-since"
    assert {c["id"]: c["event"] for c in servers["changes"]["items"]} == {
        "s-3": "deleted",
        "s-4": "updated",
        "s-8": "deleted",
    }
    # diff of the saved snapshots explains the same differences, offline.
    code, out = run_auditor(
        "diff",
        str(tmp_path / "inventories" / "source.json"),
        str(tmp_path / "inventories" / "target.json"),
        "--rules",
        str(tmp_path / "rules.yaml"),
        "-f",
        "json",
    )
    assert code == 0
    assert in_flux(json.loads(out)) == in_flux(doc)
    # And the evidence bundle reproduces them: the changes are in its snapshots.
    code, out = run_auditor("verify-evidence", str(tmp_path / "evidence"))
    assert code == 0, out


def test_a_loss_outside_the_window_is_still_missing(tmp_path: Path) -> None:
    # s-5 and v-1 were never migrated; s-6 was renamed in the source last week (before
    # the audit) and its copy lost: no change inside the window explains them.
    source = cloud("cw", world(SERVERS, VOLUMES, NETWORKS))
    lost = {"s-5", "s-6"}
    target = cloud(
        "ocb",
        world(
            {k: v for k, v in SERVERS.items() if k not in lost},
            {k: v for k, v in VOLUMES.items() if k != "v-1"},
            NETWORKS,
        ),
    )
    last_week = datetime.now(timezone.utc) - timedelta(days=7)
    with Sandbox([source, target], options=SandboxOptions(max_limit=2)) as sandbox:
        sandbox.site("cw").mutations.rename("servers", "s-6", "web6", at=last_week)
        code, doc = audit(sandbox, tmp_path)
        rereads = [r for r in sandbox.requests if r.path.endswith("/volumes/v-1")]
    missing = {f["source"]["id"] for f in doc["findings"] if f["kind"] == "missing"}
    assert missing == {"s-5", "s-6", "v-1"}, doc["findings"]
    assert not [f for f in doc["findings"] if f["kind"] == "in_flux"]
    assert code == 1 and doc["verdict"] == "discrepancies"
    # Cinder cannot say what was deleted: v-1 was read again, and is still there.
    assert [r.status for r in rereads] == [200]


def test_the_reread_bound_is_kept_and_said(tmp_path: Path) -> None:
    source = cloud("cw", world(SERVERS, VOLUMES, NETWORKS))
    target = cloud("ocb", world(SERVERS, {"v-0": "data0"}, NETWORKS))
    with Sandbox([source, target]) as sandbox:
        code, doc = audit(sandbox, tmp_path, "--max-rereads", "1")
        rereads = [r for r in sandbox.requests if "/volumes/v-" in r.path]
    assert code == 1
    assert len(rereads) == 1
    assert doc["source"]["reread_bound"] == 1 and doc["source"]["rereads"] == 1
    missing = {f["source"]["id"] for f in doc["findings"] if f["kind"] == "missing"}
    assert missing == {"v-1", "v-2", "v-3"}


def test_a_negative_reread_bound_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = cloud("cw", world(SERVERS, VOLUMES, NETWORKS))
    with Sandbox([source]) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        code, _out = run_auditor(
            "--os-client-config-file", str(tmp_path / "clouds.yaml"), "audit",
            "--source", "cw", "--target", "cw", "--max-rereads", "-1",
        )  # fmt: skip
        assert sandbox.requests == []
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "auditor: error: --max-rereads: must be 0 or more"
    ]


def test_without_a_filter_differing_items_are_read_again(tmp_path: Path) -> None:
    """Neutron without standard-attr-timestamp: n-1, deleted in the source after the
    listings, is found gone by a GET of it."""
    source = cloud("cw", world(SERVERS, VOLUMES, NETWORKS))
    target = cloud(
        "ocb", world(SERVERS, VOLUMES, {k: v for k, v in NETWORKS.items() if k != "n-1"})
    )
    options = SandboxOptions(neutron_timestamps=False)
    with Sandbox([source, target], options=options) as sandbox:
        cw = sandbox.site("cw").mutations
        # Asking which extensions Neutron offers comes after the listings.
        hook(sandbox, r"^/cw/network/v2\.0/extensions", lambda: cw.delete("networks", "n-1"))
        code, doc = audit(sandbox, tmp_path)
        gets = [r.status for r in sandbox.requests if r.path == "/cw/network/v2.0/networks/n-1"]
    assert in_flux(doc) == {("n-1", "missing", "source", "deleted")}
    assert code == 0 and gets == [404]
    saved = json.loads((tmp_path / "inventories" / "source.json").read_text())
    changes = saved["collections"]["networks"]["changes"]
    assert changes["method"] == "reread" and changes["rereads"] == 1
    assert changes["error"] == (
        "the standard-attr-timestamp extension is not offered; differing items are re-read"
    )
