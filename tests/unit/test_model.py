"""The snapshot document: a faithful JSON round trip, and one-line errors for bad files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.app.fileio import write_private
from auditor.app.files import read_snapshot
from auditor.errors import SnapshotError
from auditor.model import Status
from tests.fakecloud import FakeCloud
from tests.harness import Cli, Inventory


def write_json(path: Path, doc: Any) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


@pytest.fixture
def snapshot_doc(inventory: Inventory) -> dict[str, Any]:
    doc: dict[str, Any] = inventory().to_json()
    return doc


def test_a_snapshot_read_back_from_its_file_equals_the_original(
    inventory: Inventory, tmp_path: Path
) -> None:
    snapshot = inventory()
    path = tmp_path / "cw.json"
    write_private(str(path), snapshot.dumps())

    loaded = read_snapshot(str(path))

    # The file keeps the duration to the millisecond; everything else is exact.
    assert loaded == replace(snapshot, duration_s=round(snapshot.duration_s, 3))


def test_an_incomplete_snapshot_keeps_its_statuses_and_reasons(
    cloud: FakeCloud, inventory: Inventory, tmp_path: Path
) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 503)
    snapshot = inventory()
    path = tmp_path / "cw.json"
    write_private(str(path), snapshot.dumps())

    loaded = read_snapshot(str(path))

    assert not loaded.complete
    assert loaded.collections["volumes"].status is Status.ERROR
    assert loaded.collections["volumes"].error == snapshot.collections["volumes"].error
    assert loaded.collections["servers"] == snapshot.collections["servers"]


def test_the_file_inventory_wrote_reads_back_to_the_same_text(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "cw.json"
    assert cli("inventory", "--cloud", "cw", "--output", str(path)).code == 0

    loaded = read_snapshot(str(path))

    assert loaded.dumps() == path.read_text(encoding="utf-8")
    assert loaded.complete


def test_a_truncated_file_is_refused(snapshot_doc: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    text = json.dumps(snapshot_doc, indent=1)
    path.write_text(text[: len(text) // 2], encoding="utf-8")

    with pytest.raises(SnapshotError) as failure:
        read_snapshot(str(path))

    message = str(failure.value)
    assert message.startswith(f"{path}: not valid JSON (line ")
    assert message.endswith("truncated or corrupt snapshot?")


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"servers": []}, "schema is None, expected 'auditor.inventory/v1'"),
        ([1, 2, 3], "not an auditor snapshot (top level is not an object)"),
        (
            {"schema": "auditor.report/v1", "verdict": "verified"},
            "schema is 'auditor.report/v1', expected 'auditor.inventory/v1'",
        ),
    ],
    ids=["other-object", "array", "a-report"],
)
def test_foreign_json_is_refused(tmp_path: Path, doc: Any, expected: str) -> None:
    path = write_json(tmp_path / "foreign.json", doc)

    with pytest.raises(SnapshotError) as failure:
        read_snapshot(path)

    assert str(failure.value) == f"{path}: {expected}"


def test_another_schema_version_is_refused(snapshot_doc: dict[str, Any], tmp_path: Path) -> None:
    snapshot_doc["schema"] = "auditor.inventory/v2"
    path = write_json(tmp_path / "v2.json", snapshot_doc)

    with pytest.raises(SnapshotError) as failure:
        read_snapshot(path)

    assert str(failure.value) == (
        f"{path}: schema is 'auditor.inventory/v2', expected 'auditor.inventory/v1'"
    )


def test_a_count_that_disagrees_with_the_items_is_refused(
    snapshot_doc: dict[str, Any], tmp_path: Path
) -> None:
    snapshot_doc["collections"]["servers"]["items"].pop()
    path = write_json(tmp_path / "short.json", snapshot_doc)

    with pytest.raises(SnapshotError) as failure:
        read_snapshot(path)

    assert str(failure.value) == (
        f"{path}: collections.servers.count says 2 but 1 items are present (truncated snapshot?)"
    )


def test_an_unknown_status_is_refused(snapshot_doc: dict[str, Any], tmp_path: Path) -> None:
    snapshot_doc["collections"]["volumes"]["status"] = "partial"
    path = write_json(tmp_path / "status.json", snapshot_doc)

    with pytest.raises(SnapshotError) as failure:
        read_snapshot(path)

    assert str(failure.value) == f"{path}: collections.volumes.status is 'partial'"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"

    with pytest.raises(SnapshotError) as failure:
        read_snapshot(str(path))

    assert str(failure.value) == f"{path}: no such file"
