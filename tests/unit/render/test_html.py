"""The HTML report: escaped, self-contained, filterable, and showing the history."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from auditor.model import Finding, History, Kind, Ref, Report, ResolvedFinding, Severity
from auditor.render import Format, render


class Collector(HTMLParser):
    """Every tag with its attributes, and the text of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def hostile(report: Report) -> Report:
    """The report with a finding whose names a cloud user chose to be nasty."""
    evil = "<script>alert(1)</script>"
    finding = Finding(
        id="f-0123456789abcdef",
        kind=Kind.MISSING,
        collection="servers",
        severity=Severity.ERROR,
        message=f'server {evil}/"x" & <img src=x onerror=alert(2)> has no counterpart.',
        source=Ref(id="s-evil", name=evil, project=evil),
        project=f"{evil}\"'",
    )
    return replace(report, findings=(*report.findings, finding))


def test_user_controlled_names_are_escaped(golden_report: Report) -> None:
    html = render(hostile(golden_report), Format.HTML)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    page = parse(html)
    # One script only: the page's own, and no tag or handler came from the data.
    assert [t for t, _ in page.tags].count("script") == 1
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert not any(t == "img" for t, _ in page.tags)
    assert 'server <script>alert(1)</script>/"x" & <img src=x onerror=alert(2)>' in "".join(
        page.text
    )


def test_the_page_loads_nothing_from_anywhere(golden_report: Report) -> None:
    html = render(hostile(golden_report), Format.HTML)
    page = parse(html)
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "data", "poster"):
            value = attrs.get(name)
            assert value is None or not re.match(r"^\s*(https?:)?//", value), (tag, name, value)
    assert not any(t == "link" for t, _ in page.tags)
    assert "@import" not in html and "url(" not in html
    csp = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert csp and "default-src 'none'" in str(csp[0]["content"])
    # URLs appear only as text (endpoint URLs in messages), never as attributes.
    assert all("http" not in "".join(s) for s in page.scripts)


def test_findings_carry_their_filter_keys(golden_report: Report) -> None:
    page = parse(render(golden_report, Format.HTML))
    rows = [a for t, a in page.tags if t == "tr" and a.get("class") == "finding"]
    assert len(rows) == len(golden_report.findings)
    for attrs, finding in zip(rows, golden_report.findings, strict=True):
        assert attrs["data-severity"] == finding.severity.value
        assert attrs["data-collection"] == finding.collection
        assert attrs["data-kind"] == finding.kind.value
        assert attrs["data-project"] == (finding.project if finding.project else "-")
    options = {
        parent: [a["value"] for t, a in page.tags if t == "option" and a.get("value")]
        for parent in ("all",)
    }["all"]
    for value in ("error", "warning", "info", "servers", "volumes", "ocb-acme"):
        assert value in options
    assert not any(t == "input" and a.get("name") == "new" for t, a in page.tags)


def test_history_marks_new_findings_and_lists_resolved_ones(golden_report: Report) -> None:
    first = golden_report.findings[0]
    report = replace(
        golden_report,
        history=History(
            previous="2026-11-21T12:00:00Z",
            previous_file="report-20261121T120000.000000Z.json",
            new=(first.id,),
            resolved=(
                ResolvedFinding(
                    id="f-00000000000000aa",
                    kind=Kind.MISSING,
                    collection="volumes",
                    severity=Severity.ERROR,
                    message="volume <gone> has no counterpart in the target.",
                ),
            ),
        ),
    )
    html = render(report, Format.HTML)
    page = parse(html)
    text = " ".join("".join(page.text).split())
    assert "Since the previous run" in text
    assert "1 new, 1 resolved" in text
    assert "volume <gone> has no counterpart in the target." in text
    rows = [a for t, a in page.tags if t == "tr" and a.get("class") == "finding"]
    assert [r["data-new"] for r in rows].count("true") == 1
    assert rows[[f.id for f in report.findings].index(first.id)]["data-new"] == "true"
    assert any(t == "input" and a.get("name") == "new" for t, a in page.tags)


def test_a_clean_report_says_so(golden_report: Report) -> None:
    html = render(replace(golden_report, findings=()), Format.HTML)
    assert "No findings." in html
    assert 'id="filters"' not in html
