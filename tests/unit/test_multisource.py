"""Multi-source mergers: two legacy clouds (or regions) merged into one target.

The world: Cloudwatt (``cloudwatt@fr1``) and Numergy (``numergy@nm1``) are both
merged into OCB (``ocb@ocb-fr1``). Both brands' ``cw-``/``nm-`` prefixes become
``ocb-``; each source's projects land in the target, and two of them were
merged into one target project on purpose (the rules fold cw-acme and nm-acme
into ocb-acme), but each had a web server and both became ocb-acme/ocb-web.
Without the fold (:data:`UNFOLDED`), the two projects on one target project
are a mistake.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.diff.outcome import compare
from auditor.errors import BadInputError
from auditor.model import Kind, Report, Severity, Snapshot, Verdict
from auditor.render import Format, render
from auditor.rules import Rules, parse_rules
from auditor.sandbox import Sandbox
from auditor.schemas import load_schema
from auditor.waivers import parse_waivers
from tests.builders import failed, project, server, snapshot, volume
from tests.harness import audit_argv
from tests.harness import run_auditor as run
from tests.worlds import cloudwatt_fr1, ocb_fr1

UNFOLDED = r"""version: 1
rename:
  regions: {fr1: ocb-fr1, nm1: ocb-fr1}
  domains: {cloudwatt: ocb, numergy: ocb}
  names:
    - {collections: [projects, servers, volumes], pattern: '^(cw|nm)-(.*)$', replace: 'ocb-\2'}
