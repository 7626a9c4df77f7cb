"""Faults over real HTTP: each is survived (nothing lost, nothing duplicated, exit 0)
or reported exactly as the SPEC says (incomplete, exit 3, never "all missing").

Every test audits the sandbox's two clouds through ``auditor audit`` (the CLI,
openstacksdk, keystoneauth, the pager) with faults injected at the HTTP
server; the saved inventories are compared item by item with what was served,
and each test checks that its fault really hit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from auditor.app.files import read_clouds_config
from auditor.audit import AuditOptions, Clouds, run_audit
from auditor.collect.pager import RetryPolicy
from auditor.connect import CloudTarget
from auditor.model import CollectionResult, Status
from auditor.rules import Rules
from auditor.sandbox import Fault, Sandbox, SandboxOptions
from tests.reliability.world import (
    JSON,
    PAGE,
    SOURCE,
    TARGET,
    assert_nothing_lost_or_duplicated,
    audit,
    audit_argv,
    auditor,
    renamed,
    result_of,
    serving,
    source_snapshot,
    write_clouds_yaml,
)

SERVERS_PAGE_2 = rf"^/{TARGET}/compute/v2\.1/servers/detail\?.*marker="
VOLUMES_PAGE_1 = rf"^/{TARGET}/volume/v3/[0-9a-f]+/volumes/detail\?(?!.*marker=)"
VOLUMES_PAGE_2 = rf"^/{TARGET}/volume/v3/[0-9a-f]+/volumes/detail\?.*marker="
PROJECTS_PAGE_1 = rf"^/{TARGET}/identity/v3/projects\?(?!.*marker=)"
TOKENS = rf"^/{TARGET}/identity/v3/auth/tokens$"

Inject = Callable[[Sandbox], list[Fault]]

TRANSIENT: dict[str, tuple[Inject, tuple[str, ...]]] = {
    "500 twice on a servers page mid-walk": (
        lambda sb: [sb.faults.fail(SERVERS_PAGE_2, 500, times=2)],
        (),
    ),
    "502 twice on the first volumes page": (
        lambda sb: [sb.faults.fail(VOLUMES_PAGE_1, 502, times=2)],
        (),
    ),
    "503 four times on a Keystone page (the last of 4 retries succeeds)": (
        lambda sb: [sb.faults.fail(PROJECTS_PAGE_1, 503, times=4)],
        (),
    ),
    "503 on the token request": (
        lambda sb: [sb.faults.add(Fault(TOKENS, status=503, times=2, method="POST"))],
        (),
    ),
    "connection dropped twice mid-listing": (
        lambda sb: [sb.faults.add(Fault(SERVERS_PAGE_2, drop=True, times=2))],
        (),
    ),
    "connection dropped on the token request": (
        lambda sb: [sb.faults.add(Fault(TOKENS, drop=True, method="POST"))],
        (),
    ),
    "a page slower than --timeout": (
        lambda sb: [sb.faults.add(Fault(VOLUMES_PAGE_2, delay=10.0, times=1))],
        ("--timeout", "1"),
    ),
    "a token request slower than --timeout": (
        lambda sb: [sb.faults.add(Fault(TOKENS, delay=10.0, times=1, method="POST"))],
        ("--timeout", "1"),
    ),
    "every service slow, every request within the timeout": (
        lambda sb: [sb.faults.add(Fault(rf"^/{TARGET}/", delay=0.02, times=None))],
        ("--timeout", "2"),
    ),
}


@pytest.mark.parametrize("name", list(TRANSIENT))
def test_transient_faults_are_survived(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inject, options = TRANSIENT[name]
    source = source_snapshot()
    target = renamed(source, TARGET)
    with serving(tmp_path, source, target) as sandbox:
        faults = inject(sandbox)
        got = audit(tmp_path, capsys, *options)
        applied = [sandbox.faults.applied(f) for f in faults]

    assert applied == [f.times or applied[0] for f in faults]
    assert applied[0] > 0
    assert got.run.code == 0, got.run.stderr
    assert got.report["verdict"] == "verified"
    assert got.report["findings"] == []
    assert_nothing_lost_or_duplicated(got.source, source)
    assert_nothing_lost_or_duplicated(got.target, target)


def test_429_waits_as_long_as_retry_after_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sleeps: list[float]
) -> None:
    source = source_snapshot()
    target = renamed(source, TARGET)
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90), usegmt=True)
    with serving(tmp_path, source, target) as sandbox:
        seconds = sandbox.faults.fail(SERVERS_PAGE_2, 429, times=2, retry_after=7)
        date = sandbox.faults.fail(VOLUMES_PAGE_2, 429, times=1, retry_after=later)
        got = audit(tmp_path, capsys)
        assert (sandbox.faults.applied(seconds), sandbox.faults.applied(date)) == (2, 1)

    assert got.run.code == 0, got.run.stderr
    assert_nothing_lost_or_duplicated(got.target, target)
    # Retry-After in seconds is obeyed exactly; an HTTP date is turned into seconds.
    assert len(sleeps) == 3
    assert sorted(sleeps)[:2] == [7.0, 7.0]
    assert 60 < max(sleeps) <= 90


def test_token_expiring_mid_listing_is_renewed(tmp_path: Path) -> None:
    source = source_snapshot()
    target = renamed(source, TARGET)

    class ExpireOnce:
        """Revokes every token right after the first page of servers."""

        def __init__(self, sandbox: Sandbox) -> None:
            self.sandbox = sandbox
            self.done = False

        def on_page(self, listing: str, items: int) -> None:
            if listing.endswith("compute servers") and not self.done:
                self.done = True
                self.sandbox.expire_tokens()

        def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None:
            return None

    with serving(tmp_path, source, target) as sandbox:
        result = run_audit(
            Clouds(
                (CloudTarget(SOURCE),),
                CloudTarget(TARGET),
                read_clouds_config(str(tmp_path / "clouds.yaml")),
            ),
            Rules(),
            AuditOptions(retry=RetryPolicy(attempts=1)),
            observer=ExpireOnce(sandbox),
        )
        log = sandbox.requests

    assert result.report.exit_code == 0
    assert result.report.verdict.value == "verified"
    assert_nothing_lost_or_duplicated(result.source.to_json(), source)
    assert_nothing_lost_or_duplicated(result.target.to_json(), target)
    rejected = [r for r in log if r.status == 401]
    assert rejected, "no request met the expired token"
    assert all(r.method == "GET" for r in rejected)
    # Each cloud authenticated once, then again for the expired token (no retry
    # policy here: attempts=1, so keystoneauth's re-authentication did it).
    tokens = [r for r in log if r.method == "POST"]
    assert len(tokens) >= 3
    assert all(r.status == 201 for r in tokens)


@pytest.mark.parametrize(
    ("listing", "status"),
    [("volumes", 404), ("servers", 400)],
    ids=["cinder marker deleted (404)", "nova marker archived (400)"],
)
def test_a_vanished_marker_restarts_the_walk_without_duplicates(
    listing: str, status: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_snapshot()
    target = renamed(source, TARGET)
    assert len(target.collections[listing].items) > 3 * PAGE
    marked = VOLUMES_PAGE_2 if listing == "volumes" else SERVERS_PAGE_2
    # Pages 1 and 2 come; the marker of page 3 has vanished: the walk restarts
    # from page 1 and must drop the items of pages 1 and 2 it sees again.
    with serving(tmp_path, source, target) as sandbox:
        gone = sandbox.faults.add(Fault(marked, status=status, skip=1))
        got = audit(tmp_path, capsys, "--retries", "0")
        applied = sandbox.faults.applied(gone)
        # The listing's walk (the changes asked after it are another request).
        asked = ("changes-since=", "updated_at=")
        walk = [
            r
            for r in sandbox.requests
            if r.path.endswith(f"/{listing}/detail") and not any(a in r.query for a in asked)
        ]

    assert applied == 1
    assert got.run.code == 0, got.run.stderr
    assert_nothing_lost_or_duplicated(got.target, target)
    first_pages = [r for r in walk if r.path.startswith(f"/{TARGET}/") and "marker=" not in r.query]
    assert len(first_pages) == 2, "the walk did not restart from the first page"


def test_keystone_list_limit_is_incomplete_never_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_snapshot()
    target = renamed(source, TARGET)
    cut = SandboxOptions(keystone_paging=False, keystone_list_limit=4)
    with (
        Sandbox([source]) as source_cloud,
        Sandbox([target], options=cut) as target_cloud,
    ):
        clouds = write_clouds_yaml(tmp_path / "clouds.yaml", source_cloud, target_cloud)
        got = audit(tmp_path, capsys, clouds=clouds)
        inventory = auditor(
            ["--os-client-config-file", str(clouds), "inventory", "--cloud", TARGET], capsys
        )

    assert got.run.code == 3, got.run.stderr
    assert got.report["verdict"] == "incomplete"
    projects = result_of(got.target, "projects")
    assert projects.status is Status.INCOMPLETE
    assert len(projects.items) == 4
    assert "truncated" in (projects.error or "")
    assert got.findings("missing") == []
    incomplete = got.findings("incomplete", "projects")
    assert [f["side"] for f in incomplete] == ["target"]
    assert "truncated" in incomplete[0]["message"]
    assert got.report["summary"]["projects"]["complete"] is False
    # The inventory alone says so too, by its exit code.
    assert inventory.code == 3


def down_cell(server: JSON) -> JSON:
    """A server as Nova lists it from a cell that is down (compute 2.69+)."""
    return {
        **dict.fromkeys(server),
        "id": server["id"],
        "project": server["project"],
        "project_id": server["project_id"],
        "domain": server["domain"],
        "status": "UNKNOWN",
        "metadata": {},
        "addresses": {},
        "volumes": [],
        "security_groups": [],
        "partial": True,
    }


@pytest.mark.parametrize("page", [PAGE, 1000], ids=["page full", "room for partial records"])
@pytest.mark.parametrize("side", ["target", "source"])
def test_a_down_cell_is_incomplete_never_missing(
    side: str, page: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = source_snapshot()
    servers = list(full.collections["servers"].items)
    down = {s["id"] for s in servers[:4]}
    # Servers with volumes attached too: their attachments must not turn into "lost".
    assert any(s["volumes"] for s in servers[:4])
    cut = [down_cell(s) if s["id"] in down else s for s in servers]
    if side == "target":
        source, target = full, renamed(full, TARGET, servers=cut)
    else:
        source, target = renamed(full, SOURCE, servers=cut), renamed(full, TARGET)
    with serving(tmp_path, source, target, options=SandboxOptions(max_limit=page)):
        got = audit(tmp_path, capsys)

    # Nova says a cell is down (os-services): the servers of that side are incomplete,
    # so none of the down cell's servers is reported missing (or unexpected).
    assert got.run.code == 3, got.run.stderr
    assert got.report["verdict"] == "incomplete"
    (finding,) = got.report["findings"]
    assert (finding["kind"], finding["collection"], finding["side"]) == (
        "incomplete",
        "servers",
        side,
    )
    assert "a cell is down (its compute hosts cell2-compute-" in finding["message"]
    summary = got.report["summary"]["servers"]
    inventory = got.target if side == "target" else got.source
    listed = {s["id"]: s for s in inventory["collections"]["servers"]["items"]}
    if page == PAGE:
        # The first page is full: no room for partial records; the cell is named anyway.
        assert set(listed) == {s["id"] for s in servers} - down
        assert (summary["matched"], summary["partial"]) == (len(servers) - 4, 0)
    else:
        # Partial records where they fit: matched, never compared (never "changed").
        assert all(listed[i]["status"] == "UNKNOWN" and listed[i]["partial"] for i in down)
        assert (summary["matched"], summary["partial"]) == (len(servers), 4)
        assert "4 came back as partial records" in finding["message"]


@pytest.mark.parametrize(
    ("side", "down"),
    [
        ("target", "volumes/detail"),
        ("target", "volume/"),
        ("source", "volumes/detail"),
    ],
    ids=["target volume listing", "target block storage entirely", "source volume listing"],
)
def test_a_service_down_for_good_is_incomplete_and_the_rest_is_audited(
    side: str, down: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = source_snapshot()
    servers = [dict(s) for s in source.collections["servers"].items]
    # A warning-level difference in servers: proof that servers were still compared.
    servers[0] = {**servers[0], "availability_zone": "az-9"}
    target = renamed(source, TARGET, servers=servers)
    cloud = TARGET if side == "target" else SOURCE
    with serving(tmp_path, source, target) as sandbox:
        outage = sandbox.faults.fail(rf"^/{cloud}/.*{down}", 503, times=None)
        got = audit(tmp_path, capsys)
        text = auditor(
            [
                *audit_argv(tmp_path / "clouds.yaml"),
                "--format",
                "text",
                "--fail-on",
                "warning",
            ],
            capsys,
        )
        assert sandbox.faults.applied(outage) >= 5

    assert got.run.code == 3, got.run.stderr
    assert got.report["verdict"] == "incomplete"
    assert got.report["exit_code"] == 3
    volumes = result_of(got.target if side == "target" else got.source, "volumes")
    assert volumes.status is Status.ERROR
    assert volumes.items == ()
    assert "block-storage" in (volumes.error or "")
    if down == "volumes/detail":
        assert "HTTP 503 after 5 attempts" in (volumes.error or "")
    # Zero missing (or unexpected) volumes: a failed listing is not "all gone".
    assert got.findings("missing") == []
    assert got.findings("unexpected") == []
    [incomplete] = got.findings("incomplete")
    assert (incomplete["collection"], incomplete["side"]) == ("volumes", side)
    assert volumes.error is not None and volumes.error in incomplete["message"]
    summary = got.report["summary"]
    assert summary["volumes"]["complete"] is False
    assert summary["volumes"]["missing"] == summary["volumes"]["unexpected"] == 0
    # Every other collection was still listed, matched and compared.
    for name in ("projects", "servers", "endpoints"):
        assert summary[name]["complete"] is True
        assert summary[name]["matched"] == len(source.collections[name].items)
    [changed] = got.findings("changed")
    assert (changed["collection"], changed["severity"]) == ("servers", "warning")
    # ...with nothing lost on the side that had the outage.
    assert_nothing_lost_or_duplicated(
        got.target if side == "target" else got.source,
        target if side == "target" else source,
        names=("projects", "servers", "endpoints"),
    )
    # A discrepancy at --fail-on outranks incompleteness; the text report says what
    # could not be listed, on which side and why.
    assert text.code == 1
    assert "DISCREPANCIES" in text.stdout
    assert f"volumes could not be listed completely in the {side}" in text.stdout
    assert "503" in text.stdout or "microversion" in text.stdout
