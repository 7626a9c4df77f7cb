"""The diff of the storage collections (their catalog declarations): images, volume
snapshots, volume backups, quotas.

Every test starts from one faithful migration of a tenant's storage (checked
to be ``verified`` with no finding at all) and changes one thing, so each
finding is caused by that change and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from auditor.app.files import read_rules
from auditor.model import Finding, Severity, Verdict
from auditor.rules import Rules
from tests.builders import JSON, failed, project, volume
from tests.findings import Side, only, rules_with_id_map
from tests.findings import diff_sides as run

RULES_TEXT = r"""version: 1
rename:
  domains: {cloudwatt: ocb-cloudwatt}
  names:
    - collections: [projects, volumes, images, volume_snapshots, volume_backups]
      pattern: '^cw-(.*)$'
      replace: 'ocb-\1'
match:
  order: [id, id_map, metadata, name]
  metadata_key: migrated_from_id
  id_map: idmap.json
scope:
  target_domains: [ocb-cloudwatt]
"""

SHA = "sha512:" + "ab" * 64
"""The hash of the golden image's data."""


def make_rules(directory: Path, id_map: Mapping[str, str] | None = None) -> Rules:
    return rules_with_id_map(directory, RULES_TEXT, id_map)


@pytest.fixture
def rules(tmp_path: Path) -> Rules:
    return make_rules(tmp_path)


def _owned(owner: Mapping[str, Any]) -> JSON:
    return {"project": owner["name"], "project_id": owner["id"], "domain": owner["domain"]}


def image(id: str, name: str, owner: Mapping[str, Any], **fields: Any) -> JSON:
    """A Glance image of project ``owner`` (normalised)."""
    return {
        "id": id,
        "name": name,
        **_owned(owner),
        "status": "active",
        "visibility": "private",
        "hidden": False,
        "protected": True,
        "disk_format": "qcow2",
        "container_format": "bare",
        "size": 2_147_483_648,
        "min_disk": 20,
        "min_ram": 1024,
        "checksum": SHA,
        **fields,
    }


def _copy_of_volume(
    id: str, name: str, owner: Mapping[str, Any], volume_id: str, **fields: Any
) -> JSON:
    """A 100 GB snapshot or backup of ``volume_id``, available."""
    base = {"id": id, "name": name, **_owned(owner), "status": "available", "size": 100}
    return {**base, "volume_id": volume_id, **fields}


def volume_snapshot(
    id: str, name: str, owner: Mapping[str, Any], volume_id: str, **fields: Any
) -> JSON:
    return _copy_of_volume(id, name, owner, volume_id, **{"metadata": {}, **fields})


def volume_backup(
    id: str, name: str, owner: Mapping[str, Any], volume_id: str, **fields: Any
) -> JSON:
    return _copy_of_volume(id, name, owner, volume_id, **{"incremental": False, **fields})


def quota(owner: Mapping[str, Any], service: str, limits: JSON, usage: JSON) -> JSON:
    return {
        "id": f"{owner['id']}/{service}",
        "name": service,
        **_owned(owner),
        "limits": dict(limits),
        "usage": dict(usage),
    }


def world() -> tuple[Side, Side]:
    """One tenant with a golden image, two volumes (one with a snapshot and backups), and
    its compute quota; migrated faithfully with new ids and ``ocb-`` names. One backup
    outlived its volume in the source."""
    acme = project("p-acme", "cw-acme")
    t_acme = project("t-acme", "ocb-acme", domain="ocb-cloudwatt")
    other = project("p-globex", "cw-globex")
    t_other = project("t-globex", "ocb-globex", domain="ocb-cloudwatt")
    source: Side = {
        "projects": [acme, other],
        "volumes": [
            volume("v-data", "cw-data", acme, size=100),
            volume("v-logs", "cw-logs", acme, size=100),
        ],
        "images": [image("i-golden", "cw-golden", acme)],
        "volume_snapshots": [
            volume_snapshot("sn-1", "cw-data-nightly", acme, "v-data", metadata={"keep": "7"})
        ],
        "volume_backups": [
            volume_backup("b-1", "cw-data-weekly", acme, "v-data"),
            volume_backup("b-old", "cw-old-weekly", acme, "v-deleted-long-ago", size=50),
        ],
        "quotas": [
            quota(
                acme,
                "compute",
                {"cores": 40, "instances": 10, "ram": 102400, "server_groups": -1},
                {"cores": 12, "instances": 4, "ram": 32768, "server_groups": 1},
            )
        ],
    }
    target: Side = {
        "projects": [t_acme, t_other],
        "volumes": [
            volume("tv-data", "ocb-data", t_acme, size=100),
            volume("tv-logs", "ocb-logs", t_acme, size=100),
        ],
        "images": [image("ti-golden", "ocb-golden", t_acme)],
        "volume_snapshots": [
            volume_snapshot(
                "tsn-1",
                "ocb-data-nightly",
                t_acme,
                "tv-data",
                metadata={"keep": "7", "migrated_from_id": "sn-1"},
            )
        ],
        "volume_backups": [
            volume_backup("tb-1", "ocb-data-weekly", t_acme, "tv-data"),
            volume_backup("tb-old", "ocb-old-weekly", t_acme, "tv-gone-too", size=50),
        ],
        "quotas": [
            quota(
                t_acme,
                "compute",
                {"cores": 40, "instances": 10, "ram": 102400, "server_groups": -1},
                {"cores": 0, "instances": 0, "ram": 0, "server_groups": 0},
            )
        ],
    }
    return source, target


