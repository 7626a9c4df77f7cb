"""The read-only guard on the transport the SDK uses: a refused request never leaves
the process, which the sandbox's request log proves (it records every request it
receives, before any routing or authentication)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.app.files import read_clouds_config
from auditor.connect import CloudTarget, ReadOnlyAdapter, ReadOnlyViolation, connect
from auditor.sandbox import Sandbox
from tests.reliability.world import SOURCE, TARGET, audit, renamed, serving, source_snapshot

# openstacksdk warns about its own internals when a resource method is called.
pytestmark = pytest.mark.filterwarnings("ignore:The _compute_attributes method is deprecated")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    source = source_snapshot()
    with serving(tmp_path, source, renamed(source, TARGET)) as running:
        yield running


@pytest.fixture
def conn(sandbox: Sandbox, tmp_path: Path) -> Any:
    """A connection as the CLI makes it, authenticated, with the log cleared."""
    connection = connect(
        CloudTarget(SOURCE), config=read_clouds_config(str(tmp_path / "clouds.yaml"))
    )
    connection.session.get_token()
    sandbox.clear_requests()
    return connection


WRITES: dict[str, Callable[[Any], Any]] = {
    "DELETE a server through the compute proxy": lambda c: c.compute.delete("/servers/s-1"),
    "POST a server through the compute proxy": lambda c: c.compute.post(
        "/servers", json={"server": {"name": "x"}}
    ),
    "PUT volume metadata through the block-storage proxy": lambda c: c.block_storage.put(
        "/volumes/v-1/metadata", json={"metadata": {}}
    ),
    "PATCH a project through the identity proxy": lambda c: c.identity.patch(
        "/projects/p-1", json={"project": {"enabled": False}}
    ),
    "DELETE the token (revocation) on Keystone": lambda c: c.identity.delete(
        "/auth/tokens", headers={"X-Subject-Token": "x"}
    ),
    "POST to an action endpoint through the session": lambda c: c.session.post(
        c.compute.get_endpoint() + "/servers/s-1/action", json={"os-stop": None}
    ),
    "OPTIONS through the session": lambda c: c.session.request(
        c.compute.get_endpoint() + "/servers", "OPTIONS"
    ),
    "an SDK resource call (delete_server)": lambda c: c.compute.delete_server(
        "0d5a6b55-0000-4000-8000-000000000001"
    ),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_is_refused_before_it_leaves_the_process(
    name: str, conn: Any, sandbox: Sandbox
) -> None:
    with pytest.raises(ReadOnlyViolation, match="read-only"):
        WRITES[name](conn)

    # (The SDK may read first, e.g. version discovery; nothing else got out.)
    sent = [(r.method, r.path) for r in sandbox.requests if r.method not in ("GET", "HEAD")]
    assert sent == [], "the refused request reached the server"


def test_without_the_guard_the_same_request_would_reach_the_server(
    conn: Any, sandbox: Sandbox
) -> None:
    # The control experiment: the sandbox's log does see a write when nothing stops it.
    session = conn.session.session
    for prefix, adapter in list(session.adapters.items()):
        session.mount(prefix, adapter.inner)
    conn.compute.delete("/servers/s-1")

    assert [r.method for r in sandbox.requests] == ["DELETE"]


def test_reads_and_the_token_request_pass(conn: Any, sandbox: Sandbox) -> None:
    assert conn.compute.get("/servers/detail", params={"limit": 1}).status_code == 200
    assert conn.block_storage.head("/volumes").status_code in (200, 404, 405)
    conn.session.invalidate()
    conn.session.get_token()

    seen = [(r.method, r.path.rsplit("/", 2)[-2:]) for r in sandbox.requests]
    assert ("GET", ["servers", "detail"]) in seen
    assert ("POST", ["auth", "tokens"]) in seen
    assert {m for m, _ in seen} <= {"GET", "HEAD", "POST"}


def test_the_guard_wraps_every_transport_of_the_sdk_session(conn: Any) -> None:
    adapters = conn.session.session.adapters
    assert adapters, "no transport mounted"
    assert all(isinstance(a, ReadOnlyAdapter) for a in adapters.values())
    # Every proxy shares that one keystoneauth session.
    for proxy in (conn.compute, conn.block_storage, conn.identity, conn.image):
        assert proxy.session.session is conn.session.session


def test_a_whole_audit_sends_nothing_but_reads_and_token_requests(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.clear_requests()
    got = audit(tmp_path, capsys)
    log = sandbox.requests

    assert got.run.code == 0
    assert len(log) > 20
    writes = sorted((r.method, r.path) for r in log if r.method not in ("GET", "HEAD"))
    assert writes == [
        ("POST", f"/{SOURCE}/identity/v3/auth/tokens"),
        ("POST", f"/{TARGET}/identity/v3/auth/tokens"),
    ]
