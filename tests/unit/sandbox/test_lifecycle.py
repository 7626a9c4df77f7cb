"""Start, stop, ports, threads, the clouds.yaml, and ``auditor sandbox``'s ``serve()``."""

from __future__ import annotations

import io
import os
import socket
import stat
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml

from auditor.app.commands.sandbox import save_clouds_yaml, serve
from auditor.app.fileio import write_private
from auditor.errors import BadInputError, SnapshotError
from auditor.model import Snapshot
from auditor.sandbox import Sandbox


def sandbox_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sandbox-")]


def assert_released(port: int) -> None:
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass


def test_port_is_released_even_when_the_body_raises(snapshot: Snapshot) -> None:
    with pytest.raises(RuntimeError, match="boom"), Sandbox([snapshot]) as sandbox:
        port = sandbox.port
        assert port > 0
        assert sandbox.url == f"http://127.0.0.1:{port}"
        session = requests.Session()  # a pooled keep-alive connection, left open
        assert session.get(f"{sandbox.url}/cw/identity/v3", timeout=10).status_code == 200
        raise RuntimeError("boom")
    assert_released(port)
    assert sandbox_threads() == []
    assert not sandbox.running
    with Sandbox([snapshot], port=port) as again:
        assert again.port == port
        assert requests.get(f"{again.url}/cw/identity/v3", timeout=10).status_code == 200
    assert_released(port)
    session.close()


def test_stop_is_idempotent_and_url_needs_a_running_sandbox(snapshot: Snapshot) -> None:
    sandbox = Sandbox([snapshot])
    with pytest.raises(RuntimeError):
        _ = sandbox.url
    sandbox.start()
    with pytest.raises(RuntimeError):
        sandbox.start()
    sandbox.stop()
    sandbox.stop()
    with pytest.raises(RuntimeError):
        sandbox.clouds_yaml()


def test_one_sandbox_serves_each_cloud_once(snapshot: Snapshot) -> None:
    with pytest.raises(ValueError, match="cw"):
        Sandbox([snapshot, snapshot])
    with pytest.raises(ValueError):
        Sandbox([])


def test_clouds_yaml_file_is_private(snapshot: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    with Sandbox([snapshot]) as sandbox:
        save_clouds_yaml(sandbox, str(path))
        profile = yaml.safe_load(path.read_text(encoding="utf-8"))["clouds"]["cw"]
        assert profile == sandbox.clouds_yaml()["clouds"]["cw"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert profile["auth"]["auth_url"].endswith("/cw/identity/v3")
    assert profile["region_name"] == "fr1"
    assert profile["auth"]["username"] == "admin"
    assert len(profile["auth"]["password"]) >= 16


def _serve_in_thread(
    args: tuple[list[str], int, str | None], out: io.StringIO, stop: threading.Event
) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(serve(*args, out, stop=stop)), name="test-serve"
    )
    worker.start()
    deadline = time.monotonic() + 10
    while "identity/v3" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    return worker, result


def test_serve_writes_clouds_yaml_prints_clouds_and_stops(
    snapshot: Snapshot, tmp_path: Path
) -> None:
    snapshot_file = tmp_path / "cw.json"
    write_private(str(snapshot_file), snapshot.dumps())
    clouds = tmp_path / "clouds.yaml"
    out, stop = io.StringIO(), threading.Event()
    worker, result = _serve_in_thread(([str(snapshot_file)], 0, str(clouds)), out, stop)
    try:
        lines = out.getvalue().splitlines()
        assert len(lines) == 1
        name, auth_url = lines[0].split()
        assert name == "cw"
        assert stat.S_IMODE(os.stat(clouds).st_mode) == 0o600
        profile = yaml.safe_load(clouds.read_text(encoding="utf-8"))["clouds"]["cw"]
        assert profile["auth"]["auth_url"] == auth_url
        assert requests.get(auth_url, timeout=10).status_code == 200
    finally:
        stop.set()
        worker.join(10)
    assert result == [0]
    assert_released(int(auth_url.split(":")[2].split("/")[0]))


def test_serve_without_a_file_prints_the_clouds_yaml(snapshot: Snapshot, tmp_path: Path) -> None:
    snapshot_file = tmp_path / "cw.json"
    write_private(str(snapshot_file), snapshot.dumps())
    out, stop = io.StringIO(), threading.Event()
    worker, result = _serve_in_thread(([str(snapshot_file)], 0, None), out, stop)
    stop.set()
    worker.join(10)
    assert result == [0]
    first, _, rest = out.getvalue().partition("\n\n")
    assert first.startswith("cw http://127.0.0.1:")
    assert yaml.safe_load(rest)["clouds"]["cw"]["auth"]["password"]


def test_serve_reports_bad_input(snapshot: Snapshot, tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such file"):
        serve([str(tmp_path / "missing.json")], 0, None, io.StringIO())
    snapshot_file = tmp_path / "cw.json"
    write_private(str(snapshot_file), snapshot.dumps())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(BadInputError, match="cannot listen"):
            serve([str(snapshot_file)], taken.getsockname()[1], None, io.StringIO())
    with pytest.raises(BadInputError, match="two snapshots"):
        serve([str(snapshot_file), str(snapshot_file)], 0, None, io.StringIO())
