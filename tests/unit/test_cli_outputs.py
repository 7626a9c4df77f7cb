"""`--format html|junit`, `--metrics-file` and `--history` through the CLI (`auditor diff`).

`auditor audit` shares the same code after its inventories; the test at the
end runs it against the sandbox to cover its wiring too.
"""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from prometheus_client.parser import text_string_to_metric_families

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.demo.data import RULES, generate
from auditor.model import Report
from auditor.render import Format, render
from auditor.sandbox import Sandbox
from auditor.schemas import load_schema
from tests.harness import audit_argv, golden_inputs
from tests.harness import run_auditor as run

UNEXPECTED_EXTRA = "f-1728a4b5cd055ae2"
VOLUME_FINDINGS = {"f-b40bc0a3aac2fb71", "f-3499468b5bd6ca04", "f-ed8688ea691b9933"}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return golden_inputs(tmp_path)


def diff(inputs: Path, *extra: str, target: str = "target.json") -> tuple[int, str]:
    return run(
        "diff",
        str(inputs / "source.json"),
        str(inputs / target),
        "--rules",
        str(inputs / "rules.yaml"),
        *extra,
    )


def edit_target(inputs: Path, name: str, change: Any) -> str:
    doc = json.loads((inputs / "target.json").read_text())
    change(doc)
    (inputs / name).write_text(json.dumps(doc))
    return name


def metric_values(path: Path) -> dict[str, float]:
    return {
        s.name: s.value
        for family in text_string_to_metric_families(path.read_text())
        for s in family.samples
        if not s.labels
    }


def test_html_and_junit_formats(inputs: Path) -> None:
    code, html = diff(inputs, "--format", "html")
    assert code == 1
    assert html.startswith("<!DOCTYPE html>") and "Migration audit: DISCREPANCIES" in html
    code, xml = diff(inputs, "-f", "junit")
    assert code == 1
    assert ET.fromstring(xml).get("failures") == "8"


def test_metrics_file_is_world_readable_and_replaced_atomically(inputs: Path) -> None:
    metrics = inputs / "textfile" / "auditor.prom"
    metrics.parent.mkdir()
    code, _ = diff(inputs, "--metrics-file", str(metrics), "-o", str(inputs / "r.json"))
    assert code == 1
    assert stat.S_IMODE(os.stat(metrics).st_mode) == 0o644
    assert os.listdir(metrics.parent) == ["auditor.prom"], "no temporary file left behind"
    values = metric_values(metrics)
    assert values["auditor_exit_code"] == 1
    assert values["auditor_audit_duration_seconds"] >= 0
    first_complete = values["auditor_last_complete_run_timestamp_seconds"]
    assert first_complete == pytest.approx(values["auditor_last_run_timestamp_seconds"])

    def break_volumes(doc: dict[str, Any]) -> None:
        doc["collections"]["volumes"] = {"status": "error", "error": "HTTP 503", "items": []}

    broken = edit_target(inputs, "broken.json", break_volumes)
    code, _ = diff(
        inputs, "--metrics-file", str(metrics), "-o", str(inputs / "r.json"), target=broken
    )
    assert code == 1
    values = metric_values(metrics)
    assert values["auditor_last_complete_run_timestamp_seconds"] == first_complete
    assert values["auditor_last_run_timestamp_seconds"] >= first_complete


