"""auditor.rules: the rules file -> validated Rules; every rejection names file, line and key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from auditor.app.files import read_rules
from auditor.errors import BadInputError, RulesError
from auditor.model import Severity
from auditor.rules import DEFAULT_ORDER, Rules, parse_rules

# The SPEC's example rules file, verbatim.
SPEC_RULES = r"""version: 1
rename:                       # how the rebranding renamed things
  regions:  {fr1: ocb-fr1}
  domains:  {cloudwatt: ocb-cloudwatt}
  names:                      # regex rewrites of names, per collection
    - {collections: [projects, servers, volumes], pattern: '^cw-(.*)$', replace: 'ocb-\1'}
  urls:                       # regex rewrites of endpoint URLs
    - {pattern: '^https://([a-z0-9-]+)\.fr1\.cloudwatt\.com', replace: 'https://\1.fr1.cloud.orange-business.com'}
match:
  order: [id, id_map, metadata, name]   # strategies tried in turn
  metadata_key: migrated_from_id        # target metadata key holding the source id
  id_map: idmap.json                    # optional {source_id: target_id}
scope:                        # target resources outside scope are never "unexpected"
  target_domains: [ocb-cloudwatt]
ignore:
  fields: {servers: [status]}
  items:  [{collection: servers, name: 'tmp-*'}]
severity:                     # overrides, collection.field: level
  servers.status: info
residue:                      # old-brand strings that must not survive in the target
  patterns: ['cloudwatt']
