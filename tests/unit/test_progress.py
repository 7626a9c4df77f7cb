"""Progress on a TTY (rich), silence elsewhere; logs human or JSON, on stderr."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.console import RichProgress
from auditor.cli import main
from auditor.demo.data import RULES, generate
from auditor.model import CollectionResult, Status
from auditor.sandbox import Sandbox
from tests.harness import audit_argv


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True

    def text(self) -> str:
        """What was written, without the terminal's escape sequences."""
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.getvalue())


def audit(tmp_path: Path, *options: str) -> int:
    (tmp_path / "rules.yaml").write_text(RULES)
    with Sandbox(list(generate())) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        return main(
            [
                *options,
                *audit_argv(
                    tmp_path / "clouds.yaml",
                    "cloudwatt",
                    target="ocb",
                    rules=tmp_path / "rules.yaml",
                ),
                "-o",
                str(tmp_path / "report.json"),
            ],
            stdout=io.StringIO(),
        )


def test_rich_progress_counts_pages_and_items_per_listing() -> None:
    stream = Terminal()
    with RichProgress(stream) as progress:
        progress.on_page("cloudwatt: compute servers", 1000)
        progress.on_page("cloudwatt: compute servers", 12)
        progress.on_page("ocb: compute servers", 5)
        progress.on_collection("cloudwatt", "servers", CollectionResult(Status.OK, ({"id": "1"},)))
        progress.on_collection("ocb", "volumes", CollectionResult(Status.ERROR, error="HTTP 503"))
        tasks = {t.description: t.fields for t in progress.progress.tasks}
    assert tasks == {
        "cloudwatt: compute servers": {"pages": 2, "items": 1012},
        "ocb: compute servers": {"pages": 1, "items": 5},
    }
    out = stream.text()
    assert "cloudwatt: servers: 1 items, ok" in out
    assert "ocb: volumes: 0 items, ERROR" in out


def test_audit_on_a_terminal_shows_each_clouds_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert audit(tmp_path) == 1
    out = stderr.text()
    for cloud in ("cloudwatt", "ocb"):
        for collection in ("projects", "servers", "volumes", "endpoints"):
            assert f"{cloud}: {collection}: " in out, (cloud, collection)
    assert "cloudwatt: servers: 90 items, ok" in out
    # Live lines per cloud and listing: both clouds list servers at once.
    assert "cloudwatt: compute servers" in out and "ocb: compute servers" in out


@pytest.mark.parametrize("tty", [True, False])
def test_no_progress_when_asked_or_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tty: bool
) -> None:
    stderr = Terminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert audit(tmp_path, *(["--no-progress"] if tty else [])) == 1
    assert stderr.getvalue() == ""


def test_json_logs_for_cron(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert audit(tmp_path, "--log-format", "json", "-v") == 1
    records = [json.loads(line) for line in stderr.getvalue().splitlines()]
    events = {r["event"] for r in records}
    assert {"inventories done", "audit done"} <= events
    done = next(r for r in records if r["event"] == "audit done")
    assert (done["verdict"], done["exit_code"], done["level"]) == ("discrepancies", 1, "info")
    assert all("timestamp" in r for r in records)


def test_console_logs_are_human_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert audit(tmp_path, "-v") == 1
    lines = stderr.getvalue().splitlines()
    done = next(line for line in lines if "audit done" in line)
    assert "verdict=discrepancies" in done
    assert not done.lstrip().startswith("{")
