"""auditor.match: strategies, natural keys after renaming, ambiguity, scope and ignores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from auditor.match import Matcher, Matching
from auditor.rules import Rules, parse_rules
from tests.builders import JSON, endpoint, project, server, volume
from tests.worlds import RENAMES

RULES_TEXT = (
    "version: 1\n"
    + RENAMES
    + r"""match:
  order: [id, metadata, name]
  metadata_key: migrated_from_id
scope:
  target_domains: [ocb-cloudwatt]
"""
)


@pytest.fixture
def rules() -> Rules:
    return parse_rules(RULES_TEXT, "rules.yaml")


# Two source projects and their renamed counterparts.
ACME = project("p-acme", "cw-acme")
GLOBEX = project("p-globex", "cw-globex")
T_ACME = project("P-ACME", "ocb-acme", domain="ocb-cloudwatt")
T_GLOBEX = project("P-GLOBEX", "ocb-globex", domain="ocb-cloudwatt")


def pairs(m: Matching) -> set[tuple[str, str, str]]:
    """(source id, target id, strategy) of every pair."""
    return {(str(p.source["id"]), str(p.target["id"]), p.matched_by) for p in m.pairs}


def ids(items: Sequence[JSON]) -> set[str]:
    return {str(i["id"]) for i in items}


def matched_projects(rules: Rules) -> Matcher:
    """A matcher that has paired ACME and GLOBEX with their counterparts."""
    matcher = Matcher(rules)
    m = matcher.match("projects", [ACME, GLOBEX], [T_ACME, T_GLOBEX])
    assert pairs(m) == {("p-acme", "P-ACME", "name"), ("p-globex", "P-GLOBEX", "name")}
    return matcher


# -- each strategy alone --------------------------------------------------------------


def test_id_alone_pairs_equal_ids_only() -> None:
    m = Matcher(Rules(order=("id",))).match(
        "servers",
        [server("s-1", "web", ACME), server("s-2", "db", ACME)],
        [server("s-1", "renamed-web", ACME), server("S-2", "db", ACME)],
    )
    assert pairs(m) == {("s-1", "s-1", "id")}
    assert ids(m.missing) == {"s-2"}, "same name, but name matching is not in the order"
    assert ids(m.unexpected) == {"S-2"}


def test_id_map_alone() -> None:
    rules = Rules(order=("id_map",), id_map={"s-1": "X-9", "s-2": "absent"})
    m = Matcher(rules).match(
        "servers",
        [server("s-1", "web", ACME), server("s-2", "db", ACME)],
        [server("X-9", "anything", T_ACME), server("s-2", "db", T_ACME)],
    )
    assert pairs(m) == {("s-1", "X-9", "id_map")}
    # s-2 maps to an id the target lacks; the same id in the target is not id matching.
    assert ids(m.missing) == {"s-2"}
    assert ids(m.unexpected) == {"s-2"}


def test_metadata_alone() -> None:
    rules = Rules(order=("metadata",), metadata_key="migrated_from_id")
    m = Matcher(rules).match(
        "volumes",
        [volume("v-1", "data", ACME), volume("v-2", "logs", ACME)],
        [
            volume("V-1", "unrelated", T_ACME, metadata={"migrated_from_id": "v-1"}),
            volume("V-2", "logs", T_ACME, metadata={"other_key": "v-2"}),
        ],
    )
    assert pairs(m) == {("v-1", "V-1", "metadata")}
    assert ids(m.missing) == {"v-2"}, "only metadata_key counts"


def test_name_alone_uses_renamed_names(rules: Rules) -> None:
    matcher = matched_projects(replace(rules, order=("name",)))
    m = matcher.match(
        "servers",
        [server("s-1", "cw-web", ACME), server("s-2", "cw-db", ACME)],
        [server("S-1", "ocb-web", T_ACME), server("S-2", "cw-db", T_ACME)],
    )
    assert pairs(m) == {("s-1", "S-1", "name")}
    assert ids(m.missing) == {"s-2"}, "cw-db is expected as ocb-db, not under its old name"
    assert ids(m.unexpected) == {"S-2"}


def test_without_rules_names_match_as_they_are() -> None:
    matcher = Matcher(Rules())
    t_acme = project("Q", "cw-acme")
    assert pairs(matcher.match("projects", [ACME], [t_acme])) == {("p-acme", "Q", "name")}
    m = matcher.match(
        "servers",
        [server("s-1", "cw-web", ACME), server("s-2", "cw-db", ACME)],
        [server("S-1", "cw-web", t_acme), server("S-2", "ocb-db", t_acme)],
    )
    assert pairs(m) == {("s-1", "S-1", "name")}
    assert ids(m.missing) == {"s-2"}


# -- strategies in order ----------------------------------------------------------------


SOURCES = [server("s-1", "cw-web", ACME)]
# One target holds the same id under another name, the other the expected name.
SAME_ID = server("s-1", "ocb-other", T_ACME)
SAME_NAME = server("S-9", "ocb-web", T_ACME)


@pytest.mark.parametrize(
    ("order", "expected"),
    [(("id", "name"), ("s-1", "s-1", "id")), (("name", "id"), ("s-1", "S-9", "name"))],
)
def test_first_strategy_in_order_wins(
    rules: Rules, order: tuple[str, ...], expected: tuple[str, str, str]
) -> None:
    matcher = matched_projects(replace(rules, order=order))
    m = matcher.match("servers", SOURCES, [SAME_ID, SAME_NAME])
    assert pairs(m) == {expected}
    loser = ({"s-1", "S-9"} - {expected[1]}).pop()
    assert ids(m.unexpected) == {loser}
    assert m.missing == []


def test_metadata_wins_over_name(rules: Rules) -> None:
    matcher = matched_projects(rules)
    m = matcher.match(
        "servers",
        [server("s-1", "cw-web", ACME), server("s-2", "cw-web2", ACME)],
        [
            # Named like s-1's expected name, but records that it is s-2's copy.
            server("S-A", "ocb-web", T_ACME, metadata={"migrated_from_id": "s-2"}),
            server("S-B", "ocb-web-new", T_ACME, metadata={"migrated_from_id": "s-1"}),
        ],
    )
    assert pairs(m) == {("s-1", "S-B", "metadata"), ("s-2", "S-A", "metadata")}


def test_later_strategies_only_see_what_earlier_ones_left(rules: Rules) -> None:
    matcher = matched_projects(replace(rules, order=("id", "id_map", "metadata", "name")))
    matcher.rules = replace(matcher.rules, id_map={"s-2": "S-2"})
    m = matcher.match(
        "servers",
        [
            server("s-1", "cw-a", ACME),
            server("s-2", "cw-b", ACME),
            server("s-3", "cw-c", ACME),
            server("s-4", "cw-d", ACME),
        ],
        [
            server("s-1", "ocb-a", T_ACME),
            server("S-2", "ocb-b", T_ACME),
            server("S-3", "ocb-c", T_ACME, metadata={"migrated_from_id": "s-3"}),
            server("S-4", "ocb-d", T_ACME),
        ],
    )
    assert pairs(m) == {
        ("s-1", "s-1", "id"),
        ("s-2", "S-2", "id_map"),
        ("s-3", "S-3", "metadata"),
        ("s-4", "S-4", "name"),
    }


# -- natural keys ---------------------------------------------------------------------------


def test_projects_match_by_renamed_domain_and_name(rules: Rules) -> None:
    m = Matcher(rules).match(
        "projects",
        [ACME, project("p-x", "cw-acme", domain="legacy")],
        [
            project("P-OTHER", "ocb-acme", domain="customer-x"),  # same name, other domain
            T_ACME,
            project("P-LEG", "ocb-acme", domain="legacy"),  # 'legacy' is not renamed
        ],
    )
    assert pairs(m) == {("p-acme", "P-ACME", "name"), ("p-x", "P-LEG", "name")}


def test_project_owned_items_follow_their_projects_counterpart(rules: Rules) -> None:
    # The project was renamed by hand (matched through the id map), not by the rules:
    # its servers are still found through the project's counterpart.
    matcher = Matcher(replace(rules, order=("id_map", "name"), id_map={"p-acme": "P-HAND"}))
    t_project = project("P-HAND", "acme-corp", domain="ocb-cloudwatt")
    assert pairs(matcher.match("projects", [ACME], [t_project])) == {("p-acme", "P-HAND", "id_map")}
    m = matcher.match(
        "servers", [server("s-1", "cw-web", ACME)], [server("S-1", "ocb-web", t_project)]
    )
    assert pairs(m) == {("s-1", "S-1", "name")}


def test_project_owned_item_in_the_wrong_project_is_not_matched(rules: Rules) -> None:
    matcher = matched_projects(rules)
    m = matcher.match(
        "volumes", [volume("v-1", "cw-data", ACME)], [volume("V-1", "ocb-data", T_GLOBEX)]
    )
    assert m.pairs == []
    assert ids(m.missing) == {"v-1"}
    assert ids(m.unexpected) == {"V-1"}


def test_project_owned_items_without_project_matches_use_project_names(rules: Rules) -> None:
    # No projects collection matched: the key is (renamed domain, renamed project, renamed name).
    m = Matcher(rules).match(
        "servers",
        [server("s-1", "cw-web", ACME), server("s-2", "cw-web", GLOBEX)],
        [server("S-2", "ocb-web", T_GLOBEX), server("S-1", "ocb-web", T_ACME)],
    )
    assert pairs(m) == {("s-1", "S-1", "name"), ("s-2", "S-2", "name")}


def test_same_name_in_different_projects_is_not_ambiguous(rules: Rules) -> None:
    matcher = matched_projects(rules)
    m = matcher.match(
        "servers",
        [server("s-1", "cw-web", ACME), server("s-2", "cw-web", GLOBEX)],
        [server("S-1", "ocb-web", T_ACME), server("S-2", "ocb-web", T_GLOBEX)],
    )
    assert m.ambiguous == []
    assert pairs(m) == {("s-1", "S-1", "name"), ("s-2", "S-2", "name")}


def test_same_name_twice_in_one_source_project_is_ambiguous(rules: Rules) -> None:
    matcher = matched_projects(rules)
    m = matcher.match(
        "servers",
        [server("s-2", "cw-web", ACME), server("s-1", "cw-web", ACME)],
        [server("S-1", "ocb-web", T_ACME)],
    )
    assert m.pairs == [], "no silent pick"
    assert m.missing == [], "the contested sources are not reported missing"
    assert m.unexpected == [], "nor the contested target unexpected"
    (amb,) = m.ambiguous
    assert [s["id"] for s in amb.sources] == ["s-1", "s-2"], "ordered by id, not input order"
    assert [t["id"] for t in amb.targets] == ["S-1"]
    assert amb.strategy == "name"
    assert amb.key == "P-ACME/ocb-web"


def test_two_target_candidates_for_one_source_are_ambiguous(rules: Rules) -> None:
    matcher = matched_projects(rules)
    m = matcher.match(
        "servers",
        [server("s-1", "cw-web", ACME)],
        [server("S-2", "ocb-web", T_ACME), server("S-1", "ocb-web", T_ACME)],
    )
    assert m.pairs == []
    assert m.missing == [] and m.unexpected == []
    (amb,) = m.ambiguous
    assert ids(amb.sources) == {"s-1"}
    assert [t["id"] for t in amb.targets] == ["S-1", "S-2"]
    assert m.source_count == 1 and m.target_count == 2


def test_ambiguous_metadata_claim_is_not_resolved_by_name(rules: Rules) -> None:
    # Two targets claim to be s-1's copy; one of them also bears s-1's expected
    # name. The name strategy must not pair it behind the ambiguity's back.
    matcher = matched_projects(rules)
    m = matcher.match(
        "servers",
        [server("s-1", "cw-web", ACME)],
        [
            server("S-1", "ocb-web", T_ACME, metadata={"migrated_from_id": "s-1"}),
            server("S-2", "ocb-web-copy", T_ACME, metadata={"migrated_from_id": "s-1"}),
        ],
    )
    assert m.pairs == []
    (amb,) = m.ambiguous
    assert amb.strategy == "metadata"
    assert amb.key == "migrated_from_id=s-1"
    assert ids(amb.targets) == {"S-1", "S-2"}
    assert m.missing == [] and m.unexpected == []


def test_items_without_names_are_never_name_matched(rules: Rules) -> None:
    matcher = matched_projects(rules)
    m = matcher.match(
        "volumes",
        [volume("v-1", None, ACME), volume("v-2", "", ACME)],
        [volume("V-1", None, T_ACME), volume("V-2", "", T_ACME)],
    )
    assert m.pairs == []
    assert m.ambiguous == []
    assert ids(m.missing) == {"v-1", "v-2"}
    assert ids(m.unexpected) == {"V-1", "V-2"}


def test_nameless_items_still_match_by_id() -> None:
    m = Matcher(Rules()).match("volumes", [volume("v-1", None, ACME)], [volume("v-1", None, ACME)])
    assert pairs(m) == {("v-1", "v-1", "id")}


def test_endpoints_match_by_service_type_interface_and_renamed_region(rules: Rules) -> None:
    src = [
        endpoint("e-1", "compute", "public", "fr1", "https://compute.fr1.cloudwatt.com"),
        endpoint("e-2", "compute", "internal", "fr1", "http://nova.internal:8774"),
        endpoint("e-3", "identity", "public", "fr1", "https://identity.fr1.cloudwatt.com"),
    ]
    tgt = [
        endpoint("E-3", "identity", "public", "ocb-fr1", "https://id.example"),
        endpoint("E-1", "compute", "public", "ocb-fr1", "https://compute.example"),
        endpoint("E-2x", "compute", "internal", "fr1", "http://nova.internal:8774"),
    ]
    m = Matcher(rules).match("endpoints", src, tgt)
    assert pairs(m) == {("e-1", "E-1", "name"), ("e-3", "E-3", "name")}
    # Its region was renamed: an endpoint left in the old region is not the counterpart.
    assert ids(m.missing) == {"e-2"}


def test_two_target_endpoints_for_one_key_are_ambiguous(rules: Rules) -> None:
    m = Matcher(rules).match(
        "endpoints",
        [endpoint("e-1", "compute", "public", "fr1", "https://a")],
        [
            endpoint("E-1", "compute", "public", "ocb-fr1", "https://a"),
            endpoint("E-2", "compute", "public", "ocb-fr1", "https://b"),
        ],
    )
    assert m.pairs == []
    (amb,) = m.ambiguous
    assert amb.key == "compute/public/ocb-fr1"


# -- scope --------------------------------------------------------------------------------


def test_target_items_outside_target_domains_are_never_unexpected(rules: Rules) -> None:
    other = project("P-X", "customer-x", domain="customer-x")
    m = Matcher(rules).match("projects", [ACME], [T_ACME, other])
    assert pairs(m) == {("p-acme", "P-ACME", "name")}
    assert m.unexpected == []
    assert m.out_of_scope == 1
    assert m.target_count == 1


def test_project_owned_items_outside_target_domains_are_never_unexpected(rules: Rules) -> None:
    matcher = matched_projects(rules)
    other = project("P-X", "customer-x", domain="customer-x")
    m = matcher.match(
        "servers",
        [],
        [server("S-X", "build", other), server("S-N", "new", T_ACME)],
    )
    assert ids(m.unexpected) == {"S-N"}
    assert m.out_of_scope == 1


def test_out_of_scope_target_can_still_be_matched(rules: Rules) -> None:
    matcher = Matcher(replace(rules, order=("id_map",), id_map={"p-acme": "P-ELSE"}))
    elsewhere = project("P-ELSE", "acme", domain="customer-x")
    m = matcher.match("projects", [ACME], [elsewhere])
    assert pairs(m) == {("p-acme", "P-ELSE", "id_map")}
    assert m.missing == []
    assert m.target_count == 1, "a matched target counts even outside the declared scope"


def test_no_target_domains_means_every_target_is_in_scope() -> None:
    m = Matcher(Rules()).match("projects", [], [project("P-X", "x", domain="anything")])
    assert ids(m.unexpected) == {"P-X"}


def test_endpoints_outside_the_renamed_source_regions_are_not_unexpected(rules: Rules) -> None:
    src = [endpoint("e-1", "compute", "public", "fr1", "https://a")]
    tgt = [
        endpoint("E-1", "compute", "public", "ocb-fr1", "https://a"),
        endpoint("E-2", "image", "public", "ocb-fr1", "https://b"),
        endpoint("E-3", "image", "public", "ocb-lyon2", "https://c"),
    ]
    m = Matcher(rules).match("endpoints", src, tgt)
    assert ids(m.unexpected) == {"E-2"}
    assert m.out_of_scope == 1


def test_scope_target_regions_replaces_the_renamed_source_regions(rules: Rules) -> None:
    rules = replace(rules, target_regions=frozenset({"ocb-lyon2"}))
    src = [endpoint("e-1", "compute", "public", "fr1", "https://a")]
    tgt = [
        endpoint("E-1", "compute", "public", "ocb-fr1", "https://a"),
        endpoint("E-2", "image", "public", "ocb-fr1", "https://b"),
        endpoint("E-3", "image", "public", "ocb-lyon2", "https://c"),
    ]
    m = Matcher(rules).match("endpoints", src, tgt)
    assert pairs(m) == {("e-1", "E-1", "name")}, "matched although outside the declared regions"
    assert ids(m.unexpected) == {"E-3"}


def test_source_domains_limit_the_audited_sources(rules: Rules) -> None:
    rules = replace(rules, source_domains=frozenset({"cloudwatt"}))
    legacy = project("p-leg", "cw-legacy", domain="legacy")
    matcher = Matcher(rules)
    m = matcher.match("projects", [ACME, legacy], [T_ACME])
    assert m.missing == [], "a source outside source_domains is never missing"
    assert m.source_count == 1
    m = matcher.match(
        "servers", [server("s-1", "cw-web", ACME), server("s-2", "cw-old", legacy)], []
    )
    assert ids(m.missing) == {"s-1"}
    # Endpoints have no domain: source_domains does not apply to them.
    m = matcher.match("endpoints", [endpoint("e-1", "compute", "public", "fr1", "u")], [])
    assert ids(m.missing) == {"e-1"}


def test_ignore_items_apply_to_both_sides(rules: Rules) -> None:
    rules = parse_rules(
        RULES_TEXT + "ignore:\n  items:\n    - {collection: servers, name: 'tmp-*'}\n"
        "    - {collection: servers, name: 'ocb-tmp-*'}\n"
    )
    matcher = matched_projects(rules)
    m = matcher.match(
        "servers",
        [server("s-1", "tmp-build", ACME), server("s-2", "cw-web", ACME)],
        [server("S-2", "ocb-web", T_ACME), server("S-9", "ocb-tmp-42", T_ACME)],
    )
    assert pairs(m) == {("s-2", "S-2", "name")}
    assert m.missing == [] and m.unexpected == []
    assert (m.source_count, m.target_count) == (1, 1), "ignored items are not counted"


def test_ignored_target_is_not_matched_even_by_id() -> None:
    rules = parse_rules("version: 1\nignore:\n  items: [{collection: volumes, name: 'scratch*'}]\n")
    m = Matcher(rules).match(
        "volumes", [volume("v-1", "data", ACME)], [volume("v-1", "scratch-1", ACME)]
    )
    assert m.pairs == []
    assert ids(m.missing) == {"v-1"}
    assert m.unexpected == []


def test_counts_and_id_map(rules: Rules) -> None:
    matcher = matched_projects(rules)
    m = matcher.match(
        "volumes",
        [volume("v-1", "cw-a", ACME), volume("v-2", "cw-b", ACME), volume("v-3", "cw-c", GLOBEX)],
        [volume("V-1", "ocb-a", T_ACME), volume("V-3", "ocb-c", T_GLOBEX)],
    )
    assert m.source_count == 3
    assert m.target_count == 2
    assert m.id_map() == {"v-1": "V-1", "v-3": "V-3"}
    assert matcher.project_map == {"p-acme": "P-ACME", "p-globex": "P-GLOBEX"}
