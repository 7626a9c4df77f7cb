"""Swift containers: the sandbox's Swift over real HTTP, the CLI's inventory of it (with and
without ``--objects``), the reseller admin's 403, and the comparison of two containers'
objects."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from auditor.app.cli import main
from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.catalog.object_rows import NAMED, ObjectsSummary, compare_objects, merge
from auditor.collect.swift import account_url
from auditor.demo import build_demo
from auditor.diff.outcome import evaluate
from auditor.errors import ListingError
from auditor.model import Severity, Snapshot
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox, SandboxOptions
from tests.builders import project, snapshot

JSON = dict[str, Any]

ACME = project("p-acme", "cw-acme")
GLOBEX = project("p-globex", "cw-globex")
BIG = 25_001
"""Objects of the paged container: three pages of Swift's 10,000."""


def _container(owner: JSON, name: str, **fields: Any) -> JSON:
    item: JSON = {
        "id": f"{owner['id']}/{name}",
        "name": name,
        "project": owner["name"],
        "project_id": owner["id"],
        "domain": owner["domain"],
        "object_count": 0,
        "bytes_used": 0,
        "storage_policy": "Policy-0",
        "read_acl": None,
        "write_acl": None,
        "versions_location": None,
        "history_location": None,
        "versions_enabled": None,
        "sync_to": None,
        "metadata": {},
        "objects": None,
    }
    item.update(fields)
    return item


CONTAINERS = [
    _container(
        ACME,
        "site",
        object_count=BIG,
        bytes_used=BIG * 1000 + 7,
        storage_policy="gold",
        read_acl=".r:*,.rlistings",
        write_acl="p-acme:*",
        versions_location="site-versions",
        versions_enabled=True,
        sync_to="https://swift.fr1.cloudwatt.com/v1/AUTH_p-acme/site",
        metadata={"web-index": "index.html", "temp-url-key": "***"},
    ),
    _container(ACME, "site-versions"),
    _container(GLOBEX, "données"),
]
SNAPSHOT = snapshot("cloudwatt", "fr1", {"projects": [ACME, GLOBEX], "containers": CONTAINERS})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    with Sandbox([SNAPSHOT]) as sandbox:
        clouds = tmp_path_factory.mktemp("swift") / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        yield sandbox, clouds


def _run(clouds: Path | None, *argv: str) -> tuple[int, str]:
    """``auditor [--os-client-config-file CLOUDS] -q --no-progress ARGV``: (exit, stdout)."""
    out = io.StringIO()
    config = ["--os-client-config-file", str(clouds)] if clouds else []
    code = main([*config, "-q", "--no-progress", *argv], stdout=out)
    return code, out.getvalue()


def _inventory(clouds: Path, *extra: str) -> tuple[int, JSON, str]:
    argv = ["inventory", "--cloud", "cloudwatt", "--collections", "projects,containers"]
    code, text = _run(clouds, *argv, *extra)
    return code, json.loads(text) if text else {}, text


def _token(sandbox: Sandbox) -> tuple[str, str]:
    """(a token of the admin, the object-store endpoint of its catalog)."""
    site = next(iter(sandbox.sites.values()))
    cred = site.credentials
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": cred.username,
                        "password": cred.password,
                        "domain": {"name": cred.domain_name},
                    }
                },
            },
            "scope": {"project": {"name": cred.project_name, "domain": {"name": cred.domain_name}}},
        }
    }
    answer = requests.post(f"{site.auth_url}/auth/tokens", json=body, timeout=10)
    catalog = answer.json()["token"]["catalog"]
    (swift,) = [e for e in catalog if e["type"] == "object-store"]
    url = next(e["url"] for e in swift["endpoints"] if e["interface"] == "public")
    return answer.headers["X-Subject-Token"], url


def test_the_inventory_reads_every_container_back_with_get_only(
    served: tuple[Sandbox, Path],
) -> None:
    sandbox, clouds = served
    before = len(sandbox.requests)
    code, doc, _ = _inventory(clouds)
    assert code == 0
    got = doc["collections"]["containers"]
    assert got["status"] == "ok"
    assert sorted(got["items"], key=lambda i: i["id"]) == sorted(CONTAINERS, key=lambda i: i["id"])
    swift = [r for r in sandbox.requests[before:] if "/object-store/" in r.path]
    assert {r.method for r in swift} == {"GET"}
    # One account listing per project, one GET with limit=0 per container: no object listed.
    accounts = [r for r in swift if r.path.count("/") == 4]
    assert sorted(r.path.rsplit("/", 1)[1] for r in accounts) == ["AUTH_p-acme", "AUTH_p-globex"]
    containers = [r for r in swift if r.path.count("/") == 5]
    assert len(containers) == 3
    assert all("limit=0" in r.query for r in containers)


