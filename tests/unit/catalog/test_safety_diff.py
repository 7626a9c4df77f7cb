"""Safety net of the catalog redesign: the diff finds what it found, word for word.

The normalised world of :mod:`tests.unit.catalog.world` (every collection,
items referencing each other) is diffed against copies of itself in which one
field of one item was changed (on the target side, or on the source side for
the reverse direction), one item removed (missing or unexpected), or under
rules that rename. Every finding (kind, severity, id, message and changes,
values and texts) is pinned in tests/golden/catalog/diff.json, taken from the
hand-written comparators before the redesign.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from auditor.diff import diff
from auditor.model import CollectionResult, Report, Snapshot, Status
from auditor.rules import Rules, parse_rules
from tests.unit.catalog import adapter, golden
from tests.unit.catalog.test_safety_normalised import NAMES
from tests.unit.catalog.world import VARIANTS, raw_world

JSON = dict[str, Any]

RENAMES = r"""version: 1
rename:
  regions: {fr1: ocb-fr1, fr: ocb-fr}
  domains: {cloudwatt: ocb-cloudwatt}
  names:
    - collections: [projects, servers, volumes, networks, subnets, routers, security_groups,
                    volume_snapshots, volume_backups, images, flavors, keypairs, services,
                    floating_ips, quotas, domains, regions, endpoints]
      pattern: '^cw-(.*)$'
      replace: 'ocb-\1'
  urls:
    - {pattern: '^https://([a-z0-9-]+)\.fr1\.cloudwatt\.com', replace: 'https://\1.fr1.ocb.com'}
match:
  order: [id, name]
residue:
  patterns: ['cloudwatt', '\bcw-']
"""


def world() -> dict[str, list[JSON]]:
    mv = VARIANTS["compute-2.96"]
    out = {}
    for name in NAMES:
        normalised = adapter.normalise(name, raw_world(mv), mv)
        out[name] = normalised["items"] if isinstance(normalised, dict) else normalised
    return out


def snapshot(cloud: str, collections: dict[str, list[JSON]]) -> Snapshot:
    return Snapshot(
        cloud=cloud,
        region="fr1",
        auth_url=None,
        taken_at="2026-11-22T10:00:00Z",
        duration_s=1.0,
        collections={n: CollectionResult(Status.OK, tuple(i)) for n, i in collections.items()},
    )


def findings(report: Report) -> list[Any]:
    out = []
    for f in report.findings:
        doc = f.to_json()
        out.append(
            [
                doc["kind"],
                doc["collection"],
                doc["severity"],
                doc["id"],
                doc["message"],
                doc.get("project"),
                doc.get("matched_by"),
                doc.get("changes", []),
                [c.get("id") for c in doc.get("candidates", [])],
            ]
        )
    return out


def variants(field: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Changes of a value that keep its JSON type (or make it null)."""
    if isinstance(value, bool):
        yield "flip", not value
    elif isinstance(value, int):
        yield from (("less", value - 1), ("more", value + 1), ("unlimited", -1), ("null", None))
    elif isinstance(value, str):
        yield from (("other", value + "-x"), ("empty", ""), ("null", None))
        if field == "status":
            yield "error", "ERROR"
    elif isinstance(value, list):
        yield "empty", []
        if value:
            yield "drop", value[:-1]
            first = value[0]
            extra: Any = next(variants_of(first), first) if isinstance(first, dict) else "x-add"
            yield "add", [*value, extra]
        yield "null", None
    elif isinstance(value, dict):
        yield "empty", {}
        if value:
            key = sorted(value)[0]
            yield "drop", {k: v for k, v in value.items() if k != key}
            for name, changed in variants(f"{field}.{key}", value[key]):
                yield f"{key}:{name}", {**value, key: changed}
        yield "add", {**value, "x-added": "x"}
        yield "null", None


def variants_of(record: JSON) -> Iterator[JSON]:
    """A record with one of its values changed (for a list of records)."""
    for key in record:
        for _name, changed in variants(key, record[key]):
            yield {**record, key: changed}
            return


def cases() -> Iterator[tuple[str, Rules, dict[str, list[JSON]], dict[str, list[JSON]]]]:
    base = world()
    renames = parse_rules(RENAMES, "renames.yaml")
    yield "identical", Rules(), base, base
    yield "renames", renames, base, base
    for name in NAMES:
        items = base[name]
        for index in sorted({0, len(items) - 1}):
            item_id = items[index]["id"]
            gone = {**base, name: [i for i in items if i["id"] != item_id]}
            yield f"{name}/{item_id}/missing", Rules(), base, gone
            yield f"{name}/{item_id}/unexpected", Rules(), gone, base
            yield f"{name}/{item_id}/missing-renamed", renames, base, gone
            for field in items[index]:
                if field == "id":
                    continue
                for label, value in variants(field, items[index][field]):
                    for side in ("target", "source"):
                        if side == "source" and label not in ("null", "less", "drop", "flip"):
                            continue
                        changed = copy.deepcopy(items)
                        changed[index][field] = value
                        mutated = {**base, name: changed}
                        case = f"{name}/{item_id}/{field}/{label}/{side}"
                        if side == "target":
                            yield case, Rules(), base, mutated
                        else:
                            yield case, Rules(), mutated, base


def test_the_diff_finds_what_it_found() -> None:
    out = {}
    for case, rules, source, target in cases():
        report = diff(
            snapshot("cw", source), snapshot("ocb", target), rules, generated_at="2026-11-22"
        )
        out[case] = findings(report)
    golden.check("diff.json", out, by_line=True)
