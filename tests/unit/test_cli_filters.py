"""``--min-severity``, ``--project`` and ``--collection`` through the CLI: what a report
shows changes, what it concludes does not, and what was left out is counted."""

from __future__ import annotations

import io
import json
from collections import Counter
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from prometheus_client.parser import text_string_to_metric_families

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.cli import main
from auditor.demo.data import RULES, generate
from auditor.sandbox import Sandbox
from auditor.schemas import load_schema

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--no-progress", *argv], stdout=out)
    return code, out.getvalue()


def diff_json(*extra: str) -> tuple[int, dict[str, Any]]:
    code, text = run(
        "diff", "source.json", "target.json", "--rules", "rules.yaml", "-f", "json", *extra
    )
    report = json.loads(text)
    jsonschema.validate(report, load_schema("report"))
    return code, report


def ids(report: dict[str, Any]) -> set[str]:
    return {f["id"] for f in report["findings"]}


def source_project(finding: dict[str, Any]) -> str | None:
    source = finding.get("source") or {}
    if finding["collection"] == "projects":
        return source.get("name")
    return source.get("project")


def test_each_filter_shows_a_subset_and_counts_the_rest(golden_inputs: Path) -> None:
    code, everything = diff_json()
    assert code == 1 and "filters" not in everything
    assert all("filtered" not in s for s in everything["summary"].values())
    by_id = {f["id"]: f for f in everything["findings"]}

    cases: list[tuple[list[str], Any]] = [
        (["--min-severity", "error"], lambda f: f["severity"] == "error"),
        (["--min-severity", "warning"], lambda f: f["severity"] in ("error", "warning")),
        (["--collection", "servers"], lambda f: f["collection"] == "servers"),
        (
            ["--collection", "volumes", "--collection", "endpoints"],
            lambda f: f["collection"] in ("volumes", "endpoints"),
        ),
        (["--project", "ocb-glob*"], lambda f: f.get("project") == "ocb-globex"),
        # Either side's project name matches: the source's here (and the project itself).
        (["--project", "cw-acme"], lambda f: source_project(f) == "cw-acme"),
    ]
    for argv, expected in cases:
        code, shown = diff_json(*argv)
        assert code == 1, argv
        want = {i for i, f in by_id.items() if expected(f)}
        assert ids(shown) == want, argv
        assert 0 < len(want) < len(by_id), argv  # the case tells something apart
        left_out = Counter(by_id[i]["collection"] for i in set(by_id) - want)
        (note,) = shown["filters"]
        assert note["filtered"] == len(by_id) - len(want), argv
        for name, summary in shown["summary"].items():
            assert summary["filtered"] == left_out.get(name, 0), (argv, name)
        # What the report concludes is that of every finding.
        for key in ("verdict", "exit_code", "scorecard"):
            assert shown[key] == everything[key], (argv, key)
        assert {
            k: {c: v for c, v in s.items() if c != "filtered"} for k, s in shown["summary"].items()
        } == everything["summary"]


def test_filters_combine_and_never_change_the_exit_code(golden_inputs: Path) -> None:
    # Only warnings of servers are shown; the errors elsewhere still make it exit 1.
    code, shown = diff_json(
        "--collection", "servers", "--min-severity", "warning", "--project", "ocb-*"
    )
    assert code == 1
    assert {(f["collection"], f["severity"]) for f in shown["findings"]} <= {
        ("servers", "error"),
        ("servers", "warning"),
    }
    code, shown = diff_json("--collection", "servers", "--project", "nobody-*")
    assert code == 1 and shown["findings"] == []
    assert shown["verdict"] == "discrepancies"


def test_text_markdown_and_html_say_what_was_filtered(golden_inputs: Path) -> None:
    argv = ["diff", "source.json", "target.json", "--rules", "rules.yaml"]
    code, report = diff_json("--min-severity", "error")
    filtered = report["filters"][0]["filtered"]
    for fmt in ("text", "markdown", "html"):
        code, text = run(*argv, "-f", fmt, "--min-severity", "error")
        assert code == 1
        assert f"{filtered} finding(s) not shown (--min-severity error)" in text, fmt


