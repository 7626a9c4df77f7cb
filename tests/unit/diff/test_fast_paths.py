"""The diff's fast paths (issue 19, round 2) say what the general code says: each test
puts a pair or a collection on both sides of a shortcut (taken, and not taken) and checks
the findings the checks make, field by field.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from auditor.catalog import registry
from auditor.diff.changes import ById, Changes, Context
from auditor.diff.checks import check, metadata
from auditor.diff.comparator import bound, comparator
from auditor.diff.residue import _LITERAL, _candidates, residue_in
from auditor.diff.scorecard import explained, recount
from auditor.match import Matcher
from auditor.model import Finding, Kind, ProjectScore, Ref, Severity
from auditor.model.flux import Event, FluxNote, ListingWindow
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


# -- round 3: one key of a pair's guarded fields; residue searched in joined texts ------


def _server(**fields: Any) -> JSON:
    item: JSON = {
        "id": "S1",
        "name": "app",
        "project_id": "P1",
        "status": "ACTIVE",
        "flavor": {"name": "m1", "vcpus": 1, "ram": 512, "disk": 1},
        "image": {"id": "I1", "name": "debian"},
        "key_name": "k",
        "availability_zone": "nova",
        "metadata": {"role": "db"},
        "addresses": {"net": ["10.0.0.1"]},
        "volumes": ["V1"],
        "security_groups": ["default"],
        "tags": ["a"],
        "config_drive": False,
        "locked": False,
    }
    item.update(fields)
    return {k: v for k, v in item.items() if v is not _ABSENT}


_ABSENT = object()

_VARIANTS: list[JSON] = [
    {},
    {"status": "ERROR"},
    {"key_name": None},
    {"key_name": _ABSENT},  # an item without a field the key reads: checked one by one
    {"availability_zone": "az2", "tags": []},
    {"config_drive": True},
    {"addresses": {}},
    {"addresses": _ABSENT},
    {"metadata": {"role": "web", KEY: "S1"}},
    {"metadata": {"role": "db", KEY: "S1"}},
    {"locked": True, "locked_reason": "why"},
    {"volumes": ["V9"]},
    {"flavor": {"name": "m0", "vcpus": 1, "ram": 256, "disk": 1}},
]


def _each_check(collection: str, source: JSON, target: JSON, ch: Changes) -> None:
    """Every field's check, unguarded: what the comparator must find."""
    spec = registry.find(collection)
    assert spec is not None
    for field in spec.fields:
        run = check(collection, field.name, field.compare)
        if run is not None:
            run(source, target, ch)


def _by_field(ch: Changes) -> list[Any]:
    return sorted(ch.items, key=lambda c: c.field)


def test_comparator_key_finds_what_every_check_finds() -> None:
    rules = Rules(metadata_key=KEY)
    maps = {"volumes": {"V1": "TV1"}, "servers": {"S1": "T1"}}
    compare = comparator("servers")
    assert compare is not None
    found_any = 0
    for source_change in _VARIANTS:
        for target_change in _VARIANTS:
            source = _server(**source_change)
            target = _server(**{"volumes": ["TV1"], **target_change})
            expected, got = _changes(rules, maps), _changes(rules, maps)
            _each_check("servers", source, target, expected)
            compare(source, target, got)
            # In the order findings give them (guarded checks run first, as before).
            assert _by_field(got) == _by_field(expected), (source_change, target_change)
            found_any += bool(got.items)
    assert found_any > len(_VARIANTS)  # the variants do differ


def test_comparator_of_volumes_compares_a_changed_type_only() -> None:
    rules = Rules(metadata_key=KEY)
    compare = comparator("volumes")
    assert compare is not None
    volume: JSON = {"id": "V1", "status": "available", "size": 10, "volume_type": "ssd"}
    volume |= {"bootable": False, "encrypted": False, "availability_zone": "nova"}
    volume |= {"metadata": {}, "attachments": []}
    for target, fields in (
        (volume, []),
        ({**volume, "volume_type": "hdd"}, ["volume_type"]),
        ({**volume, "size": 5, "volume_type": "hdd"}, ["size", "volume_type"]),
    ):
        ch = _changes(rules)
        compare(volume, target, ch)
        assert sorted(c.field for c in ch.items) == fields


def _residue(patterns: list[str], targets: list[JSON]) -> list[tuple[Any, list[Any]]]:
    rules = Rules(residue=tuple(re.compile(p, re.IGNORECASE) for p in patterns), metadata_key=KEY)
    matching = Matcher(rules).match("servers", [], targets)
    found = residue_in(rules, "servers", matching, targets)
    return [(item["id"], hits) for item, hits in found]


