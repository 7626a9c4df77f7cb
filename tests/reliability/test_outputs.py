"""Point 6 of the security round: what the auditor writes.

``-o`` onto a symlink never writes through it; every file holding tenant data
is 0600 whatever the umask; a run killed while writing leaves the previous
file or none, never half of one; and two runs sharing a ``--history``
directory take turns, so each report compares with the one kept just before
it (run for real: an audit slowed down by the sandbox in a second process,
a diff in this one meanwhile).
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.sandbox import Sandbox
from tests.reliability.world import (
    TARGET,
    audit_argv,
    auditor,
    renamed,
    source_snapshot,
)
from tests.synthetic import synthetic_snapshot


@pytest.fixture
def snapshots(tmp_path: Path) -> tuple[Path, Path]:
    source = source_snapshot()
    paths = (tmp_path / "source.json", tmp_path / "target.json")
    paths[0].write_text(source.dumps(), encoding="utf-8")
    servers = list(source.collections["servers"].items)[1:]
    paths[1].write_text(renamed(source, TARGET, servers=servers).dumps(), encoding="utf-8")
    return paths


def test_output_to_a_symlink_never_writes_its_target(
    snapshots: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "precious.conf"
    precious.write_text("do not touch\n", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(precious)

    run = auditor(["diff", *map(str, snapshots), "-f", "json", "-o", str(link)], capsys)

    assert run.code == 1, run.stderr
    assert precious.read_text(encoding="utf-8") == "do not touch\n"
    assert not link.is_symlink()
    assert json.loads(link.read_text(encoding="utf-8"))["verdict"] == "discrepancies"


def test_every_file_with_tenant_data_is_private_whatever_the_umask(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0)
    try:
        run = auditor(
            [
                *audit_argv(tmp_path / "clouds.yaml"),
                "--save-inventories",
                str(tmp_path / "inventories"),
                "--history",
                str(tmp_path / "history"),
                "--write-id-map",
                str(tmp_path / "idmap.json"),
                "--metrics-file",
                str(tmp_path / "auditor.prom"),
                "-f",
                "html",
                "-o",
                str(tmp_path / "report.html"),
            ],
            capsys,
        )
    finally:
        os.umask(old)

    assert run.code == 0, run.stderr
    private = [
        tmp_path / "report.html",
        tmp_path / "idmap.json",
        tmp_path / "inventories" / "source.json",
        tmp_path / "inventories" / "target.json",
        *(tmp_path / "history").iterdir(),
    ]
    assert len(private) == 5
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for directory in (tmp_path / "inventories", tmp_path / "history"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    # Counts and cloud names only, for node_exporter (another user): 0644 by design.
    assert stat.S_IMODE((tmp_path / "auditor.prom").stat().st_mode) == 0o644


def _auditor_process(tmp_path: Path, *argv: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    return subprocess.Popen(
        [sys.executable, "-m", "auditor", *argv],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_a_run_killed_while_writing_leaves_the_previous_report_or_a_whole_one(
    tmp_path: Path,
) -> None:
    # Big enough that rendering and writing take a while.
    source = synthetic_snapshot("cw", "fr1", domains=2, projects=40, servers=4000, volumes=4000)
    paths = [tmp_path / "s.json", tmp_path / "t.json"]
    paths[0].write_text(source.dumps(), encoding="utf-8")
    paths[1].write_text(renamed(source, "ocb", servers=[]).dumps(), encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_text('{"previous": true}\n', encoding="utf-8")
    argv = ["diff", *map(str, paths), "-f", "json", "-o", str(report)]

    seen = set()
    for delay in (0.8, 1.4, 2.0, 2.6):
        process = _auditor_process(tmp_path, *argv)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        text = report.read_text(encoding="utf-8")
        doc = json.loads(text)  # never half a file
        seen.add("previous" if doc == {"previous": True} else doc["verdict"])
    process = _auditor_process(tmp_path, *argv)
    assert process.wait(120) == 1
    assert json.loads(report.read_text(encoding="utf-8"))["verdict"] == "discrepancies"
    assert seen <= {"previous", "discrepancies"}


def test_two_runs_sharing_a_history_directory_take_turns(
    sandbox: Sandbox,
    snapshots: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    history = tmp_path / "history"
    first = auditor(["diff", *map(str, snapshots), "--history", str(history)], capsys)
    assert first.code == 1, first.stderr
    (r0,) = sorted(history.iterdir())

    # Run A: an audit that reads the history (r0), then waits on a slow Nova.
    sandbox.faults.delay(r"^/cw/compute/v2\.1/servers/detail", 3.0, times=1)
    slow = _auditor_process(
        tmp_path,
        *audit_argv(tmp_path / "clouds.yaml", "--no-progress"),
        "--history",
        str(history),
        "-f",
        "json",
        "-o",
        str(tmp_path / "slow.json"),
    )
    try:
        deadline = time.monotonic() + 30
        while not any("servers/detail" in r.path for r in sandbox.requests):
            assert time.monotonic() < deadline, "the slow audit never listed servers"
            assert slow.poll() is None, slow.stderr.read() if slow.stderr else ""
            time.sleep(0.05)
        # Run B, meanwhile: a diff keeps its report (r1) in the same directory.
        second = auditor(["diff", *map(str, snapshots), "--history", str(history)], capsys)
        assert second.code == 1, second.stderr
        assert slow.wait(60) == 0, slow.stderr.read() if slow.stderr else ""
    finally:
        if slow.poll() is None:
            os.killpg(slow.pid, signal.SIGKILL)
            slow.wait(10)

    r0_, r1, r2 = sorted(history.iterdir())
    assert r0_ == r0
    chain = [json.loads(p.read_text(encoding="utf-8")).get("history") for p in (r0, r1, r2)]
    assert chain[0] is None
    assert chain[1]["previous_file"] == r0.name
    # The slow run read r0 before it started, but compares with r1, kept meanwhile.
    assert chain[2]["previous_file"] == r1.name
    slow_report = json.loads((tmp_path / "slow.json").read_text(encoding="utf-8"))
    assert slow_report["history"]["previous_file"] == r1.name
