"""The HTML report in a real headless Chromium: it loads without a console
error, its filters work from the URL fragment, hostile names stay text, and a
screenshot shows a rendered page."""

from __future__ import annotations

import os
import re
import shutil
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from auditor import history
from auditor.demo.data import RULES, generate
from auditor.diff import diff
from auditor.model import Finding, Kind, Ref, Report, Severity
from auditor.render import Format, render
from auditor.rules import parse_rules
from tests.ops.conftest import need, timed

HOSTILE = "<script>document.title='pwned';console.error('injected')</script>"
CONSOLE = re.compile(r"CONSOLE|Uncaught|SyntaxError|Content Security Policy", re.IGNORECASE)


def chromium() -> str:
    return need("chromium", "the HTML report check", candidates=("chromium-browser",))


def browse(page: Path, profile: Path, *extra: str, fragment: str = "") -> tuple[str, str]:
    """Load ``page`` headless; return (stdout, the console messages seen)."""
    argv = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        page.as_uri() + fragment,
    ]
    result, _ = timed(argv, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    console = "\n".join(line for line in result.stderr.splitlines() if CONSOLE.search(line))
    return result.stdout, console


@pytest.fixture(scope="module")
def report() -> Report:
    """The demo audit, with a history (3 new, 1 resolved) and a hostile name."""
    source, target = generate()
    current = diff(source, target, parse_rules(RULES), generated_at="2026-11-23T06:17:00Z")
    evil = Finding(
        id="f-00000000000000ee",
        kind=Kind.UNEXPECTED,
        collection="servers",
        severity=Severity.WARNING,
        message=f"server ocb-wonka/{HOSTILE} is in the target but matches no source server.",
        target=Ref(id="s-evil", name=HOSTILE, project="ocb-wonka"),
        project="ocb-wonka",
    )
    current = replace(current, findings=(*current.findings, evil))
    gone = Finding(
        id="f-00000000000000aa",
        kind=Kind.MISSING,
        collection="volumes",
        severity=Severity.ERROR,
        message="volume cw-acme/cw-old-data has no counterpart in the target.",
        source=Ref(id="v-old", name="cw-old-data", project="cw-acme"),
        project="ocb-acme",
    )
    previous = replace(
        current, findings=(*current.findings[2:-1], gone), generated_at="2026-11-22T06:17:00Z"
    )
    return replace(
        current,
        history=history.compare(history.Previous("report-previous.json", previous), current),
    )


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_page_loads_without_console_errors_and_renders(report: Report, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(report, Format.HTML), encoding="utf-8")
    dom, console = browse(page, tmp_path / "profile", "--dump-dom")
    assert console == "", f"console messages:\n{console}"
    assert 'data-ready="true"' in dom, "the page's script did not run to its end"
    assert (
        "<title>Migration audit: discrepancies" in dom and "pwned" not in dom.split("</title>")[0]
    )
    assert "&lt;script&gt;document.title" in dom
    assert f'<span id="shown">{len(report.findings)}</span>' in dom
    assert "3 new</strong>, <strong>1 resolved" in dom

    screenshot = tmp_path / "report.png"
    _, console = browse(
        page,
        tmp_path / "profile-shot",
        "--hide-scrollbars",
        "--window-size=1400,2000",
        f"--screenshot={screenshot}",
    )
    assert console == "", f"console messages:\n{console}"
    assert png_size(screenshot) == (1400, 2000)
    # A blank or unstyled page compresses to a few kilobytes; this one has
    # coloured badges, tables and text.
    assert screenshot.stat().st_size > 50_000
    keep = os.environ.get("AUDITOR_ARTIFACTS_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / "report.png")
        shutil.copy(page, Path(keep) / "report.html")


def test_filters_apply_from_the_url_fragment(report: Report, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(report, Format.HTML), encoding="utf-8")
    dom, console = browse(
        page, tmp_path / "profile", "--dump-dom", fragment="#severity=warning&collection=servers"
    )
    assert console == "", f"console messages:\n{console}"
    expected = [
        f.id
        for f in report.findings
        if f.severity is Severity.WARNING and f.collection == "servers"
    ]
    assert expected, "the demo has warnings about servers"
    assert f'<span id="shown">{len(expected)}</span>' in dom
    rows = re.findall(r'<tr class="finding"[^>]*>.*?<code>(f-[0-9a-f]{16})</code>', dom, re.S)
    visible = [
        ident
        for tag, ident in re.findall(
            r'(<tr class="finding"[^>]*>).*?<code>(f-[0-9a-f]{16})</code>', dom, re.S
        )
        if "hidden" not in tag
    ]
    assert len(rows) == len(report.findings)
    assert visible == expected
    dom, _ = browse(page, tmp_path / "profile-new", "--dump-dom", fragment="#new=true")
    assert f'<span id="shown">{len(report.history.new if report.history else ())}</span>' in dom


def test_a_script_error_would_be_caught(tmp_path: Path) -> None:
    """The check above sees console errors in this Chromium build (no false green)."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>notAFunction();</script>")
    _, console = browse(page, tmp_path / "profile", "--dump-dom")
    assert "Uncaught ReferenceError" in console
