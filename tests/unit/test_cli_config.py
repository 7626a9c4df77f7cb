"""Defaults from a configuration file and ``AUDITOR_*`` variables, through the CLI.

Precedence, option by option: flags > environment > file > built-in defaults. The
report's ``fail_on`` field and the output format show which value won.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from auditor.cli import main

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture
def workdir(golden_inputs: Path) -> Path:
    """The current directory, with the golden inputs; no ``AUDITOR_*`` variable is set
    (tests/isolation.py)."""
    return golden_inputs


def diff(*extra: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--no-progress", "diff", "source.json", "target.json", *extra], stdout=out)
    return code, out.getvalue()


def fail_on(*extra: str) -> str:
    code, text = diff("--format", "json", *extra)
    assert code == 1, text
    return str(json.loads(text)["fail_on"])


def test_built_in_defaults_without_file_or_variable(workdir: Path) -> None:
    assert fail_on() == "error"


def test_auditor_toml_in_the_current_directory(workdir: Path) -> None:
    (workdir / "auditor.toml").write_text('fail-on = "info"\n')
    assert fail_on() == "info"


def test_environment_beats_file_and_flag_beats_environment(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "auditor.toml").write_text('fail-on = "info"\n')
    monkeypatch.setenv("AUDITOR_FAIL_ON", "warning")
    assert fail_on() == "warning"
    assert fail_on("--fail-on", "error") == "error"


def test_pyproject_tool_auditor_table(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.auditor]\nfail-on = "warning"\nformat = "csv"\n'
    )
    code, text = diff()
    assert code == 1
    assert text.splitlines()[0].startswith("id,severity,kind,collection")
    # auditor.toml, when there is one, is the file read.
    (workdir / "auditor.toml").write_text('fail-on = "info"\n')
    assert fail_on() == "info"


def test_named_file_by_flag_or_variable_with_paths_relative_to_it(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path_factory.mktemp("conf")
    shutil.move(str(workdir / "rules.yaml"), elsewhere / "rules.yaml")
    config = elsewhere / "team.toml"
    config.write_text('rules = "rules.yaml"\nformat = "json"\nfail-on = "info"\n')
    (workdir / "auditor.toml").write_text('fail-on = "warning"\n')  # not read: one is named
    code, text = diff("--config", str(config))
    assert code == 1
    report = json.loads(text)
    assert report["fail_on"] == "info"
    # The rules (relative to team.toml) were applied: the golden rules rename cw- to ocb-.
    assert any(f.get("matched_by") == "name" for f in report["findings"])
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    assert fail_on() == "info"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("bogus = 1\n", "auditor.toml: bogus: unknown key"),
        ('fail-on = "fatal"\n', "auditor.toml: fail-on: 'fatal' is not one of"),
        ("retries = -1\n", "auditor.toml: retries: must be 0 or more"),
        ("timeout = true\n", "auditor.toml: timeout: expected a number"),
        ("fail-on = \n", "auditor.toml: not valid TOML"),
    ],
)
def test_bad_file_is_exit_2_on_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (workdir / "auditor.toml").write_text(content)
    code, out = diff()
    err = capsys.readouterr().err
    assert code == 2 and out == ""
    assert expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_variable_and_missing_named_file_are_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_RETRIES", "many")
    code, _ = diff()
    assert code == 2
    assert "AUDITOR_RETRIES: 'many' is not a number" in capsys.readouterr().err
    monkeypatch.delenv("AUDITOR_RETRIES")
    code, _ = diff("--config", "missing.toml")
    assert code == 2
    assert "missing.toml: no such configuration file" in capsys.readouterr().err


def test_every_setting_is_documented() -> None:
    from auditor.app.config import SETTINGS

    usage = (Path(__file__).resolve().parents[2] / "docs" / "usage.md").read_text()
    for setting in SETTINGS:
        assert f"| `{setting.key}` |" in usage, setting.key
        if setting.env:
            assert f"`{setting.variable}`" in usage, setting.variable
