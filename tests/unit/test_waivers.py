"""Waivers (``--waivers FILE``): strict validation, matching, expiry, verdict, renderers, CLI.

Every date is injected (``today`` / ``--as-of``): no test depends on the day it runs.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_rules, read_snapshot
from auditor.demo.data import RULES, generate
from auditor.diff.outcome import compare
from auditor.errors import WaiversError
from auditor.model import Kind, Report, Severity, Snapshot, Verdict
from auditor.render import Format, render
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox
from auditor.schemas import load_schema
from auditor.waivers import Waivers, parse_waivers
from tests.harness import GOLDEN, audit_argv, golden_inputs
from tests.harness import run_auditor as run

TODAY = date(2026, 11, 22)

# Findings of the golden report (tests/golden/report.json).
PROJECT_DISABLED = "f-9d198c1ad75a0971"  # changed projects error, ocb-globex
SERVER_MISSING = "f-ccdfee7c4d0b4567"  # missing servers error cw-app, ocb-globex
VOLUME_MISSING = "f-b40bc0a3aac2fb71"  # missing volumes error cw-logs, ocb-globex
VOLUME_SHRANK = "f-9b4b2abd28472cc9"  # changed volumes error cw-data, ocb-acme
ENDPOINT_URL = "f-f99fc9bc6da98c04"  # changed endpoints error
SERVER_AMBIGUOUS = "f-a12e257b626862fc"  # ambiguous servers error cw-batch, ocb-acme

EVERY_ERROR = f"""version: 1
waivers:
  - finding: {PROJECT_DISABLED}
    reason: "CHG-101: ocb-globex stays disabled until the customer signs"
    owner: account-team
    expires: 2026-12-31
  - collection: servers
    project: 'ocb-*'
    reason: "CHG-102: servers rebuilt by the customer"
    owner: alice
    expires: 2026-12-31
  - collection: volumes
    kind: missing
    name: 'cw-log?'
    reason: "logs volumes are not migrated"
    owner: storage-team
    expires: 2026-12-31
  - finding: {VOLUME_SHRANK}
    reason: "data moved to object storage"
    owner: storage-team
    expires: 2026-11-30
  - collection: endpoints
    reason: "identity endpoint rewritten in January"
    owner: platform
    expires: 2027-01-31
