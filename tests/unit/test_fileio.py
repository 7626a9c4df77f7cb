"""Atomic private writes: mode 0600, whole file or nothing, errors naming the path."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from auditor.app.fileio import write_private
from auditor.errors import OutputError


def test_a_written_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"

    write_private(str(path), "{}\n")

    assert path.read_text(encoding="utf-8") == "{}\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_file_is_replaced_whole_and_made_private(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text("old and much longer content\n", encoding="utf-8")
    path.chmod(0o644)

    write_private(str(path), "new\n")

    assert path.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["snapshot.json"]


def test_a_missing_directory_is_an_output_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "no-such-dir" / "snapshot.json"

    with pytest.raises(OutputError) as failure:
        write_private(str(path), "{}\n")

    assert str(failure.value).startswith(f"{path}: cannot write (")


def test_a_failed_rename_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a-directory"
    target.mkdir()

    with pytest.raises(OutputError) as failure:
        write_private(str(target), "{}\n")

    assert str(failure.value).startswith(f"{target}: cannot write (")
    assert sorted(os.listdir(tmp_path)) == ["a-directory"]
    assert os.listdir(target) == []
