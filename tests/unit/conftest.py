"""Unit tests run isolated: no OS_* variable or ./clouds.yaml, no real retry waits."""

import shutil
from pathlib import Path

import pytest

from tests.isolation import _isolated, sleeps

__all__ = ["_isolated", "golden_inputs", "sleeps"]

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture
def golden_inputs(tmp_path: Path) -> Path:
    """The current directory (the test's own), holding the golden snapshots and rules:
    ``source.json``, ``target.json``, ``rules.yaml``."""
    for name in ("source.json", "target.json", "rules.yaml"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    return tmp_path