def test_objects_are_paged_by_marker_and_digested(served: tuple[Sandbox, Path]) -> None:
    sandbox, clouds = served
    before = len(sandbox.requests)
    code, doc, text = _inventory(clouds, "--objects")
    assert code == 0
    items = {i["id"]: i for i in doc["collections"]["containers"]["items"]}
    site = items["p-acme/site"]["objects"]
    # Independently: the sandbox names them object-<index>, ETag the MD5 of the name, and
    # shares the bytes out (the first ones one byte more).
    expected = hashlib.sha256()
    share, rest = divmod(BIG * 1000 + 7, BIG)
    for index in range(BIG):
        name = f"object-{index:09d}"
        size = share + (1 if index < rest else 0)
        etag = hashlib.md5(name.encode()).hexdigest()
        expected.update(f"{name}\n{size}\n{etag}\n".encode())
    assert site == {
        "count": BIG,
        "bytes": BIG * 1000 + 7,
        "digest": "sha256:" + expected.hexdigest(),
        "rows": None,  # more than ROWS_KEPT: the digest only
    }
    assert items["p-globex/données"]["objects"]["rows"] == []
    assert "object-000000001" not in text  # the snapshot holds no object of a big container
    pages = [
        r
        for r in sandbox.requests[before:]
        if r.path.endswith("/AUTH_p-acme/site") and "format=json" in r.query
    ]
    assert len(pages) == 3
    assert "marker=object-000009999" in pages[1].query
    assert "marker=object-000019999" in pages[2].query


def test_swift_answers_as_its_api_reference_says(served: tuple[Sandbox, Path]) -> None:
    sandbox, _ = served
    token, url = _token(sandbox)
    auth = {"X-Auth-Token": token}
    base = url.rsplit("/", 1)[0]
    account = requests.get(f"{base}/AUTH_p-acme", params={"format": "json"}, headers=auth)
    assert account.status_code == 200
    assert [c["name"] for c in account.json()] == ["site", "site-versions"]
    assert set(account.json()[0]) == {"name", "count", "bytes", "last_modified"}
    assert account.headers["X-Account-Container-Count"] == "2"
    assert account.headers["X-Account-Object-Count"] == str(BIG)
    # The end of a listing, and limit=0: [] in JSON, 204 in plain text; the headers all the same.
    end = {"marker": "site-versions"}
    listed = requests.get(f"{base}/AUTH_p-acme", params={**end, "format": "json"}, headers=auth)
    assert (listed.status_code, listed.json()) == (200, [])
    plain_end = requests.get(f"{base}/AUTH_p-acme", params=end, headers=auth)
    assert (plain_end.status_code, plain_end.content) == (204, b"")
    assert plain_end.headers["X-Account-Container-Count"] == "2"
    none = requests.get(
        f"{base}/AUTH_p-acme/site", params={"limit": "0", "format": "json"}, headers=auth
    )
    assert (none.status_code, none.json()) == (200, [])
    head = requests.get(f"{base}/AUTH_p-acme/site", params={"limit": "0"}, headers=auth)
    assert (head.status_code, head.content) == (204, b"")
    assert head.headers["X-Container-Object-Count"] == str(BIG)
    assert head.headers["X-Container-Read"] == ".r:*,.rlistings"
    assert head.headers["X-Versions-Enabled"] == "True"
    assert head.headers["X-Container-Meta-Web-Index"] == "index.html"
    # Default page 10,000 (plain text without format), above the maximum 412.
    plain = requests.get(f"{base}/AUTH_p-acme/site", headers=auth)
    assert plain.headers["Content-Type"].startswith("text/plain")
    assert len(plain.text.splitlines()) == 10_000
    too_many = requests.get(f"{base}/AUTH_p-acme/site", params={"limit": "10001"}, headers=auth)
    assert too_many.status_code == 412
    # Errors in Swift's HTML; no token: 401; unknown container: 404.
    missing = requests.get(f"{base}/AUTH_p-acme/nope", headers=auth)
    assert (missing.status_code, missing.text) == (
        404,
        "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>",
    )
    anonymous = requests.get(f"{base}/AUTH_p-acme")
    assert anonymous.status_code == 401
    assert anonymous.text.startswith("<html><h1>Unauthorized</h1>")
    assert requests.put(f"{base}/AUTH_p-acme/new", headers=auth).status_code == 405