"""
RULES = UNFOLDED + "fold:\n  - {into: ocb-acme, projects: [cw-acme, nm-acme]}\n"

CW, NM = "cloudwatt@fr1", "numergy@nm1"


def rules() -> Rules:
    return parse_rules(RULES)


def cloudwatt(**collections: Any) -> Snapshot:
    acme = project("p-acme", "cw-acme")
    globex = project("p-globex", "cw-globex")
    base = {
        "projects": [acme, globex],
        "servers": [server("s-web", "cw-web", acme), server("s-db", "cw-db", acme)],
        "volumes": [volume("v-data", "cw-data", acme, size=100)],
    }
    return snapshot("cloudwatt", "fr1", {**base, **collections})


def numergy(**collections: Any) -> Snapshot:
    beta = project("q-beta", "nm-beta", domain="numergy")
    acme = project("q-acme", "nm-acme", domain="numergy")
    base = {
        "projects": [beta, acme],
        "servers": [
            server("r-app", "nm-app", beta),
            server("r-web", "nm-web", acme),
            server("r-lost", "nm-lost", beta),
        ],
        "volumes": [],
    }
    return snapshot("numergy", "nm1", {**base, **collections})


def ocb() -> Snapshot:
    acme = project("P-ACME", "ocb-acme", domain="ocb")
    beta = project("P-BETA", "ocb-beta", domain="ocb")
    globex = project("P-GLOBEX", "ocb-globex", domain="ocb")
    other = project("P-OTHER", "ocb-other", domain="ocb")
    return ocb_fr1(
        projects=[acme, beta, globex, other],
        servers=[
            server("S-WEB", "ocb-web", acme),
            server("S-DB", "ocb-db", acme),
            server("S-APP", "ocb-app", beta),
            server("S-EXTRA", "ocb-extra", beta),
        ],
        volumes=[volume("V-DATA", "ocb-data", acme, size=50)],
    )


def merged(*sources: Snapshot, **kw: Any) -> Report:
    return compare(list(sources), ocb(), rules(), generated_at="2026-11-22T12:00:00Z", **kw).report


def kinds(report: Report) -> dict[str, list[tuple[str, str | None, str | None]]]:
    """kind -> (collection, item name, origin) of every finding."""
    out: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for f in report.findings:
        item = f.target or f.source
        out.setdefault(f.kind.value, []).append(
            (f.collection, item.name if item else None, f.origin)
        )
    return out


def test_findings_say_which_source_they_come_from() -> None:
    report = merged(cloudwatt(), numergy())
    found = kinds(report)
    assert sorted(found["missing"]) == [("servers", "nm-lost", NM)]
    assert sorted(found["changed"]) == [("volumes", "ocb-data", CW)]
    # Unexpected: claimed by no source (P-GLOBEX is cloudwatt's, P-BETA numergy's).
    assert sorted(found["unexpected"]) == [
        ("projects", "ocb-other", None),
        ("servers", "ocb-extra", None),
    ]
    assert report.verdict is Verdict.DISCREPANCIES and report.exit_code == 1


def test_a_target_item_claimed_by_two_sources_is_a_conflict() -> None:
    report = merged(cloudwatt(), numergy())
    conflicts = [f for f in report.findings if f.kind is Kind.CONFLICT]
    # The fold makes ocb-acme the counterpart of both acme projects: no conflict there.
    assert [(f.collection, f.target.name if f.target else None) for f in conflicts] == [
        ("servers", "ocb-web"),
    ]
    web = conflicts[0]
    assert web.severity is Severity.ERROR
    assert web.origin == f"{CW}, {NM}"
    assert sorted(c.id for c in web.candidates) == ["r-web", "s-web"]
    assert web.project == "ocb-acme"
    assert "is the counterpart of 2 source servers" in web.message
    assert f"{CW}: cw-acme/cw-web" in web.message and f"{NM}: nm-acme/nm-web" in web.message


def test_summary_counts_each_item_once_and_by_source() -> None:
    report = merged(cloudwatt(), numergy())
    projects = report.summary["projects"]
    assert (projects.source, projects.target, projects.matched) == (4, 4, 4)
    assert (projects.missing, projects.unexpected) == (0, 1)
    servers = report.summary["servers"]
    assert (servers.source, servers.target, servers.matched, servers.missing) == (5, 4, 4, 1)
    assert servers.unexpected == 1
    assert set(report.summary_by_source) == {CW, NM}
    cw_servers = report.summary_by_source[CW]["servers"]
    assert (cw_servers.source, cw_servers.matched, cw_servers.unexpected) == (2, 2, 0)
    nm_servers = report.summary_by_source[NM]["servers"]
    assert (nm_servers.source, nm_servers.matched, nm_servers.missing) == (3, 2, 1)
    assert [s.label for s in report.sources] == [CW, NM]
    assert report.source.cloud == f"{CW} + {NM}"


def test_scorecard_rows_say_their_source() -> None:
    report = merged(cloudwatt(), numergy())
    rows = {(s.origin, s.source.name): s for s in report.scorecard}
    assert set(rows) == {
        (CW, "cw-acme"),
        (CW, "cw-globex"),
        (NM, "nm-acme"),
        (NM, "nm-beta"),
    }
    assert rows[(NM, "nm-beta")].missing == 1


def test_single_source_reports_and_ids_do_not_change() -> None:
    alone = compare([cloudwatt()], ocb(), rules(), generated_at="2026-11-22T12:00:00Z").report
    assert alone.sources == () and alone.summary_by_source == {}
    assert all(f.origin is None for f in alone.findings)
    doc = alone.to_json()
    assert "sources" not in doc and "summary_by_source" not in doc
    assert all("origin" not in f for f in doc["findings"])
    together = merged(cloudwatt(), numergy())
    shrank = next(f for f in alone.findings if f.kind is Kind.CHANGED)
    assert shrank.id in {f.id for f in together.findings}


def test_two_regions_of_one_keystone_share_projects_without_conflict() -> None:
    acme = project("p-acme", "cw-acme")
    lost = project("p-lost", "cw-lost")
    fr1 = cloudwatt_fr1(projects=[acme, lost], servers=[server("s-1", "cw-a", acme)])
    fr2 = snapshot(
        "cloudwatt", "fr2", {"projects": [acme, lost], "servers": [server("s-2", "cw-b", acme)]}
    )
    target_acme = project("P-ACME", "ocb-acme", domain="ocb")
    target = ocb_fr1(
        projects=[target_acme],
        servers=[server("S-1", "ocb-a", target_acme), server("S-2", "ocb-b", target_acme)],
    )
    report = compare([fr1, fr2], target, rules()).report
    assert not [f for f in report.findings if f.kind is Kind.CONFLICT]
    (missing,) = [f for f in report.findings if f.kind is Kind.MISSING]
    assert missing.source is not None and missing.source.name == "cw-lost"
    assert missing.origin == "cloudwatt@fr1, cloudwatt@fr2"
    assert report.summary["projects"].source == 2
    assert report.summary["servers"].matched == 2


def test_an_incomplete_source_hides_unexpected_items_and_names_its_source() -> None:
    report = merged(cloudwatt(), numergy(servers=failed()))
    found = kinds(report)
    incomplete = [f for f in report.findings if f.kind is Kind.INCOMPLETE]
    assert [(f.collection, f.side, f.origin) for f in incomplete] == [("servers", "source", NM)]
    assert incomplete[0].message.startswith(f"{NM}: servers could not be listed")
    assert ("servers", "ocb-extra", None) not in found["unexpected"]
    assert report.summary["servers"].unexpected == 0
    # Its id is not the single-source one (two sources may each fail on servers).
    alone = compare([numergy(servers=failed())], ocb(), rules()).report
    (single,) = [f for f in alone.findings if f.kind is Kind.INCOMPLETE]
    assert single.id != incomplete[0].id


def test_the_report_validates_round_trips_and_renders() -> None:
    report = merged(cloudwatt(), numergy())
    doc = json.loads(render(report, Format.JSON))
    jsonschema.validate(doc, load_schema("report"))
    assert Report.from_json(doc).to_json() == doc
    text = render(report, Format.TEXT)
    assert text.startswith(f"Source {CW}: cloudwatt@fr1 (taken")
    assert f"Source {NM}: numergy@nm1" in text
    assert "By source" in text
    assert f"[{NM}] server numergy" not in text  # messages name items, the prefix the source
    assert f"[{NM}] server nm-beta/nm-lost has no counterpart" in text
    markdown = render(report, Format.MARKDOWN)
    assert (
        "## By source" in markdown and f"| {NM} | servers | 3 | 2 | 1 | 0 | 0 | yes |" in markdown
    )
    html = render(report, Format.HTML)
    assert f"Source {NM}:" in html and 'id="by-source"' in html
    junit = render(report, Format.JUNIT)
    assert f'name="{NM}: nm-beta/nm-lost' in junit


def test_waivers_can_match_the_origin() -> None:
    waivers = parse_waivers(
        """version: 1
