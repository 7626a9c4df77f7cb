"""Point 4 of the security round: malformed answers make a collection incomplete,
with one line and no traceback; never a false "missing" nor a false "verified".

The sandbox answers one listing (or the token request, or a version
document) with the body each case names; the rest of the cloud answers as
usual, so any finding comes from the malformed answer.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from auditor.sandbox import Sandbox
from tests import payloads
from tests.reliability.world import (
    Audit,
    audit,
    inventory,
    source_snapshot,
)

SERVERS = r"^/cw/compute/v2\.1/servers/detail"
FLAVOR = {"id": "f-1", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20}


def _server(**changes: object) -> dict[str, object]:
    item = payloads.server("0d5a6b55-0000-4000-8000-00000000beef", "evil", "p-1", flavor_=FLAVOR)
    item.update(changes)
    return {k: v for k, v in item.items() if v is not _DROP}


_DROP = object()


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


BODIES: dict[str, tuple[bytes, str]] = {
    "invalid JSON": (b'{"servers": [{"id": "a", }]}', "application/json"),
    "truncated JSON": (_json({"servers": [_server()]})[:100], "application/json"),
    "an HTML page with 200": (
        b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>",
        "text/html",
    ),
    "an empty body": (b"", "application/json"),
    "a list at the top level": (b"[]", "application/json"),
    "a null list": (_json({"servers": None}), "application/json"),
    "a list of the wrong type": (_json({"servers": "all of them"}), "application/json"),
    "items that are not objects": (_json({"servers": ["s-1", 42, None]}), "application/json"),
    "an item without id": (_json({"servers": [_server(id=_DROP)]}), "application/json"),
    "an id of the wrong type": (_json({"servers": [_server(id={"$ne": 1})]}), "application/json"),
    "a flavor of the wrong type": (_json({"servers": [_server(flavor="m1")]}), "application/json"),
    "addresses of the wrong type": (
        _json({"servers": [_server(addresses=["10.0.0.1"])]}),
        "application/json",
    ),
    "metadata of the wrong type": (
        _json({"servers": [_server(metadata=["a", "b"])]}),
        "application/json",
    ),
}


def _assert_only_incomplete(result: Audit, collection: str) -> str:
    """The collection failed on the source side, alone, in one line; nothing else claimed."""
    assert result.run.code == 3, result.report["findings"]
    assert "Traceback" not in result.run.stderr
    failed = result.source["collections"][collection]
    assert failed["status"] == "error"
    assert failed["items"] == []
    error = str(failed["error"])
    assert "\n" not in error
    kinds = {(f["kind"], f["collection"]) for f in result.report["findings"]}
    assert kinds == {("incomplete", collection)}
    assert result.report["verdict"] == "incomplete"
    lines = [line for line in result.run.error_lines if collection in line]
    assert len(lines) == 1, result.run.stderr
    return error


@pytest.mark.parametrize("case", list(BODIES))
def test_a_malformed_listing_is_incomplete_never_missing(
    case: str, sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, content_type = BODIES[case]
    sandbox.faults.answer(SERVERS, body, content_type=content_type, times=None)

    result = audit(tmp_path, capsys)

    error = _assert_only_incomplete(result, "servers")
    assert error.startswith("compute servers")


def test_a_huge_body_is_not_read_past_the_bound(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 48 MiB of a never-ending list against a bound of 1 MiB (the real bound is
    # 64 MiB; the same code path, a test-sized figure).
    monkeypatch.setattr("auditor.hostguard.MAX_RESPONSE_BYTES", 1 << 20, raising=False)
    chunk = b'{"id": "x"},' * ((1 << 20) // 12)
    sandbox.faults.answer(SERVERS, b'{"servers": [' + chunk, times=None, repeat=48)

    tracemalloc.start()
    try:
        result = audit(tmp_path, capsys)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    error = _assert_only_incomplete(result, "servers")
    assert "over 1 MiB" in error
    assert peak < 24 << 20, f"peak {peak / (1 << 20):.0f} MiB while refusing a 48 MiB body"


def test_a_slow_server_past_the_timeout_is_incomplete(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.faults.delay(SERVERS, 1.0)

    result = audit(tmp_path, capsys, "--timeout", "0.2", "--retries", "1")

    assert "timed out" in _assert_only_incomplete(result, "servers")


def test_a_401_after_the_token_was_issued_is_incomplete(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.faults.fail(SERVERS, 401, times=None)

    result = audit(tmp_path, capsys)

    assert "401" in _assert_only_incomplete(result, "servers")


def test_a_403_for_one_projects_quota_makes_quotas_incomplete(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = source_snapshot().collections["projects"].items[3]["id"]
    sandbox.faults.fail(rf"^/cw/compute/v2\.1/os-quota-sets/{project}", 403, times=None)

    result = audit(tmp_path, capsys, "--collections", "projects,quotas")

    assert "403" in _assert_only_incomplete(result, "quotas")


def test_a_404_from_a_catalogued_service_is_incomplete(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.faults.fail(r"^/cw/volume/v3/[^/]+/volumes/detail", 404, times=None)

    result = audit(tmp_path, capsys)

    assert "404" in _assert_only_incomplete(result, "volumes")


def test_a_garbage_version_document_is_incomplete(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.faults.answer(
        r"^/cw/compute/v2\.1/?$", b"<html>It works!</html>", content_type="text/html", times=None
    )

    result = audit(tmp_path, capsys, "--collections", "projects,servers")

    _assert_only_incomplete(result, "servers")


@pytest.mark.parametrize(
    "body",
    [b"<html>Sign in</html>", b"", b'{"token": "not an object"}', b'{"token": {"catalog": 5}}'],
)
def test_a_garbage_token_answer_is_one_line_and_no_inventory(
    body: bytes, sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.faults.answer(r"^/cw/identity/v3/auth/tokens", body, status=201, times=None)
    out = tmp_path / "inventory.json"

    run = inventory(tmp_path, capsys, output=str(out))

    assert "Traceback" not in run.stderr
    assert run.code in (2, 3)
    if run.code == 2:
        assert len(run.error_lines) == 1, run.stderr
        assert not out.exists()
    else:
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert {c["status"] for c in doc["collections"].values()} == {"error"}


def test_a_401_on_the_identity_version_document_ends_in_one_line(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # keystoneauth answers this 401 by asking for a token from inside the token
    # request, and waits on its own lock for ever: the host guard ends it.
    sandbox.faults.fail(r"^/cw/identity/v3/?$", 401, times=None)

    run = inventory(tmp_path, capsys)

    assert run.code == 2
    assert "answered 401 to the identity version document" in run.error_lines[-1]
    assert "Traceback" not in run.stderr
