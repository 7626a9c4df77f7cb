"""``--deadline SECONDS``: past it no page or retry starts, a request under way is cut,
unfinished collections are incomplete with the deadline as their reason, exit 3."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from auditor.app.files import read_clouds_config
from auditor.collect import take_inventory
from auditor.collect.pager import Deadline, RetryPolicy
from auditor.connect import CloudTarget, connect
from auditor.model import Status
from auditor.sandbox import Fault
from tests.reliability.world import (
    SOURCE,
    TARGET,
    assert_nothing_lost_or_duplicated,
    audit,
    inventory,
    renamed,
    result_of,
    serving,
    source_snapshot,
)

DEADLINE = 2.5
"""Long enough for every healthy listing of the sandbox, even on a loaded machine."""
HANG = 30.0
"""A page that answers this late is, for the run, a page that never answers."""


def servers_pages(cloud: str) -> str:
    return rf"^/{cloud}/compute/v2\.1/servers/detail\?.*marker="


def test_inventory_stops_at_the_deadline_and_says_what_is_unfinished(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_snapshot()
    with serving(tmp_path, source) as sandbox:
        # Pages 1 and 2 of servers come at once; page 3 hangs.
        sandbox.faults.add(Fault(servers_pages(SOURCE), delay=HANG, skip=1, times=None))
        started = time.monotonic()
        run = inventory(
            tmp_path, capsys, "--log-format", "json", "--deadline", str(DEADLINE), output="cw.json"
        )
        elapsed = time.monotonic() - started
    walk = [r for r in sandbox.requests if r.path.endswith("/servers/detail")]

    assert run.code == 3, run.stderr
    # The hung page was cut at the deadline, not at --timeout (60 s) or after it.
    assert DEADLINE <= elapsed < DEADLINE + 1.5
    doc = json.loads((tmp_path / "cw.json").read_text(encoding="utf-8"))
    servers = result_of(doc, "servers")
    assert servers.status is Status.ERROR
    assert servers.items == ()
    assert servers.error == (
        f"compute servers: deadline of {DEADLINE:g} s reached after 2 pages"
        " (timed out after 1 attempt)"
    )
    # What finished in time is complete and exact.
    assert_nothing_lost_or_duplicated(doc, source, names=("projects", "volumes", "endpoints"))
    # No retry and no further page started: page 1, page 2, the hung page 3.
    assert len(walk) == 3
    logged = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    [warning] = [e for e in logged if e["event"] == "deadline reached"]
    assert warning["unfinished"] == ["servers"]
    assert warning["deadline_s"] == DEADLINE


def test_audit_past_the_deadline_is_incomplete_and_the_report_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_snapshot()
    target = renamed(source, TARGET)
    with serving(tmp_path, source, target) as sandbox:
        sandbox.faults.add(
            Fault(rf"^/{TARGET}/volume/v3/[0-9a-f]+/volumes/detail", delay=HANG, times=None)
        )
        got = audit(tmp_path, capsys, "--deadline", str(DEADLINE))

    assert got.run.code == 3, got.run.stderr
    assert got.report["verdict"] == "incomplete"
    assert got.findings("missing") == []
    [incomplete] = got.findings("incomplete")
    assert (incomplete["collection"], incomplete["side"]) == ("volumes", "target")
    assert f"deadline of {DEADLINE:g} s reached after 0 pages" in incomplete["message"]
    assert result_of(got.target, "volumes").status is Status.ERROR
    for name in ("projects", "servers", "endpoints"):
        assert got.report["summary"][name]["complete"] is True
    assert_nothing_lost_or_duplicated(got.source, source)


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sleeps: list[float]
) -> None:
    source = source_snapshot()
    with serving(tmp_path, source) as sandbox:
        sandbox.faults.fail(servers_pages(SOURCE), 429, times=None, retry_after=100)
        run = inventory(tmp_path, capsys, "--deadline", "60", output="cw.json")
        throttled = [r for r in sandbox.requests if r.status == 429]

    assert run.code == 3
    assert sleeps == []
    assert len(throttled) == 1
    servers = result_of(json.loads(Path("cw.json").read_text(encoding="utf-8")), "servers")
    assert servers.error == (
        "compute servers: deadline of 60 s reached after 1 page (HTTP 429 after 1 attempt)"
    )


def test_nothing_is_sent_once_the_deadline_has_passed(tmp_path: Path) -> None:
    with serving(tmp_path, source_snapshot()) as sandbox:
        conn = connect(
            CloudTarget(SOURCE), config=read_clouds_config(str(tmp_path / "clouds.yaml"))
        )
        passed = Deadline(seconds=5, at=time.monotonic() - 1)
        snapshot = take_inventory(conn, CloudTarget(SOURCE), policy=RetryPolicy(deadline=passed))
        sent = sandbox.requests

    assert sent == []
    assert not snapshot.complete
    assert {r.error for r in snapshot.collections.values()} == {
        "identity: authentication: deadline of 5 s reached"
    }


def test_a_generous_deadline_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_snapshot()
    target = renamed(source, TARGET)
    with serving(tmp_path, source, target) as sandbox:
        sandbox.faults.fail(servers_pages(TARGET), 503, times=2)
        got = audit(tmp_path, capsys, "--deadline", "300")

    assert got.run.code == 0, got.run.stderr
    assert_nothing_lost_or_duplicated(got.target, target)
