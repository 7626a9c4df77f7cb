"""The Ansible playbooks, linted and run for real on localhost (connection: local)
against ``auditor sandbox`` serving the demo clouds (the ``auditor_sandbox`` fixture of
the auditor's own pytest plugin).

audit.yml installs the auditor from this checkout into a virtualenv, deploys
clouds.yaml and the rules from variables, audits, fetches the reports and
fails the play on the exit codes it is told to. schedule.yml installs a cron
entry (in a cron file of the test's own, not the machine's crontab) whose
command is then run as cron would run it.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from auditor.app.pytest_plugin import SandboxProcess
from tests.ops.conftest import REPO, need, timed, tool_env

PLAYBOOKS = REPO / "playbooks"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """auditor_home, shared by the runs: later runs reuse the virtualenv."""
    return tmp_path_factory.mktemp("opt")


def playbook_vars(
    sandbox: SandboxProcess, demo_dir: Path, root: Path, home: Path
) -> dict[str, Any]:
    """Variables as an operator's group_vars and vault would give them."""
    clouds = yaml.safe_load(sandbox.clouds_yaml.read_text())["clouds"]
    assert (sandbox.source, sandbox.target) == ("cloudwatt", "ocb")
    return {
        "auditor_clouds": clouds,
        "auditor_source": "cloudwatt",
        "auditor_target": "ocb",
        "auditor_rules": str(demo_dir / "rules.yaml"),
        "auditor_home": str(home),
        "auditor_data_dir": str(root / "data"),
        "auditor_fetch_dir": str(root / "fetched"),
        "auditor_metrics_file": str(root / "textfile" / "auditor.prom"),
        "auditor_cron_file": str(root / "cron.d" / "auditor"),
        "auditor_retention_days": 7,
    }


def play(name: str, variables: dict[str, Any], root: Path, *extra: str) -> tuple[int, str, float]:
    need("ansible-playbook", "the playbook runs")
    path = root / "vars.json"
    path.write_text(json.dumps(variables))
    result, seconds = timed(
        [
            "ansible-playbook",
            "-i",
            str(PLAYBOOKS / "inventory" / "localhost.yml"),
            str(PLAYBOOKS / name),
            "-e",
            f"@{path}",
            *extra,
        ],
        env={**tool_env(), "ANSIBLE_LOCAL_TEMP": str(root / "ansible-tmp")},
        timeout=600,
    )
    print(f"{name}: {seconds:.1f} s\n{result.stdout[-3000:]}")
    return result.returncode, result.stdout + result.stderr, seconds


def test_ansible_lint_production_profile() -> None:
    lint = need("ansible-lint", "the playbook lint")
    result, seconds = timed(
        [lint, "--offline", "--profile", "production", "."],
        cwd=PLAYBOOKS,
        env=tool_env(),
        timeout=300,
    )
    print(f"ansible-lint: {seconds:.1f} s")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


