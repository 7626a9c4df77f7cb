"""The trend over a history directory's runs, through the CLI: carried in each kept
report, drawn by the HTML report as inline SVG, and shown by the demo's second run."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema

from auditor import history
from auditor.cli import main
from auditor.model import History, Report, TrendPoint
from auditor.render.trend import scale_top
from auditor.schemas import load_schema

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SVG = re.compile(r"<svg .*?</svg>", re.S)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--no-progress", *argv], stdout=out)
    return code, out.getvalue()


def diff(*extra: str, target: str = "target.json") -> tuple[int, str]:
    return run("diff", "source.json", target, "--rules", "rules.yaml", "--history", "h", *extra)


def drop_extra(name: str) -> str:
    """A target without the unexpected server ocb-extra: one warning fewer."""
    doc = json.loads(Path("target.json").read_text())
    items = doc["collections"]["servers"]["items"]
    items[:] = [s for s in items if s["name"] != "ocb-extra"]
    doc["collections"]["servers"]["count"] = len(items)
    Path(name).write_text(json.dumps(doc))
    return name


def chart(html: str) -> ET.Element:
    """The trend chart of an HTML report, parsed as XML (it must be well formed)."""
    (svg,) = SVG.findall(html)
    return ET.fromstring(svg)


def tooltips(svg: ET.Element, series: str) -> list[str]:
    """The tooltips of one line's points (in the order drawn: oldest first)."""
    ns = "{http://www.w3.org/2000/svg}"
    circles = [c for c in svg.iter(f"{ns}circle") if c.get("fill") == colour_of(svg, series)]
    return [c.findtext(f"{ns}title") or "" for c in circles]


def colour_of(svg: ET.Element, series: str) -> str | None:
    for line in svg.iter("{http://www.w3.org/2000/svg}polyline"):
        if line.get("class") == f"trend-{series}":
            return line.get("stroke")
    return None


def test_trend_is_carried_and_drawn_from_the_second_run(golden_inputs: Path) -> None:
    code, first = diff("-f", "html")
    assert code == 1 and "<svg" not in first  # one run: no trend yet
    code, second = diff("-f", "json")
    doc = json.loads(second)
    jsonschema.validate(doc, load_schema("report"))
    points = doc["history"]["trend"]
    assert len(points) == 2
    severities = [f["severity"] for f in doc["findings"]]
    matched = sum(s["matched"] for s in doc["summary"].values())
    source = sum(s["source"] for s in doc["summary"].values())
    assert points[-1] == {
        "generated_at": doc["generated_at"],
        "error": severities.count("error"),
        "warning": severities.count("warning"),
        "info": severities.count("info"),
        "matched": matched,
        "source": source,
    }
    # Third run, the unexpected server gone: one warning fewer, drawn.
    code, html = diff("-f", "html", target=drop_extra("fixed.json"))
    svg = chart(html)
    assert "Trend over the last 3 runs" in html
    warnings = tooltips(svg, "warning")
    assert len(warnings) == 3
    counts = [int(re.search(r"(\d+) warning", t).group(1)) for t in warnings]  # type: ignore[union-attr]
    assert counts == [points[0]["warning"], points[0]["warning"], points[0]["warning"] - 1]
    assert len(tooltips(svg, "error")) == len(tooltips(svg, "matched")) == 3
    assert f"({matched} of {source})" in tooltips(svg, "matched")[0]
    # The page still loads nothing: the chart is inline, no external reference.
    assert not re.search(r"(href|src)=\"https?:", html)
    kept = sorted(Path("h").iterdir())
    assert len(kept) == 3
    assert len(json.loads(kept[-1].read_text())["history"]["trend"]) == 3


def test_render_draws_the_trend_of_a_saved_report(golden_inputs: Path) -> None:
    diff("-f", "json")
    diff("-f", "json")
    newest = sorted(Path("h").iterdir())[-1]
    code, html = run("render", str(newest), "-f", "html")
    assert code == 0
    assert len(tooltips(chart(html), "error")) == 2


def test_reports_kept_before_the_trend_seed_it(golden_inputs: Path) -> None:
    for _ in range(3):
        diff("-f", "json")
    # As a version without trends kept them.
    for path in Path("h").iterdir():
        doc = json.loads(path.read_text())
        if "history" in doc:
            del doc["history"]["trend"]
        path.write_text(json.dumps(doc))
    code, text = diff("-f", "json")
    assert code == 1
    trend = json.loads(text)["history"]["trend"]
    kept = sorted(Path("h").iterdir())
    assert [p["generated_at"] for p in trend] == [
        json.loads(k.read_text())["generated_at"] for k in kept
    ]


def test_trend_times_from_files_are_escaped(golden_inputs: Path) -> None:
    diff("-f", "json")
    (kept,) = Path("h").iterdir()
    doc = json.loads(kept.read_text())
    doc["generated_at"] = '<script>alert("x")</script>'
    kept.write_text(json.dumps(doc))
    code, html = diff("-f", "html")
    assert code == 1
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in SVG.findall(html)[0]
    chart(html)  # still well formed


def test_text_report_keeps_its_since_previous_run_table_with_a_caption(golden_inputs: Path) -> None:
    diff("-f", "json")
    code, text = diff("-f", "text", target=drop_extra("fixed.json"))
    assert code == 1
    caption = next(line for line in text.splitlines() if line.startswith("Since the previous"))
    assert "0 new, 1 resolved" in caption and "(previous: report-" in caption
    table = text.split(caption, 1)[1].splitlines()[1:6]
    assert table[0].split() == ["|", "error", "|", "warning", "|", "info", "|", "total"]
    rows = {r.split("|")[0].strip(): [c.strip() for c in r.split("|")[1:]] for r in table[2:]}
    assert rows["resolved"] == ["0", "1", "0", "1"]
    assert rows["new"] == ["0", "0", "0", "0"]
    assert rows["still open"][-1] == str(len(re.findall(r"\[f-[0-9a-f]{16}\]", text)) - 1)


def test_trend_keeps_the_newest_runs_only() -> None:
    report = Report.from_json(json.loads((GOLDEN / "report.json").read_text()))
    carried = tuple(TrendPoint(f"t{i}", i, 0, 0, 1, 1) for i in range(history.MAX_TREND_POINTS))
    previous = dataclasses.replace(report, history=History("t99", "p.json", trend=carried))
    now = dataclasses.replace(report, generated_at="now")
    trend = history.trend(history.Previous("p.json", previous), now)
    assert len(trend) == history.MAX_TREND_POINTS
    assert trend[0] == carried[1] and trend[-2] == carried[-1]
    assert trend[-1] == history.trend_point(now) and trend[-1].generated_at == "now"
    assert scale_top(0) == 4 and scale_top(5) == 8 and scale_top(9) == 20 and scale_top(41) == 80
    assert TrendPoint("t", 0, 0, 0, 0, 0).matched_ratio is None


def test_demo_html_carries_the_trend_after_a_second_run(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    argv = ["--no-progress", "demo", "--output-dir", str(directory)]
    assert main(argv, stdout=io.StringIO()) == 1
    assert "<svg" not in (directory / "report.html").read_text()
    out = io.StringIO()
    assert main(argv, stdout=out) == 1
    html = (directory / "report.html").read_text()
    svg = chart(html)
    assert len(tooltips(svg, "error")) == 2
    report: dict[str, Any] = json.loads((directory / "report.json").read_text())
    assert report["history"]["new"] == [] and report["history"]["resolved"] == []
    assert "Since the previous run" in out.getvalue()
    assert len(list((directory / "history").iterdir())) == 2
