"""Reliability tests run isolated: no OS_* variable or ./clouds.yaml, no real retry waits.

``sandbox``: the two example clouds (``cw``, and ``ocb`` serving the same
tenants) with small pages, their clouds.yaml at ``tmp_path/clouds.yaml``; a
module that serves other clouds defines its own.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.sandbox import Sandbox
from tests.isolation import _isolated, sleeps
from tests.reliability.world import TARGET, renamed, serving, source_snapshot

__all__ = ["_isolated", "sandbox", "sleeps"]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    source = source_snapshot()
    with serving(tmp_path, source, renamed(source, TARGET)) as running:
        yield running
