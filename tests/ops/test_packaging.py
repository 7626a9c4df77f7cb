"""The package as PyPI and pip see it: the wheel's metadata, entry points and data.

The wheel is built from this checkout as ``pip install .`` builds it (an
isolated build with setuptools from PyPI).
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from email.message import Message
from email.parser import Parser

import pytest
from trove_classifiers import classifiers as KNOWN

from tests.ops.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("openstack_migration_auditor-*.whl")
    return zipfile.ZipFile(path)


def _read(wheel: zipfile.ZipFile, suffix: str) -> str:
    (name,) = [n for n in wheel.namelist() if n.endswith(suffix)]
    return wheel.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def metadata(wheel: zipfile.ZipFile) -> Message:
    return Parser().parsestr(_read(wheel, ".dist-info/METADATA"))


def test_classifiers_are_pypis_and_match_the_python_versions(metadata: Message) -> None:
    listed = metadata.get_all("Classifier") or []
    assert set(listed) <= KNOWN, set(listed) - KNOWN
    for needed in ("Framework :: Pytest", "Typing :: Typed", "Environment :: Console"):
        assert needed in listed
    versions = [c.rsplit(" ", 1)[1] for c in listed if re.fullmatch(r".*:: 3\.\d+", c)]
    minimum = metadata["Requires-Python"].removeprefix(">=")
    assert versions[0] == minimum, (versions, minimum)
    # The Python the tests run on, and the container image's, are among them.
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in versions
    image = re.search(r"python:(\d+\.\d+)-", (REPO / "Containerfile").read_text())
    assert image and image.group(1) in versions
    assert metadata["License"] == "Apache-2.0"


def test_project_urls(metadata: Message) -> None:
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(u.startswith("https://") for u in urls.values())
    assert urls["Changelog"].endswith("/CHANGELOG.md")


def test_entry_points_and_runtime_dependencies(wheel: zipfile.ZipFile, metadata: Message) -> None:
    entry_points = _read(wheel, ".dist-info/entry_points.txt")
    assert "[console_scripts]\nauditor = auditor.cli:main" in entry_points
    assert "[pytest11]\nauditor = auditor.app.pytest_plugin" in entry_points
    runtime = [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]
    names = {re.split(r"[<>=!;\s\[]", r, maxsplit=1)[0].lower() for r in runtime}
    assert {"openstacksdk", "rich", "prometheus-client", "jinja2"} <= names
    assert "pytest" not in names  # the plugin is loaded by pytest, never installs it


def test_package_data_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for name in (
        "auditor/py.typed",
        "auditor/render/templates/report.html.j2",
        "auditor/schemas/report.schema.json",
        "auditor/app/pytest_plugin.py",
    ):
        assert name in names, name