def test_render_filters_a_saved_report_and_filters_add_up(golden_inputs: Path) -> None:
    code, text = run(
        "diff", "source.json", "target.json", "--rules", "rules.yaml", "-f", "json", "-o", "r.json"
    )
    assert code == 1
    everything = json.loads(Path("r.json").read_text())
    code, text = run("render", "r.json", "-f", "json", "--min-severity", "warning", "-o", "w.json")
    assert code == 0
    code, text = run("render", "w.json", "-f", "json", "--collection", "servers")
    twice = json.loads(text)
    jsonschema.validate(twice, load_schema("report"))
    assert {f["id"] for f in twice["findings"]} == {
        f["id"]
        for f in everything["findings"]
        if f["severity"] != "info" and f["collection"] == "servers"
    }
    assert [n["min_severity"] for n in twice["filters"]] == ["warning", None]
    assert sum(n["filtered"] for n in twice["filters"]) == len(everything["findings"]) - len(
        twice["findings"]
    )
    assert sum(s["filtered"] for s in twice["summary"].values()) == sum(
        n["filtered"] for n in twice["filters"]
    )


def test_history_and_metrics_keep_every_finding(golden_inputs: Path) -> None:
    _, shown = diff_json(
        "--min-severity", "error", "--history", "hist", "--metrics-file", "auditor.prom"
    )
    (kept,) = Path("hist").glob("report-*.json")
    stored = json.loads(kept.read_text())
    assert "filters" not in stored
    total = len(shown["findings"]) + shown["filters"][0]["filtered"]
    assert len(stored["findings"]) == total
    counted = sum(
        sample.value
        for family in text_string_to_metric_families(Path("auditor.prom").read_text())
        for sample in family.samples
        if sample.name == "auditor_findings"
    )
    assert counted == total


def test_filter_defaults_from_the_configuration_file(golden_inputs: Path) -> None:
    Path("auditor.toml").write_text('min-severity = "error"\ncollection = ["volumes"]\n')
    _, shown = diff_json()
    assert {(f["collection"], f["severity"]) for f in shown["findings"]} == {("volumes", "error")}
    assert shown["filters"][0]["collections"] == ["volumes"]


def test_unknown_collection_or_severity_is_exit_2(
    golden_inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        run("diff", "source.json", "target.json", "--collection", "serverz")
    assert exc.value.code == 2
    assert "invalid choice: 'serverz'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        run("render", "r.json", "--min-severity", "fatal")
    assert exc.value.code == 2


def test_audit_over_http_filters_what_it_shows(tmp_path: Path) -> None:
    """`auditor audit` against the sandbox on loopback: the same filters, the same
    counting, the exit code of every finding."""
    (tmp_path / "rules.yaml").write_text(RULES)
    clouds = str(tmp_path / "clouds.yaml")
    argv = ["--os-client-config-file", clouds, "audit", "--source", "cloudwatt"]
    argv += ["--target", "ocb", "--rules", str(tmp_path / "rules.yaml"), "-f", "json"]
    with Sandbox(list(generate(defects=True))) as sandbox:
        save_clouds_yaml(sandbox, clouds)
        code, out = run(*argv)
        filtered_code, filtered_out = run(*argv, "--min-severity", "error", "--project", "ocb-*")
    everything, shown = json.loads(out), json.loads(filtered_out)
    assert code == filtered_code == 1
    jsonschema.validate(shown, load_schema("report"))
    want = {
        f["id"]
        for f in everything["findings"]
        if f["severity"] == "error" and fnmatchcase(f.get("project") or "", "ocb-*")
    }
    assert want <= ids(shown) and 0 < len(ids(shown)) < len(everything["findings"])
    assert all(f["severity"] == "error" for f in shown["findings"])
    assert shown["filters"][0]["filtered"] == len(everything["findings"]) - len(ids(shown))
    assert shown["verdict"] == everything["verdict"]
