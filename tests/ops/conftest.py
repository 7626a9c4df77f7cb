"""Operations checks with real tools: Ansible, headless Chromium, mkdocs.

A tool that is missing skips its tests with the reason on a developer's
machine, and fails them in CI (``CI`` set), where .ci/run installs every one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.cli import main

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def need(tool: str, why: str, *, candidates: tuple[str, ...] = ()) -> str:
    """The path of ``tool`` (next to this Python first, then on PATH), or skip/fail."""
    search = os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")])
    for name in (tool, *candidates):
        found = shutil.which(name, path=search)
        if found:
            return found
    message = f"{tool} is not installed ({why}); bash .ci/run installs it"
    if in_ci():
        pytest.fail(f"{message}: it must run in CI", pytrace=False)
    pytest.skip(message)


def tool_env() -> dict[str, str]:
    """The environment of the tools: this virtualenv's commands first, no colours."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "/usr/bin:/bin")])
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PY_COLORS="0", NO_COLOR="1")
    return env


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``auditor demo``'s directory: example snapshots under served/, rules.yaml."""
    directory = tmp_path_factory.mktemp("demo")
    with open(os.devnull, "w") as sink:
        assert main(["--no-progress", "demo", "--output-dir", str(directory)], stdout=sink) == 1
    return directory


@pytest.fixture(scope="session")
def auditor_snapshots(demo_dir: Path) -> list[Path]:
    """The demo's example clouds, for the auditor's pytest plugin: its ``auditor_sandbox``
    fixture serves them with ``auditor sandbox`` in a process of its own, stopped by pid."""
    return [demo_dir / "served" / "cloudwatt.json", demo_dir / "served" / "ocb.json"]


def timed(argv: list[str], **kwargs: object) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``argv`` (text, captured); also return how long it took, in seconds."""
    started = time.monotonic()
    result = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    return result, time.monotonic() - started