waivers:
  - origin: 'numergy@*'
    kind: missing
    reason: nm-lost is decommissioned
    owner: numergy-team
    expires: 2026-12-31
""",
        "w.yaml",
    )
    report = merged(cloudwatt(), numergy(), waivers=waivers, today=date(2026, 11, 22))
    assert [f.source.name for f in report.waived if f.source] == ["nm-lost"]


def test_labels_must_differ() -> None:
    with pytest.raises(BadInputError, match="two sources are both 'cloudwatt@fr1'"):
        compare([cloudwatt(), cloudwatt()], ocb(), rules())


def test_id_maps_per_source() -> None:
    outcome = compare([cloudwatt(), numergy()], ocb(), rules())
    assert [m.sources[0].label for m in outcome.id_maps] == [CW, NM]
    doc = json.loads(outcome.id_map.dumps())
    jsonschema.validate(doc, load_schema("idmap"))
    assert [s["label"] for s in doc["sources"]] == [CW, NM]
    assert {e["origin"] for e in doc["entries"]} == {CW, NM}
    web = [e for e in doc["entries"] if e["target_id"] == "S-WEB"]
    assert sorted((e["origin"], e["source_id"]) for e in web) == [(CW, "s-web"), (NM, "r-web")]


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "cw.json").write_text(cloudwatt().dumps())
    (tmp_path / "nm.json").write_text(numergy().dumps())
    (tmp_path / "ocb.json").write_text(ocb().dumps())
    (tmp_path / "rules.yaml").write_text(RULES)
    return tmp_path


def test_cli_diff_takes_several_sources_then_the_target(files: Path) -> None:
    code, out = run(
        "diff",
        str(files / "cw.json"),
        str(files / "nm.json"),
        str(files / "ocb.json"),
        "--rules",
        str(files / "rules.yaml"),
        "-f",
        "json",
        "--write-id-map",
        str(files / "idmap-{source}.json"),
    )
    assert code == 1
    doc = json.loads(out)
    assert [s["label"] for s in doc["sources"]] == [CW, NM]
    assert doc == merged(cloudwatt(), numergy()).to_json() | {"generated_at": doc["generated_at"]}
    for label in (CW, NM):
        path = files / f"idmap-{label}.json"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        id_map = json.loads(path.read_text())
        assert [s["label"] for s in id_map["sources"]] == [label]


def test_cli_diff_of_one_source_is_unchanged(files: Path) -> None:
    # As before mergers: the rules may even come between the two files.
    code, out = run(
        "diff",
        str(files / "cw.json"),
        "--rules",
        str(files / "rules.yaml"),
        str(files / "ocb.json"),
        "-f",
        "json",
    )
    doc = json.loads(out)
    assert "sources" not in doc and code == 1


def test_cli_refuses_two_sources_of_one_label(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run("diff", str(files / "cw.json"), str(files / "cw.json"), str(files / "ocb.json"))
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert "two sources are both 'cloudwatt@fr1'" in err and err.count("\n") == 1


def test_cli_audit_of_two_sources_over_http(files: Path) -> None:
    """`auditor audit --source A --source B --target T` against the sandbox."""
    with Sandbox([cloudwatt(), numergy(), ocb()]) as sandbox:
        save_clouds_yaml(sandbox, str(files / "clouds.yaml"))
        code, out = run(
            *audit_argv(files / "clouds.yaml", "cloudwatt", "numergy", target="ocb"),
            "--collections",
            "projects,servers,volumes",
            "--rules",
            str(files / "rules.yaml"),
            "--save-inventories",
            str(files / "inventories"),
            "-f",
            "json",
        )
        assert sandbox.errors == []
    doc = json.loads(out)
    assert code == 1
    assert [s["label"] for s in doc["sources"]] == ["cloudwatt", "numergy"]
    saved = sorted(p.name for p in (files / "inventories").iterdir())
    assert saved == ["source-cloudwatt.json", "source-numergy.json", "target.json"]
    found = sorted((f["kind"], f["collection"], f.get("origin")) for f in doc["findings"])
    assert found == [
        ("changed", "volumes", "cloudwatt"),
        ("conflict", "servers", "cloudwatt, numergy"),
        ("missing", "servers", "numergy"),
        ("unexpected", "projects", None),
        ("unexpected", "servers", None),
    ]


def test_a_merger_programme_end_to_end_over_http(files: Path) -> None:
    """Two sources audited at once, accepted differences waived until a date, and the id
    map handed to the next wave, whose audit matches by it."""
    (files / "waivers.yaml").write_text(
        """version: 1
