"""Point 2 of the security round: a service's paging can never make a walk endless,
and an item listed twice is counted once and reported.

The sandbox's Keystone answers ``GET /v3/projects`` with pages built by the
test (shaped like Keystone's: ``projects`` and a ``links`` dict): a next link
back to a page already asked, pages that bring nothing new under ever new
markers, one new item per page forever, and a page that repeats an item.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from auditor.sandbox import RecordedRequest, Sandbox
from tests import payloads
from tests.reliability.world import Audit, audit

PROJECTS = r"^/cw/identity/v3/projects(\?|$)"
DOMAIN = "default"


def _projects(ids: list[str]) -> list[dict[str, object]]:
    return [payloads.project(i, f"p-{i[:8]}", DOMAIN) for i in ids]


def _page(url: str, ids: list[str], next_query: str | None) -> bytes:
    links = {
        "self": url,
        "previous": None,
        "next": f"{url}?{next_query}" if next_query is not None else None,
    }
    return json.dumps({"projects": _projects(ids), "links": links}).encode()


def _pages(sandbox: Sandbox, make: Callable[[dict[str, str]], bytes]) -> None:
    """Answer every projects request of the source cloud with ``make(query)``."""

    def body(target: str) -> bytes:
        return make(dict(parse_qsl(urlsplit(target).query)))

    sandbox.faults.answer(PROJECTS, body, times=None)


def _walk_stopped(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], why: str
) -> tuple[Audit, list[RecordedRequest]]:
    """Audit the projects; the source's listing must have failed for ``why`` (exit 3).
    Returns the audit and the requests for the source's project pages."""
    result = audit(tmp_path, capsys, "--collections", "projects")
    projects = result.source["collections"]["projects"]
    assert projects["status"] == "error"
    assert why in projects["error"]
    assert result.run.code == 3
    asked = [r for r in sandbox.requests if r.path.endswith("/cw/identity/v3/projects")]
    return result, asked


def _ids(n: int) -> list[str]:
    return [uuid.uuid4().hex for _ in range(n)]


def test_a_next_link_repeating_a_page_stops_the_walk(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{sandbox.url}/cw/identity/v3/projects"
    ids = _ids(7)
    # Every page links "next" to ?limit=7: page 2 then points at itself.
    _pages(sandbox, lambda query: _page(url, ids, "limit=7"))

    result, asked = _walk_stopped(sandbox, tmp_path, capsys, "next link repeats page 2")

    assert len(asked) == 2
    assert result.findings("missing") == []


def test_pages_that_bring_nothing_new_stop_the_walk(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{sandbox.url}/cw/identity/v3/projects"
    ids = _ids(7)
    markers = itertools.count()
    # The same seven projects on every page, under a new marker each time.
    _pages(sandbox, lambda query: _page(url, ids, f"limit=7&marker=m{next(markers)}"))

    _, asked = _walk_stopped(sandbox, tmp_path, capsys, "brought no new item")

    assert len(asked) <= 4


def test_a_page_count_out_of_proportion_to_the_items_stops_the_walk(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{sandbox.url}/cw/identity/v3/projects"
    fixed = _ids(6)

    def one_new(query: dict[str, str]) -> bytes:
        # Six projects again and one new one on every page, without end.
        new = uuid.uuid4().hex
        return _page(url, [*fixed, new], f"limit=7&marker={new}")

    _pages(sandbox, one_new)

    _, asked = _walk_stopped(sandbox, tmp_path, capsys, "paging does not advance")

    # Bounded by the items: 2 x (items / page size) + 10 pages, about 15 here.
    assert len(asked) < 30


def test_an_item_listed_twice_is_counted_once_and_reported(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{sandbox.url}/cw/identity/v3/projects"
    ids = _ids(9)

    def two_pages(query: dict[str, str]) -> bytes:
        if "marker" not in query:
            return _page(url, ids[:7], f"limit=7&marker={ids[6]}")
        # The second page starts again with the first page's last project.
        return _page(url, ids[6:], None)

    _pages(sandbox, two_pages)

    result = audit(tmp_path, capsys, "--collections", "projects")

    projects = result.source["collections"]["projects"]
    assert projects["status"] == "ok"
    assert projects["count"] == 9
    assert sorted(p["id"] for p in projects["items"]) == sorted(ids)
    assert result.report["summary"]["projects"]["source"] == 9
    warned = [line for line in result.run.error_lines if "twice" in line]
    assert len(warned) == 1, result.run.stderr
    assert "identity.projects" in warned[0]
    assert "duplicates=1" in warned[0]
