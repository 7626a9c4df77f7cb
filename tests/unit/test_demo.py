"""`auditor demo`: the whole product, through the sandbox and openstacksdk over HTTP."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import jsonschema

from auditor.app.files import read_snapshot
from auditor.cli import main
from auditor.demo.data import RULES, generate
from auditor.diff import diff
from auditor.rules import parse_rules
from auditor.schemas import load_schema
from tests.findings import label_of

EXPECTED = {
    # (kind, collection, target label or source label, first changed field)
    ("changed", "volumes", "ocb-acme/ocb-db-01-data", "size"),
    ("changed", "volumes", "ocb-acme/ocb-app-01-data", "encrypted"),
    ("missing", "servers", "cw-initech/cw-app-01", None),
    ("changed", "volumes", "ocb-umbrella/ocb-app-01-data", "attachments"),
    ("changed", "servers", "ocb-umbrella/ocb-app-01", "volumes"),
    ("changed", "servers", "ocb-hooli/ocb-db-01", "flavor"),
    ("changed", "servers", "ocb-stark/ocb-web-01", "status"),
    ("changed", "projects", "ocb-wayne", "enabled"),
    ("changed", "endpoints", "image/public/ocb-fr1", "url"),
    ("residue", "endpoints", "image/public/ocb-fr1", "url"),
    ("unexpected", "servers", "ocb-wonka/ocb-tmp-debug", None),
    ("residue", "servers", "ocb-tyrell/ocb-app-01", "metadata.note"),
    ("changed", "servers", "ocb-tyrell/ocb-app-01", "metadata.note"),
    # identity family (auditor.demo.identity)
    ("changed", "domains", "ocb-cloudwatt", "enabled"),
    ("changed", "regions", "ocb-fr1", "parent"),
    ("missing", "services", "swift", None),
    ("changed", "flavors", "ocb-gpu", "access"),
    ("changed", "flavors", "ocb-hpc", "extra_specs.hw:cpu_policy"),
    ("changed", "keypairs", "wonka-ops", "fingerprint"),
    ("changed", "server_groups", "ocb-acme/acme-web-spread", "members"),
    # access family (auditor.demo.access)
    ("missing", "users", "ops-oncall", None),
    ("changed", "groups", "support", "member_ids"),
    ("missing", "roles", "creator", None),
    ("missing", "role_assignments", "cw-hooli/member of user cloudwatt/hooli-admin", None),
    ("changed", "servers", "ocb-acme/ocb-db-01", "locked"),
    # storage family (auditor.demo.storage)
    ("changed", "images", "ocb-cyberdyne/ocb-cyberdyne-golden", "checksum"),
    ("changed", "volume_snapshots", "ocb-soylent/ocb-db-01-data-nightly", "volume_id"),
    ("changed", "volume_backups", "ocb-gringotts/ocb-db-01-data-weekly", "status"),
    ("changed", "quotas", "ocb-monarch/compute", "limits.cores"),
    # sharing family (auditor.demo.sharing)
    ("changed", "volume_types", "ceph-ssd-luks", "encryption"),
    ("missing", "image_members", "cw-initech/cw-acme-base", None),
    # One object lost and another's ETag changed in Globex's backups (--objects).
    ("changed", "containers", "ocb-globex/backups", "bytes_used"),
    ("changed", "images", "ocb-acme/ocb-acme-base", "properties.hw_firmware_type"),
    ("count_mismatch", "servers", "ocb-hooli", None),
    # network family (auditor.demo.network)
    ("changed", "networks", "ocb-vandelay/vandelay-net", "mtu"),
    ("changed", "subnets", "ocb-aperture/aperture-subnet", "enable_dhcp"),
    ("changed", "routers", "ocb-nakatomi/ocb-nakatomi-router", "interfaces"),
    ("changed", "security_groups", "ocb-weyland/web", "rules"),
    ("changed", "floating_ips", "ocb-bluth/198.18.0.24", "server_id"),
    # ports and network RBAC family (auditor.demo.network_access); server ports are unnamed
    ("changed", "ports", "ocb-globex/", "mac_address"),
    ("missing", "rbac_policies", "cw-monarch/monarch-net shared with cw-oscorp", None),
    # the port of the server never migrated (above) is missing with it
    ("missing", "ports", "cw-initech/", None),
    # address scopes and subnet pools family (auditor.demo.network_pools)
    ("changed", "address_scopes", "ocb-hooli/hooli-scope", "shared"),
    ("changed", "subnet_pools", "ocb-vandelay/vandelay-pool", "prefixes"),
    # DNS family (auditor.demo.dns)
    ("changed", "dns_zones", "ocb-stark/stark.orange-business.com.", "status"),
    ("changed", "dns_recordsets", "ocb-vandelay/www.vandelay.orange-business.com.", "records"),
    # load balancers and stacks family (auditor.demo.apps)
    ("changed", "load_balancers", "ocb-umbrella/ocb-umbrella-lb", "pools.members"),
    ("changed", "stacks", "ocb-pied-piper/ocb-pied-piper-app", "status"),
}


def test_demo_finds_every_seeded_defect_over_http(tmp_path: Path) -> None:
    out = io.StringIO()
    directory = tmp_path / "demo"
    code = main(["demo", "--output-dir", str(directory)], stdout=out)
    assert code == 1
    text = out.getvalue()
    assert "Verdict: DISCREPANCIES (exit 1, fail on error)" in text
    assert str(directory / "report.json") in text
    assert str(directory / "report.html") in text
    assert (directory / "report.html").read_text().startswith("<!DOCTYPE html>")
    report = json.loads((directory / "report.json").read_text())
    jsonschema.validate(report, load_schema("report"))
    got = {
        (
            f["kind"],
            f["collection"],
            label_of(f),
            f["changes"][0]["field"] if f.get("changes") else None,
        )
        for f in report["findings"]
    }
    assert got == EXPECTED
    for path in directory.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_demo_inventories_replay_offline_to_the_same_findings(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    main(["demo", "--output-dir", str(directory)], stdout=io.StringIO())
    live = json.loads((directory / "report.json").read_text())
    out = io.StringIO()
    code = main(
        [
            "diff",
            str(directory / "inventories" / "source.json"),
            str(directory / "inventories" / "target.json"),
            "--rules",
            str(directory / "rules.yaml"),
            "--format",
            "json",
        ],
        stdout=out,
    )
    assert code == 1
    assert json.loads(out.getvalue())["findings"] == live["findings"]


def test_demo_inventory_over_http_equals_the_data_served(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    main(["demo", "--output-dir", str(directory)], stdout=io.StringIO())
    for served, inventoried in (("cloudwatt", "source"), ("ocb", "target")):
        a = read_snapshot(str(directory / "served" / f"{served}.json"))
        b = read_snapshot(str(directory / "inventories" / f"{inventoried}.json"))
        assert b.complete
        for name, collection in a.collections.items():
            assert b.collections[name].items == collection.items, name


def test_a_faithful_example_migration_is_verified() -> None:
    source, target = generate(defects=False)
    report = diff(source, target, parse_rules(RULES))
    assert report.findings == ()
    assert report.verdict.value == "verified"
    assert report.summary["servers"].matched == 90


def test_the_demo_rules_declare_a_fold_whose_verdict_is_clean(tmp_path: Path) -> None:
    """acme's staging tenant, merged into ocb-acme on purpose: matched, compared, no finding."""
    directory = tmp_path / "demo"
    main(["--no-progress", "demo", "--output-dir", str(directory)], stdout=io.StringIO())
    rules = parse_rules((directory / "rules.yaml").read_text())
    fold = rules.fold_of("cw-acme-staging")
    assert fold is not None and fold.label == "cw-acme + cw-acme-staging -> ocb-acme"
    report = json.loads((directory / "report.json").read_text())
    (staging,) = [r for r in report["scorecard"] if r["source"]["name"] == "cw-acme-staging"]
    assert staging["target"]["name"] == "ocb-acme"
    assert (staging["matched"], staging["missing"], staging["errors"], staging["warnings"]) == (
        6,  # a server, its volume, its default security group, its 3 quota sets
        0,
        0,
        0,
    )
    assert staging["fully_matched"] is True
    for f in report["findings"]:
        for ref in (f.get("source"), f.get("target"), *f.get("candidates", [])):
            assert not ref or ref.get("project") != "cw-acme-staging", f["message"]
    assert report["summary"]["projects"]["matched"] == report["summary"]["projects"]["source"]


def test_a_faithful_extended_example_with_its_fold_is_verified() -> None:
    source, target = generate(defects=False, extended=True)
    report = diff(source, target, parse_rules(RULES))
    assert report.findings == ()
    assert report.verdict.value == "verified"
    staging = next(
        p for p in source.collections["projects"].items if p["name"] == "cw-acme-staging"
    )
    quotas = [q for q in source.collections["quotas"].items if q["project_id"] == staging["id"]]
    assert len(quotas) == 3  # compared with ocb-acme's, together with cw-acme's
    assert all(s.fully_matched for s in report.scorecard)