def find(target: Side, collection: str, name: str) -> JSON:
    return next(i for i in target[collection] if i["name"] == name)


def changed(rules: Rules, edit: Callable[[Side], None]) -> Finding:
    """The one finding of the faithful world after ``edit`` changed its target."""
    source, target = world()
    edit(target)
    finding = only(run(source, target, rules))
    assert finding.kind.value == "changed"
    return finding


def test_the_faithful_migration_is_verified(rules: Rules) -> None:
    report = run(*world(), rules)
    assert report.findings == ()
    assert report.verdict is Verdict.VERIFIED
    for name in ("images", "volume_snapshots", "volume_backups", "quotas"):
        summary = report.summary[name]
        assert summary.matched == summary.source, name
    assert report.summary["volume_backups"].matched == 2


# -- images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "severity", "words"),
    [
        ("checksum", "sha512:" + "cd" * 64, Severity.ERROR, "holds different data"),
        ("checksum", None, Severity.ERROR, "has no data any more"),
        ("size", 1_073_741_824, Severity.ERROR, "size changed from 2147483648 to 1073741824"),
        ("status", "deactivated", Severity.ERROR, "can no longer be booted"),
        ("status", "queued", Severity.WARNING, "status changed from active to queued"),
        ("visibility", "shared", Severity.WARNING, "visibility changed from private to shared"),
        ("protected", False, Severity.WARNING, "no longer protected"),
        ("hidden", True, Severity.INFO, "hidden from the image list"),
        ("disk_format", "raw", Severity.WARNING, "disk format changed from qcow2 to raw"),
        ("container_format", "ovf", Severity.WARNING, "container format changed"),
        ("min_disk", 40, Severity.INFO, "min_disk changed from 20 to 40"),
        ("min_ram", 512, Severity.INFO, "min_ram changed from 1024 to 512"),
    ],
)
def test_each_image_change_is_found_with_its_severity(
    rules: Rules, field: str, value: Any, severity: Severity, words: str
) -> None:
    def edit(target: Side) -> None:
        find(target, "images", "ocb-golden")[field] = value

    finding = changed(rules, edit)

    assert finding.collection == "images"
    assert finding.severity is severity
    assert finding.changes[0].field == field
    assert words in finding.message


def test_a_public_image_made_private_is_narrowed(rules: Rules) -> None:
    source, target = world()
    source["images"][0]["visibility"] = "public"

    finding = only(run(source, target, rules))

    assert finding.severity is Severity.WARNING
    assert "visibility narrowed from public to private" in finding.message


def test_hashes_of_two_algorithms_are_not_compared(rules: Rules) -> None:
    source, target = world()
    # An older Glance only had the MD5 checksum; the target computed a sha512.
    source["images"][0]["checksum"] = "md5:0a1b2c3d4e5f60718293a4b5c6d7e8f9"

    assert run(source, target, rules).findings == ()


def test_an_image_owned_by_another_projects_counterpart_is_an_error(
    rules: Rules, tmp_path: Path
) -> None:
    source, target = world()
    # Matched by the migration's id map, but given to the wrong tenant.
    rules = make_rules(tmp_path, {"i-golden": "ti-golden"})
    t_other = target["projects"][1]
    golden = find(target, "images", "ocb-golden")
    golden.update(project=t_other["name"], project_id=t_other["id"])

    finding = only(run(source, target, rules))

    assert finding.matched_by == "id_map"
    assert finding.severity is Severity.ERROR
    assert finding.changes[0].field == "project"
    assert (finding.changes[0].source, finding.changes[0].target) == ("ocb-acme", "ocb-globex")
    assert "is owned by ocb-globex, expected ocb-acme (the counterpart of cw-acme)" in (
        finding.message
    )


