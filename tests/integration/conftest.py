"""The ``real_cloud`` fixture: real Keystone, Nova, Cinder, Glance and Neutron on loopback,
once per session.

It needs the services venv that ``bash .ci/services.sh`` installs (found at the
same default path, or at ``$AUDITOR_SERVICES_VENV``). Without it the tests that
use the fixture are skipped with the reason, except in CI (``CI`` set), where a
missing venv is a failure: CI runs services.sh first, so the integration tests
always run there.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from realcloud import RealCloud, RealCloudError, services_venv, venv_problem
from realcloud import real_cloud as run_real_cloud

_REPORT: dict[str, Any] = {}


@pytest.fixture(scope="session")
def real_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealCloud]:
    """A running real cloud and what it was seeded with; every process is stopped after."""
    venv = services_venv()
    problem = venv_problem(venv)
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"integration tests cannot run in CI: {problem}")
        pytest.skip(problem)
    workdir = tmp_path_factory.mktemp("realcloud")
    try:
        with run_real_cloud(workdir, venv) as cloud:
            _REPORT["timings"] = dict(cloud.timings)
            _REPORT["workdir"] = str(workdir)
            yield cloud
            _REPORT["rss_mb"] = cloud.rss_mb()
            stopping = time.monotonic()
        _REPORT["stop_s"] = round(time.monotonic() - stopping, 2)
    except RealCloudError as exc:
        pytest.fail(f"the real cloud could not be built (logs in {workdir}/logs):\n{exc}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How long the real cloud took to build and how much memory it used."""
    if not _REPORT:
        return
    tr = terminalreporter
    tr.section("real OpenStack services")
    tr.write_line(f"work dir: {_REPORT.get('workdir')}")
    timings = _REPORT.get("timings", {})
    tr.write_line("start (s): " + ", ".join(f"{k} {v}" for k, v in timings.items()))
    rss = _REPORT.get("rss_mb")
    if rss:
        total = sum(rss.values())
        parts = ", ".join(f"{k} {v:.0f}" for k, v in rss.items())
        tr.write_line(f"memory (RSS MiB): {parts}; total {total:.0f}")
    if "stop_s" in _REPORT:
        tr.write_line(f"stop (s): {_REPORT['stop_s']}")
