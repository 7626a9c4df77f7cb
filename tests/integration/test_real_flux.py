"""The change filters the audit sends, against real Nova, Cinder, Glance and Neutron.

After its listings the auditor asks each cloud what changed since each listing
started (:mod:`auditor.collect.flux`). Here the real services must accept every
filter as sent and answer as the auditor assumes: nothing for an inventory
nobody changed; every item for a time long past (the filter honoured, the
timestamps readable); and, from Nova, a server booted and deleted after the
listing started, as ``DELETED``. Cinder below microversion 3.60 drops the filter
without a word, which is why it is never sent there.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from realcloud import HERE, RealCloud, services_venv
from seedplan import DEFAULT_AZ, HOSTS

from auditor.app.files import read_clouds_config
from auditor.collect.flux import ask_changes
from auditor.connect import CloudTarget, connect
from auditor.model import Snapshot
from auditor.model.flux import Event, ListingWindow

pytestmark = pytest.mark.integration

METHODS = {
    "servers": "changes-since",
    "volumes": "updated_at",
    "images": "updated_at",
}
"""The collections whose filter the real services honour (Neutron's, below, refused)."""
NEUTRON = ("networks", "subnets", "ports", "routers", "security_groups", "floating_ips")
REFUSED = "the filter-validation extension refuses changed_since; differing items are re-read"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def inventory(real_cloud: RealCloud, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    output = tmp_path_factory.mktemp("flux") / "snapshot.json"
    proc = real_cloud.auditor(
        "inventory", "--cloud", real_cloud.cloud, "--collections", ",".join((*METHODS, *NEUTRON)),
        "--output", str(output),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return Snapshot.loads(output.read_text(), str(output))


def asked_since(real_cloud: RealCloud, snapshot: Snapshot, since: str) -> Snapshot:
    """The changes the real cloud answers for ``snapshot`` as if its listings had started
    at ``since`` (through the auditor's own code and connection)."""
    started = {
        name: dataclasses.replace(result, listed=ListingWindow(since, since), changes=None)
        for name, result in snapshot.collections.items()
    }
    target = CloudTarget(real_cloud.cloud)
    conn = connect(target, config=read_clouds_config(str(real_cloud.clouds_yaml)))
    return ask_changes(conn, target, dataclasses.replace(snapshot, collections=started))


def test_every_filter_is_sent_accepted_and_finds_nothing_changed(inventory: Snapshot) -> None:
    for name, method in METHODS.items():
        result = inventory.collections[name]
        assert result.listed is not None and result.listed.started <= result.listed.ended
        assert result.changes is not None, name
        assert (result.changes.method, result.changes.error) == (method, None), name
        assert result.changes.items == (), name
        assert result.changes.since == result.listed.started
    # Neutron offers the timestamps but, with its default filter validation, refuses
    # their filter: not sent, its differing items are read again instead.
    for name in NEUTRON:
        changes = inventory.collections[name].changes
        assert changes is not None and (changes.method, changes.error) == (None, REFUSED), name


def test_neutron_refuses_changed_since_as_assumed(real_cloud: RealCloud) -> None:
    target = CloudTarget(real_cloud.cloud)
    conn = connect(target, config=read_clouds_config(str(real_cloud.clouds_yaml)))
    aliases = {e["alias"] for e in conn.network.get("/extensions").json()["extensions"]}
    assert {"standard-attr-timestamp", "filter-validation"} <= aliases
    since = stamp(datetime.now(timezone.utc))
    answer = conn.network.get("/networks", params={"changed_since": since})
    assert answer.status_code == 400
    assert "['changed_since'] is invalid attribute for filtering" in answer.text
    # The timestamps are there, for the items read again.
    networks = conn.network.get("/networks").json()["networks"]
    assert networks and all(n["created_at"] and n["updated_at"] for n in networks)


def test_a_time_long_past_finds_every_item(real_cloud: RealCloud, inventory: Snapshot) -> None:
    changed = asked_since(real_cloud, inventory, "2000-01-01T00:00:00Z")
    # Nova compares updated_at alone: the seeded servers, rows never updated since
    # they were written, are listed by no changes-since (a real boot updates them).
    servers = changed.collections["servers"].changes
    assert servers is not None and (servers.error, servers.items) == (None, ())
    # Cinder likewise: the volumes it lists have an updated_at; Glance: every image.
    for name, every in (("volumes", False), ("images", True)):
        listed = {str(i["id"]) for i in inventory.collections[name].items}
        changes = changed.collections[name].changes
        assert changes is not None and changes.error is None, name
        found = {c.id for c in changes.items}
        assert found and found <= listed, name
        assert found == listed or not every, name
        # Created after 2000, each with a timestamp the auditor reads.
        assert {c.event for c in changes.items} == {Event.CREATED}, name
        assert all(c.at > "2000-01-01T00:00:00Z" for c in changes.items), name


def test_nova_lists_a_server_deleted_after_the_listing_started(
    real_cloud: RealCloud, inventory: Snapshot, tmp_path: Path
) -> None:
    since = stamp(datetime.now(timezone.utc) - timedelta(seconds=1))
    host = next(iter(HOSTS))
    plan = {
        "config_file": str(real_cloud.workdir / "nova.conf"),
        "project_id": next(iter(real_cloud.project_ids.values())),
        "user_id": next(iter(real_cloud.user_ids.values())),
        "name": "flux-gone",
        "flavor": "m1.small",
        "host": host,
        "availability_zone": HOSTS[host] or DEFAULT_AZ,
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    venv = services_venv()
    proc = subprocess.run(
        [str(venv / "bin" / "python"), str(HERE / "flux_nova.py"),
         str(tmp_path / "plan.json"), str(tmp_path / "result.json")],
        env={"OS_NOVA_DISABLE_EVENTLET_PATCHING": "1", "PYTHONWARNINGS": "ignore",
             "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    gone = json.loads((tmp_path / "result.json").read_text())["id"]
    changes = asked_since(real_cloud, inventory, since).collections["servers"].changes
    assert changes is not None and changes.error is None
    found: dict[str, Any] = {c.id: c for c in changes.items}
    assert found[gone].event is Event.DELETED
    assert found[gone].name == "flux-gone" and found[gone].at >= since
    # Nothing else changed; and the deleted server is in no plain listing.
    assert set(found) == {gone}
    assert gone not in {str(s["id"]) for s in inventory.collections["servers"].items}


def test_cinder_honours_the_filter_from_3_31_and_drops_it_below(real_cloud: RealCloud) -> None:
    """The API reference gives 3.60, the auditor's bound; Cinder 2025.1 honours it from
    3.31, and below answers every volume as if it had not been sent."""
    target = CloudTarget(real_cloud.cloud)
    conn = connect(target, config=read_clouds_config(str(real_cloud.clouds_yaml)))
    future = stamp(datetime.now(timezone.utc) + timedelta(days=365))

    def first_page(microversion: str, **filters: str) -> list[Any]:
        answer = conn.block_storage.get(
            "/volumes/detail",
            params={"all_tenants": "True", **filters},
            microversion=microversion,
            raise_exc=True,
        )
        items: list[Any] = answer.json()["volumes"]
        return items

    for mv in ("3.60", "3.31"):
        assert first_page(mv, updated_at=f"gte:{future}") == [], mv
    assert first_page("3.30")
    assert first_page("3.30", updated_at=f"gte:{future}") == first_page("3.30")