"""


@pytest.fixture(scope="module")
def golden() -> tuple[Snapshot, Snapshot]:
    return read_snapshot(str(GOLDEN / "source.json")), read_snapshot(str(GOLDEN / "target.json"))


def judge(
    golden: tuple[Snapshot, Snapshot], waivers_text: str, today: date = TODAY, **kw: object
) -> Report:
    source, target = golden
    rules = read_rules(str(GOLDEN / "rules.yaml"))
    waivers = parse_waivers(waivers_text, "waivers.yaml")
    return compare(
        [source],
        target,
        rules,
        waivers=waivers,
        today=today,
        generated_at="2026-11-22T12:00:00Z",
        **kw,  # type: ignore[arg-type]
    ).report


def by_id(report: Report) -> dict[str, object]:
    return {f.id: f for f in report.findings}


# -- validation ------------------------------------------------------------------------


def test_a_valid_file_is_read_in_order() -> None:
    waivers = parse_waivers(EVERY_ERROR, "waivers.yaml")
    assert isinstance(waivers, Waivers)
    assert [w.line for w in waivers.items] == [3, 7, 12, 18, 22]
    first, second, third = waivers.items[:3]
    assert (first.finding, first.owner, first.expires) == (
        PROJECT_DISABLED,
        "account-team",
        date(2026, 12, 31),
    )
    assert (second.collection, second.project, second.finding) == ("servers", "ocb-*", None)
    assert (third.kind, third.name) == (Kind.MISSING, "cw-log?")
    assert third.describe() == "volumes missing name=cw-log? (line 12)"


BASE = "version: 1\nwaivers:\n  - reason: r\n    owner: o\n    expires: 2026-12-31\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE + "    collection: servers\n    colour: red\n",
            "line 7: waivers[0].colour: unknown key",
        ),
        (BASE + "    collection: [servers]\n", "line 6: waivers[0].collection: expected string"),
        (
            BASE.replace("2026-12-31", "2026-02-30") + "    collection: servers\n",
            "line 5: waivers[0].expires: '2026-02-30' is not a date (expected YYYY-MM-DD)",
        ),
        (
            BASE.replace("2026-12-31", "31/12/2026") + "    collection: servers\n",
            "line 5: waivers[0].expires: '31/12/2026' does not match",
        ),
        (
            BASE + "    name: '^cw-.*$'\n",
            "line 6: waivers[0].name: '^cw-.*$' looks like a regex; use a glob",
        ),
        (
            BASE + "    project: 'cw-[ab'\n",
            "line 6: waivers[0].project: 'cw-[ab': '[' at position 4",
        ),
        (
            BASE + "    finding: f-0123456789abcdef\n    kind: missing\n",
            "line 7: waivers[0].kind: a waiver is either one finding (finding: f-...) or a pattern",
        ),
        (BASE, "line 3: waivers[0]: needs finding: <id>, or a pattern of at least one of"),
        (BASE + "    collection: vms\n", "line 6: waivers[0].collection: unknown collection 'vms'"),
        (BASE + "    kind: lost\n", "line 6: waivers[0].kind: 'lost' is not allowed"),
        (BASE + "    finding: f-123\n", "line 6: waivers[0].finding: 'f-123' does not match"),
        (
            BASE
            + "    finding: f-0123456789abcdef\n"
            + BASE.split("waivers:\n")[1]
            + "    finding: f-0123456789abcdef\n",
            "line 7: waivers[1]: waives finding f-0123456789abcdef (line 7) again"
            " (first at line 3)",
        ),
        ("version: 2\nwaivers: []\n", "line 1: version: unsupported version 2"),
        ("waivers: []\n", "version: is required"),
        (
            BASE.replace("  - reason: r\n    owner", "  - owner") + "    collection: servers\n",
            "waivers[0].reason: is required",
        ),
        (
            BASE.replace("reason: r", "reason: ''") + "    collection: servers\n",
            "waivers[0].reason: '' should be non-empty",
        ),
        ("", "empty waivers file"),
        ("version: 1\nwaivers: [\n", "not valid YAML"),
        ("- a\n- b\n", "expected a mapping of keys, got list"),
    ],
)
def test_errors_name_the_file_the_line_and_the_key(text: str, expected: str) -> None:
    with pytest.raises(WaiversError) as info:
        parse_waivers(text, "waivers.yaml")
    message = str(info.value)
    assert message.startswith("waivers.yaml:")
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.WAIVER_EXPIRED])
def test_every_kind_of_finding_but_an_expired_waiver_can_be_waived(kind: Kind) -> None:
    text = (
        f"version: 1\nwaivers:\n  - kind: {kind.value}\n    reason: accepted\n"
        "    owner: ops\n    expires: 2026-12-31\n"
    )
    (waiver,) = parse_waivers(text, "waivers.yaml").items
    assert waiver.kind is kind


def test_globs_with_brackets_that_close_are_fine() -> None:
    text = BASE + "    name: 'web-[0-9]*'\n    project: '[!x]*'\n"
    assert parse_waivers(text, "w.yaml").items[0].name == "web-[0-9]*"
    text = BASE + "    name: '[]]x'\n"
    assert parse_waivers(text, "w.yaml").items[0].name == "[]]x"


# -- applying ----------------------------------------------------------------------------


def test_waived_findings_stay_in_the_report_and_do_not_count(
    golden: tuple[Snapshot, Snapshot],
) -> None:
    plain = judge(golden, "version: 1\nwaivers: []\n")
    assert plain.verdict is Verdict.DISCREPANCIES and plain.exit_code == 1

    report = judge(golden, EVERY_ERROR)
    assert report.verdict is Verdict.VERIFIED and report.exit_code == 0
    assert {f.id for f in report.findings} == {f.id for f in plain.findings}
    waived = {f.id: f for f in report.waived}
    assert set(waived) == {
        PROJECT_DISABLED,
        SERVER_MISSING,
        VOLUME_MISSING,
        VOLUME_SHRANK,
        ENDPOINT_URL,
        SERVER_AMBIGUOUS,
        "f-50315babf99ea6dd",
        "f-f7edf7c5e6064f16",
        "f-1728a4b5cd055ae2",  # the unexpected server is in ocb-acme too (a warning)
        "f-3a65b7169c67c44f",  # and the endpoints' residue (a warning)
    }
    # A waived finding keeps its severity and gets the waiver.
    shrank = waived[VOLUME_SHRANK]
    assert shrank.severity is Severity.ERROR
    assert shrank.waived is not None
    assert (shrank.waived.owner, shrank.waived.expires) == ("storage-team", "2026-11-30")
    assert report.counted and all(f.severity is not Severity.ERROR for f in report.counted)
    assert report.waivers is not None
    assert (report.waivers.waived, report.waivers.expired, report.waivers.unused) == (10, 0, ())
    assert report.waivers.as_of == "2026-11-22"


def test_an_expired_waiver_is_a_finding_and_its_finding_counts_again(
    golden: tuple[Snapshot, Snapshot],
) -> None:
    # The last day of a waiver is still covered...
    on_the_day = judge(golden, EVERY_ERROR, today=date(2026, 11, 30))
    assert on_the_day.exit_code == 0
    # ...the day after, it is over.
    report = judge(golden, EVERY_ERROR, today=date(2026, 12, 1))
    assert report.verdict is Verdict.DISCREPANCIES and report.exit_code == 1
    shrank = next(f for f in report.findings if f.id == VOLUME_SHRANK)
    assert shrank.waived is None and shrank.counted
    expired = [f for f in report.findings if f.kind is Kind.WAIVER_EXPIRED]
    assert len(expired) == 1
    (finding,) = expired
    assert finding.severity is Severity.WARNING
    assert finding.collection == "volumes" and finding.project == "ocb-acme"
    assert finding.waiver is not None and finding.waiver.covers == (VOLUME_SHRANK,)
    assert "expired on 2026-11-30" in finding.message
    assert "the 1 finding it matches count again" in finding.message
    assert report.waivers is not None and report.waivers.expired == 1
    # The expired waiver's id is stable from run to run.
    again = judge(golden, EVERY_ERROR, today=date(2027, 6, 1))
    assert finding.id in {f.id for f in again.findings}


def test_an_expired_waiver_matching_nothing_is_still_a_finding(
    golden: tuple[Snapshot, Snapshot],
) -> None:
    text = BASE.replace("2026-12-31", "2020-01-01") + "    finding: f-0123456789abcdef\n"
    report = judge(golden, text)
    (finding,) = [f for f in report.findings if f.kind is Kind.WAIVER_EXPIRED]
    assert finding.collection == "waivers" and finding.severity is Severity.WARNING
    assert "it matches no finding any more" in finding.message
    assert report.findings[-1] is finding


def test_the_expired_severity_follows_the_rules_overrides(
    golden: tuple[Snapshot, Snapshot],
) -> None:
    source, target = golden
    rules_text = (
        GOLDEN / "rules.yaml"
    ).read_text() + "severity:\n  volumes.waiver_expired: error\n"
    report = compare(
        [source],
        target,
        parse_rules(rules_text),
        waivers=parse_waivers(EVERY_ERROR, "w.yaml"),
        today=date(2026, 12, 1),
    ).report
    (finding,) = [f for f in report.findings if f.kind is Kind.WAIVER_EXPIRED]
    assert finding.severity is Severity.ERROR


def test_patterns_match_every_key_given(golden: tuple[Snapshot, Snapshot]) -> None:
    def waived(**pattern: str) -> set[str]:
        keys = "".join(f"    {k}: '{v}'\n" for k, v in pattern.items())
        text = f"{BASE.replace('2026-12-31', '2027-01-01')}{keys}"
        return {f.id for f in judge(golden, text).waived}

    assert waived(kind="residue") == {
        "f-27770a3d1cb8fc8c",
        "f-ed8688ea691b9933",
        "f-3a65b7169c67c44f",
    }
    assert waived(kind="residue", collection="volumes") == {"f-ed8688ea691b9933"}
    assert waived(name="cw-app") == {SERVER_MISSING}
    assert waived(name="ocb-logs-*") == {"f-3499468b5bd6ca04", "f-ed8688ea691b9933"}
    assert waived(project="ocb-globex", kind="missing") == {SERVER_MISSING, VOLUME_MISSING}
    # Globs are case-sensitive, like OpenStack names.
    assert waived(name="CW-APP") == set()


def test_the_first_waiver_in_force_wins_and_unused_ones_are_listed(
    golden: tuple[Snapshot, Snapshot],
) -> None:
    text = f"""version: 1
