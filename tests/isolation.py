"""Isolation of the in-process test suites: no OS_* variable or ./clouds.yaml, no real
retry waits, logging reset. The unit and reliability conftests use these fixtures."""

from __future__ import annotations

import logging
import os
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
import tenacity.nap

from auditor.app.config import CONFIG_VARIABLE, SETTINGS


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait tenacity would sleep, in order; nothing really sleeps.

    ``tenacity.Retrying`` binds ``tenacity.nap.sleep`` as a default argument, so
    patching that name has no effect; the function looks ``time`` up in its
    module at each call, which is what is replaced here.
    """
    waits: list[float] = []
    monkeypatch.setattr(tenacity.nap, "time", types.SimpleNamespace(sleep=waits.append))
    return waits


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No OS_* variable, no ./clouds.yaml, no AUDITOR_* default of an option (nor
    AUDITOR_CONFIG), and logging reset after the test."""
    for name in [n for n in os.environ if n.startswith("OS_")]:
        monkeypatch.delenv(name)
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)
    monkeypatch.delenv(CONFIG_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ("keystoneauth", "openstack", "urllib3", "stevedore"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    structlog.reset_defaults()