def test_without_the_reseller_admin_role_the_collection_fails_and_says_why(
    tmp_path: Path,
) -> None:
    options = SandboxOptions(swift_reseller_admin=False)
    with Sandbox([SNAPSHOT], options=options) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        token, url = _token(sandbox)
        forbidden = requests.get(
            url.rsplit("/", 1)[0] + "/AUTH_p-acme", headers={"X-Auth-Token": token}
        )
        code, doc, _ = _inventory(clouds)
    assert (forbidden.status_code, forbidden.text) == (
        403,
        "<html><h1>Forbidden</h1><p>Access was denied to this resource.</p></html>",
    )
    assert code == 3  # incomplete: the snapshot is still written, the collection failed
    got = doc["collections"]["containers"]
    assert got["status"] == "error"
    assert "HTTP 403" in got["error"] and "reseller admin role" in got["error"]
    report = evaluate(
        [SNAPSHOT], Snapshot.loads(json.dumps(doc), "target"), parse_rules("version: 1\n")
    )
    kinds = {f.kind.value for f in report.report.findings if f.collection == "containers"}
    assert kinds == {"incomplete"}


def test_the_account_url_swaps_the_project_whatever_the_prefix() -> None:
    assert (
        account_url("https://swift.example/v1/AUTH_admin1/", "admin1", "p 2")
        == "https://swift.example/v1/AUTH_p%202"
    )
    assert (
        account_url("https://swift.example/swift/v1/KEY_admin1", "admin1", "p2")
        == "https://swift.example/swift/v1/KEY_p2"
    )
    with pytest.raises(ListingError, match="names no account of the token's project"):
        account_url("https://swift.example/v1", "admin1", "p2")


def _row(name: str, size: int = 10, etag: str = "e", large: bool = False, **kw: Any) -> JSON:
    return {"name": name, "bytes": size, "etag": etag, "content_type": "t", "large": large, **kw}


def _summary(rows: list[JSON], kept: int = 1000) -> JSON:
    summary = ObjectsSummary(kept)
    for row in rows:
        summary.add(row)
    return summary.value()


class _Sink:
    def __init__(self) -> None:
        self.got: list[tuple[str, Severity]] = []

    def add(
        self,
        field: str,
        source: Any,
        target: Any,
        default: Severity,
        message: str,
        *,
        texts: tuple[str | None, str | None] = (None, None),
    ) -> None:
        assert field == "objects"
        self.got.append((message, default))


def _compare(source: list[JSON], target: list[JSON], kept: int = 1000) -> list[tuple[str, str]]:
    sink = _Sink()
    compare_objects(
        {"objects": _summary(source, kept)},
        {"objects": _summary(target, kept)},
        sink,  # type: ignore[arg-type]
    )
    return [(message, severity.value) for message, severity in sink.got]


def test_objects_compared_by_name_size_and_etag() -> None:
    source = [_row("a"), _row("b"), _row("c", etag="1"), _row("d", 5), _row("e", large=True)]
    target = [_row("b"), _row("c", etag="2"), _row("d", 6), _row("e", etag="x"), _row("f")]
    assert _compare(source, target) == [
        ("lost object 'a'", "error"),
        ("object 'c' changed content (another ETag)", "error"),
        ("object 'd' changed size from 5 to 6 bytes", "error"),
        ("new object 'f'", "warning"),
    ]  # e: a static large object on one side: its size only
    assert _compare(source, source) == []
    # More than ROWS_KEPT on a side: the digests alone, one error.
    ((message, severity),) = _compare(source, target, kept=2)
    assert severity == "error" and "the objects differ from the source's" in message
    assert _compare(source, source, kept=2) == []


def test_differences_past_the_named_ones_are_counted() -> None:
    source = [_row(f"o{i:03d}") for i in range(NAMED + 5)]
    got = _compare(source, [])
    assert len(got) == NAMED + 1
    assert got[-1] == ("and 5 more objects (lost)", "error")


def test_merge_reads_each_listing_once_in_name_order() -> None:
    def names(*values: str) -> Iterator[JSON]:
        yield from ({"name": v} for v in values)

    pairs = [
        (s and s["name"], t and t["name"]) for s, t in merge(names("a", "c", "d"), names("b", "c"))
    ]
    assert pairs == [("a", None), (None, "b"), ("c", "c"), ("d", None)]


