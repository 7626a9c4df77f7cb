"""Secrets never leave the process: every command, at -vv, in both log formats.

The served clouds have a known password, and their servers and volumes carry
metadata whose keys look secret with known values; the sandbox's tokens all
start with ``gAAAAA``. Each command runs with HTTP debug output on (-vv), and
every byte it printed, logged or wrote (reports, snapshots, temporary files,
the demo's directory) is searched for each secret. The clouds.yaml files,
which hold the passwords by design, are the only files not searched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from auditor.app.files import read_snapshot
from auditor.model import Snapshot
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.secrets import MASK
from tests.reliability.world import (
    AUDIT,
    JSON,
    SMALL_PAGES,
    SOURCE,
    TARGET,
    Run,
    auditor,
    renamed,
    source_snapshot,
)

PASSWORD = "Tr0ub4dor-horse-battery-staple"
DB_PASSWORD = "db-s3cr3t-0451-mellon"
API_TOKEN = "tok-1a2b3c4d5e6f7a8b"
NEW_DB_PASSWORD = "db-s3cr3t-rotated-4242"
APP_CREDENTIAL_SECRET = "appcred-9f8e7d6c5b4a-secret"
TOKEN_PREFIX = "gAAAAA"
"""Every token the sandbox issues starts so (like Fernet tokens)."""
SECRETS = (PASSWORD, DB_PASSWORD, API_TOKEN, NEW_DB_PASSWORD, APP_CREDENTIAL_SECRET, TOKEN_PREFIX)


def with_secrets(snapshot: Snapshot, cloud: str, db_password: str) -> Snapshot:
    """``snapshot`` as ``cloud``, its items carrying secret metadata in clear (as served)."""
    servers = [
        {**s, "metadata": {**s["metadata"], "db_password": db_password}}
        for s in snapshot.collections["servers"].items
    ]
    volumes = [
        {**v, "metadata": {**v["metadata"], "api_token": API_TOKEN}}
        for v in snapshot.collections["volumes"].items
    ]
    return renamed(snapshot, cloud, servers=servers, volumes=volumes)


@dataclass
class Outputs:
    """Everything the commands of one test printed, logged or wrote."""

    texts: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, run: Run) -> Run:
        self.texts[f"{label}: stdout"] = run.stdout
        self.texts[f"{label}: stderr"] = run.stderr
        return run

    def add_files(self, directory: Path, *inputs: Path) -> None:
        """Every file under ``directory`` but clouds.yaml files and the test's ``inputs``."""
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.endswith("clouds.yaml") and path not in inputs:
                self.texts[str(path)] = path.read_bytes().decode("utf-8", "replace")

    def assert_no_secret(self, *extra: str) -> None:
        leaks = [
            (where, secret)
            for where, text in self.texts.items()
            for secret in (*SECRETS, *extra)
            if secret in text
        ]
        assert leaks == []