def test_residue_joined_search_finds_what_the_item_by_item_scan_finds() -> None:
    targets: list[JSON] = [
        {"id": "T1", "name": "app-cw"},  # ends the text: the next text's start is no match
        {"id": "T2", "name": "cw-app", "metadata": {"note": "x"}},
        {"id": "T3", "name": "xcw-app", "metadata": {"note": "CloudWatt here", "n": "cw-"}},
        {"id": "T4", "name": None, "metadata": None},
        {"id": "T5", "name": "", "metadata": {KEY: "cloudwatt-id"}},
        {"id": "T6", "name": "plain", "metadata": {"a": "b", "c": "d"}},
        {"id": "T7", "name": "last cloudwatt"},
    ]
    literal = _residue(["cloudwatt", r"\bcw-"], targets)
    # The same patterns, but not literal: every item is scanned.
    assert _LITERAL.fullmatch("(?:cloudwatt)") is None
    scanned = _residue(["(?:cloudwatt)", r"(?:\bcw-)"], targets)
    assert literal == scanned
    assert [i for i, _ in literal] == ["T2", "T3", "T7"]


def test_residue_candidates_or_none_when_they_cannot_be_known() -> None:
    literal = (re.compile("cloudwatt", re.IGNORECASE), re.compile(r"\bcw-", re.IGNORECASE))
    items: list[JSON] = [
        {"name": "a", "metadata": {"k": "Cloudwatt"}},
        {"name": "cw-b"},
        {"name": "c", "metadata": {}},
        {"name": "xcw-d", "metadata": {"k": "v"}},
    ]
    # xcw-d holds cw- (not after a word boundary): a candidate the scan then clears.
    assert _candidates(literal, ("name", "metadata"), items) == [0, 1, 3]
    assert _candidates(literal, ("name",), items) == [1, 3]
    assert _candidates(literal, ("metadata",), items) == [0]
    assert _candidates((re.compile("cloud.att"),), ("name",), items) is None
    assert _candidates(literal, ("metadata",), [{"metadata": {"k": 1}}]) is None
    assert _candidates(literal, ("name",), [{"name": 3}]) is None
    assert _candidates(literal, ("records",), [{"records": ["a", "cw-x"]}, {}]) == [0]
    # A text not ASCII: its lower case may not be what the pattern ignoring case matches.
    assert _candidates(literal, ("name",), [{"name": "ſ"}]) is None
    assert _candidates((re.compile("cloud watt", re.VERBOSE),), ("name",), items) is None
    assert _candidates((re.compile(r"\b"),), ("name",), items) is None


def test_residue_candidates_hold_every_item_the_scan_finds_residue_in() -> None:
    patterns = ["cloudwatt", r"\bcw-", r"c\.w", "CW x"]
    texts = ["", "cw", "cw-", "xcw-", "a cw-b", "Cloud", "CLOUDWATT", "c.w", "cw x", "c w"]
    targets: list[JSON] = [
        {"id": f"T{i}", "name": a, "metadata": {"k": b} if b else None}
        for i, (a, b) in enumerate((a, b) for a in texts for b in texts)
    ]
    non_literal = [f"(?:{p})" for p in patterns]
    assert _residue(patterns, targets) == _residue(non_literal, targets)
    assert len(_residue(patterns, targets)) > len(targets) / 2


def test_recount_makes_rows_of_every_field_of_a_project_score() -> None:
    # recount() builds each row field by field (no dataclasses.replace): a new field of
    # ProjectScore must be copied there too.
    names = {f.name for f in dataclasses.fields(ProjectScore)}
    # So must explained(), which moves missing resources to in_flux once.
    copied = {"source", "target", "matched", "missing", "changed", "origin", "in_flux"}
    assert names == copied | {"unexpected", "errors", "warnings"}
    row = ProjectScore(Ref("P1", "p", "d"), Ref("Q1", "q", "d"), 3, 1, 9, "cw", 9, 9, 9, 4)
    (again,) = recount([row], [], {})
    assert again == dataclasses.replace(row, changed=0, unexpected=0, errors=0, warnings=0)
    gone = Finding(
        "f-1", Kind.IN_FLUX, "servers", Severity.INFO, "m", Ref("S1", "s"),
        flux=FluxNote(
            Kind.MISSING, "source", "cw", Event.DELETED, "2026-12-05T10:03:00Z",
            ListingWindow("2026-12-05T10:00:00Z", "2026-12-05T10:05:00Z"),
        ),
    )  # fmt: skip
    (moved,) = explained([row], [gone], {"f-1": frozenset({("cw", "P1")})})
    assert moved == dataclasses.replace(row, missing=0, in_flux=5)


# -- round 4: usual silent cases tested in place (comparator.bound) ----------------------