waivers:
  - finding: {SERVER_MISSING}
    reason: old
    owner: o
    expires: 2020-01-01
  - collection: servers
    kind: missing
    reason: current
    owner: o
    expires: 2027-01-01
  - collection: servers
    reason: broader
    owner: o
    expires: 2027-01-01
  - collection: images
    reason: nothing to waive
    owner: o
    expires: 2027-01-01
"""
    report = judge(golden, text)
    missing = next(f for f in report.findings if f.id == SERVER_MISSING)
    assert missing.waived is not None and missing.waived.reason == "current"
    assert report.waivers is not None
    assert report.waivers.unused == ("images (line 16)",)
    (expired,) = [f for f in report.findings if f.kind is Kind.WAIVER_EXPIRED]
    assert expired.waiver is not None and expired.waiver.covers == (SERVER_MISSING,)


# -- the report and its renderers ----------------------------------------------------------


def test_the_json_report_validates_and_round_trips(golden: tuple[Snapshot, Snapshot]) -> None:
    report = judge(golden, EVERY_ERROR, today=date(2026, 12, 1))
    doc = json.loads(render(report, Format.JSON))
    jsonschema.validate(doc, load_schema("report"))
    assert Report.from_json(doc).to_json() == doc
    shrank = next(f for f in doc["findings"] if f["id"] == SERVER_MISSING)
    assert shrank["waived"] == {
        "reason": "CHG-102: servers rebuilt by the customer",
        "owner": "alice",
        "expires": "2026-12-31",
    }
    assert doc["waivers"]["expired"] == 1


def test_renderers_show_waived_findings_apart(golden: tuple[Snapshot, Snapshot]) -> None:
    report = judge(golden, EVERY_ERROR)
    text = render(report, Format.TEXT)
    head, _, waived = text.partition("== Waived: accepted differences, not counted (10)")
    assert waived, text
    assert SERVER_MISSING not in head and SERVER_MISSING in waived
    assert "waived until 2026-12-31 by alice: CHG-102: servers rebuilt by the customer" in waived
    assert "Findings: 4 (0 error, 3 warning, 1 info)" in head
    assert "10 finding(s) waived, 0 waiver(s) expired, 0 unused" in head

    markdown = render(report, Format.MARKDOWN)
    assert "## Waived (10)" in markdown
    assert "## Error" not in markdown

    html = render(report, Format.HTML)
    findings_part, _, waived_part = html.partition('<section id="waived">')
    assert SERVER_MISSING not in findings_part.split('<section id="findings">')[1]
    assert SERVER_MISSING in waived_part and "CHG-102" in waived_part

    junit = ET.fromstring(render(report, Format.JUNIT))
    assert junit.get("failures") == "0"
    case = next(c for c in junit.iter("testcase") if SERVER_MISSING in (c.get("name") or ""))
    skipped = case.find("skipped")
    assert skipped is not None and "waived until 2026-12-31" in (skipped.get("message") or "")


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    golden_inputs(tmp_path)
    (tmp_path / "waivers.yaml").write_text(EVERY_ERROR)
    return tmp_path


def diff(inputs: Path, *extra: str) -> tuple[int, str]:
    return run(
        "diff",
        str(inputs / "source.json"),
        str(inputs / "target.json"),
        "--rules",
        str(inputs / "rules.yaml"),
        "-f",
        "json",
        *extra,
    )


def test_cli_waivers_gate_the_exit_code_until_they_expire(inputs: Path) -> None:
    waivers = str(inputs / "waivers.yaml")
    code, out = diff(inputs, "--waivers", waivers, "--as-of", "2026-11-22")
    assert code == 0
    assert json.loads(out)["waivers"]["file"] == waivers
    code, out = diff(inputs, "--waivers", waivers, "--as-of", "2026-12-01")
    assert code == 1
    kinds = [f["kind"] for f in json.loads(out)["findings"]]
    assert kinds.count("waiver_expired") == 1
    # --fail-on warning: the expired waiver (a warning) alone fails the run.
    code, _ = diff(inputs, "--waivers", waivers, "--as-of", "2027-06-01", "--fail-on", "warning")
    assert code == 1


def test_cli_without_as_of_checks_against_today(inputs: Path) -> None:
    (inputs / "waivers.yaml").write_text(
        f"version: 1\nwaivers:\n  - finding: {SERVER_MISSING}\n    reason: r\n    owner: o\n"
        "    expires: 2000-01-01\n"
    )
    code, out = diff(inputs, "--waivers", str(inputs / "waivers.yaml"))
    doc = json.loads(out)
    assert code == 1
    assert doc["waivers"]["as_of"] >= "2026-01-01"
    assert doc["waivers"]["expired"] == 1


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        (
            "version: 1\nwaivers:\n  - nme: x\n",
            (),
            "waivers.yaml: line 3: waivers[0].nme: unknown key",
        ),
        (EVERY_ERROR, ("--as-of", "2026-13-01"), "--as-of: '2026-13-01' is not a date"),
        (None, (), "no such waivers file"),
    ],
)
def test_cli_bad_waivers_are_bad_input_with_one_line(
    inputs: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    args: tuple[str, ...],
    expected: str,
) -> None:
    path = inputs / "waivers.yaml"
    if content is None:
        path.unlink()
    else:
        path.write_text(content)
    code, out = diff(inputs, "--waivers", str(path), *args)
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert expected in err and err.count("\n") == 1


def test_cli_prints_the_waivers_schema() -> None:
    code, out = run("schema", "waivers")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "auditor.waivers/v1"


def test_audit_over_http_applies_the_waivers(tmp_path: Path) -> None:
    """`auditor audit` against the sandbox: every finding of the demo's target waived."""
    source, target = generate(servers=30)
    (tmp_path / "rules.yaml").write_text(RULES)
    everything = "\n".join(
        f"  - kind: {kind}\n    reason: 'wave 1 accepted'\n    owner: ops\n    expires: 2026-12-31"
        for kind in ("missing", "unexpected", "changed", "ambiguous", "residue")
    )
    (tmp_path / "waivers.yaml").write_text(f"version: 1\nwaivers:\n{everything}\n")
    with Sandbox([source, target]) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        code, out = run(
            *audit_argv(
                tmp_path / "clouds.yaml", "cloudwatt", target="ocb", rules=tmp_path / "rules.yaml"
            ),
            "--waivers",
            str(tmp_path / "waivers.yaml"),
            "--as-of",
            "2026-11-22",
            "-f",
            "json",
        )
    doc = json.loads(out)
    assert doc["findings"], "the demo's target has defects"
    assert all("waived" in f for f in doc["findings"])
    assert (code, doc["verdict"]) == (0, "verified")