def test_the_demo_seeds_a_lost_object_and_a_changed_etag() -> None:
    demo = build_demo()
    report = evaluate([demo.source], demo.target, parse_rules(demo.rules)).report
    (finding,) = [f for f in report.findings if f.collection == "containers"]
    assert finding.severity.value == "error"
    assert [(c.field, c.severity.value) for c in finding.changes] == [
        ("bytes_used", "error"),
        ("object_count", "error"),
        ("objects", "error"),
        ("objects", "error"),
    ]
    assert "lost object '2026-11-19.tar.gz'" in finding.changes[2].message
    assert "object '2026-11-20.tar.gz' changed content" in finding.changes[3].message


def _made_up(count: int) -> list[JSON]:
    """The objects the sandbox makes up for a container of ``count`` objects of 1000 bytes."""
    return [
        {
            "name": f"object-{i:09d}",
            "bytes": 1000,
            "etag": hashlib.md5(f"object-{i:09d}".encode()).hexdigest(),
            "content_type": "application/octet-stream",
            "last_modified": "2026-11-20T09:00:00.000000",
            "large": False,
        }
        for i in range(count)
    ]


def test_audit_names_the_differing_objects_of_big_containers(tmp_path: Path) -> None:
    """Containers of more than ROWS_KEPT objects keep a digest only; when the digests of a
    matched pair differ, the audit lists both again, merged, and names what differs."""
    count = 1500
    source_project = project("p-src", "acme")
    target_project = project("p-dst", "acme")
    changed = _made_up(count)
    changed[700]["etag"] = "0" * 32
    target_rows = {"count": count, "bytes": count * 1000, "digest": "sha256:x", "rows": changed}
    source = snapshot(
        "cloudwatt",
        "fr1",
        {
            "projects": [source_project],
            "containers": [
                _container(source_project, "lost", object_count=count, bytes_used=count * 1000),
                _container(source_project, "etag", object_count=count, bytes_used=count * 1000),
            ],
        },
    )
    target = snapshot(
        "ocb",
        "fr1",
        {
            "projects": [target_project],
            "containers": [
                _container(target_project, "lost", object_count=count - 1, bytes_used=1499_000),
                _container(
                    target_project,
                    "etag",
                    object_count=count,
                    bytes_used=count * 1000,
                    objects=target_rows,  # served as listed: one ETag changed
                ),
            ],
        },
    )
    with Sandbox([source, target]) as sandbox:
        clouds = tmp_path / "clouds.yaml"
        save_clouds_yaml(sandbox, str(clouds))
        code, text = _run(
            clouds,
            "audit",
            "--source",
            "cloudwatt",
            "--target",
            "ocb",
            "--collections",
            "projects,containers",
            "--objects",
            "--format",
            "json",
            "--save-inventories",
            str(tmp_path / "saved"),
        )
        assert {r.method for r in sandbox.requests if "/object-store/" in r.path} == {"GET"}
    assert code == 1
    report = json.loads(text)
    changes = {
        f["target"]["name"]: [(c["field"], c["severity"], c["message"]) for c in f["changes"]]
        for f in report["findings"]
        if f["collection"] == "containers"
    }
    assert ("objects", "error", "lost object 'object-000001499'") in changes["lost"]
    assert changes["etag"] == [
        ("objects", "error", "object 'object-000000700' changed content (another ETag)")
    ]
    (etag,) = [
        c
        for f in report["findings"]
        if f["target"]["name"] == "etag"
        for c in f["changes"]
        if c["field"] == "objects"
    ]
    assert (etag["source"]["etag"], etag["target"]["etag"]) == (
        _made_up(701)[700]["etag"],
        "0" * 32,
    )
    # The saved snapshots keep the digest and the differing objects only.
    saved = json.loads((tmp_path / "saved" / "source.json").read_text())
    kept = {i["name"]: i["objects"] for i in saved["collections"]["containers"]["items"]}
    assert kept["lost"]["rows_of"] == "differing"
    assert [r["name"] for r in kept["lost"]["rows"]] == ["object-000001499"]
    assert [r["name"] for r in kept["etag"]["rows"]] == ["object-000000700"]
    assert kept["etag"]["count"] == count
    # diff of the saved snapshots says the same.
    saved_dir = tmp_path / "saved"
    code, text = _run(
        None, "diff", str(saved_dir / "source.json"), str(saved_dir / "target.json"), "-f", "json"
    )
    assert code == 1
    again = json.loads(text)
    assert [f["id"] for f in again["findings"]] == [f["id"] for f in report["findings"]]


def test_objects_without_the_containers_collection_is_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, text = _run(None, "inventory", "--cloud", "cw", "--objects")
    err = capsys.readouterr().err
    assert (code, text) == (2, "")
    assert err.splitlines() == [
        "auditor: error: --objects: lists the objects of the containers collection, which"
        " --collections leaves out (add containers)"
    ]