def test_metrics_file_in_a_missing_directory_is_bad_input_before_the_diff(
    inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = inputs / "nowhere" / "auditor.prom"
    code, out = diff(inputs, "--metrics-file", str(target))
    assert (code, out) == (2, "")
    err = capsys.readouterr().err
    assert str(target) in err and err.count("\n") == 1


def test_history_shows_new_and_resolved_findings(inputs: Path) -> None:
    history = inputs / "history"
    code, first = diff(inputs, "--history", str(history), "-f", "json")
    assert code == 1
    assert "history" not in json.loads(first), "nothing to compare with on the first run"
    (kept,) = list(history.iterdir())
    assert kept.name.startswith("report-") and kept.suffix == ".json"
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(history).st_mode) == 0o700

    # Second run: the extra server is now ignored (resolved) and the compute
    # endpoint is gone from the target (a new finding).
    with (inputs / "rules.yaml").open("a") as fh:
        fh.write("ignore:\n  items: [{collection: servers, name: 'ocb-extra'}]\n")

    def drop_compute(doc: dict[str, Any]) -> None:
        items = doc["collections"]["endpoints"]["items"]
        items[:] = [e for e in items if e["service_type"] != "compute"]
        doc["collections"]["endpoints"]["count"] = len(items)

    second_target = edit_target(inputs, "second.json", drop_compute)
    code, second = diff(inputs, "--history", str(history), "-f", "json", target=second_target)
    doc = json.loads(second)
    jsonschema.validate(doc, load_schema("report"))
    assert Report.from_json(doc).to_json() == doc
    assert doc["history"]["previous"] == json.loads(first)["generated_at"]
    assert doc["history"]["previous_file"] == kept.name
    (new_id,) = doc["history"]["new"]
    (new,) = [f for f in doc["findings"] if f["id"] == new_id]
    assert (new["kind"], new["collection"]) == ("missing", "endpoints")
    assert [r["id"] for r in doc["history"]["resolved"]] == [UNEXPECTED_EXTRA]
    assert len(list(history.iterdir())) == 2

    # The same comparison in text: the third run compares with the second.
    code, text = diff(inputs, "--history", str(history), "-f", "text", target=second_target)
    assert "Since the previous run" in text and "0 new, 0 resolved" in text

    # Fourth run: the target's volumes cannot be listed. Their findings are
    # not "resolved": they are unseen.
    def break_volumes(doc: dict[str, Any]) -> None:
        drop_compute(doc)
        doc["collections"]["volumes"] = {"status": "error", "error": "HTTP 503", "items": []}

    third_target = edit_target(inputs, "third.json", break_volumes)
    code, text = diff(inputs, "--history", str(history), "-f", "text", target=third_target)
    latest = json.loads(sorted(history.iterdir())[-1].read_text())
    resolved = {r["id"] for r in latest["history"]["resolved"]}
    assert not resolved & VOLUME_FINDINGS
    (incomplete,) = [f for f in latest["findings"] if f["kind"] == "incomplete"]
    assert incomplete["id"] in latest["history"]["new"]
    assert f"[{incomplete['id']}]  NEW" in text


def test_a_corrupt_previous_report_is_bad_input(
    inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = inputs / "history"
    history.mkdir()
    bad = history / "report-20260101T000000.000000Z.json"
    bad.write_text("{not json")
    code, out = diff(inputs, "--history", str(history))
    assert (code, out) == (2, "")
    err = capsys.readouterr().err
    assert str(bad) in err and err.count("\n") == 1
    assert list(history.iterdir()) == [bad]


def test_audit_keeps_history_and_metrics_over_http(tmp_path: Path) -> None:
    """`auditor audit` against the sandbox: a defective target, then a faithful one."""
    (tmp_path / "rules.yaml").write_text(RULES)
    history, metrics = tmp_path / "history", tmp_path / "auditor.prom"
    reports = []
    for defects in (True, False):
        with Sandbox(list(generate(defects=defects))) as sandbox:
            save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
            code, out = run(
                *audit_argv(
                    tmp_path / "clouds.yaml",
                    "cloudwatt",
                    target="ocb",
                    rules=tmp_path / "rules.yaml",
                ),
                "--history",
                str(history),
                "--metrics-file",
                str(metrics),
                "-f",
                "json",
            )
        reports.append(json.loads(out))
        assert code == (1 if defects else 0)
    first, second = reports
    assert second["verdict"] == "verified"
    assert sorted(r["id"] for r in second["history"]["resolved"]) == sorted(
        f["id"] for f in first["findings"]
    )
    assert metric_values(metrics)["auditor_exit_code"] == 0
    assert metric_values(metrics)["auditor_findings_resolved"] == len(first["findings"])


def test_render_turns_a_saved_report_into_each_format(
    inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, saved = diff(inputs, "-f", "json")
    (inputs / "report.json").write_text(saved)
    report = Report.from_json(json.loads(saved))
    for fmt in Format:
        code, again = run("render", str(inputs / "report.json"), "-f", fmt.value)
        assert code == 0
        assert again == render(report, fmt), fmt
    assert run("render", str(inputs / "report.json"), "-f", "json")[1] == saved
    (inputs / "snapshot.json").write_text((inputs / "source.json").read_text())
    code, out = run("render", str(inputs / "snapshot.json"))
    assert (code, out) == (2, "")
    err = capsys.readouterr().err
    assert "not an auditor report" in err and err.count("\n") == 1