_BOUND_VARIANTS: list[JSON] = [
    *_VARIANTS,
    {"metadata": None},
    {"metadata": {}},
    {"metadata": _ABSENT},
    {"metadata": {KEY: "S1"}},
    {"metadata": {"role": "db", "tier": "1", KEY: "S1"}},
    {"metadata": {"role": "db", KEY: "X"}},
    {"volumes": []},
    {"volumes": None},
    {"volumes": ["V1", "V2"]},
    {"volumes": ["V1", "V9"]},  # V9: no counterpart
    {"volumes": ["V2", "V1", "V1"]},
    {"volumes": ["TV1"]},
    {"volumes": ["TV2", "TV1"]},
    {"volumes": ["TV1", "TV1"]},
    {"volumes": ["TV1", None]},
    {"volumes": ("V1",)},  # not a list: left to the check
    {"security_groups": []},
    {"security_groups": ["web", "default"]},
    {"security_groups": ["default", "default"]},
    {"security_groups": _ABSENT},
    {"project_id": "P2"},
    {"tags": _ABSENT},  # an optional field left out: the narrower key from then on
    {"tags": None},
    {"config_drive": _ABSENT},
    {"config_drive": None},
]


def test_bound_finds_what_every_check_finds_with_its_memo_empty_or_filled() -> None:
    rules = Rules(metadata_key=KEY)
    maps = {"volumes": {"V1": "TV1", "V2": "TV2"}, "servers": {"S1": "T1"}}
    unpaired = {"volumes": frozenset({"V9"})}  # no counterpart: a reference to it is lost
    found_any = 0
    for source_change in _BOUND_VARIANTS:
        for target_change in _BOUND_VARIANTS:
            source = _server(**source_change)
            target = _server(**{"volumes": ["TV1"], **target_change})
            expected = _changes(rules, maps)
            expected.ctx = dataclasses.replace(expected.ctx, unpaired=unpaired)
            _each_check("servers", source, target, expected)
            ctx = dataclasses.replace(_changes(rules, maps).ctx, unpaired=unpaired)
            compare = bound("servers", ctx)
            assert compare is not None
            for memo in ("empty", "filled by the first call"):
                got = Changes("servers", ctx)
                compare(source, target, got)
                assert _by_field(got) == _by_field(expected), (source_change, target_change, memo)
            found_any += bool(expected.items)
    assert found_any > len(_BOUND_VARIANTS)


def test_bound_without_a_metadata_key_or_a_map_calls_the_checks() -> None:
    source = _server(metadata={"role": "db"}, volumes=["V1"])
    target = _server(metadata={"role": "db", KEY: "S1"}, volumes=["TV1"])
    for rules, maps, fields in (
        (Rules(), {"volumes": {"V1": "TV1"}}, [f"metadata.{KEY}"]),
        (Rules(metadata_key=KEY), {}, []),  # volumes not in the diff: nothing to say
        (Rules(metadata_key=KEY), {"volumes": {"V1": "TV9"}}, ["volumes"]),  # TV9 lost
    ):
        expected = _changes(rules, maps)
        _each_check("servers", source, target, expected)
        compare = bound("servers", expected.ctx)
        assert compare is not None
        got = Changes("servers", expected.ctx)
        compare(source, target, got)
        assert _by_field(got) == _by_field(expected)
        assert [c.field for c in got.items] == fields


def test_bound_of_volumes_finds_what_every_check_finds() -> None:
    rules = Rules(metadata_key=KEY)
    maps = {"servers": {"S1": "T1", "S2": "T2"}}
    volume: JSON = {"id": "V1", "status": "available", "size": 10, "volume_type": "ssd"}
    volume |= {"bootable": False, "encrypted": False, "availability_zone": "nova"}
    volume |= {"metadata": {"a": "1"}, "attachments": ["S1"]}
    changes: list[JSON] = [
        {},
        {"attachments": []},
        {"attachments": ["T1"]},
        {"attachments": ["T2"]},
        {"attachments": ["S1", "S2"]},
        {"attachments": ["T2", "T1"]},
        {"metadata": {"a": "1", KEY: "V1"}},
        {"metadata": {"a": "2", KEY: "V1"}},
        {"size": 5, "metadata": {}},
    ]
    for source_change in changes:
        for target_change in changes:
            source, target = {**volume, **source_change}, {**volume, **target_change}
            expected = _changes(rules, maps)
            _each_check("volumes", source, target, expected)
            got = Changes("volumes", expected.ctx)
            compare = bound("volumes", expected.ctx)
            assert compare is not None
            compare(source, target, got)
            assert _by_field(got) == _by_field(expected), (source_change, target_change)
