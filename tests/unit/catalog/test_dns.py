"""DNS zones and record sets in the diff: renames (``rename.dns``), records, addresses,
residue.

Items are shaped as the catalog normalises Designate's answers (see the API
reference samples ``list-zones-response.json`` and
``list-all-recordset-response.json``).
"""

from __future__ import annotations

from typing import Any

import pytest

from auditor.catalog.dnsnames import rename_name, rename_text, suffixes
from auditor.diff import diff
from auditor.errors import RulesError
from auditor.model import Kind, Report, Severity
from auditor.rules import parse_rules
from tests.builders import project, server, snapshot

JSON = dict[str, Any]

ACME = project("p-acme", "cw-acme")
GLOBEX = project("p-globex", "cw-globex")
OCB_ACME = project("p-ocb-acme", "ocb-acme", domain="ocb-cloudwatt")
OCB_GLOBEX = project("p-ocb-globex", "ocb-globex", domain="ocb-cloudwatt")

RULES = parse_rules(
    "version: 1\n"
    "rename:\n"
    "  domains: {cloudwatt: ocb-cloudwatt}\n"
    "  dns: {cloudwatt.com: orange-business.com, cloudwatt.fr: orange-business.com}\n"
    "  names:\n"
    "    - {collections: [projects, servers], pattern: '^cw-(.*)$', replace: 'ocb-\\1'}\n"
    "residue:\n"
    "  patterns: [cloudwatt]\n"
)


def _recordset(rid: str, name: str, kind: str, records: list[str], owner: JSON, zone: str) -> JSON:
    return {
        "id": rid,
        "name": name,
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "zone": zone,
        "zone_id": f"zone-of-{rid}",
        "type": kind,
        "records": sorted(records),
        "ttl": None,
        "status": "ACTIVE",
        "description": "",
    }


def _run(source: list[JSON], target: list[JSON], **extra: Any) -> Report:
    s_servers = extra.get("s_servers", [server("s-1", "cw-web", ACME)])
    t_servers = extra.get(
        "t_servers",
        [
            {**server("t-1", "ocb-web", OCB_ACME), "addresses": {"net": ["203.0.113.10"]}},
            {**server("t-2", "ocb-db", OCB_GLOBEX), "addresses": {"net": ["203.0.113.99"]}},
        ],
    )
    return diff(
        snapshot(
            "cloudwatt",
            "fr1",
            {"projects": [ACME, GLOBEX], "servers": s_servers, "dns_recordsets": source},
        ),
        snapshot(
            "ocb",
            "fr1",
            {"projects": [OCB_ACME, OCB_GLOBEX], "servers": t_servers, "dns_recordsets": target},
        ),
        RULES,
    )


def _dns(report: Report) -> list[tuple[Kind, Severity, str]]:
    return [
        (f.kind, f.severity, f.message) for f in report.findings if f.collection.startswith("dns")
    ]


ZONE, NEW_ZONE = "acme.cloudwatt.com.", "acme.orange-business.com."


def test_suffixes_rename_names_and_text() -> None:
    pairs = suffixes({"cloudwatt.com": "orange-business.com.", "fr.cloudwatt.com": "ocb.fr"})
    assert rename_name(pairs, "Acme.CloudWatt.com.") == "Acme.orange-business.com."
    assert rename_name(pairs, "cloudwatt.com") == "orange-business.com"
    assert rename_name(pairs, "x.fr.cloudwatt.com.") == "x.ocb.fr."  # the longest suffix
    assert rename_name(pairs, "notcloudwatt.com.") == "notcloudwatt.com."
    assert rename_text(pairs, "10 mail.cloudwatt.com.") == "10 mail.orange-business.com."
    assert rename_text(pairs, '"v=spf1 include:_spf.cloudwatt.com ~all"') == (
        '"v=spf1 include:_spf.orange-business.com ~all"'
    )
    assert rename_text(pairs, "notcloudwatt.com") == "notcloudwatt.com"


def test_rename_dns_must_be_a_mapping_of_strings() -> None:
    with pytest.raises(RulesError, match=r"rename\.dns"):
        parse_rules("version: 1\nrename:\n  dns: [cloudwatt.com]\n")