def test_an_image_with_the_same_name_elsewhere_is_missing_not_matched(rules: Rules) -> None:
    source, target = world()
    t_other = target["projects"][1]
    find(target, "images", "ocb-golden").update(project=t_other["name"], project_id=t_other["id"])

    kinds = sorted((f.kind.value, f.collection) for f in run(source, target, rules).findings)

    assert kinds == [("missing", "images"), ("unexpected", "images")]


# -- volume snapshots -------------------------------------------------------------------------


def test_a_snapshot_of_another_volume_is_an_error(rules: Rules) -> None:
    finding = changed(
        rules, lambda t: find(t, "volume_snapshots", "ocb-data-nightly").update(volume_id="tv-logs")
    )

    assert finding.collection == "volume_snapshots"
    assert finding.matched_by == "metadata"
    assert finding.severity is Severity.ERROR
    assert (finding.changes[0].field, finding.changes[0].target) == ("volume_id", "tv-logs")
    assert "is a snapshot of volume ocb-acme/ocb-logs, expected ocb-acme/ocb-data" in (
        finding.message
    )


def test_a_snapshot_whose_volume_is_gone_is_an_error(rules: Rules) -> None:
    finding = changed(
        rules, lambda t: find(t, "volume_snapshots", "ocb-data-nightly").update(volume_id="tv-x")
    )

    assert finding.severity is Severity.ERROR
    assert "is a snapshot of a volume that is gone (expected volume ocb-acme/ocb-data)" in (
        finding.message
    )


def test_a_snapshot_whose_source_volume_is_missing_and_target_volume_gone(
    rules: Rules,
) -> None:
    source, target = world()
    target["volumes"] = [v for v in target["volumes"] if v["id"] != "tv-data"]
    target["volume_backups"] = [b for b in target["volume_backups"] if b["id"] != "tb-1"]

    findings = run(source, target, rules).findings
    snapshot_finding = next(f for f in findings if f.collection == "volume_snapshots")

    assert sorted((f.kind.value, f.collection) for f in findings) == [
        ("changed", "volume_snapshots"),
        ("missing", "volume_backups"),
        ("missing", "volumes"),
    ]
    assert snapshot_finding.severity is Severity.ERROR
    assert "the source volume, which has no counterpart either" in snapshot_finding.message


@pytest.mark.parametrize(
    ("field", "value", "severity", "words"),
    [
        ("size", 50, Severity.ERROR, "shrank from 100 GiB to 50 GiB"),
        ("size", 200, Severity.INFO, "grew from 100 GiB to 200 GiB"),
        ("status", "error", Severity.ERROR, "went into status error (was available)"),
        ("status", "creating", Severity.WARNING, "status changed from available to creating"),
    ],
)
def test_snapshot_size_and_status(
    rules: Rules, field: str, value: Any, severity: Severity, words: str
) -> None:
    finding = changed(
        rules, lambda t: find(t, "volume_snapshots", "ocb-data-nightly").update({field: value})
    )

    assert finding.severity is severity
    assert words in finding.message


def test_snapshot_metadata_lost_is_a_warning(rules: Rules) -> None:
    finding = changed(
        rules,
        lambda t: find(t, "volume_snapshots", "ocb-data-nightly").update(
            metadata={"migrated_from_id": "sn-1"}
        ),
    )

    assert finding.severity is Severity.WARNING
    assert finding.changes[0].field == "metadata.keep"


def test_snapshots_are_not_checked_against_volumes_that_could_not_be_listed(
    rules: Rules,
) -> None:
    source, target = world()
    find(target, "volume_snapshots", "ocb-data-nightly")["volume_id"] = "tv-x"
    target_side: dict[str, Any] = dict(target)
    target_side["volumes"] = failed()

    findings = run(source, target_side, rules).findings

    assert [(f.kind.value, f.collection) for f in findings] == [("incomplete", "volumes")]


