"""What an operator meets at the terminal, through the CLI: ``-o -``, the verdict line
next to a report written to a file, the hint when no rules were given, clouds.yaml
mistakes, and the comparison details of issue 14 (a missing attached volume, empty
and null descriptions, case-insensitive ignore globs)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openstack.config.loader
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.model import Snapshot
from auditor.sandbox import Sandbox
from tests.builders import (
    domain,
    flavor_record,
    floating_ip,
    project,
    region,
    security_group,
    server,
    service,
    snapshot,
    volume,
)
from tests.harness import run_auditor as run
from tests.worlds import cloudwatt_fr1, ocb_fr1

RULES = r"""version: 1
rename:
  domains: {cloudwatt: ocb}
  regions: {fr1: ocb-fr1}
  names:
    - {collections: [projects, servers, volumes, security_groups], pattern: '^cw-(.*)$',
       replace: 'ocb-\1'}
"""


class Terminal(io.StringIO):
    """Standard output as a terminal."""

    def isatty(self) -> bool:
        return True


def clouds() -> tuple[Snapshot, Snapshot]:
    acme = project("p-acme", "cw-acme")
    ocb = project("P-ACME", "ocb-acme", domain="ocb")
    source = cloudwatt_fr1(
        projects=[acme], servers=[server("s-1", "cw-web", acme), server("s-2", "cw-db", acme)]
    )
    target = ocb_fr1(projects=[ocb], servers=[server("S-1", "ocb-web", ocb)])
    return source, target


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    source, target = clouds()
    (tmp_path / "s.json").write_text(source.dumps())
    (tmp_path / "t.json").write_text(target.dumps())
    (tmp_path / "rules.yaml").write_text(RULES)
    return {
        "source": str(tmp_path / "s.json"),
        "target": str(tmp_path / "t.json"),
        "rules": str(tmp_path / "rules.yaml"),
    }


# -- outputs -------------------------------------------------------------------------------


def test_dash_output_is_standard_output(files: dict[str, str], tmp_path: Path) -> None:
    code, out = run("diff", files["source"], files["target"], "--rules", files["rules"], "-o", "-")
    assert code == 1
    assert json.loads(out)["verdict"] == "discrepancies"
    assert not (tmp_path / "-").exists()  # the isolation fixture's cwd is tmp_path
    report = tmp_path / "report.json"
    report.write_text(out)
    code, out = run("render", str(report), "-f", "markdown", "--output", "-")
    assert (code, out.startswith("# Migration audit: discrepancies")) == (0, True)
    # On a terminal, `-o -` is the terminal: text by default, as without -o.
    _, shown = run("render", str(report), "-o", "-", stdout=Terminal())
    assert shown.startswith("Source: cloudwatt@fr1")
    assert not (tmp_path / "-").exists()


def test_dash_output_of_an_inventory_is_standard_output(tmp_path: Path) -> None:
    source, _ = clouds()
    with Sandbox([source]) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        code, out = run(
            "--os-client-config-file",
            str(tmp_path / "clouds.yaml"),
            "inventory",
            "--cloud",
            "cloudwatt",
            "--collections",
            "projects,servers",
            "-o",
            "-",
        )
    assert code == 0
    assert json.loads(out)["collections"]["servers"]["count"] == 2
    assert not (tmp_path / "-").exists()


def test_a_report_written_to_a_file_still_shows_the_verdict_on_a_terminal(
    files: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "audit.md"
    argv = ["diff", files["source"], files["target"], "--rules", files["rules"]]
    code, out = run(*argv, "-f", "markdown", "-o", str(report), stdout=Terminal())
    assert code == 1
    assert out == (
        "Verdict: DISCREPANCIES (exit 1): 1 findings (1 error, 0 warning, 0 info);"
        f" report in {report}\n"
    )
    assert report.read_text().startswith("# Migration audit: discrepancies")
    # Not on a terminal (cron, a pipe): nothing but the file.
    code, out = run(*argv, "-o", str(report))
    assert (code, out) == (1, "")


# -- the hint without rules ------------------------------------------------------------------


def test_without_rules_an_audit_of_renamed_clouds_says_once_where_rules_are(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("diff", files["source"], files["target"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("no rules file given (--rules)") == 1
    assert "3 of 3 source items found no counterpart" in err and "docs/rules.md" in err
    # With the rules, no hint; nor without rules when most items matched.
    run("diff", files["source"], files["target"], "--rules", files["rules"])
    run("diff", files["source"], files["source"])
    assert "no rules" not in capsys.readouterr().err


# -- clouds.yaml -----------------------------------------------------------------------------


def test_a_misspelt_cloud_lists_the_profiles_and_the_files_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text(
        "clouds:\n"
        "  cloudwatt: {auth: {auth_url: 'http://127.0.0.1:1/v3', username: u, password: p}}\n"
        "  ocb: {auth: {auth_url: 'http://127.0.0.1:1/v3', username: u, password: p}}\n"
    )
    code, out = run("--os-client-config-file", str(path), "inventory", "--cloud", "cloudwat")
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err == (
        f"auditor: error: {path}: cloud cloudwat: not found; the profiles there are cloudwatt,"
        f" ocb (files read: {path})\n"
    )


def test_no_clouds_yaml_at_all_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    here, home = tmp_path / "work", tmp_path / "home" / ".config" / "openstack"
    candidates = [str(d / f"clouds{s}") for d in (here, home) for s in (".yaml", ".yml", ".json")]
    monkeypatch.setattr(openstack.config.loader, "CONFIG_FILES", candidates)
    code, out = run("audit", "--source", "cloudwatt", "--target", "ocb")
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err == (
        "auditor: error: cloud cloudwatt: no clouds.yaml found (looked for clouds.yaml,"
        f" clouds.yml and clouds.json in {here}, {home}); name one with"
        " --os-client-config-file FILE or OS_CLIENT_CONFIG_FILE\n"
    )
    # OS_CLIENT_CONFIG_FILE is where openstacksdk looks first: named first.
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "etc" / "clouds.yaml"))
    run("audit", "--source", "cloudwatt", "--target", "ocb")
    assert f"in {tmp_path / 'etc'}, {here}, {home})" in capsys.readouterr().err


# -- comparison details ------------------------------------------------------------------------


def diff(tmp_path: Path, source: Snapshot, target: Snapshot, rules: str) -> dict[str, Any]:
    (tmp_path / "a.json").write_text(source.dumps())
    (tmp_path / "b.json").write_text(target.dumps())
    (tmp_path / "r.yaml").write_text(rules)
    _, out = run(
        "diff",
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
        "--rules",
        str(tmp_path / "r.yaml"),
        "-f",
        "json",
    )
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_a_missing_attached_volume_is_a_lost_attachment_of_its_server(tmp_path: Path) -> None:
    acme, ocb = project("p-acme", "cw-acme"), project("P-ACME", "ocb-acme", domain="ocb")
    source = cloudwatt_fr1(
        projects=[acme],
        servers=[server("s-1", "cw-web", acme, volumes=["v-1"])],
        volumes=[volume("v-1", "cw-data", acme, attachments=["s-1"])],
    )
    target = ocb_fr1(projects=[ocb], servers=[server("S-1", "ocb-web", ocb)], volumes=[])
    doc = diff(tmp_path, source, target, RULES)
    found = {(f["kind"], f["collection"]): f for f in doc["findings"]}
    assert set(found) == {("missing", "volumes"), ("changed", "servers")}
    lost = found[("changed", "servers")]
    assert lost["severity"] == "error"
    assert lost["message"] == (
        "server ocb-acme/ocb-web lost its attached volume cw-acme/cw-data, which has no"
        " counterpart in the target."
    )
    assert lost["changes"][0]["source_text"] == "cw-acme/cw-data (v-1)"


def test_an_empty_and_a_null_description_are_the_same(tmp_path: Path) -> None:
    acme = project("p-acme", "cw-acme")
    ocb = project("P-ACME", "ocb-acme", domain="ocb")
    pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "projects": (acme, ocb),
        "domains": (domain("d-1", "cloudwatt"), domain("D-1", "ocb")),
        "regions": (region("fr1"), region("ocb-fr1")),
        "services": (service("x-1", "compute", "nova"), service("X-1", "compute", "nova")),
        "security_groups": (
            security_group("g-1", "cw-web", acme),
            security_group("G-1", "ocb-web", ocb),
        ),
        "floating_ips": (
            floating_ip("f-1", "198.51.100.7", acme),
            floating_ip("F-1", "198.51.100.7", ocb),
        ),
    }
    for null_side in (0, 1):
        sides = [
            {
                name: [{**pair[side], "description": None} if side == null_side else pair[side]]
                for name, pair in pairs.items()
            }
            for side in (0, 1)
        ]
        assert all(pair[1 - null_side]["description"] == "" for pair in pairs.values())
        source = snapshot("cloudwatt", "fr1", sides[0])
        target = snapshot("ocb", "ocb-fr1", sides[1])
        doc = diff(tmp_path, source, target, RULES)
        assert (doc["verdict"], doc["findings"]) == ("verified", []), null_side
        assert all(s["matched"] == s["source"] == 1 for s in doc["summary"].values())


def test_ignore_globs_can_ignore_case(tmp_path: Path) -> None:
    source, target = clouds()
    ocb = target.collections["projects"].items[0]
    target = ocb_fr1(
        projects=[ocb],
        servers=[
            *target.collections["servers"].items,
            server("S-9", "ocb-db", ocb),
            server("S-T", "TMP-debug", ocb),
        ],
    )
    glob = "ignore:\n  items:\n    - {collection: servers, name: 'tmp-*'%s}\n"
    doc = diff(tmp_path, source, target, RULES + glob % "")
    assert [f["target"]["name"] for f in doc["findings"]] == ["TMP-debug"]  # case-sensitive
    doc = diff(tmp_path, source, target, RULES + glob % ", ignore_case: true")
    assert (doc["verdict"], doc["findings"]) == ("verified", [])


# -- the scorecard -----------------------------------------------------------------------------


def test_the_scorecard_counts_every_error_and_warning_about_a_project(tmp_path: Path) -> None:
    """Fully matched: a counterpart and no error or warning about the project, whatever
    the finding (disabled, unexpected, lost flavor access...); info and waived don't count."""
    names = ("disabled", "extra", "flavor", "info", "waived", "clean")
    sources = [project(f"p-{n}", f"cw-{n}") for n in names]
    targets = [project(f"P-{n}", f"ocb-{n}", domain="ocb", enabled=n != "disabled") for n in names]
    by_name = {p["name"]: p for p in [*sources, *targets]}
    source = cloudwatt_fr1(
        projects=sources,
        servers=[server(f"s-{n}", f"cw-{n}", by_name[f"cw-{n}"]) for n in names],
        flavors=[flavor_record("fl-1", "gpu", is_public=False, access=[by_name["cw-flavor"]])],
    )
    target_servers = [
        server(
            f"S-{n}",
            f"ocb-{n}",
            by_name[f"ocb-{n}"],
            metadata={"note": "x"} if n == "info" else None,
            status="ERROR" if n == "waived" else "ACTIVE",
        )
        for n in names
    ]
    target_servers.append(server("S-TMP", "ocb-tmp", by_name["ocb-extra"]))
    target = ocb_fr1(
        projects=targets,
        servers=target_servers,
        flavors=[flavor_record("FL-1", "gpu", is_public=False)],
    )
    (tmp_path / "waivers.yaml").write_text(
        "version: 1\nwaivers:\n  - {collection: servers, name: ocb-waived, reason: CHG-1,"
        " owner: ops, expires: 2099-12-31}\n"
    )
    (tmp_path / "a.json").write_text(source.dumps())
    (tmp_path / "b.json").write_text(target.dumps())
    (tmp_path / "r.yaml").write_text(RULES)
    argv = ["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--rules"]
    argv += [str(tmp_path / "r.yaml"), "--waivers", str(tmp_path / "waivers.yaml")]
    _, out = run(*argv, "-f", "json")
    rows = {r["source"]["name"]: r for r in json.loads(out)["scorecard"]}
    got = {
        name[3:]: (r["unexpected"], r["changed"], r["errors"], r["warnings"], r["fully_matched"])
        for name, r in rows.items()
    }
    assert got == {
        "disabled": (0, 0, 1, 0, False),  # the project itself: disabled in the target
        "extra": (1, 0, 0, 1, False),  # an unexpected server in its counterpart
        "flavor": (0, 0, 1, 0, False),  # a private flavor no longer shared with it
        "info": (0, 1, 0, 0, True),  # an info difference only
        "waived": (0, 1, 0, 0, True),  # an error, accepted until 2099
        "clean": (0, 0, 0, 0, True),
    }
    # At the top of the Markdown report, right after the verdict, attention first.
    _, markdown = run(*argv, "-f", "markdown")
    assert markdown.index("## Scorecard") < markdown.index("## Summary")
    assert "3 of 6 source projects fully matched." in markdown
    table = markdown[markdown.index("| status |") : markdown.index("## Summary")]
    statuses = [line.split(" | ")[0] for line in table.splitlines()[2:] if line]
    assert statuses == ["| **attention**"] * 3 + ["| ok"] * 3
    _, page = run(*argv, "-f", "html")
    assert page.index('id="scorecard"') < page.index('id="summary"') < page.index('id="findings"')