def test_renamed_records_and_names_are_faithful() -> None:
    source = [
        _recordset("r1", f"app.{ZONE}", "CNAME", [f"www.{ZONE}"], ACME, ZONE),
        _recordset("r2", ZONE, "MX", ["10 mail.cloudwatt.fr."], ACME, ZONE),
        _recordset("r3", ZONE, "SOA", [f"ns1.cloudwatt.com. admin.{ZONE} 1 3600 600 86400 3600"],
                   ACME, ZONE),
        _recordset("r4", f"www.{ZONE}", "A", ["192.0.2.10"], ACME, ZONE),
    ]  # fmt: skip
    target = [
        _recordset("t1", f"app.{NEW_ZONE}", "CNAME", [f"www.{NEW_ZONE}"], OCB_ACME, NEW_ZONE),
        _recordset("t2", NEW_ZONE, "MX", ["10 mail.orange-business.com."], OCB_ACME, NEW_ZONE),
        _recordset("t3", NEW_ZONE, "SOA",
                   [f"ns1.orange-business.com. admin.{NEW_ZONE} 7 3600 600 86400 3600"],
                   OCB_ACME, NEW_ZONE),
        _recordset("t4", f"www.{NEW_ZONE}", "A", ["203.0.113.10"], OCB_ACME, NEW_ZONE),
    ]  # fmt: skip
    report = _run(source, target)
    assert _dns(report) == []
    assert report.summary["dns_recordsets"].matched == 4


def test_a_record_left_at_the_old_brand_is_lost_and_residue_errors() -> None:
    source = [_recordset("r1", f"app.{ZONE}", "CNAME", [f"www.{ZONE}"], ACME, ZONE)]
    target = [_recordset("t1", f"app.{NEW_ZONE}", "CNAME", [f"www.{ZONE}"], OCB_ACME, NEW_ZONE)]
    assert _dns(_run(source, target)) == [
        (
            Kind.CHANGED,
            Severity.ERROR,
            f"DNS record set ocb-acme/app.{NEW_ZONE} lost record(s) www.{NEW_ZONE}.",
        ),
        (
            Kind.RESIDUE,
            Severity.ERROR,
            f"DNS record set ocb-acme/app.{NEW_ZONE} still carries the old brand in records"
            " ('cloudwatt'); rename it.",
        ),
    ]


def test_a_new_record_is_a_warning() -> None:
    source = [_recordset("r1", ZONE, "TXT", ['"hello"'], ACME, ZONE)]
    target = [_recordset("t1", NEW_ZONE, "TXT", ['"hello"', '"extra"'], OCB_ACME, NEW_ZONE)]
    message = f'DNS record set ocb-acme/{NEW_ZONE} gained record(s) "extra".'
    assert _dns(_run(source, target)) == [(Kind.CHANGED, Severity.WARNING, message)]


def test_an_address_of_another_tenant_is_an_error() -> None:
    source = [_recordset("r1", f"www.{ZONE}", "A", ["192.0.2.10"], ACME, ZONE)]
    target = [_recordset("t1", f"www.{NEW_ZONE}", "A", ["203.0.113.99"], OCB_ACME, NEW_ZONE)]
    assert _dns(_run(source, target)) == [
        (
            Kind.CHANGED,
            Severity.ERROR,
            f"DNS record set ocb-acme/www.{NEW_ZONE} points at 203.0.113.99, not an address of"
            " project ocb-acme in the target.",
        )
    ]


def test_fewer_addresses_is_an_error() -> None:
    source = [_recordset("r1", f"www.{ZONE}", "A", ["192.0.2.10", "192.0.2.11"], ACME, ZONE)]
    target = [_recordset("t1", f"www.{NEW_ZONE}", "A", ["203.0.113.10"], OCB_ACME, NEW_ZONE)]
    assert _dns(_run(source, target)) == [
        (
            Kind.CHANGED,
            Severity.ERROR,
            f"DNS record set ocb-acme/www.{NEW_ZONE} has 1 address(es) instead of 2.",
        )
    ]


def test_addresses_are_not_judged_without_a_listing_of_who_owns_them() -> None:
    source = [_recordset("r1", f"www.{ZONE}", "A", ["192.0.2.10"], ACME, ZONE)]
    target = [_recordset("t1", f"www.{NEW_ZONE}", "A", ["198.51.100.1"], OCB_ACME, NEW_ZONE)]
    report = diff(
        snapshot("cloudwatt", "fr1", {"projects": [ACME], "dns_recordsets": source}),
        snapshot("ocb", "fr1", {"projects": [OCB_ACME], "dns_recordsets": target}),
        RULES,
    )
    assert _dns(report) == []


def test_a_missing_record_set_is_an_error() -> None:
    source = [_recordset("r1", f"app.{ZONE}", "CNAME", [f"www.{ZONE}"], ACME, ZONE)]
    (finding,) = _dns(_run(source, []))
    assert finding[:2] == (Kind.MISSING, Severity.ERROR)
    assert f"looked for ocb-acme/{NEW_ZONE}/app.{NEW_ZONE}/CNAME" in finding[2]