# -- volume backups ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "severity", "words"),
    [
        ("size", 10, Severity.ERROR, "shrank from 100 GiB to 10 GiB"),
        ("status", "error", Severity.ERROR, "went into status error"),
        ("incremental", True, Severity.WARNING, "is now an incremental backup (was full)"),
        ("volume_id", "tv-logs", Severity.ERROR, "is a backup of volume ocb-acme/ocb-logs"),
        ("volume_id", None, Severity.ERROR, "is a backup of a volume that is gone"),
    ],
)
def test_each_backup_change_is_found_with_its_severity(
    rules: Rules, field: str, value: Any, severity: Severity, words: str
) -> None:
    finding = changed(
        rules, lambda t: find(t, "volume_backups", "ocb-data-weekly").update({field: value})
    )

    assert finding.collection == "volume_backups"
    assert finding.severity is severity
    assert finding.changes[0].field == field
    assert words in finding.message


def test_a_backup_that_outlived_its_volume_keeps_no_volume(rules: Rules) -> None:
    # b-old's volume was deleted long before the migration: its target may point anywhere.
    source, target = world()
    find(target, "volume_backups", "ocb-old-weekly")["volume_id"] = None

    assert run(source, target, rules).findings == ()


def test_a_backup_of_the_counterpart_of_another_volume(rules: Rules) -> None:
    source, target = world()
    source["volumes"] = [v for v in source["volumes"] if v["id"] != "v-data"]
    source["volumes"].append(volume("v-data", "cw-data-old", source["projects"][0], size=100))
    # v-data is now unmatched (renamed otherwise); its backup points at tv-logs,
    # which is v-logs' counterpart.
    find(target, "volume_backups", "ocb-data-weekly")["volume_id"] = "tv-logs"

    findings = run(source, target, rules).findings
    backup = next(f for f in findings if f.collection == "volume_backups")

    assert backup.severity is Severity.ERROR
    assert "the counterpart of another source volume" in backup.message


# -- quotas -------------------------------------------------------------------------------


def set_limit(resource: str, value: int) -> Callable[[Side], None]:
    def edit(target: Side) -> None:
        target["quotas"][0]["limits"][resource] = value

    return edit


@pytest.mark.parametrize(
    ("resource", "value", "severity", "words"),
    [
        # 12 cores used in the source: 8 cannot hold them.
        ("cores", 8, Severity.ERROR, "cores quota is 8 (was 40), below the 12 used in the source"),
        ("cores", 12, Severity.WARNING, "cores quota lowered from 40 to 12 (12 used"),
        ("cores", 64, Severity.INFO, "cores quota raised from 40 to 64"),
        ("cores", -1, Severity.INFO, "cores is now unlimited"),
        ("server_groups", 0, Severity.ERROR, "server_groups quota is 0 (was unlimited)"),
        ("server_groups", 5, Severity.WARNING, "lowered from unlimited to 5"),
    ],
)
def test_each_quota_limit_is_judged_against_the_source_limit_and_usage(
    rules: Rules, resource: str, value: int, severity: Severity, words: str
) -> None:
    finding = changed(rules, set_limit(resource, value))

    assert finding.collection == "quotas"
    assert finding.severity is severity
    assert finding.changes[0].field == f"limits.{resource}"
    assert words in finding.message
    assert finding.target is not None and finding.target.label == "ocb-acme/compute"


def test_a_resource_the_target_does_not_report_is_info(rules: Rules) -> None:
    def edit(target: Side) -> None:
        del target["quotas"][0]["limits"]["server_groups"]

    finding = changed(rules, edit)

    assert finding.severity is Severity.INFO
    assert "has no server_groups quota any more" in finding.message


def test_target_usage_and_extra_resources_are_not_findings(rules: Rules) -> None:
    source, target = world()
    target["quotas"][0]["usage"] = {"cores": 99}
    target["quotas"][0]["limits"]["key_pairs"] = 100

    assert run(source, target, rules).findings == ()


def test_quotas_are_matched_per_project_and_service(rules: Rules) -> None:
    source, target = world()
    acme = source["projects"][0]
    source["quotas"].append(quota(acme, "network", {"port": 50}, {"port": 3}))

    finding = only(run(source, target, rules))

    assert (finding.kind.value, finding.collection) == ("missing", "quotas")
    assert finding.source is not None and finding.source.label == "cw-acme/network"


def test_a_severity_override_reaches_one_quota_resource(tmp_path: Path) -> None:
    text = RULES_TEXT + "severity:\n  quotas.limits.cores: warning\n"
    (tmp_path / "idmap.json").write_text("{}", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    rules = read_rules(str(tmp_path / "rules.yaml"))

    finding = changed(rules, set_limit("cores", 8))

    assert finding.severity is Severity.WARNING
