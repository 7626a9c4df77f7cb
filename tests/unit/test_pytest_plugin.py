"""The pytest plugin (``auditor.app.pytest_plugin``), run as its users run it: pytest in a
process of its own, finding the plugin through the ``pytest11`` entry point, on
the example test of docs/pytest-plugin.md, then on tests that fail."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
DOC = REPO / "docs" / "pytest-plugin.md"


def doc_example(name: str) -> str:
    """The fenced block after ``<!-- example: NAME -->`` in docs/pytest-plugin.md."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {re.escape(name)} -->\n```\w+\n(.*?)\n```", text, re.S)
    assert match, f"no example {name} in {DOC}"
    return match.group(1) + "\n"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A user's project: the golden snapshots as inventories/, the rules, no conftest."""
    (tmp_path / "inventories").mkdir()
    shutil.copy(GOLDEN / "source.json", tmp_path / "inventories" / "source.json")
    shutil.copy(GOLDEN / "target.json", tmp_path / "inventories" / "target.json")
    shutil.copy(GOLDEN / "rules.yaml", tmp_path / "rules.yaml")
    pids: list[int] = []
    yield tmp_path
    # Whatever happened, nothing this test's sessions started outlives it.
    for pid_file in tmp_path.glob("pid-*"):
        pids.append(int(pid_file.read_text()))
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def run_pytest(directory: Path, *args: str) -> dict[str, str]:
    """pytest in ``directory`` as a user runs it; the outcome of each test by name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "OS_"))}
    report = directory / "junit.xml"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert report.exists(), result.stdout + result.stderr
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        text = " ".join((child.get("message") or "") + (child.text or "") for child in case)
        outcomes[case.get("name", "")] = (kinds[0] if kinds else "passed") + ": " + text
    return outcomes


def test_the_plugin_is_registered_for_pytest() -> None:
    (entry,) = [e for e in entry_points(group="pytest11") if e.name == "auditor"]
    assert entry.value == "auditor.app.pytest_plugin"


def test_the_documented_example_passes(project: Path) -> None:
    (project / "pytest.ini").write_text(doc_example("pytest.ini"), encoding="utf-8")
    (project / "test_migration.py").write_text(doc_example("test_migration.py"), encoding="utf-8")

    outcomes = run_pytest(project)

    assert outcomes == {
        "test_the_post_wave_check_catches_a_lost_server": "passed: ",
        "test_our_inventory_code_sees_every_source_server": "passed: ",
    }, outcomes


FAILING = """
import os
from pathlib import Path

import pytest

from auditor.app.pytest_plugin import SandboxError


def test_fails_while_the_session_sandbox_runs(auditor_sandbox, auditor_clouds_yaml):
    Path("pid-session").write_text(str(auditor_sandbox.pid))
    assert auditor_clouds_yaml == auditor_sandbox.clouds_yaml
    assert auditor_sandbox.running
    assert False, "this test fails on purpose"


def test_errors_with_its_own_sandbox(auditor_sandbox_factory):
    sandbox = auditor_sandbox_factory.start("inventories/target.json")
    Path("pid-factory").write_text(str(sandbox.pid))
    assert sandbox.source == "ocb" and sandbox.running
    raise RuntimeError("this test errors on purpose")


def test_a_bad_snapshot_is_one_clear_error(auditor_sandbox_factory, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(SandboxError, match=r"exit code 2\\): auditor: error: .*bad\\.json"):
        auditor_sandbox_factory.start(bad)
    assert auditor_sandbox_factory.started == []
"""


def test_sandboxes_are_stopped_by_pid_when_tests_fail(project: Path) -> None:
    (project / "test_failing.py").write_text(FAILING, encoding="utf-8")

    outcomes = run_pytest(
        project,
        "--auditor-snapshot",
        "inventories/source.json",
        "--auditor-snapshot",
        "inventories/target.json",
    )

    assert outcomes["test_fails_while_the_session_sandbox_runs"].startswith("failure:")
    assert "on purpose" in outcomes["test_fails_while_the_session_sandbox_runs"]
    assert outcomes["test_errors_with_its_own_sandbox"].startswith("failure:")
    assert "RuntimeError" in outcomes["test_errors_with_its_own_sandbox"]
    assert outcomes["test_a_bad_snapshot_is_one_clear_error"] == "passed: ", outcomes
    for name in ("pid-session", "pid-factory"):
        pid = int((project / name).read_text())
        assert not alive(pid), f"the sandbox of {name} (pid {pid}) outlived its test session"


def test_no_snapshot_configured_fails_setup_with_the_way_out(project: Path) -> None:
    (project / "test_unconfigured.py").write_text(
        "def test_needs_clouds(auditor_sandbox):\n    pass\n", encoding="utf-8"
    )
    (project / "test_broken_data.py").write_text("", encoding="utf-8")

    outcomes = run_pytest(project, "test_unconfigured.py")

    outcome = outcomes["test_needs_clouds"]
    assert outcome.startswith("error:"), outcome
    assert "no snapshot to serve: pass --auditor-snapshot FILE" in outcome


def test_an_unreadable_snapshot_fails_setup_with_the_sandbox_error(project: Path) -> None:
    (project / "inventories" / "target.json").write_text('{"schema": "nope"}', encoding="utf-8")
    (project / "test_data.py").write_text(
        "def test_needs_clouds(auditor_sandbox):\n    pass\n", encoding="utf-8"
    )
    (project / "pytest.ini").write_text(doc_example("pytest.ini"), encoding="utf-8")

    outcome = run_pytest(project)["test_needs_clouds"]

    assert outcome.startswith("error:"), outcome
    assert "auditor sandbox stopped (exit code 2): auditor: error:" in outcome
    assert "target.json" in outcome
