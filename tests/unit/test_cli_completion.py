"""``auditor completion SHELL``: the scripts, and the completions they get from the
installed ``auditor`` (a real process, as the shell runs it at each TAB)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.app.parser import SHELLS

AUDITOR = [sys.executable, "-m", "auditor"]


def auditor(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AUDITOR, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def completions(line: str, shell: str, tmp_path: Path) -> list[str]:
    """What ``auditor`` answers a shell's completion request for ``line`` (the cursor at
    its end), through argcomplete's protocol: the environment the scripts set."""
    answer = tmp_path / "answer"
    result = auditor(
        env={
            "_ARGCOMPLETE": "1",
            "_ARGCOMPLETE_SHELL": shell,
            "_ARGCOMPLETE_IFS": "\n",
            "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
            "COMP_TYPE": "9",
        }
    )
    assert result.returncode == 0, result.stderr
    words = [w for w in answer.read_text().split("\n") if w]
    # zsh: "value:description"; the others: the value alone.
    return [w.split(":", 1)[0].replace("\\", "").strip() for w in words]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_script_of_each_shell(shell: str) -> None:
    result = auditor("completion", shell)
    assert result.returncode == 0, result.stderr
    script = result.stdout
    assert "_ARGCOMPLETE" in script and "auditor" in script
    checker = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}
    tool = shutil.which(checker[shell][0])
    if tool is not None:  # the script parses in its shell, where that shell is installed
        check = subprocess.run(
            [tool, *checker[shell][1:]], input=script, text=True, capture_output=True, check=False
        )
        assert check.returncode == 0, check.stderr


def test_unknown_shell_is_exit_2() -> None:
    result = auditor("completion", "tcsh")
    assert result.returncode == 2
    assert "invalid choice: 'tcsh'" in result.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_commands_options_and_choices_complete(shell: str, tmp_path: Path) -> None:
    commands = completions("auditor ", shell, tmp_path)
    assert {"inventory", "diff", "audit", "demo", "render", "completion", "schema"} <= set(commands)
    assert "--fail-on" in completions("auditor diff --fa", shell, tmp_path)
    assert completions("auditor diff --fail-on w", shell, tmp_path) == ["warning"]
    assert set(completions("auditor render r.json --format ", shell, tmp_path)) >= {
        "json",
        "sarif",
        "csv",
    }


def test_clouds_complete_from_the_clouds_yaml(tmp_path: Path) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n"
        "  cloudwatt: {auth: {auth_url: 'http://127.0.0.1:1/v3'}}\n"
        "  cw-legacy: {auth: {auth_url: 'http://127.0.0.1:1/v3'}}\n"
        "  ocb: {auth: {auth_url: 'http://127.0.0.1:1/v3'}}\n"
    )
    line = f"auditor --os-client-config-file {clouds} audit --target ocb --source c"
    assert sorted(completions(line, "bash", tmp_path)) == ["cloudwatt", "cw-legacy"]


def test_bash_script_answers_a_tab_end_to_end(tmp_path: Path) -> None:
    """The printed script loaded in bash, its completion function called as bash calls
    it at a TAB, running the real ``auditor``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "auditor"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m auditor "$@"\n')
    wrapper.chmod(0o755)
    script = auditor("completion", "bash").stdout
    program = (
        f"{script}\n"
        'COMP_LINE="auditor diff --fail-on in"; COMP_POINT=${#COMP_LINE}\n'
        "COMP_WORDS=(auditor diff --fail-on in); COMP_CWORD=3; COMP_TYPE=9\n"
        '_python_argcomplete auditor; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["info"]
