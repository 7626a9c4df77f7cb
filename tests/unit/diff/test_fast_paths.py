"""The diff's fast paths (issue 19, round 2) say what the general code says: each test
puts a pair or a collection on both sides of a shortcut (taken, and not taken) and checks
the findings the checks make, field by field.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.catalog import registry
from auditor.diff.changes import ById, Changes, Context
from auditor.diff.checks import check, metadata
from auditor.diff.residue import residue_in
from auditor.match import Matcher
from auditor.rules import Rules

JSON = dict[str, Any]

KEY = "migrated_from_id"


def _changes(rules: Rules, maps: dict[str, dict[str, str]] | None = None) -> Changes:
    maps = maps or {}
    ctx = Context(
        rules=rules,
        maps=maps,
        complete=dict.fromkeys(maps, True),
        target_items=ById({name: [{"id": t} for t in ids.values()] for name, ids in maps.items()}),
        counterparts={name: frozenset(ids.values()) for name, ids in maps.items()},
    )
    return Changes("servers", ctx)


def _metadata(source: Any, target: Any, key: str | None = KEY) -> list[tuple[str, Any, Any]]:
    ch = _changes(Rules(metadata_key=key))
    metadata("metadata", {"metadata": source}, {"metadata": target}, ch)
    return [(c.field, c.source, c.target) for c in ch.items]


def test_metadata_the_key_alone_differs() -> None:
    assert _metadata({"role": "db"}, {"role": "db", KEY: "S1"}) == []
    assert _metadata({}, {KEY: "S1"}) == []
    assert _metadata(None, {KEY: "S1"}) == []


def test_metadata_a_value_beside_the_key_changed_lost_or_gained() -> None:
    assert _metadata({"role": "db"}, {"role": "web", KEY: "S1"}) == [("metadata.role", "db", "web")]
    assert _metadata({"role": "db", "tier": "1"}, {"role": "db", KEY: "S1"}) == [
        ("metadata.tier", "1", None)
    ]
    assert _metadata({"role": "db"}, {"role": "db", "tier": "1", KEY: "S1"}) == [
        ("metadata.tier", None, "1")
    ]


def test_metadata_the_key_in_the_source_too_is_left_out_of_both() -> None:
    assert _metadata({"role": "db", KEY: "X"}, {"role": "db", KEY: "S1"}) == []
    assert _metadata({"role": "db", KEY: "X"}, {"role": "web", KEY: "S1"}) == [
        ("metadata.role", "db", "web")
    ]


def test_metadata_without_a_metadata_key_compares_every_key() -> None:
    assert _metadata({"role": "db"}, {"role": "db", KEY: "S1"}, key=None) == [
        (f"metadata.{KEY}", None, "S1")
    ]


def _volumes(source: list[str], target: list[str]) -> list[tuple[str, Any, Any]]:
    spec = registry.find("servers")
    assert spec is not None
    (field,) = [f for f in spec.fields if f.name == "volumes"]
    run = check("servers", "volumes", field.compare)
    assert run is not None
    ch = _changes(Rules(), {"volumes": {"V1": "T1", "V2": "T2"}})
    run({"volumes": source}, {"volumes": target}, ch)
    return [(c.field, c.source, c.target) for c in ch.items]


def test_one_reference_to_its_counterpart_or_not() -> None:
    assert _volumes([], []) == []
    assert _volumes(["V1"], ["T1"]) == []
    assert _volumes(["V1"], ["T2"]) == [("volumes", "T1", None), ("volumes", None, "T2")]
    assert _volumes(["V1"], []) == [("volumes", "T1", None)]
    assert _volumes([], ["T1"]) == [("volumes", None, "T1")]
    assert _volumes(["V1", "V2"], ["T2", "T1"]) == []
    assert _volumes(["V1", "V2"], ["T1"]) == [("volumes", "T2", None)]


def test_by_id_indexes_a_collection_when_asked() -> None:
    by_id = ById({"volumes": [{"id": "V1"}, {"id": 7}], "servers": []})
    assert sorted(by_id) == ["servers", "volumes"]
    assert len(by_id) == 2
    assert by_id["volumes"] == {"V1": {"id": "V1"}, "7": {"id": 7}}
    assert by_id.get("volumes") is by_id["volumes"]  # built once
    assert by_id.get("subnets", {}) == {}


def test_residue_in_with_or_without_the_paired_ids_and_out_of_scope_items() -> None:
    rules = Rules(residue=(re.compile("cloudwatt"),), target_domains=frozenset({"ocb"}))
    sources: list[JSON] = [{"id": "S1", "name": "a", "domain": "cw"}]
    targets: list[JSON] = [
        {"id": "T1", "name": "cloudwatt-a", "domain": "ocb", "metadata": {KEY: "S1"}},
        {"id": "T2", "name": "cloudwatt-b", "domain": "ocb"},  # unexpected
        {"id": "T3", "name": "cloudwatt-c", "domain": "other"},  # out of scope
    ]
    by_metadata = Rules(order=("metadata",), metadata_key=KEY, target_domains=rules.target_domains)
    matching = Matcher(by_metadata).match("servers", sources, targets)
    assert [p.target["id"] for p in matching.pairs] == ["T1"]
    expected = [("T1", [("name", "cloudwatt")]), ("T2", [("name", "cloudwatt")])]
    for paired in (None, frozenset({"T1"})):
        found = residue_in(rules, "servers", matching, targets, paired)
        assert [(item["id"], hits) for item, hits in found] == expected
    # Every item paired or unexpected: the scan takes the shortcut and finds the same.
    in_scope = targets[:2]
    found = residue_in(rules, "servers", matching, in_scope, frozenset({"T1"}))
    assert [(item["id"], hits) for item, hits in found] == expected
