"""The token request behind an ``auth_url`` whose path does not start with the version.

DevStack's Keystone is at ``http://HOST/identity/v3``, the sandbox's at
``http://127.0.0.1:PORT/<cloud>/identity/v3``. For such URLs keystoneauth's
generic plugin wraps any failure of the version document into a
``DiscoveryFailure``; these tests run the CLI over loopback and check that each
failure is still told as itself: a refused connection is retried and ends as an
incomplete inventory (exit 3, one error line), a URL where no Keystone answers
is bad input (exit 2, one line naming it), and never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.cli import main
from auditor.demo.data import generate
from auditor.sandbox import Sandbox


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _inventory(clouds: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(
        [
            "--os-client-config-file", str(clouds), "--no-progress", "inventory",
            "--cloud", "cloudwatt", "--retries", "1", "-o", str(tmp / "inventory.json"),
        ],
        stdout=io.StringIO(),
    )  # fmt: skip
    return code, capsys.readouterr().err


@contextlib.contextmanager
def _pointed_at(tmp: Path, url_of: Callable[[Sandbox], str]) -> Iterator[tuple[Path, str]]:
    """A clouds.yaml of a running sandbox whose ``cloudwatt`` profile has the auth_url
    ``url_of(sandbox)``, and that URL."""
    source, target = generate(defects=False)
    with Sandbox([source, target]) as sandbox:
        doc = yaml.safe_load(save_clouds_yaml(sandbox, str(tmp / "served.yaml")))
        url = url_of(sandbox)
        doc["clouds"]["cloudwatt"]["auth"]["auth_url"] = url
        clouds = tmp / "clouds.yaml"
        clouds.write_text(yaml.safe_dump(doc), encoding="utf-8")
        yield clouds, url


def test_a_refused_connection_is_retried_then_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = f"http://127.0.0.1:{_closed_port()}/cloudwatt/identity/v3"
    with _pointed_at(tmp_path, lambda _sandbox: closed) as (clouds, _url):
        code, err = _inventory(clouds, tmp_path, capsys)

    assert code == 3, err
    assert "Traceback" not in err
    assert "identity: authentication: connection failed after 2 attempts" in err


def test_no_keystone_at_the_auth_url_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The sandbox answers 404 for a cloud it does not serve.
    with _pointed_at(tmp_path, lambda sandbox: f"{sandbox.url}/nowhere/identity/v3") as (
        clouds,
        url,
    ):
        code, err = _inventory(clouds, tmp_path, capsys)

    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 1, err
    assert f"Keystone at {url}" in lines[0]
    assert not (tmp_path / "inventory.json").exists()
