"""Fault injection: injected statuses, Retry-After, delays, dropped connections."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.collect import take_inventory
from auditor.collect.pager import RetryPolicy
from auditor.connect import CloudTarget, connect
from auditor.model import Snapshot, Status
from auditor.sandbox import Fault, Sandbox


@pytest.fixture
def sandbox(snapshot: Snapshot) -> Iterator[Sandbox]:
    with Sandbox([snapshot]) as running:
        yield running


def servers_url(sandbox: Sandbox) -> str:
    return f"{sandbox.url}/cw/compute/v2.1/servers/detail?all_tenants=1"


def test_status_for_the_next_k_matching_requests(
    sandbox: Sandbox, token_for: Callable[[Sandbox, str], str]
) -> None:
    token = token_for(sandbox, "cw")
    rule = sandbox.faults.fail(r"/servers/detail", 503, times=2, retry_after=7)
    statuses = []
    for _ in range(3):
        response = requests.get(servers_url(sandbox), headers={"X-Auth-Token": token}, timeout=10)
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.headers["Retry-After"] == "7"
            assert response.json()["computeFault"]["code"] == 503
    assert statuses == [503, 503, 200]
    assert sandbox.faults.applied(rule) == 2
    log = [(r.status, r.injected) for r in sandbox.requests if r.path.endswith("/detail")]
    assert log == [(503, True), (503, True), (200, False)]


def test_faults_come_before_authentication_and_can_skip(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault(r"/auth/tokens", status=429, skip=1, method="POST"))
    url = f"{sandbox.url}/cw/identity/v3/auth/tokens"
    assert requests.post(url, json={}, timeout=10).status_code == 400
    assert requests.post(url, json={}, timeout=10).status_code == 429
    assert requests.post(url, json={}, timeout=10).status_code == 400


def test_delay_answers_late(sandbox: Sandbox) -> None:
    sandbox.faults.delay(r"/identity/v3$", 0.3, times=1)
    started = time.monotonic()
    assert requests.get(f"{sandbox.url}/cw/identity/v3", timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    requests.get(f"{sandbox.url}/cw/identity/v3", timeout=10)
    assert time.monotonic() - started < 0.3


def test_drop_hangs_up_without_answering(sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault(r"/identity/v3$", drop=True))
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sandbox.url}/cw/identity/v3", timeout=10)
    assert requests.get(f"{sandbox.url}/cw/identity/v3", timeout=10).status_code == 200
    assert [r.status for r in sandbox.requests] == [None, 200]


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ValueError):
        Fault("x")
    with pytest.raises(ValueError):
        Fault("x", status=700)
    with pytest.raises(ValueError):
        Fault("x", status=500, drop=True)
    with pytest.raises(ValueError):
        Fault("x", status=500, times=0)


def inventory(sandbox: Sandbox, tmp_path: Path, attempts: int) -> Snapshot:
    clouds = tmp_path / "clouds.yaml"
    save_clouds_yaml(sandbox, str(clouds))
    conn = connect(CloudTarget("cw"), config=read_clouds_config(str(clouds)))
    policy = RetryPolicy(attempts=attempts, initial_wait=0.01, max_wait=0.02)
    return take_inventory(conn, CloudTarget("cw"), policy=policy)


def test_the_inventory_retries_through_transient_faults(
    sandbox: Sandbox, snapshot: Snapshot, tmp_path: Path
) -> None:
    sandbox.faults.fail(r"/servers/detail", 503, times=2, retry_after=0)
    sandbox.faults.fail(r"/volumes/detail", 429, times=1, retry_after=0)
    got = inventory(sandbox, tmp_path, attempts=3)
    # Every listing came through; the servers say the snapshot's down cell, nothing else.
    servers = got.collections["servers"]
    assert all(r.complete for name, r in got.collections.items() if name != "servers")
    assert servers.status is Status.INCOMPLETE
    assert (servers.error or "").startswith("compute: a cell is down (its compute hosts")
    assert servers.items == snapshot.collections["servers"].items
    assert [r.status for r in sandbox.requests if r.injected] in (
        [503, 503, 429],
        [503, 429, 503],
        [429, 503, 503],
    )


def test_a_listing_that_keeps_failing_is_an_error_not_empty(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.faults.fail(r"/volumes/detail", 500, times=None)
    got = inventory(sandbox, tmp_path, attempts=3)
    volumes = got.collections["volumes"]
    assert volumes.status is Status.ERROR
    assert "HTTP 500 after 3 attempts" in (volumes.error or "")
    # The servers are listed all the same (incomplete only for the served down cell).
    servers = got.collections["servers"]
    assert servers.status is Status.INCOMPLETE
    assert (servers.error or "").startswith("compute: a cell is down (its compute hosts")


def test_stopping_interrupts_delays(snapshot: Snapshot) -> None:
    sandbox = Sandbox([snapshot]).start()
    sandbox.faults.delay(r"/identity/v3$", 60)
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            requests.get(f"{sandbox.url}/cw/identity/v3", timeout=30)
        except requests.RequestException as exc:
            errors.append(exc)

    client = threading.Thread(target=slow)
    client.start()
    time.sleep(0.2)
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 5
    client.join(10)
    assert not client.is_alive()