"""


def write(directory: Path, text: str, name: str = "rules.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def rejection(directory: Path, text: str) -> str:
    """The one-line message a rules file is rejected with."""
    path = write(directory, text)
    with pytest.raises(RulesError) as info:
        read_rules(str(path))
    message = str(info.value)
    assert "\n" not in message
    return message


def assert_names(message: str, path: Path, line: int, key: str) -> None:
    """``FILE: line N: KEY: problem``."""
    assert message.startswith(f"{path}: line {line}: {key}: "), message


# -- the SPEC example ---------------------------------------------------------------


@pytest.fixture
def spec_rules(tmp_path: Path) -> Rules:
    write(tmp_path, json.dumps({"s-1": "T-1", "s-2": "T-2"}), "idmap.json")
    return read_rules(str(write(tmp_path, SPEC_RULES)))


def test_spec_example_renames(spec_rules: Rules) -> None:
    assert dict(spec_rules.regions) == {"fr1": "ocb-fr1"}
    assert dict(spec_rules.domains) == {"cloudwatt": "ocb-cloudwatt"}
    assert spec_rules.region("fr1") == "ocb-fr1"
    assert spec_rules.region("fr2") == "fr2", "a region not renamed keeps its name"
    assert spec_rules.domain("cloudwatt") == "ocb-cloudwatt"
    assert spec_rules.domain("Default") == "Default"


def test_spec_example_name_rewrites_apply_only_to_their_collections(spec_rules: Rules) -> None:
    (rewrite,) = spec_rules.names
    assert rewrite.collections == {"projects", "servers", "volumes"}
    assert rewrite.replace == r"ocb-\1"
    for collection in ("projects", "servers", "volumes"):
        assert spec_rules.name(collection, "cw-acme") == "ocb-acme"
    assert spec_rules.name("servers", "web-cw-1") == "web-cw-1", "the pattern is anchored"
    assert spec_rules.name("flavors", "cw-small") == "cw-small", "flavors are not in the rule"
    assert spec_rules.name("servers", None) is None


def test_spec_example_url_rewrite(spec_rules: Rules) -> None:
    assert len(spec_rules.urls) == 1
    assert (
        spec_rules.url("https://compute.fr1.cloudwatt.com/v2.1")
        == "https://compute.fr1.cloud.orange-business.com/v2.1"
    )
    # Another region's URL is not what the rule rewrites.
    assert (
        spec_rules.url("https://compute.fr2.cloudwatt.com") == "https://compute.fr2.cloudwatt.com"
    )


def test_spec_example_matching(spec_rules: Rules) -> None:
    assert spec_rules.order == ("id", "id_map", "metadata", "name")
    assert spec_rules.metadata_key == "migrated_from_id"
    assert dict(spec_rules.id_map) == {"s-1": "T-1", "s-2": "T-2"}


def test_spec_example_scope_ignore_severity_residue(spec_rules: Rules, tmp_path: Path) -> None:
    assert spec_rules.target_domains == frozenset({"ocb-cloudwatt"})
    assert spec_rules.target_regions is None, "unset: the renamed source regions"
    assert spec_rules.source_domains is None, "unset: every source domain"
    assert {k: set(v) for k, v in spec_rules.ignore_fields.items()} == {"servers": {"status"}}
    assert not spec_rules.compared("servers", "status")
    assert spec_rules.compared("servers", "flavor")
    assert spec_rules.compared("volumes", "status"), "ignore.fields is per collection"
    assert spec_rules.ignored("servers", {"id": "1", "name": "tmp-build"})
    assert not spec_rules.ignored("servers", {"id": "1", "name": "web-tmp-1"})
    assert not spec_rules.ignored("volumes", {"id": "1", "name": "tmp-build"})
    assert dict(spec_rules.severity) == {"servers.status": Severity.INFO}
    assert spec_rules.severity_for("servers", "status", Severity.ERROR) is Severity.INFO
    assert spec_rules.severity_for("volumes", "status", Severity.ERROR) is Severity.ERROR
    (residue,) = spec_rules.residue
    assert residue.search("ocb-logs-CloudWatt"), "residue patterns ignore case"
    assert spec_rules.origin == str(tmp_path / "rules.yaml")


def test_no_rules_file_matches_by_id_then_name() -> None:
    rules = read_rules(None)
    assert rules.order == DEFAULT_ORDER == ("id", "name")
    assert rules.name("servers", "cw-web") == "cw-web"
    assert rules.url("https://x.cloudwatt.com") == "https://x.cloudwatt.com"
    assert rules.residue == ()
    assert rules.target_domains is None


def test_minimal_file_is_the_defaults() -> None:
    rules = parse_rules("version: 1\n", "r.yaml")
    assert rules.order == ("id", "name")
    assert rules.metadata_key is None
    assert dict(rules.id_map) == {}


def test_default_order_takes_in_the_configured_strategies(tmp_path: Path) -> None:
    write(tmp_path, "{}", "map.json")
    with_key = parse_rules("version: 1\nmatch: {metadata_key: mid}\n")
    assert with_key.order == ("id", "metadata", "name")
    with_both = read_rules(
        str(write(tmp_path, "version: 1\nmatch: {metadata_key: mid, id_map: map.json}\n"))
    )
    assert with_both.order == ("id", "id_map", "metadata", "name")


def test_explicit_order_is_kept_as_written() -> None:
    rules = parse_rules("version: 1\nmatch: {order: [name, id]}\n")
    assert rules.order == ("name", "id")


def test_name_rewrites_apply_in_order() -> None:
    rules = parse_rules(
        "version: 1\n"
        "rename:\n"
        "  names:\n"
        "    - {collections: [servers], pattern: '^cw-', replace: 'ocb-'}\n"
        "    - {collections: [servers], pattern: '-fr1$', replace: '-ocb-fr1'}\n"
        "    - {collections: [servers], pattern: '^(?P<brand>ocb)-(?P<rest>.*)$',"
        " replace: '\\g<brand>_\\g<rest>'}\n"
    )
    assert rules.name("servers", "cw-web-fr1") == "ocb_web-ocb-fr1"


def test_escaped_backslash_is_not_a_group_reference() -> None:
    # '\\1' is a literal backslash then 1, not a reference to a group the pattern lacks.
    rules = parse_rules(
        "version: 1\nrename:\n  urls:\n    - {pattern: 'old', replace: 'new\\\\1'}\n", "r.yaml"
    )
    assert rules.url("old") == "new\\1"


def test_ignore_items_glob_on_project_too() -> None:
    rules = parse_rules(
        "version: 1\nignore:\n  items:\n    - {collection: volumes, project: 'cw-lab-*'}\n"
    )
    assert rules.ignored("volumes", {"id": "1", "name": "data", "project": "cw-lab-3"})
    assert not rules.ignored("volumes", {"id": "1", "name": "data", "project": "cw-acme"})


def test_severity_may_name_a_field_a_subfield_or_a_kind() -> None:
    rules = parse_rules(
        "version: 1\nseverity:\n"
        "  volumes.missing: warning\n"
        "  servers.metadata.role: error\n"
        "  endpoints.url: warning\n"
        "  flavors.ram: info\n"  # an extended collection: its fields are not checked
    )
    assert dict(rules.severity) == {
        "volumes.missing": Severity.WARNING,
        "servers.metadata.role": Severity.ERROR,
        "endpoints.url": Severity.WARNING,
        "flavors.ram": Severity.INFO,
    }


def test_scope_lists() -> None:
    rules = parse_rules(
        "version: 1\nscope:\n"
        "  target_domains: [ocb-a, ocb-b]\n"
        "  target_regions: [ocb-fr1]\n"
        "  source_domains: [cloudwatt]\n"
    )
    assert rules.target_domains == frozenset({"ocb-a", "ocb-b"})
    assert rules.target_regions == frozenset({"ocb-fr1"})
    assert rules.source_domains == frozenset({"cloudwatt"})


# -- id maps ------------------------------------------------------------------------------


def test_id_map_is_read_relative_to_the_rules_file(tmp_path: Path) -> None:
    rules_dir = tmp_path / "conf"
    rules_dir.mkdir()
    write(rules_dir, json.dumps({"a": "A"}), "ids.json")
    # The working directory (tmp_path, set by conftest) has no ids.json.
    assert not (Path.cwd() / "ids.json").exists()
    rules = read_rules(str(write(rules_dir, "version: 1\nmatch: {id_map: ids.json}\n")))
    assert dict(rules.id_map) == {"a": "A"}


def test_id_map_richer_entries_form(tmp_path: Path) -> None:
    doc = {
        "schema": "auditor.idmap/v1",
        "entries": [
            {"collection": "servers", "source_id": "s-1", "target_id": "T-1"},
            {"collection": "volumes", "source_id": "v-1", "target_id": "V-1"},
        ],
    }
    write(tmp_path, json.dumps(doc), "ids.json")
    rules = read_rules(str(write(tmp_path, "version: 1\nmatch: {id_map: ids.json}\n")))
    assert dict(rules.id_map) == {"s-1": "T-1", "v-1": "V-1"}


def test_rules_given_as_text_read_no_id_map_file(tmp_path: Path) -> None:
    write(tmp_path, json.dumps({"a": "A"}), "ids.json")

    with pytest.raises(RulesError) as failure:
        parse_rules("version: 1\nmatch:\n  id_map: ids.json\n", str(tmp_path / "inline.yaml"))

    message = str(failure.value)
    assert_names(message, tmp_path / "inline.yaml", 3, "match.id_map")
    assert "not read (rules given as text, not as a file)" in message


def test_id_map_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    message = rejection(tmp_path, "version: 1\nmatch:\n  id_map: nowhere.json\n")
    assert_names(message, path, 3, "match.id_map")
    assert str(tmp_path / "nowhere.json") in message, "the resolved path, next to the rules"
    assert "no such file" in message


def test_id_map_not_json(tmp_path: Path) -> None:
    write(tmp_path, "{'s-1': 'T-1'", "ids.json")
    message = rejection(tmp_path, "version: 1\nmatch:\n  id_map: ids.json\n")
    assert_names(message, tmp_path / "rules.yaml", 3, "match.id_map")
    assert "not valid JSON" in message


@pytest.mark.parametrize(
    "doc",
    [["s-1", "T-1"], {"s-1": 7}, {"s-1": {"id": "T-1"}}, {"entries": [{"source_id": "s-1"}]}],
    ids=["list", "number", "object-value", "entry-without-target"],
)
def test_id_map_wrong_shape(tmp_path: Path, doc: object) -> None:
    write(tmp_path, json.dumps(doc), "ids.json")
    message = rejection(tmp_path, "version: 1\nmatch:\n  id_map: ids.json\n")
    assert_names(message, tmp_path / "rules.yaml", 3, "match.id_map")
    assert str(tmp_path / "ids.json") in message


def test_id_map_in_order_without_file(tmp_path: Path) -> None:
    message = rejection(tmp_path, "version: 1\nmatch:\n  order: [id, id_map]\n")
    assert_names(message, tmp_path / "rules.yaml", 3, "match.order")
    assert "id_map" in message


# -- rejections: file, line and dotted key ------------------------------------------------


REJECTED = [
    pytest.param("version: 1\nrenam: {}\n", 2, "renam", "unknown key", id="unknown-top-key"),
    pytest.param(
        "version: 1\nmatch:\n  order: [id]\n  metdata_key: mid\n",
        4,
        "match.metdata_key",
        "unknown key",
        id="unknown-nested-key",
    ),
    pytest.param(
        "version: 1\nrename:\n  names:\n    - collections: [servers]\n      pattern: x\n"
        "      replace: y\n      flags: i\n",
        7,
        "rename.names[0].flags",
        "unknown key",
        id="unknown-key-in-list-item",
    ),
    pytest.param(
        "version: 1\nrename:\n  regions: [fr1, ocb-fr1]\n",
        3,
        "rename.regions",
        "expected object",
        id="wrong-type-mapping",
    ),
    pytest.param(
        "version: 1\nscope:\n  target_domains: ocb-cloudwatt\n",
        3,
        "scope.target_domains",
        "expected array",
        id="wrong-type-list",
    ),
    pytest.param(
        "version: 1\nmatch:\n  order: [id, bogus]\n",
        3,
        "match.order[1]",
        "'bogus' is not allowed",
        id="bad-order-enum",
    ),
    pytest.param(
        "version: 1\nrename:\n  names:\n"
        "    - {collections: [servers], pattern: '^cw-(', replace: 'x'}\n",
        4,
        "rename.names[0].pattern",
        "invalid regex",
        id="invalid-name-regex",
    ),
    pytest.param(
        "version: 1\nresidue:\n  patterns: ['ok', '[cloudwatt']\n",
        3,
        "residue.patterns[1]",
        "invalid regex",
        id="invalid-residue-regex",
    ),
    pytest.param(
        "version: 1\nrename:\n  urls:\n    - pattern: '^https://(a)'\n      replace: 'b\\2'\n",
        5,
        "rename.urls[0].replace",
        "refers to group 2",
        id="missing-numbered-group",
    ),
    pytest.param(
        "version: 1\nrename:\n  names:\n"
        "    - {collections: [servers], pattern: '^(?P<x>.*)$', replace: '\\g<y>'}\n",
        4,
        "rename.names[0].replace",
        "unknown group 'y'",
        id="missing-named-group",
    ),
    pytest.param(
        "version: 1\nrename:\n  names:\n"
        "    - {collections: [servers], pattern: '^cw-(.*)$', replace: 'ocb-\\d'}\n",
        4,
        "rename.names[0].replace",
        "bad escape",
        id="bad-escape-in-replacement",
    ),
    pytest.param("version: 2\n", 1, "version", "unsupported version 2", id="version-2"),
    pytest.param(
        "# rules\nversion: '1'\n", 2, "version", "unsupported version '1'", id="version-string"
    ),
    pytest.param("rename: {}\n", 1, "version", "is required", id="version-missing"),
    pytest.param(
        "version: 1\nrename:\n  regions: {a: b}\n  regions: {c: d}\n",
        4,
        "rename.regions",
        "duplicate key",
        id="duplicate-key",
    ),
    pytest.param(
        "version: 1\nseverity:\n  bogus.status: info\n",
        3,
        "severity.bogus.status",
        "unknown collection 'bogus'",
        id="severity-unknown-collection",
    ),
    pytest.param(
        "version: 1\nseverity:\n  servers.colour: info\n",
        3,
        "severity.servers.colour",
        "no field or finding kind 'colour'",
        id="severity-unknown-field",
    ),
    pytest.param(
        "version: 1\nseverity:\n  servers.status: fatal\n",
        3,
        "severity.servers.status",
        "'fatal' is not allowed",
        id="severity-unknown-level",
    ),
    pytest.param(
        "version: 1\nignore:\n  fields:\n    servers: [status, colour]\n",
        4,
        "ignore.fields.servers[1]",
        "servers has no field 'colour'",
        id="ignore-unknown-field",
    ),
    pytest.param(
        "version: 1\nignore:\n  items:\n    - {collection: gizmos, name: x}\n",
        4,
        "ignore.items[0].collection",
        "'gizmos' is not allowed",
        id="ignore-unknown-collection",
    ),
    pytest.param(
        "version: 1\nmatch:\n  order: [id, metadata, name]\n",
        3,
        "match.order",
        "metadata_key is not set",
        id="metadata-without-key",
    ),
    pytest.param(
        "version: 1\nrename:\n  names:\n    - {collections: [servers], pattern: x}\n",
        4,
        "rename.names[0].replace",
        "is required",
        id="nested-required",
    ),
]


@pytest.mark.parametrize(("text", "line", "key", "problem"), REJECTED)
def test_rejected_with_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, problem: str
) -> None:
    message = rejection(tmp_path, text)
    assert_names(message, tmp_path / "rules.yaml", line, key)
    assert problem in message


def test_rules_error_is_bad_input() -> None:
    # The CLI maps BadInputError to exit code 2.
    assert issubclass(RulesError, BadInputError)


def test_not_yaml(tmp_path: Path) -> None:
    message = rejection(tmp_path, "version: 1\nrename: {regions: [\n")
    assert message.startswith(f"{tmp_path / 'rules.yaml'}: line ")
    assert "not valid YAML" in message


def test_tab_indentation_is_not_yaml(tmp_path: Path) -> None:
    message = rejection(tmp_path, "version: 1\nrename:\n\tregions: {}\n")
    assert message.startswith(f"{tmp_path / 'rules.yaml'}: line 3:")
    assert "not valid YAML" in message


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n"], ids=["empty", "blank", "comment"]
)
def test_empty_file(tmp_path: Path, text: str) -> None:
    message = rejection(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'rules.yaml'}: ")
    assert "empty rules file" in message


@pytest.mark.parametrize("text", ["- version: 1\n", "version 1\n"], ids=["list", "scalar"])
def test_top_level_not_a_mapping(tmp_path: Path, text: str) -> None:
    message = rejection(tmp_path, text)
    assert_names(message, tmp_path / "rules.yaml", 1, "(top level)")
    assert "expected a mapping" in message


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=re.escape(f"{tmp_path / 'absent.yaml'}: no such")):
        read_rules(str(tmp_path / "absent.yaml"))


def test_rules_path_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="is a directory"):
        read_rules(str(tmp_path))


def test_parse_rules_names_its_origin() -> None:
    with pytest.raises(RulesError, match=r"^inline\.yaml: line 1: version: "):
        parse_rules("version: 3\n", "inline.yaml")
