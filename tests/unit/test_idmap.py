"""The id map (``--write-id-map``): every match, written 0600, read back as ``match.id_map``."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_rules
from auditor.demo.data import RULES, generate
from auditor.diff.outcome import compare
from auditor.errors import RulesError
from auditor.idmap import IdMap
from auditor.model import IDMAP_SCHEMA, Snapshot
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.schemas import load_schema
from tests.builders import project, server, volume
from tests.harness import audit_argv, golden_inputs
from tests.harness import run_auditor as run
from tests.worlds import cloudwatt_fr1, ocb_fr1


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return golden_inputs(tmp_path)


def small_world() -> tuple[Snapshot, Snapshot]:
    acme = project("p-acme", "cw-acme")
    ocb_acme = project("P-ACME", "ocb-acme", domain="ocb")
    source = cloudwatt_fr1(
        projects=[acme],
        servers=[server("s-web", "cw-web", acme), server("s-db", "cw-db", acme)],
        volumes=[volume("v-data", "cw-data", acme)],
    )
    target = ocb_fr1(
        projects=[ocb_acme],
        servers=[
            server("S-WEB", "ocb-web", ocb_acme, metadata={"migrated_from_id": "s-web"}),
            server("s-db", "ocb-db", ocb_acme),
        ],
        volumes=[volume("V-DATA", "ocb-data", ocb_acme)],
    )
    return source, target


SMALL_RULES = r"""version: 1
rename:
  domains: {cloudwatt: ocb}
  names:
    - {collections: [projects, servers, volumes], pattern: '^cw-(.*)$', replace: 'ocb-\1'}
match:
  order: [id, metadata, name]
  metadata_key: migrated_from_id
