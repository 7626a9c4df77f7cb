"""How a run ends: from the command line the process exits as soon as the command has
(its output flushed, what it kept not freed); in process, ``main`` returns and lets go."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.app import cli
from auditor.app.exits import KEPT, keep_until_exit
from tests.harness import demo_diff_argv


def _saved_demo(tmp_path: Path) -> list[str]:
    """``diff`` of the demo's snapshots and rules saved in ``tmp_path``, the JSON report
    on standard output."""
    return [*demo_diff_argv(tmp_path), "-f", "json"]


def test_the_command_lines_process_exits_with_the_code_and_the_whole_report(
    tmp_path: Path,
) -> None:
    argv = _saved_demo(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "auditor", *argv], capture_output=True, text=True, check=False
    )
    expected = io.StringIO()
    code = cli.main(argv, stdout=expected)
    assert (done.returncode, code) == (1, 1)  # the demo's seeded findings
    report, same = json.loads(done.stdout), json.loads(expected.getvalue())
    report.pop("generated_at"), same.pop("generated_at")
    assert report == same and report["findings"]
    assert done.stdout.endswith("}\n")


def test_a_line_written_after_main_shows_main_ended_the_process(tmp_path: Path) -> None:
    script = "import sys\nfrom auditor.cli import main\nmain()\nprint('after main')\n"
    argv = _saved_demo(tmp_path)
    ended = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=False
    )
    returned = subprocess.run(
        [sys.executable, "-c", script.replace("main()", "main(sys.argv[1:])"), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ended.returncode == 1 and "after main" not in ended.stdout
    assert returned.returncode == 0 and returned.stdout.endswith("}\nafter main\n")


def test_in_process_what_a_command_kept_is_let_go_when_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import auditor.app.commands.diff as diff_command

    kept: list[int] = []

    def counting(*objects: object) -> None:
        keep_until_exit(*objects)
        kept.append(len(KEPT.objects))

    monkeypatch.setattr(diff_command, "keep_until_exit", counting)
    assert cli.main(_saved_demo(tmp_path), stdout=io.StringIO()) == 1
    assert kept == [2, 3]  # the snapshots, then the outcome
    assert KEPT.objects == []


def test_an_output_that_cannot_be_flushed_leaves_the_exit_to_the_interpreter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Closed(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError

    exits: list[int] = []
    monkeypatch.setattr(sys, "stdout", Closed())
    monkeypatch.setattr("os._exit", exits.append)
    monkeypatch.setattr("logging.shutdown", lambda: None)  # this process's logging stays
    cli._end_process(1)  # returns: main then returns the code
    assert exits == []
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    cli._end_process(3)
    assert exits == [3]
