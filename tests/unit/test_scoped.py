"""Project-scoped credentials: inventories project by project, diffs restricted to them.

Over real HTTP against the sandbox: alice is a project member (no admin role)
of cw-acme and cw-globex in the Cloudwatt source, and of ocb-acme and
ocb-globex in the OCB target. Both clouds also hold a project she cannot see
(cw-beta, ocb-beta) and OCB one more (ocb-other).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.app.commands.sandbox import save_clouds_yaml
from auditor.app.files import read_clouds_config
from auditor.connect import CloudTarget, ReadOnlyAdapter, connect, connect_project
from auditor.diff.outcome import compare
from auditor.diff.scope import restrict
from auditor.model import SCOPE_PROJECT, Kind, Report, Snapshot, Status
from auditor.render import Format, render
from auditor.rules import parse_rules
from auditor.sandbox import Sandbox, SandboxOptions
from auditor.sandbox.options import ProjectMember
from auditor.schemas import load_schema
from tests.builders import endpoint, failed, project, server, volume
from tests.harness import run_auditor as run
from tests.worlds import cloudwatt_fr1, ocb_fr1

RULES = r"""version: 1
rename:
  regions: {fr1: ocb-fr1}
  domains: {cloudwatt: ocb}
  names:
    - {collections: [projects, servers, volumes], pattern: '^cw-(.*)$', replace: 'ocb-\1'}