"""


def test_every_match_is_an_entry_with_both_names_and_the_strategy() -> None:
    source, target = small_world()
    outcome = compare([source], target, parse_rules(SMALL_RULES), generated_at="2026-11-22T12:00Z")
    doc = json.loads(outcome.id_map.dumps())
    jsonschema.validate(doc, load_schema("idmap"))
    assert doc["schema"] == IDMAP_SCHEMA
    assert doc["generated_at"] == outcome.report.generated_at == "2026-11-22T12:00Z"
    assert doc["sources"] == [{"cloud": "cloudwatt", "region": "fr1", "taken_at": source.taken_at}]
    assert doc["target"]["cloud"] == "ocb"
    assert doc["count"] == 4
    assert doc["entries"] == [
        {
            "collection": "projects",
            "source_id": "p-acme",
            "target_id": "P-ACME",
            "matched_by": "name",
            "source_name": "cw-acme",
            "source_project": None,
            "target_name": "ocb-acme",
            "target_project": None,
        },
        {
            "collection": "servers",
            "source_id": "s-db",
            "target_id": "s-db",
            "matched_by": "id",
            "source_name": "cw-db",
            "source_project": "cw-acme",
            "target_name": "ocb-db",
            "target_project": "ocb-acme",
        },
        {
            "collection": "servers",
            "source_id": "s-web",
            "target_id": "S-WEB",
            "matched_by": "metadata",
            "source_name": "cw-web",
            "source_project": "cw-acme",
            "target_name": "ocb-web",
            "target_project": "ocb-acme",
        },
        {
            "collection": "volumes",
            "source_id": "v-data",
            "target_id": "V-DATA",
            "matched_by": "name",
            "source_name": "cw-data",
            "source_project": "cw-acme",
            "target_name": "ocb-data",
            "target_project": "ocb-acme",
        },
    ]
    assert outcome.id_map.pairs() == {
        "p-acme": "P-ACME",
        "s-db": "s-db",
        "s-web": "S-WEB",
        "v-data": "V-DATA",
    }


def test_an_empty_map_is_still_a_valid_document() -> None:
    source, _ = small_world()
    empty = ocb_fr1(projects=[], servers=[], volumes=[])
    text = compare([source], empty, generated_at="2026-11-22T12:00:00Z").id_map.dumps()
    doc = json.loads(text)
    jsonschema.validate(doc, load_schema("idmap"))
    assert (doc["count"], doc["entries"]) == (0, [])


def test_the_file_has_one_entry_per_line() -> None:
    source, target = small_world()
    text = compare([source], target, parse_rules(SMALL_RULES)).id_map.dumps()
    entry_lines = [line for line in text.splitlines() if '"source_id"' in line]
    assert len(entry_lines) == 4
    assert text.endswith("]\n}\n")


def test_diff_writes_the_id_map_0600_and_the_next_run_matches_by_it(inputs: Path) -> None:
    idmap = inputs / "wave1-idmap.json"
    code, first = run(
        "diff",
        str(inputs / "source.json"),
        str(inputs / "target.json"),
        "--rules",
        str(inputs / "rules.yaml"),
        "--write-id-map",
        str(idmap),
        "-f",
        "json",
    )
    assert code == 1
    assert stat.S_IMODE(os.stat(idmap).st_mode) == 0o600
    doc = json.loads(idmap.read_text())
    jsonschema.validate(doc, load_schema("idmap"))
    strategies = {e["matched_by"] for e in doc["entries"]}
    assert strategies >= {"metadata", "name"}

    # Wave 2: the rules match by the recorded map first.
    rules = (
        (inputs / "rules.yaml")
        .read_text()
        .replace("order: [id, ", "order: [id_map, id, ")
        .replace("match:\n", "match:\n  id_map: wave1-idmap.json\n")
    )
    (inputs / "wave2.yaml").write_text(rules)
    assert dict(read_rules(str(inputs / "wave2.yaml")).id_map) == pairs_of(doc)
    code2, second = run(
        "diff",
        str(inputs / "source.json"),
        str(inputs / "target.json"),
        "--rules",
        str(inputs / "wave2.yaml"),
        "-f",
        "json",
    )
    assert code2 == code
    before, after = json.loads(first), json.loads(second)
    assert after["summary"] == before["summary"]
    assert {f["id"] for f in after["findings"]} == {f["id"] for f in before["findings"]}
    changed = [f for f in after["findings"] if f["kind"] == "changed"]
    assert changed and all(f["matched_by"] == "id_map" for f in changed)


def pairs_of(doc: dict[str, object]) -> dict[str, str]:
    entries = doc["entries"]
    assert isinstance(entries, list)
    return {str(e["source_id"]): str(e["target_id"]) for e in entries}


def test_an_unwritable_id_map_is_bad_input_before_the_diff(
    inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = inputs / "no-such-dir" / "idmap.json"
    code, out = run(
        "diff",
        str(inputs / "source.json"),
        str(inputs / "target.json"),
        "--write-id-map",
        str(missing),
    )
    assert (code, out) == (2, "")
    err = capsys.readouterr().err
    assert str(missing) in err and err.count("\n") == 1


def test_rules_refuse_an_id_map_of_another_schema_or_with_two_counterparts(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nmatch: {id_map: map.json}\n")
    (tmp_path / "map.json").write_text(json.dumps({"schema": "auditor.report/v1", "entries": []}))
    with pytest.raises(RulesError, match=r"expected 'auditor\.idmap/v1'"):
        read_rules(str(rules))
    entry = {"collection": "servers", "source_id": "s-1", "matched_by": "name"}
    twice = [{**entry, "target_id": "T-1"}, {**entry, "target_id": "T-2"}]
    (tmp_path / "map.json").write_text(json.dumps({"schema": IDMAP_SCHEMA, "entries": twice}))
    with pytest.raises(RulesError, match=r"entries\[1\]: source id s-1 maps to T-1 and to T-2"):
        read_rules(str(rules))
    same = [{**entry, "target_id": "T-1"}, {**entry, "target_id": "T-1"}]
    (tmp_path / "map.json").write_text(json.dumps({"schema": IDMAP_SCHEMA, "entries": same}))
    assert dict(read_rules(str(rules)).id_map) == {"s-1": "T-1"}


def test_audit_over_http_writes_the_map_and_the_next_audit_uses_it(tmp_path: Path) -> None:
    """`auditor audit` against the sandbox, twice: the second wave's rules use the first map."""
    source, target = generate(servers=30)
    (tmp_path / "rules.yaml").write_text(RULES)
    idmap = tmp_path / "idmap.json"
    with Sandbox([source, target]) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        common = [*audit_argv(tmp_path / "clouds.yaml", "cloudwatt", target="ocb"), "-f", "json"]
        code, out = run(
            *common, "--rules", str(tmp_path / "rules.yaml"), "--write-id-map", str(idmap)
        )
        first = json.loads(out)
        doc = json.loads(idmap.read_text())
        assert stat.S_IMODE(os.stat(idmap).st_mode) == 0o600
        matched = sum(s["matched"] for s in first["summary"].values())
        assert doc["count"] == matched > 0
        assert doc["sources"][0]["cloud"] == "cloudwatt" and doc["target"]["cloud"] == "ocb"

        wave2 = RULES.replace("match:\n", "match:\n  id_map: idmap.json\n", 1)
        (tmp_path / "wave2.yaml").write_text(wave2.replace("order: [", "order: [id_map, ", 1))
        assert read_rules(str(tmp_path / "wave2.yaml")).order[0] == "id_map"
        code2, out2 = run(*common, "--rules", str(tmp_path / "wave2.yaml"))
    second = json.loads(out2)
    assert code2 == code
    assert {f["id"] for f in second["findings"]} == {f["id"] for f in first["findings"]}
    by = {f.get("matched_by") for f in second["findings"] if f["kind"] == "changed"}
    assert by == {"id_map"}


def test_merge_keeps_every_source_in_order() -> None:
    source, target = small_world()
    one = compare([source], target, parse_rules(SMALL_RULES)).id_map
    assert IdMap.merge([one]) is one
    both = IdMap.merge([one, one])
    assert len(both.entries) == 2 * len(one.entries)
    assert both.sources == one.sources * 2
