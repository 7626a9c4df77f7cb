"""``auditor --help`` and ``--version`` start without the heavy libraries (issue 19).

Timing is the benchmark's business (docs/performance.md); what a test can hold
steady is the cause: the SDK, the HTTP stack, the template engine, the schema
validator, rich and structlog stay unimported until a command needs them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import demo_diff_argv

HEAVY = ("openstack", "keystoneauth1", "requests", "jinja2", "jsonschema", "rich", "structlog")

PROBE = """
import json, sys
from auditor.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["audit", "--help"], ["inventory", "--help"], ["diff", "--help"]],
)
def test_help_and_version_import_no_heavy_library(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip(), "the help or version text was printed"
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def _help(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", *argv, "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "10000", "PATH": "/usr/bin:/bin"},
    )
    return done.stdout


def test_help_still_names_the_collections_and_timeout() -> None:
    from auditor.audit import CORE_COLLECTIONS, DEFAULT_TIMEOUT, KNOWN_COLLECTIONS

    audit = _help("audit")
    assert f"(default: {','.join(CORE_COLLECTIONS)})" in audit
    assert f"(default {DEFAULT_TIMEOUT:g})" in audit
    inventory = _help("inventory")
    assert f"known: {','.join(KNOWN_COLLECTIONS)})" in inventory
    assert "{" + "core_collections}" not in audit + inventory


NOT_FOR_A_DIFF = (
    *HEAVY,
    "prometheus_client",
    "cryptography",
    "urllib3",
)
"""What ``auditor diff`` of two saved snapshots never needs: it touches no cloud, writes
no metrics nor evidence, logs nothing below the level and reads valid rules."""


def _diff_argv(tmp_path: Path) -> list[str]:
    """``auditor diff`` of the demo's snapshots and rules, saved in ``tmp_path``, its JSON
    report to ``tmp_path/report.json``."""
    argv = demo_diff_argv(tmp_path)
    return [*argv, "--format", "json", "--output", str(tmp_path / "report.json")]


def test_a_diff_of_saved_snapshots_imports_no_cloud_library(tmp_path: Path) -> None:
    argv = _diff_argv(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (NOT_FOR_A_DIFF,), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["findings"]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


ONLY_WITH_THEIR_FLAGS = (
    "auditor.history",
    "auditor.metrics",
    "auditor.waivers",
    "auditor.idmap",
    "auditor.evidence",
    "auditor.app.evidence",
    "importlib.metadata",
)
"""Imported by ``--history``, ``--metrics-file``, ``--waivers``, ``--write-id-map`` and
``--evidence`` only (their modules and dataclasses are a few ms of every start)."""

PROBE_MODULES = """
import json, sys
from auditor.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in sys.modules if m in %r)]), file=sys.stderr)
"""


def _diff_modules(tmp_path: Path, *extra: str) -> tuple[int, list[str]]:
    argv = [*_diff_argv(tmp_path), *extra]
    done = subprocess.run(
        [sys.executable, "-c", PROBE_MODULES % (ONLY_WITH_THEIR_FLAGS,), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    return code, modules


def test_a_plain_diff_imports_no_module_of_an_unused_flag(tmp_path: Path) -> None:
    code, modules = _diff_modules(tmp_path)
    assert code == 1  # the demo's seeded findings
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["findings"]
    assert modules == []


def test_the_flags_still_import_their_modules(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code, modules = _diff_modules(
        tmp_path,
        "--history",
        str(out / "history"),
        "--metrics-file",
        str(out / "metrics.prom"),
        "--write-id-map",
        str(out / "idmap.json"),
        "--evidence",
        str(out / "evidence"),
    )
    assert code == 1
    assert (out / "metrics.prom").is_file() and (out / "idmap.json").is_file()
    assert list((out / "history").glob("report-*.json"))
    assert (out / "evidence" / "evidence.dsse.json").is_file()
    assert set(modules) >= {
        "auditor.history",
        "auditor.metrics",
        "auditor.idmap",
        "auditor.evidence",
        "auditor.app.evidence",
        "importlib.metadata",
    }


def test_a_run_builds_only_its_own_commands_options() -> None:
    from auditor.app.arguments import Commands, fill_commands
    from auditor.app.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(["diff", "a.json", "b.json", "--rules", "r.yaml"])
    assert (args.command, args.sources, args.target, args.rules) == (
        "diff",
        ["a.json"],
        "b.json",
        "r.yaml",
    )
    (commands,) = [a for a in parser._actions if isinstance(a, Commands)]
    options = {name: len(p._actions) for name, p in commands.choices.items()}
    assert options["diff"] > 10
    assert {n for n, count in options.items() if count > 1} == {"diff"}  # the others: -h
    fill_commands(parser)
    assert all(len(p._actions) > 1 for p in commands.choices.values())
