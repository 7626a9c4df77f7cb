"""How tests drive the auditor against a :class:`~tests.fakecloud.FakeCloud`.

The fixtures of ``tests/conftest.py`` hand these out; test modules import the
types from here (never from a conftest).
"""

from __future__ import annotations

import io
import json
import shutil
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


GOLDEN = Path(__file__).resolve().parent / "golden"
"""The golden snapshots, rules and reports."""


def run_auditor(*argv: str, stdout: io.StringIO | None = None) -> tuple[int, str]:
    """Run ``auditor --no-progress *argv``: its exit code and what it wrote on ``stdout``."""
    out = stdout if stdout is not None else io.StringIO()
    code = main(["--no-progress", *argv], stdout=out)
    return code, out.getvalue()


def audit_argv(
    clouds_file: Path, *sources: str, target: str, rules: Path | None = None
) -> list[str]:
    """``--os-client-config-file F audit --source S... --target T [--rules R]``."""
    argv = ["--os-client-config-file", str(clouds_file), "audit"]
    for source in sources:
        argv += ["--source", source]
    argv += ["--target", target]
    return argv if rules is None else [*argv, "--rules", str(rules)]


def demo_diff_argv(folder: Path) -> list[str]:
    """``-q --no-progress diff SOURCE TARGET --rules RULES``: the demo's snapshots and
    rules, saved in ``folder`` (the report goes where further arguments say)."""
    from auditor.demo.data import RULES, generate

    source, target = generate()
    paths = [folder / "source.json", folder / "target.json"]
    for path, snapshot in zip(paths, (source, target), strict=True):
        path.write_text(snapshot.dumps(), encoding="utf-8")
    rules = folder / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    return ["-q", "--no-progress", "diff", *map(str, paths), "--rules", str(rules)]


def golden_inputs(folder: Path) -> Path:
    """Copy the golden ``source.json``, ``target.json`` and ``rules.yaml`` into ``folder``."""
    for name in ("source.json", "target.json", "rules.yaml"):
        shutil.copy(GOLDEN / name, folder / name)
    return folder
