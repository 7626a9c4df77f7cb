"""``auditor --help`` and ``--version`` start without the heavy libraries (issue 19).

Timing is the benchmark's business (docs/performance.md); what a test can hold
steady is the cause: the SDK, the HTTP stack, the template engine, the schema
validator, rich and structlog stay unimported until a command needs them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
