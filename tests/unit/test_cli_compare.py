"""``auditor compare OLD_REPORT NEW_REPORT`` through the CLI: new, resolved and still
open findings in every format, and its exit code (0 nothing new at --fail-on, 1 new,
2 bad input, 3 the newer report is incomplete)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli import main
from auditor.render import Format
from auditor.schemas import load_schema
from tests.sarifschema import validate as validate_sarif

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UNEXPECTED_EXTRA = "f-1728a4b5cd055ae2"
"""The golden audit's unexpected server ocb-extra (a warning)."""


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--no-progress", *argv], stdout=out)
    return code, out.getvalue()


def audit(directory: Path, name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> str:
    """Diff the golden snapshots (the target edited) and save the JSON report as ``name``."""
    target = json.loads((GOLDEN / "target.json").read_text())
    if edit is not None:
        edit(target)
    (directory / f"{name}-target.json").write_text(json.dumps(target))
    report = directory / name
    code, _ = run(
        "diff",
        str(GOLDEN / "source.json"),
        str(directory / f"{name}-target.json"),
        "--rules",
        str(GOLDEN / "rules.yaml"),
        "-f",
        "json",
        "-o",
        str(report),
    )
    assert code in (1, 3)
    return str(report)


def drop_compute(doc: dict[str, Any]) -> None:
    """The target's compute endpoint is gone: a new error (missing endpoint)."""
    items = doc["collections"]["endpoints"]["items"]
    items[:] = [e for e in items if e["service_type"] != "compute"]
    doc["collections"]["endpoints"]["count"] = len(items)


def drop_extra(doc: dict[str, Any]) -> None:
    """The unexpected server is gone from the target: its warning is resolved."""
    items = doc["collections"]["servers"]["items"]
    items[:] = [s for s in items if s["name"] != "ocb-extra"]
    doc["collections"]["servers"]["count"] = len(items)


def drop_compute_and_extra(doc: dict[str, Any]) -> None:
    drop_compute(doc)
    drop_extra(doc)


@pytest.fixture
def reports(tmp_path: Path) -> tuple[str, str, Path]:
    old = audit(tmp_path, "old.json")
    new = audit(tmp_path, "new.json", drop_compute_and_extra)
    return old, new, tmp_path


def test_new_resolved_and_still_open_in_json(reports: tuple[str, str, Path]) -> None:
    old, new, _ = reports
    code, text = run("compare", old, new, "-f", "json")
    assert code == 1  # a new error
    doc = json.loads(text)
    jsonschema.validate(doc, load_schema("report"))
    before = {f["id"] for f in json.loads(Path(old).read_text())["findings"]}
    after = json.loads(Path(new).read_text())
    now = {f["id"] for f in after["findings"]}
    assert set(doc["history"]["new"]) == now - before and len(now - before) == 1
    (fresh,) = [f for f in doc["findings"] if f["id"] in doc["history"]["new"]]
    assert (fresh["kind"], fresh["collection"], fresh["severity"]) == (
        "missing",
        "endpoints",
        "error",
    )
    assert {r["id"] for r in doc["history"]["resolved"]} == before - now == {UNEXPECTED_EXTRA}
    assert {f["id"] for f in doc["findings"]} == now  # still open: the rest
    assert doc["history"]["previous_file"] == old
    # The document is NEW_REPORT's: its own verdict and exit code are its audit's.
    assert (doc["verdict"], doc["exit_code"]) == (after["verdict"], after["exit_code"])


def test_every_format_shows_new_resolved_and_still_open(reports: tuple[str, str, Path]) -> None:
    old, new, _ = reports
    outputs = {}
    for fmt in Format:
        code, outputs[fmt] = run("compare", old, new, "-f", fmt.value)
        assert code == 1, fmt
    doc = json.loads(outputs[Format.JSON])
    (fresh,) = doc["history"]["new"]
    still = len(doc["findings"]) - 1
    assert f"1 new, 1 resolved, {still} still open" in outputs[Format.TEXT]
    assert f"[{fresh}]  NEW" in outputs[Format.TEXT]
    assert UNEXPECTED_EXTRA in outputs[Format.TEXT].split("== Resolved")[1]
    assert f"**1 new**, **1 resolved**, **{still} still open**" in outputs[Format.MARKDOWN]
    assert "<strong>1 new</strong>, <strong>1 resolved</strong>" in outputs[Format.HTML]
    assert f"<strong>{still} still open</strong>" in outputs[Format.HTML]

    rows = list(csv.DictReader(io.StringIO(outputs[Format.CSV])))
    states = {r["id"]: r["baseline"] for r in rows}
    assert states[fresh] == "new" and states[UNEXPECTED_EXTRA] == "absent"
    assert sorted(states.values()).count("unchanged") == still

    sarif = json.loads(outputs[Format.SARIF])
    validate_sarif(sarif)
    results = sarif["runs"][0]["results"]
    by_state = {
        r["partialFingerprints"]["auditorFindingId/v1"]: r["baselineState"] for r in results
    }
    assert by_state[fresh] == "new" and by_state[UNEXPECTED_EXTRA] == "absent"
    assert list(by_state.values()).count("unchanged") == still

    junit = ET.fromstring(outputs[Format.JUNIT])
    (resolved_suite,) = [s for s in junit if s.get("name") == "auditor.resolved"]
    (case,) = resolved_suite
    assert UNEXPECTED_EXTRA in (case.get("name") or "") and len(case) == 0  # it passes
    baselines = {
        (c.get("name") or "").rsplit("[", 1)[-1].rstrip("]"): p.get("value")
        for c in junit.iter("testcase")
        for p in c.iter("property")
        if p.get("name") == "baseline"
    }
    assert baselines[fresh] == "new"
    assert list(baselines.values()).count("unchanged") == still


def test_exit_code_is_about_what_is_new(reports: tuple[str, str, Path]) -> None:
    old, new, directory = reports
    # Same report twice: every finding still open, none new, exit 0 although errors stand.
    assert run("compare", old, old, "-f", "json")[0] == 0
    # Only a warning is new: 0 under the default --fail-on error, 1 under warning.
    back = audit(directory, "back.json", drop_extra)
    assert run("compare", back, old, "-f", "json")[0] == 0
    assert run("compare", back, old, "-f", "json", "--fail-on", "warning")[0] == 1
    # Resolving things only: exit 0.
    assert run("compare", new, back, "-f", "json")[0] == 0


def test_incomplete_newer_report_is_exit_3(reports: tuple[str, str, Path]) -> None:
    old, _, directory = reports

    def break_volumes(doc: dict[str, Any]) -> None:
        doc["collections"]["volumes"] = {"status": "error", "error": "HTTP 503", "items": []}

    broken = audit(directory, "broken.json", break_volumes)
    code, text = run("compare", old, broken, "-f", "json")
    assert code == 3
    doc = json.loads(text)
    # The volumes' findings are unseen, not resolved.
    assert all(r["collection"] != "volumes" for r in doc["history"]["resolved"])


def test_filters_and_configured_fail_on(
    reports: tuple[str, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new, directory = reports
    code, text = run("compare", old, new, "-f", "json", "--collection", "servers")
    doc = json.loads(text)
    assert code == 1  # the new endpoint error still counts
    assert {f["collection"] for f in doc["findings"]} == {"servers"}
    assert doc["filters"][0]["filtered"] > 0
    back = audit(directory, "back.json", drop_extra)
    monkeypatch.chdir(directory)
    Path("auditor.toml").write_text('fail-on = "warning"\n')
    assert run("compare", back, old, "-f", "json")[0] == 1


def test_bad_input_is_exit_2(
    reports: tuple[str, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, _, directory = reports
    assert run("compare", old, str(directory / "nope.json"))[0] == 2
    assert "nope.json: no such file" in capsys.readouterr().err
    shutil.copy(GOLDEN / "source.json", directory / "snapshot.json")
    assert run("compare", str(directory / "snapshot.json"), old)[0] == 2
    err = capsys.readouterr().err
    assert "snapshot.json: not an auditor report" in err and "Traceback" not in err