@pytest.fixture
def clouds(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    """Source and target with a known password and secret metadata; a clouds.yaml
    that also has an application-credential profile (which Keystone rejects)."""
    base = source_snapshot()
    source = with_secrets(base, SOURCE, DB_PASSWORD)
    target = with_secrets(base, TARGET, NEW_DB_PASSWORD)
    options = SandboxOptions(max_limit=SMALL_PAGES.max_limit, password=PASSWORD)
    with Sandbox([source, target], options=options) as sandbox:
        doc: JSON = sandbox.clouds_yaml()
        doc["clouds"]["appcred"] = {
            "auth_type": "v3applicationcredential",
            "auth": {
                "auth_url": sandbox.auth_url(SOURCE),
                "application_credential_id": "a1b2c3",
                "application_credential_secret": APP_CREDENTIAL_SECRET,
            },
        }
        path = tmp_path / "clouds.yaml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        yield sandbox, path


LOG_FORMATS = ["console", "json"]


def common(clouds: Path, log_format: str) -> list[str]:
    return ["--os-client-config-file", str(clouds), "--log-format", log_format, "-vv"]


@pytest.mark.parametrize("log_format", LOG_FORMATS)
def test_inventory_diff_audit_and_schema_keep_every_secret(
    log_format: str,
    clouds: tuple[Sandbox, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _sandbox, clouds_yaml = clouds
    opts = common(clouds_yaml, log_format)
    out = Outputs()

    inventory = out.add(
        "inventory", auditor([*opts, "inventory", "--cloud", SOURCE, "-o", "cw.json"], capsys)
    )
    out.add("inventory to stdout", auditor([*opts, "inventory", "--cloud", TARGET], capsys))
    audits = [
        out.add(
            f"audit -f {fmt}",
            auditor(
                [
                    *opts,
                    *AUDIT,
                    "--save-inventories",
                    "inventories",
                    "-f",
                    fmt,
                    *(["-o", f"audit.{fmt}"] if fmt != "text" else []),
                ],
                capsys,
            ),
        )
        for fmt in ("json", "text", "markdown")
    ]
    for fmt in ("json", "text", "markdown"):
        out.add(
            f"diff -f {fmt}",
            auditor(
                [*opts, "diff", "inventories/source.json", "inventories/target.json", "-f", fmt],
                capsys,
            ),
        )
    out.add("schema", auditor([*opts, "schema", "inventory"], capsys))
    rejected = out.add(
        "application credential", auditor([*opts, "inventory", "--cloud", "appcred"], capsys)
    )
    out.add_files(tmp_path)

    assert inventory.code == 0, inventory.stderr
    assert all(run.code == 0 for run in audits), [run.stderr for run in audits]
    assert rejected.code == 2
    # Not vacuous: HTTP debug output was on, and the secret keys are there, masked.
    assert "RESP BODY" in inventory.stderr
    assert "db_password" in inventory.stderr
    saved = read_snapshot(str(tmp_path / "cw.json"))
    assert all(s["metadata"]["db_password"] == MASK for s in saved.collections["servers"].items)
    out.assert_no_secret()


def test_reports_of_old_snapshots_holding_secrets_do_not_repeat_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Snapshots the auditor writes are masked; these were written by something else
    # (or edited by hand) with secrets in clear. A report must not repeat them.
    base = source_snapshot()
    (tmp_path / "s.json").write_text(
        with_secrets(base, SOURCE, DB_PASSWORD).dumps(), encoding="utf-8"
    )
    (tmp_path / "t.json").write_text(
        with_secrets(base, TARGET, NEW_DB_PASSWORD).dumps(), encoding="utf-8"
    )
    out = Outputs()
    runs = [
        out.add(fmt, auditor(["-vv", "diff", "s.json", "t.json", "-f", fmt], capsys))
        for fmt in ("json", "text", "markdown")
    ]

    assert all(run.code == 0 for run in runs), [run.stderr for run in runs]
    # The change is still reported, without its values.
    assert "metadata.db_password" in runs[0].stdout
    out.add_files(tmp_path, tmp_path / "s.json", tmp_path / "t.json")
    out.assert_no_secret()


def test_demo_keeps_every_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = Outputs()
    for log_format in LOG_FORMATS:
        directory = tmp_path / f"demo-{log_format}"
        run = out.add(
            f"demo {log_format}",
            auditor(
                ["--log-format", log_format, "-vv", "demo", "--output-dir", str(directory)],
                capsys,
            ),
        )
        assert run.code == 1, run.stderr
    out.add_files(tmp_path)
    passwords = [
        profile["auth"]["password"]
        for log_format in LOG_FORMATS
        for profile in yaml.safe_load(
            (tmp_path / f"demo-{log_format}" / "clouds.yaml").read_text(encoding="utf-8")
        )["clouds"].values()
    ]

    assert len(passwords) == 4
    out.assert_no_secret(*passwords)


def test_sandbox_command_keeps_its_secrets(
    clouds: tuple[Sandbox, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `auditor sandbox` for real (a process, stopped by SIGTERM like systemd does),
    # serving a snapshot with secret metadata, inventoried at -vv.
    snapshot = tmp_path / "served.json"
    snapshot.write_text(
        with_secrets(source_snapshot(), "rehearsal", DB_PASSWORD).dumps(), encoding="utf-8"
    )
    clouds_yaml = tmp_path / "sandbox-clouds.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditor",
            "-vv",
            "sandbox",
            str(snapshot),
            "--write-clouds-yaml",
            str(clouds_yaml),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out = Outputs()
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert first.startswith("rehearsal http://127.0.0.1:"), first
        deadline = time.monotonic() + 10
        while not clouds_yaml.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        inventory = out.add(
            "inventory of the sandbox",
            auditor(
                [
                    *common(clouds_yaml, "json"),
                    "inventory",
                    "--cloud",
                    "rehearsal",
                    "-o",
                    "rehearsal.json",
                ],
                capsys,
            ),
        )
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=10)
    out.texts["sandbox: stdout"] = first + stdout
    out.texts["sandbox: stderr"] = stderr
    out.add_files(tmp_path, snapshot)
    password = yaml.safe_load(clouds_yaml.read_text(encoding="utf-8"))["clouds"]["rehearsal"][
        "auth"
    ]["password"]

    assert server.returncode == 0, stderr
    assert inventory.code == 0, inventory.stderr
    out.assert_no_secret(password)