"""


def source() -> Snapshot:
    acme, globex = project("p-acme", "cw-acme"), project("p-globex", "cw-globex")
    beta = project("p-beta", "cw-beta")
    return cloudwatt_fr1(
        projects=[acme, globex, beta],
        servers=[
            server("s-web", "cw-web", acme),
            server("s-db", "cw-db", globex),
            server("s-app", "cw-app", beta),
        ],
        volumes=[
            volume("v-data", "cw-data", acme, size=100),
            volume("v-logs", "cw-logs", beta),
        ],
        endpoints=[endpoint("e-1", "compute", "public", "fr1", "https://c.fr1.example")],
    )


def target(*, shrink: bool = True, lose_beta: bool = True) -> Snapshot:
    acme = project("P-ACME", "ocb-acme", domain="ocb")
    globex = project("P-GLOBEX", "ocb-globex", domain="ocb")
    beta = project("P-BETA", "ocb-beta", domain="ocb")
    other = project("P-OTHER", "ocb-other", domain="ocb")
    servers = [
        server("S-WEB", "ocb-web", acme),
        server("S-DB", "ocb-db", globex),
        server("S-OTHER", "ocb-x", other),
    ]
    if not lose_beta:
        servers.append(server("S-APP", "ocb-app", beta))
    return ocb_fr1(
        projects=[acme, globex, beta, other],
        servers=servers,
        volumes=[volume("V-DATA", "ocb-data", acme, size=50 if shrink else 100)],
        endpoints=[
            endpoint("E-1", "compute", "public", "ocb-fr1", "https://c.fr1.example"),
            endpoint("E-2", "compute", "public", "ocb-fr1", "https://c2.fr1.example"),
        ],
    )


OPTIONS = SandboxOptions(
    members=(
        ProjectMember("alice", "alice-pw", ("cw-acme", "cw-globex"), cloud="cloudwatt"),
        ProjectMember("alice", "alice-pw", ("ocb-acme", "ocb-globex"), cloud="ocb"),
    )
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Sandbox, Path]]:
    (tmp_path / "rules.yaml").write_text(RULES)
    with Sandbox([source(), target()], options=OPTIONS) as sandbox:
        save_clouds_yaml(sandbox, str(tmp_path / "clouds.yaml"))
        yield sandbox, tmp_path
        assert sandbox.errors == []


def cli(tmp: Path, *argv: str) -> tuple[int, str]:
    return run("--os-client-config-file", str(tmp / "clouds.yaml"), *argv)


# -- the inventory ------------------------------------------------------------------------


def test_a_member_inventory_lists_its_projects_one_by_one(
    served: tuple[Sandbox, Path],
) -> None:
    sandbox, tmp = served
    code, out = cli(tmp, "inventory", "--cloud", "cloudwatt-alice")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, load_schema("inventory"))
    assert doc["scope"] == "project"
    assert doc["projects_covered"] == [
        {"id": "p-acme", "name": "cw-acme", "domain": "cloudwatt"},
        {"id": "p-globex", "name": "cw-globex", "domain": "cloudwatt"},
    ]
    # Endpoints need admin credentials: not listed, not "incomplete".
    assert set(doc["collections"]) == {"projects", "servers", "volumes"}
    expected = source()
    for name in ("projects", "servers", "volumes"):
        got = doc["collections"][name]
        assert got["status"] == "ok"
        owned = sorted(
            (
                i
                for i in expected.collections[name].items
                if (i["id"] if name == "projects" else i["project_id"]) in {"p-acme", "p-globex"}
            ),
            key=lambda i: str(i["id"]),
        )
        if name == "projects":
            # A member cannot name parents outside its reach; here there are none.
            assert got["items"] == owned
        else:
            assert got["items"] == owned, name

    log = [r for r in sandbox.requests if r.cloud == "cloudwatt"]
    assert not [r for r in log if "all_tenants" in r.query], "no all_tenants listing"
    assert all(r.method == "GET" or r.path.endswith("/auth/tokens") for r in log)
    assert [r.status for r in log if r.method == "POST"] == [201, 201]  # acme, then globex
    assert all(r.status is not None and r.status < 400 for r in log)


def test_an_admin_inventory_is_unchanged(served: tuple[Sandbox, Path]) -> None:
    _, tmp = served
    code, out = cli(tmp, "inventory", "--cloud", "cloudwatt")
    doc = json.loads(out)
    assert code == 0 and doc["scope"] == "admin" and "projects_covered" not in doc
    assert len(doc["collections"]["servers"]["items"]) == 3


def test_scoped_snapshots_round_trip() -> None:
    scoped = Snapshot.from_json(
        {
            **json.loads(source().dumps()),
            "scope": "project",
            "projects_covered": [{"id": "p-acme", "name": "cw-acme", "domain": "cloudwatt"}],
        },
        "x.json",
    )
    assert scoped.scope == SCOPE_PROJECT
    assert json.loads(scoped.dumps())["projects_covered"][0]["id"] == "p-acme"
    jsonschema.validate(json.loads(scoped.dumps()), load_schema("inventory"))


# -- the audit ----------------------------------------------------------------------------


def audit(tmp: Path, src: str, dst: str, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out = cli(
        tmp,
        "audit",
        "--source",
        src,
        "--target",
        dst,
        "--rules",
        str(tmp / "rules.yaml"),
        "-f",
        "json",
        *extra,
    )
    doc = json.loads(out)
    jsonschema.validate(doc, load_schema("report"))
    return code, doc


def findings(doc: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return sorted(
        (f["kind"], f["collection"], (f.get("target") or f.get("source") or {}).get("name"))
        for f in doc["findings"]
    )


def test_a_scoped_source_compares_its_projects_only(served: tuple[Sandbox, Path]) -> None:
    _, tmp = served
    code, doc = audit(tmp, "cloudwatt-alice", "ocb")
    assert code == 1
    # ocb-beta and ocb-other (and their servers) are out of scope, never unexpected;
    # cw-beta's lost server is not alice's business; endpoints are not compared.
    assert findings(doc) == [("changed", "volumes", "ocb-data")]
    scope = doc["scope"]
    assert (scope["source"], scope["target"]) == ("project", "admin")
    assert [(p["source"]["name"], p["target"]["name"]) for p in scope["compared"]] == [
        ("cw-acme", "ocb-acme"),
        ("cw-globex", "ocb-globex"),
    ]
    assert scope["target_projects_not_compared"] == 2
    assert scope["source_projects_not_compared"] == 0
    assert scope["collections_not_compared"] == ["endpoints"]
    assert set(doc["summary"]) == {"projects", "servers", "volumes"}
    assert doc["summary"]["servers"]["target"] == 2


ACCESS = ("users", "groups", "roles", "role_assignments")


def test_a_member_never_lists_users_groups_roles_or_assignments(
    served: tuple[Sandbox, Path],
) -> None:
    """Keystone's default policies give them to admins and domain readers only: a
    scoped side does not list them, and nothing of them is missing or incomplete."""
    sandbox, tmp = served
    collections = ",".join(("projects", "servers", *ACCESS))
    code, doc = audit(tmp, "cloudwatt-alice", "ocb", "--collections", collections)
    assert (code, doc["verdict"]) == (0, "verified")
    assert findings(doc) == []  # cw-acme's and cw-globex's servers are all there
    assert doc["scope"]["collections_not_compared"] == sorted(ACCESS)
    assert set(doc["summary"]) == {"projects", "servers"}
    asked = {r.path.rsplit("/", 1)[-1] for r in sandbox.requests if r.cloud == "cloudwatt"}
    assert not asked & set(ACCESS)


def test_a_scoped_target_never_reports_the_other_source_projects_missing(
    served: tuple[Sandbox, Path],
) -> None:
    _, tmp = served
    code, doc = audit(tmp, "cloudwatt", "ocb-alice")
    assert code == 1
    # cw-beta and its server and volume are not missing: alice cannot see ocb-beta.
    assert findings(doc) == [("changed", "volumes", "ocb-data")]
    assert doc["scope"]["source_projects_not_compared"] == 1
    assert doc["scope"]["target"] == "project"


def test_both_sides_scoped(served: tuple[Sandbox, Path]) -> None:
    _, tmp = served
    code, doc = audit(tmp, "cloudwatt-alice", "ocb-alice")
    assert (code, findings(doc)) == (1, [("changed", "volumes", "ocb-data")])
    assert doc["scope"]["source"] == doc["scope"]["target"] == "project"


def test_the_admin_audit_still_sees_everything(served: tuple[Sandbox, Path]) -> None:
    _, tmp = served
    code, doc = audit(tmp, "cloudwatt", "ocb", "--collections", "projects,servers,volumes")
    assert code == 1 and "scope" not in doc
    assert ("missing", "servers", "cw-app") in findings(doc)
    assert ("unexpected", "projects", "ocb-other") in findings(doc)


def test_the_text_report_says_what_was_compared(served: tuple[Sandbox, Path]) -> None:
    _, tmp = served
    _, doc = audit(tmp, "cloudwatt-alice", "ocb")
    text = render(Report.from_json(doc), Format.TEXT)
    assert (
        "Scope: source project-scoped, target admin-scoped; 2 project(s) compared"
        " (cw-acme -> ocb-acme, cw-globex -> ocb-globex); 2 target project(s) out of scope;"
        " not compared: endpoints"
    ) in text
    assert "**Scope:**" in render(Report.from_json(doc), Format.MARKDOWN)
    assert "Scope: source project-scoped" in render(Report.from_json(doc), Format.HTML)


# -- the restriction itself ------------------------------------------------------------------


def scoped(snap: Snapshot, projects: set[str]) -> Snapshot:
    """``snap`` as a member of ``projects`` would list it (no endpoints)."""
    collections = {}
    for name, result in snap.collections.items():
        if name == "endpoints":
            continue
        key = "id" if name == "projects" else "project_id"
        collections[name] = replace(
            result, items=tuple(i for i in result.items if i[key] in projects)
        )
    return replace(snap, scope=SCOPE_PROJECT, collections=collections)


def test_restrict_leaves_admin_snapshots_alone() -> None:
    rules = parse_rules(RULES)
    src, dst = source(), target()
    assert restrict(src, dst, rules) == (src, dst, rules, None)


def test_restrict_ignores_the_parent_of_projects_on_a_scoped_side() -> None:
    rules = parse_rules(RULES)
    _, _, restricted, note = restrict(scoped(source(), {"p-acme"}), target(), rules)
    assert note is not None
    assert not restricted.compared("projects", "parent")
    assert rules.compared("projects", "parent")


def test_when_projects_could_not_be_listed_nothing_is_missing_or_unexpected() -> None:
    src = scoped(source(), {"p-acme", "p-globex"})
    dst = target()
    dst = replace(dst, collections={**dst.collections, "projects": failed()})
    report = compare([src], dst, parse_rules(RULES)).report
    kinds = {f.kind for f in report.findings}
    assert Kind.MISSING not in kinds and Kind.UNEXPECTED not in kinds
    incomplete = {(f.collection, f.side) for f in report.findings if f.kind is Kind.INCOMPLETE}
    assert ("servers", "target") in incomplete and ("projects", "target") in incomplete
    assert report.exit_code == 3
    assert report.scope is not None and report.scope.compared == ()


def test_a_scoped_source_project_without_counterpart_is_missing() -> None:
    """The target is an admin's: it would show the counterpart if it existed."""
    src = scoped(source(), {"p-acme", "p-beta"})
    dst = target()
    dst = replace(
        dst,
        collections={
            **dst.collections,
            "projects": replace(
                dst.collections["projects"],
                items=tuple(p for p in dst.collections["projects"].items if p["id"] != "P-BETA"),
            ),
        },
    )
    report = compare([src], dst, parse_rules(RULES)).report
    missing = sorted(
        (f.collection, f.source.name)
        for f in report.findings
        if f.kind is Kind.MISSING and f.source
    )
    assert missing == [("projects", "cw-beta"), ("servers", "cw-app"), ("volumes", "cw-logs")]
    assert report.scope is not None
    assert [p.source.name for p in report.scope.compared] == ["cw-acme"]
    assert all(r.status is Status.OK for r in src.collections.values())


def test_the_rescoped_connection_is_read_only_and_keeps_the_timeout(
    served: tuple[Sandbox, Path],
) -> None:
    _, tmp = served
    conn = connect(
        CloudTarget("cloudwatt-alice"),
        config=read_clouds_config(str(tmp / "clouds.yaml")),
        timeout=7.0,
    )
    scoped_conn = connect_project(conn, {"id": "p-globex", "name": "cw-globex"}, timeout=7.0)
    adapters = scoped_conn.session.session.adapters.values()
    assert adapters and all(isinstance(a, ReadOnlyAdapter) for a in adapters)
    assert scoped_conn.session.timeout == 7.0
    assert scoped_conn.session.get_project_id() == "p-globex"