waivers:
  - origin: 'numergy'
    kind: missing
    name: 'nm-lost'
    reason: "CHG-7: decommissioned before the merger"
    owner: numergy-team
    expires: 2026-12-31
  - collection: volumes
    kind: changed
    reason: "CHG-8: shrunk on purpose"
    owner: storage-team
    expires: 2026-12-31
  - kind: conflict
    reason: "CHG-9: ocb-web serves both acme tenants' sites now"
    owner: account-team
    expires: 2026-12-31
  - kind: unexpected
    reason: "created in the target since"
    owner: ocb-ops
    expires: 2026-12-31
"""
    )

    def audit(rules: Path, *extra: str) -> tuple[int, dict[str, Any]]:
        code, out = run(
            *audit_argv(files / "clouds.yaml", "cloudwatt", "numergy", target="ocb", rules=rules),
            "--collections",
            "projects,servers,volumes",
            "--waivers",
            str(files / "waivers.yaml"),
            "--as-of",
            "2026-11-22",
            "-f",
            "json",
            *extra,
        )
        return code, json.loads(out)

    with Sandbox([cloudwatt(), numergy(), ocb()]) as sandbox:
        save_clouds_yaml(sandbox, str(files / "clouds.yaml"))
        code, wave1 = audit(files / "rules.yaml", "--write-id-map", str(files / "idmap.json"))
        assert (code, wave1["verdict"]) == (0, "verified")
        assert wave1["waivers"]["waived"] == len(wave1["findings"]) == 5
        id_map = json.loads((files / "idmap.json").read_text())
        assert {e["origin"] for e in id_map["entries"]} == {"cloudwatt", "numergy"}

        (files / "wave2.yaml").write_text(
            RULES + "match:\n  order: [id_map, id, name]\n  id_map: idmap.json\n"
        )
        code2, wave2 = audit(files / "wave2.yaml")
    assert code2 == 0
    assert {f["id"] for f in wave2["findings"]} == {f["id"] for f in wave1["findings"]}
    changed = [f for f in wave2["findings"] if f["kind"] == "changed"]
    assert changed and all(f["matched_by"] == "id_map" for f in changed)
