"""How tests drive the auditor against a :class:`~tests.fakecloud.FakeCloud`.

The fixtures of ``tests/conftest.py`` hand these out; test modules import the
types from here (never from a conftest).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.app.files import read_clouds_config
from auditor.cli import main
from auditor.collect import CORE_COLLECTIONS, take_inventory
from auditor.collect.pager import RetryPolicy
from auditor.connect import CloudTarget, connect
from auditor.model import Snapshot

Inventory = Callable[..., Snapshot]
"""``inventory(collections=..., policy=...)``: a :class:`Snapshot` of the mocked cloud."""


def inventory_of(cloud_name: str, clouds_file: Path) -> Inventory:
    """Inventory a cloud through :func:`take_inventory`, connected as the CLI connects."""

    def run(
        collections: Sequence[str] = CORE_COLLECTIONS, policy: RetryPolicy | None = None
    ) -> Snapshot:
        target = CloudTarget(cloud_name)
        conn = connect(target, config=read_clouds_config(str(clouds_file)))
        return take_inventory(conn, target, collections=collections, policy=policy)

    return run


@dataclass(frozen=True)
class CliResult:
    """What one run of ``auditor`` did."""

    code: int
    stdout: str
    stderr: str

    def snapshot(self) -> Any:
        """The JSON document printed on stdout."""
        return json.loads(self.stdout)


Cli = Callable[..., CliResult]
"""``cli(*argv)``: run ``auditor`` with the mocked cloud's clouds.yaml."""


def run_cli(clouds_file: Path, argv: Sequence[str], read_captured: Callable[[], Any]) -> CliResult:
    """Run ``auditor --os-client-config-file FILE *argv``; ``read_captured`` is capsys's."""
    out = io.StringIO()
    code = main(["--os-client-config-file", str(clouds_file), *argv], stdout=out)
    captured = read_captured()
    return CliResult(code, out.getvalue() + captured.out, captured.err)
