"""What only a real OpenStack shows, reproduced by the sandbox and audited end to end.

Each case is a behaviour of the pinned services' own code that an idealised
fake would not have: Cinder's temporary migration targets, Nova's down cells,
Keystone's list_limit on the catalog, Neutron's ``default`` security group.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from auditor.sandbox.ids import synthetic_uuid
from tests.reliability.world import (
    SOURCE,
    TARGET,
    audit,
    auditor,
    renamed,
    serving,
    source_snapshot,
)

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