def test_audit_playbook(
    auditor_sandbox: SandboxProcess, demo_dir: Path, tmp_path: Path, home: Path
) -> None:
    variables = playbook_vars(auditor_sandbox, demo_dir, tmp_path, home)
    fetched = tmp_path / "fetched" / "localhost"

    # Exit 1 (the demo's seeded defects) is tolerated when only 3 fails the play.
    code, out, _ = play("audit.yml", {**variables, "auditor_fail_on_exit_codes": [3]}, tmp_path)
    assert code == 0, out
    assert "cloudwatt -> ocb: discrepancies (exit 1)" in out
    report = json.loads((fetched / "report.json").read_text())
    assert report["verdict"] == "discrepancies" and "history" not in report
    assert (fetched / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(os.stat(fetched).st_mode) == 0o700
    clouds_yaml = home / "etc" / "clouds.yaml"
    assert stat.S_IMODE(os.stat(clouds_yaml).st_mode) == 0o600
    assert yaml.safe_load(clouds_yaml.read_text())["clouds"] == variables["auditor_clouds"]
    for cloud in variables["auditor_clouds"].values():
        assert cloud["auth"]["password"] not in out, "no_log: the clouds.yaml task"
    venv_auditor = home / "venv" / "bin" / "auditor"
    version = subprocess.run(
        [str(venv_auditor), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("auditor ")
    metrics = tmp_path / "textfile" / "auditor.prom"
    assert stat.S_IMODE(os.stat(metrics).st_mode) == 0o644
    assert {f.name for f in text_string_to_metric_families(metrics.read_text())} >= {
        "auditor_findings",
        "auditor_verdict",
        "auditor_last_complete_run_timestamp_seconds",
    }

    # The default fails the play on exit 1, after fetching the reports; the
    # second run is compared with the first.
    code, out, _ = play("audit.yml", variables, tmp_path)
    assert code != 0
    assert "The audit exited 1 (discrepancies)" in out
    report = json.loads((fetched / "report.json").read_text())
    assert report["history"]["new"] == [] and report["history"]["resolved"] == []
    assert "Since the previous run" in (fetched / "report.html").read_text()


def tree(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``roots``: path -> (size, mtime in ns); directories as (-1, 0)."""
    out: dict[str, tuple[int, int]] = {}
    for root in roots:
        for path in [root, *root.rglob("*")] if root.exists() else []:
            if "ansible-tmp" in path.parts or path.name == "vars.json":
                continue  # Ansible's scratch space, the test's variables file
            info = path.lstat()
            out[str(path)] = (-1, 0) if path.is_dir() else (info.st_size, info.st_mtime_ns)
    return out


def test_audit_playbook_in_check_mode_changes_nothing(
    auditor_sandbox: SandboxProcess, demo_dir: Path, tmp_path: Path, home: Path
) -> None:
    variables = {
        **playbook_vars(auditor_sandbox, demo_dir, tmp_path, home),
        "auditor_fail_on_exit_codes": [],
    }
    before = tree(tmp_path, home)
    code, out, _ = play("audit.yml", variables, tmp_path, "--check")
    assert code == 0, out
    assert "Check mode: the setup above shows what would change" in out
    assert tree(tmp_path, home) == before
    assert not (tmp_path / "data").exists() and not (tmp_path / "fetched").exists()

    # Once installed and run, a check finds nothing to do and touches nothing.
    code, out, _ = play("audit.yml", variables, tmp_path)
    assert code == 0, out
    before = tree(tmp_path, home)
    code, out, _ = play("audit.yml", variables, tmp_path, "--check")
    assert code == 0, out
    assert tree(tmp_path, home) == before
    assert re.search(r"TASK \[Run the audit\] \*+\nskipping", out), out


def test_audit_playbook_never_passes_an_old_report_for_new(
    auditor_sandbox: SandboxProcess, demo_dir: Path, tmp_path: Path, home: Path
) -> None:
    variables = {
        **playbook_vars(auditor_sandbox, demo_dir, tmp_path, home),
        "auditor_fail_on_exit_codes": [],
    }
    fetched = tmp_path / "fetched" / "localhost"

    def previous_run() -> None:
        """The reports of a previous run, on the host and on the controller."""
        for directory in (tmp_path / "data", fetched):
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "report.json").write_text('{"verdict": "verified"}')
            (directory / "report.html").write_text("<!DOCTYPE html>")

    previous_run()

    # Bad input (exit 2): the play fails, and neither the host nor the controller keeps
    # the previous run's reports where this run's would be.
    code, out, _ = play("audit.yml", {**variables, "auditor_source": "cloudwat"}, tmp_path)
    assert code != 0
    assert "cloud cloudwat: not found; the profiles there are cloudwatt, ocb" in out
    assert not (fetched / "report.json").exists() and not (fetched / "report.html").exists()
    assert not (tmp_path / "data" / "report.json").exists()

    # An audit that dies without a report (exit 1 from a crash): said so, nothing fetched.
    previous_run()
    crash = ["python3", "-c", "import sys; sys.exit('Traceback (most recent call last): boom')"]
    code, out, _ = play("audit.yml", {**variables, "auditor_audit_argv": crash}, tmp_path)
    assert code != 0
    said = "The audit exited 1 without writing a report: Traceback (most recent call last): boom"
    assert said in out
    assert not (fetched / "report.json").exists()
    assert not (tmp_path / "data" / "report.json").exists()


def cron_command(cron_file: Path) -> tuple[str, str, str]:
    """(schedule, user, command) of the one entry of a cron.d file."""
    (line,) = [line for line in cron_file.read_text().splitlines() if line and line[0] != "#"]
    fields = line.split(None, 6)
    return " ".join(fields[:5]), fields[5], fields[6]


def run_like_cron(command: str) -> subprocess.CompletedProcess[str]:
    """The command as cron runs it: /bin/sh, a bare environment."""
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "SHELL": "/bin/sh"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_schedule_playbook(
    auditor_sandbox: SandboxProcess, demo_dir: Path, tmp_path: Path, home: Path
) -> None:
    need("crontab", "ansible.builtin.cron")
    need("flock", "the cron entry")
    variables = {
        **playbook_vars(auditor_sandbox, demo_dir, tmp_path, home),
        "auditor_cron_minute": "*/30",
        "auditor_cron_hour": "*",
    }
    (tmp_path / "cron.d").mkdir()
    code, out, _ = play("schedule.yml", variables, tmp_path)
    assert code == 0, out
    schedule, user, command = cron_command(tmp_path / "cron.d" / "auditor")
    assert schedule == "*/30 * * * *"
    whoami = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True)
    assert user == whoami.stdout.strip()
    assert command.startswith("/usr/bin/flock -n -E 75 ")

    reports = tmp_path / "data" / "reports"
    # An old run's outputs, past the retention of 7 days, and a recent one.
    old = [reports / "report-20200101T000000Z.json", reports / "auditor-20200101T000000Z.log"]
    recent = reports / "report-29990101T000000Z.json"
    for path in [*old, recent]:
        path.write_text("{}")
    for path in old:
        os.utime(path, (time.time() - 8 * 86400,) * 2)

    # While another run holds the lock, a run exits 75 at once and writes nothing.
    with open(tmp_path / "data" / "auditor.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        blocked = run_like_cron(command)
    assert blocked.returncode == 75, blocked.stderr
    assert not list(reports.glob("report-2*T*Z.html"))

    done = run_like_cron(command)
    assert done.returncode == 1, done.stderr  # the demo's seeded defects
    assert (done.stdout, done.stderr) == ("", ""), "cron would mail this"
    (html,) = reports.glob("report-*.html")
    stamp = re.fullmatch(r"report-(\d{8}T\d{6}Z)\.html", html.name)
    assert stamp is not None
    report = json.loads((reports / f"report-{stamp.group(1)}.json").read_text())
    assert report["verdict"] == "discrepancies"
    assert os.readlink(reports / "latest.html") == html.name
    assert "Migration audit: DISCREPANCIES" in html.read_text()
    log = (reports / f"auditor-{stamp.group(1)}.log").read_text().splitlines()
    records = [json.loads(line) for line in log]
    assert any(r["event"] == "audit done" and r["exit_code"] == 1 for r in records)
    assert list((tmp_path / "data" / "history").glob("report-*.json"))
    metrics = (tmp_path / "textfile" / "auditor.prom").read_text()
    assert "auditor_exit_code 1" in metrics
    for path in old:
        assert not path.exists(), f"{path.name} outlived the retention"
    assert recent.exists()
