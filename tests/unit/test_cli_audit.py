"""`auditor audit` and `auditor diff` end to end, over two mocked clouds.

The source is the example cloud of tests/dataset.py (Cloudwatt-style, region
fr1); the target is the same tenants after a rebranding into an
Orange-Cloud-for-Business-style cloud (new ids, ``ocb-`` names, region
ocb-fr1), with one seeded defect: volume cw-data shrank from 100 to 50 GiB.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import responses
import yaml

from auditor.schemas import NAMES, load_schema
from tests import dataset
from tests import payloads as p
from tests.fakecloud import FakeCloud
from tests.harness import audit_argv
from tests.harness import run_auditor as run
from tests.worlds import RENAMES_WITH_URLS

RULES = (
    "\nversion: 1\n"
    + RENAMES_WITH_URLS
    + r"""match:
  order: [id, metadata, name]
  metadata_key: migrated_from_id
scope:
  target_domains: [ocb-cloudwatt]
residue:
  patterns: [cloudwatt]
"""
)


def populate_target(cloud: FakeCloud, *, shrink: bool = True) -> FakeCloud:
    small, large = dataset.SMALL, dataset.LARGE
    cloud.domains = [p.domain("default", "Default"), p.domain("D-OCB", "ocb-cloudwatt")]
    cloud.projects = [
        p.project("P-ACME", "ocb-acme", "D-OCB", tags=["prod", "billing"]),
        p.project(
            "P-BETA",
            "ocb-beta",
            "D-OCB",
            parent_id="P-ACME",
            enabled=False,
            description="Beta team",
        ),
    ]
    cloud.services = [
        p.service("SVC-NOVA", "compute", "nova"),
        p.service("SVC-CINDER", "block-storage", "cinderv3"),
    ]
    cloud.endpoints = [
        p.endpoint(
            "E-1",
            "SVC-NOVA",
            "public",
            "ocb-fr1",
            "https://compute.fr1.cloud.orange-business.com/v2.1",
        ),
        p.endpoint(
            "E-2", "SVC-CINDER", "internal", "ocb-fr1", "http://10.1.0.4:8776/v3/%(project_id)s"
        ),
    ]
    cloud.flavors = [small, large]
    cloud.servers = [
        p.server(
            "S-1",
            "ocb-web",
            "P-ACME",
            flavor_=small,
            volumes=["V-1"],
            metadata={"role": "web", "db_password": dataset.DB_PASSWORD, "migrated_from_id": "s-1"},
            addresses={"private": ["10.20.0.5"], "public": ["198.51.100.7"]},
            security_groups=["web", "default"],
            tags=["backup", "web"],
            config_drive=True,
        ),
        p.server(
            "S-2",
            "ocb-db",
            "P-BETA",
            flavor_=large,
            image_id=None,
            volumes=["V-2"],
            key_name=None,
            az="az-2",
            locked=True,
            locked_reason="legal hold",
        ),
    ]
    cloud.volumes = [
        p.volume(
            "V-1",
            "ocb-data",
            "P-ACME",
            size=50 if shrink else 100,
            attached_to=["S-1"],
            encrypted=True,
            metadata={"backup": "daily", "luks_passphrase": "x"},
        ),
        p.volume("V-2", "ocb-root", "P-BETA", size=20, attached_to=["S-2"], bootable=True),
    ]
    cloud.images = [p.image("IMG-1", "debian-12")]
    return cloud


@pytest.fixture
def clouds(rsps: responses.RequestsMock, tmp_path: Path) -> tuple[FakeCloud, FakeCloud, Path]:
    source = dataset.populate(FakeCloud(rsps)).register()
    target = populate_target(
        FakeCloud(
            rsps,
            name="ocb",
            keystone="http://keystone.ocb.test:5000",
            nova="http://nova.ocb.test:8774",
            cinder="http://cinder.ocb.test:8776",
            glance="http://glance.ocb.test:9292",
            region="ocb-fr1",
        )
    ).register()
    config = {"clouds": {**source.clouds_yaml()["clouds"], **target.clouds_yaml()["clouds"]}}
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    return source, target, path


def audit(clouds_yaml: Path, tmp_path: Path, *extra: str) -> tuple[int, str]:
    return run(*audit_argv(clouds_yaml, "cw", target="ocb", rules=tmp_path / "rules.yaml"), *extra)


def kinds(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["kind"], f["collection"], f["severity"]) for f in report["findings"]]


def test_audit_finds_the_seeded_defect_and_nothing_else(
    clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path
) -> None:
    _, _, clouds_yaml = clouds
    code, out = audit(clouds_yaml, tmp_path, "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, load_schema("report"))
    assert code == 1
    assert report["verdict"] == "discrepancies"
    assert kinds(report) == [("changed", "volumes", "error")]
    finding = report["findings"][0]
    assert finding["changes"][0]["field"] == "size"
    assert (finding["changes"][0]["source"], finding["changes"][0]["target"]) == (100, 50)
    assert finding["message"] == "volume ocb-acme/ocb-data shrank from 100 GiB to 50 GiB."
    assert report["summary"]["servers"]["matched"] == 2
    assert report["summary"]["projects"]["matched"] == 2
    assert report["summary"]["volumes"] == {
        "source": 2,
        "target": 2,
        "matched": 2,
        "missing": 0,
        "unexpected": 0,
        "changed": 1,
        "ambiguous": 0,
        "partial": 0,
        "complete": True,
    }


def test_audit_of_a_faithful_migration_is_verified(
    rsps: responses.RequestsMock, clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path
) -> None:
    _, target, clouds_yaml = clouds
    populate_target(target, shrink=False)
    code, out = audit(clouds_yaml, tmp_path, "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"], report["findings"]) == (0, "verified", [])


def test_saved_inventories_diff_offline_to_the_same_findings(
    clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path
) -> None:
    _, _, clouds_yaml = clouds
    saved = tmp_path / "inventories"
    code, live = audit(clouds_yaml, tmp_path, "--format", "json", "--save-inventories", str(saved))
    assert code == 1
    for name in ("source.json", "target.json"):
        assert stat.S_IMODE(os.stat(saved / name).st_mode) == 0o600
        jsonschema.validate(json.loads((saved / name).read_text()), load_schema("inventory"))
    code, offline = run(
        "diff",
        str(saved / "source.json"),
        str(saved / "target.json"),
        "--rules",
        str(tmp_path / "rules.yaml"),
        "--format",
        "json",
    )
    assert code == 1
    live_doc, offline_doc = json.loads(live), json.loads(offline)
    assert offline_doc["findings"] == live_doc["findings"]
    assert offline_doc["summary"] == live_doc["summary"]


def test_target_block_storage_down_is_incomplete_not_missing(
    clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path
) -> None:
    _, target, clouds_yaml = clouds
    populate_target(target, shrink=False)
    target.overrides["/volumes/detail"] = lambda _req: (503, {}, "unavailable")
    code, out = audit(clouds_yaml, tmp_path, "--format", "json", "--retries", "1")
    report = json.loads(out)
    assert code == 3
    assert report["verdict"] == "incomplete"
    assert kinds(report) == [("incomplete", "volumes", "error")]
    assert report["findings"][0]["side"] == "target"
    assert "HTTP 503 after 2 attempts" in report["findings"][0]["message"]
    assert report["summary"]["volumes"]["missing"] == 0
    assert report["summary"]["servers"]["complete"] is True


def test_fail_on_warning_turns_residue_into_a_failure(
    clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path
) -> None:
    _, target, clouds_yaml = clouds
    populate_target(target, shrink=False)
    target.projects[0]["description"] = "ACME (ex-Cloudwatt)"
    code, out = audit(clouds_yaml, tmp_path, "--format", "json")
    report = json.loads(out)
    assert code == 0, "residue is a warning: not a failure at the default --fail-on error"
    assert ("residue", "projects", "warning") in kinds(report)
    code, out = audit(clouds_yaml, tmp_path, "--format", "json", "--fail-on", "warning")
    assert (code, json.loads(out)["verdict"]) == (1, "discrepancies")


def test_invalid_rules_fail_before_any_request(
    rsps: responses.RequestsMock,
    clouds: tuple[FakeCloud, FakeCloud, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, clouds_yaml = clouds
    (tmp_path / "rules.yaml").write_text("version: 1\nmatch:\n  order: [id, guess]\n")
    code, out = audit(clouds_yaml, tmp_path)
    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "rules.yaml: line 3: match.order[1]" in err
    assert "Traceback" not in err
    assert len(rsps.calls) == 0


def test_unknown_target_cloud_is_bad_input(
    clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, clouds_yaml = clouds
    code, _ = run(*audit_argv(clouds_yaml, "cw", target="nowhere"))
    err = capsys.readouterr().err
    assert code == 2
    assert "nowhere" in err and err.count("\n") == 1


def test_audit_sends_only_reads(
    rsps: responses.RequestsMock, clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path
) -> None:
    _, _, clouds_yaml = clouds
    audit(clouds_yaml, tmp_path, "--format", "json")
    methods = {(c.request.method, str(c.request.url).endswith("/auth/tokens")) for c in rsps.calls}
    assert methods == {("GET", False), ("POST", True)}


def test_report_output_file_is_private_and_unwritable_output_is_bad_input(
    clouds: tuple[FakeCloud, FakeCloud, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, clouds_yaml = clouds
    report = tmp_path / "report.md"
    code, out = audit(clouds_yaml, tmp_path, "--format", "markdown", "--output", str(report))
    assert (code, out) == (1, "")
    assert report.read_text().startswith("# Migration audit: discrepancies")
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o600
    blocked = tmp_path / "no-such-dir" / "report.json"
    code, _ = audit(clouds_yaml, tmp_path, "--output", str(blocked))
    err = capsys.readouterr().err
    assert code == 2
    assert str(blocked) in err and "Traceback" not in err
    assert not blocked.parent.exists()


def test_diff_of_a_corrupt_snapshot_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "schema": "auditor.inventory/v1",
                "cloud": "x",
                "region": None,
                "taken_at": "2026-11-22T10:00:00Z",
                "collections": {},
            }
        )
    )
    truncated = tmp_path / "truncated.json"
    truncated.write_text(good.read_text()[:40])
    code, out = run("diff", str(good), str(truncated))
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert str(truncated) in err and "not valid JSON" in err and err.count("\n") == 1


@pytest.mark.parametrize("name", NAMES)
def test_schema_command_prints_each_schema(name: str) -> None:
    code, out = run("schema", name)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == load_schema(name)
