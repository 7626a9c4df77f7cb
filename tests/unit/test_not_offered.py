"""Optional services a cloud does not offer (``Status.NOT_OFFERED``).

An optional collection (``CollectionSpec.optional``) whose service the cloud's
catalog lacks is listed as ``not_offered``: complete, no items, neither an
error nor incomplete. Over the sandbox, with those services left out of its
Keystone catalog (``SandboxOptions.without_services``), a faithful migration
still verifies, for every optional collection of the catalog (the test is
parameterised over it, so collections declared later are covered). The diff's
semantics are tested on snapshots: not offered on both sides, lost with the
service in the target (one missing error per item, naming the service), not
offered in the source (the target's items are never unexpected).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_snapshot
from auditor.catalog import registry
from auditor.cli import main
from auditor.demo.data import RULES, generate
from auditor.diff import diff
from auditor.diff.outcome import compare
from auditor.errors import SnapshotError
from auditor.model import CollectionResult, Kind, Severity, Snapshot, Status, Verdict
from auditor.render import Format, render
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.schemas import load_schema
from tests.builders import project, snapshot

JSON = dict[str, Any]

OPTIONAL = tuple(spec.name for spec in registry.CATALOG if spec.optional)
"""Every collection of the catalog whose service a cloud may not offer."""

SERVICES = frozenset(r.service for spec in registry.CATALOG if spec.optional for r in spec.requests)


@dataclass(frozen=True)
class Audit:
    code: int
    report: JSON
    source: Snapshot
    target: Snapshot
    requests: tuple[str, ...]


def _audit(tmp: Path, options: SandboxOptions) -> Audit:
    source, target = generate(defects=False, extended=True)
    rules = tmp / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with Sandbox([source, target], options=options) as sandbox:
        clouds = tmp / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        out, saved = tmp / "report.json", tmp / "inventories"
        code = main(
            [
                "--os-client-config-file", str(clouds), "--no-progress", "audit",
                "--source", "cloudwatt", "--target", "ocb", "--rules", str(rules),
                "--collections", "all", "--format", "json", "-o", str(out),
                "--save-inventories", str(saved),
            ],
            stdout=io.StringIO(),
        )  # fmt: skip
        paths = tuple(r.path for r in sandbox.requests)
        assert sandbox.errors == []
    return Audit(
        code,
        json.loads(out.read_text()),
        read_snapshot(str(saved / "source.json")),
        read_snapshot(str(saved / "target.json")),
        paths,
    )


@pytest.fixture(scope="module")
def without(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """The faithful demo migration, audited over clouds offering no optional service."""
    tmp = tmp_path_factory.mktemp("without")
    return _audit(tmp, SandboxOptions(without_services=SERVICES))


def test_the_catalog_declares_optional_collections() -> None:
    assert {"dns_zones", "dns_recordsets"} <= set(OPTIONAL)
    for name in OPTIONAL:
        assert registry.spec(name).optional


def test_a_cloud_without_the_optional_services_still_verifies(without: Audit) -> None:
    jsonschema.validate(without.report, load_schema("report"))
    assert without.report["verdict"] == "verified", [
        f["message"] for f in without.report["findings"]
    ]
    assert without.code == 0
    assert without.report["findings"] == []
    # Nothing was asked of a service the catalog does not name.
    for service in SERVICES:
        assert not [p for p in without.requests if f"/{service}/" in p], service


@pytest.mark.parametrize("name", OPTIONAL)
def test_each_optional_collection_is_not_offered(without: Audit, name: str) -> None:
    for side in (without.source, without.target):
        result = side.collections[name]
        assert result.status is Status.NOT_OFFERED, (name, result)
        assert result.items == () and result.error is None and result.complete
        jsonschema.validate(side.to_json(), load_schema("inventory"))
    summary = without.report["summary"][name]
    assert summary["not_offered"] == "both"
    assert summary["complete"] is True
    assert (summary["source"], summary["target"]) == (0, 0)


def test_the_same_clouds_offering_every_service_list_them(tmp_path: Path) -> None:
    offered = _audit(tmp_path, SandboxOptions())
    assert offered.code == 0, [f["message"] for f in offered.report["findings"]]
    for name in ("dns_zones", "dns_recordsets"):
        assert offered.source.collections[name].status is Status.OK
        assert offered.report["summary"][name]["matched"] > 0
        assert "not_offered" not in offered.report["summary"][name]


def test_a_required_service_missing_from_the_catalog_stays_an_error(tmp_path: Path) -> None:
    source, _target = generate(defects=False, extended=True)
    with Sandbox([source], options=SandboxOptions(without_services=frozenset({"image"}))) as sb:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sb, str(clouds))
        out = tmp_path / "source.json"
        code = main(
            [
                "--os-client-config-file", str(clouds), "--no-progress", "inventory",
                "--cloud", "cloudwatt", "--collections", "projects,images,dns_zones",
                "-o", str(out),
            ],
            stdout=io.StringIO(),
        )  # fmt: skip
    got = read_snapshot(str(out))
    assert code == 3
    assert got.collections["images"].status is Status.ERROR
    assert "not present in the service catalog" in (got.collections["images"].error or "")
    assert got.collections["dns_zones"].status is Status.OK


# -- the diff's semantics, on snapshots ------------------------------------------------

ACME = project("p-acme", "cw-acme")
OCB_ACME = project("p-ocb-acme", "ocb-acme", domain="ocb-cloudwatt")
NOT_OFFERED = CollectionResult(Status.NOT_OFFERED)
DNS_RULES = parse_rules(
    "version: 1\n"
    "rename:\n"
    "  domains: {cloudwatt: ocb-cloudwatt}\n"
    "  dns: {cloudwatt.com: orange-business.com}\n"
    "  names:\n"
    "    - {collections: [projects], pattern: '^cw-(.*)$', replace: 'ocb-\\1'}\n"
)


def _zone(zone_id: str, name: str, owner: JSON) -> JSON:
    return {
        "id": zone_id,
        "name": name,
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "email": "hostmaster@" + name.split(".", 1)[1].rstrip("."),
        "ttl": 3600,
        "type": "PRIMARY",
        "masters": [],
        "status": "ACTIVE",
        "description": "",
    }


def _sides(source: Any, target: Any) -> tuple[Snapshot, Snapshot]:
    return (
        snapshot("cloudwatt", "fr1", {"projects": [ACME], "dns_zones": source}),
        snapshot("ocb", "fr1", {"projects": [OCB_ACME], "dns_zones": target}),
    )


ZONE = _zone("z-1", "acme.cloudwatt.com.", ACME)
RENAMED = _zone("z-9", "acme.orange-business.com.", OCB_ACME)


def test_matched_under_rename_dns() -> None:
    report = diff(*_sides([ZONE], [RENAMED]), DNS_RULES)
    assert report.findings == ()
    assert report.summary["dns_zones"].matched == 1


def test_not_offered_on_both_sides_reports_nothing() -> None:
    report = diff(*_sides(NOT_OFFERED, NOT_OFFERED), DNS_RULES)
    assert report.findings == () and report.verdict is Verdict.VERIFIED
    assert report.summary["dns_zones"].not_offered == "both"


def test_lost_with_the_service_each_item_is_missing_and_names_it() -> None:
    second = _zone("z-2", "beta.cloudwatt.com.", ACME)
    report = diff(*_sides([ZONE, second], NOT_OFFERED), DNS_RULES)
    assert report.verdict is Verdict.DISCREPANCIES and report.exit_code == 1
    assert [(f.kind, f.severity, f.source.id if f.source else None) for f in report.findings] == [
        (Kind.MISSING, Severity.ERROR, "z-1"),
        (Kind.MISSING, Severity.ERROR, "z-2"),
    ]
    for f in report.findings:
        assert "does not offer the dns service" in f.message
    assert not [f for f in report.findings if f.kind is Kind.INCOMPLETE]
    assert report.summary["dns_zones"].not_offered == "target"
    assert report.summary["dns_zones"].missing == 2


def test_an_empty_source_lost_with_the_service_is_no_loss() -> None:
    report = diff(*_sides([], NOT_OFFERED), DNS_RULES)
    assert report.findings == () and report.verdict is Verdict.VERIFIED


def test_offered_only_in_the_target_is_never_unexpected() -> None:
    report = diff(*_sides(NOT_OFFERED, [RENAMED]), DNS_RULES)
    assert report.findings == () and report.verdict is Verdict.VERIFIED
    assert report.summary["dns_zones"].not_offered == "source"
    assert report.summary["dns_zones"].unexpected == 0


@pytest.mark.parametrize("fmt", [Format.TEXT, Format.MARKDOWN, Format.HTML])
def test_reports_say_not_offered_where_they_say_completeness(fmt: Format) -> None:
    report = diff(*_sides([ZONE], NOT_OFFERED), DNS_RULES)
    text = render(report, fmt)
    assert "not offered (target)" in text
    both = render(diff(*_sides(NOT_OFFERED, NOT_OFFERED), DNS_RULES), fmt)
    assert "not offered" in both


def test_the_json_report_says_which_side_and_validates() -> None:
    report = diff(*_sides(NOT_OFFERED, [RENAMED]), DNS_RULES)
    doc = json.loads(render(report, Format.JSON))
    jsonschema.validate(doc, load_schema("report"))
    assert doc["summary"]["dns_zones"]["not_offered"] == "source"
    assert "not_offered" not in doc["summary"]["projects"]


def test_a_not_offered_collection_round_trips_and_old_snapshots_load(tmp_path: Path) -> None:
    source, _ = _sides(NOT_OFFERED, [])
    doc = source.to_json()
    assert doc["collections"]["dns_zones"] == {"status": "not_offered", "count": 0, "items": []}
    jsonschema.validate(doc, load_schema("inventory"))
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    assert read_snapshot(str(path)).collections["dns_zones"].status is Status.NOT_OFFERED
    # A snapshot of before (no DNS collection at all) still loads and diffs.
    old = {**doc, "collections": {"projects": doc["collections"]["projects"]}}
    path.write_text(json.dumps(old))
    assert "dns_zones" not in read_snapshot(str(path)).collections


def test_a_not_offered_collection_with_items_is_refused(tmp_path: Path) -> None:
    source, _ = _sides(NOT_OFFERED, [])
    doc = source.to_json()
    doc["collections"]["dns_zones"] = {"status": "not_offered", "count": 1, "items": [ZONE]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, load_schema("inventory"))
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SnapshotError, match="not_offered but lists 1 items"):
        read_snapshot(str(path))


def test_a_merger_says_which_side_does_not_offer_the_service() -> None:
    from auditor.diff.offered import merged

    assert merged(["target", "both"]) == "target"
    assert merged(["source", "both"]) == "source"
    assert merged(["both", "both"]) == "both"
    assert merged(["source", None]) is None
    cw = snapshot("cloudwatt", "fr1", {"projects": [ACME], "dns_zones": NOT_OFFERED})
    nm_acme = project("q-acme", "nm-acme", domain="numergy")
    nm = snapshot("numergy", "nm1", {"projects": [nm_acme], "dns_zones": [ZONE]})
    target = snapshot("ocb", "fr1", {"projects": [OCB_ACME], "dns_zones": NOT_OFFERED})
    report = compare([cw, nm], target, DNS_RULES, generated_at="2026-11-22T12:00:00Z").report
    assert report.summary["dns_zones"].not_offered == "target"
    assert [(f.kind, f.origin) for f in report.findings if f.collection == "dns_zones"] == [
        (Kind.MISSING, "numergy@nm1")
    ]
