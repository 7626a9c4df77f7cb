"""A merger of the access side (users, groups, roles, role assignments), audited end to
end over HTTP.

The example source and its faithful target (auditor.demo.access on top of the
core example clouds: new ids, the domain and the projects renamed by the rules,
user, group and role names kept) are served by the sandbox; the target then
gets one defect per collection: a user lost, a group member lost, a role not
created, a member role lost on its project. ``auditor audit``'s code path must
find each, with its kind and severity, and nothing else; the faithful target
must be verified.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from auditor.audit import AuditResult
from auditor.demo import access
from auditor.demo.base import hex_of
from auditor.demo.data import RULES
from auditor.diff import diff
from auditor.model import CollectionResult, Snapshot, Status, Verdict
from auditor.rules import parse_rules
from auditor.sandbox import SandboxOptions
from tests.merger import audit_over_http, family_clouds

JSON = dict[str, Any]

FAMILY = access.COLLECTIONS
COLLECTIONS = ("projects", *FAMILY)

SEEDED = {
    # (kind, collection, target or source name, first changed field, severity)
    ("missing", "users", "ops-oncall", None, "error"),
    ("changed", "groups", "support", "member_ids", "error"),
    ("missing", "roles", "creator", None, "error"),
    ("missing", "role_assignments", "member of user cloudwatt/hooli-admin", None, "error"),
}


def clouds(defects: bool) -> tuple[Snapshot, Snapshot]:
    return family_clouds(access, servers=40, seed=7, by_metadata=0.5, defects=defects)


def audit(source: Snapshot, target: Snapshot, options: SandboxOptions, tmp: Path) -> AuditResult:
    result = audit_over_http(source, target, COLLECTIONS, tmp, options).result
    for snapshot in (result.source, result.target):
        for name in COLLECTIONS:
            assert snapshot.collections[name].status is Status.OK, name
    return result


OPTIONS = {
    "current": SandboxOptions(),
    # Users and groups walked in pages of 4; roles and members cut at 2 and asked whole.
    "paged": SandboxOptions(max_limit=4, keystone_list_limit=2),
}


@pytest.mark.parametrize("variant", list(OPTIONS))
def test_one_defect_per_collection_is_found_and_nothing_else(variant: str, tmp_path: Path) -> None:
    source, target = clouds(defects=True)

    report = audit(source, target, OPTIONS[variant], tmp_path).report

    got = set()
    for f in report.findings:
        ref = f.target or f.source
        assert ref is not None
        field = f.changes[0].field if f.changes else None
        got.add((f.kind.value, f.collection, ref.name, field, f.severity.value))
    assert got == SEEDED
    assert len(SEEDED) == len(access.DEFECTS) == len(FAMILY)
    assert report.verdict is Verdict.DISCREPANCIES
    by_collection = {f.collection: f for f in report.findings}
    assert by_collection["groups"].message == "group support lost member support-2."
    lost = by_collection["role_assignments"].message
    # Looked for under the rules' renames: the project and the domains renamed.
    assert "looked for member of user hooli-admin (ocb-cloudwatt) on project" in lost
    assert "ocb-cloudwatt/ocb-hooli" in lost


def test_the_faithful_target_is_verified(tmp_path: Path) -> None:
    source, target = clouds(defects=False)

    report = audit(source, target, SandboxOptions(), tmp_path).report

    assert report.findings == ()
    assert report.verdict is Verdict.VERIFIED
    for name in FAMILY:
        summary = report.summary[name]
        assert summary.matched == summary.source == summary.target > 0, name


def test_an_extra_assignment_in_the_target_is_a_warning(tmp_path: Path) -> None:
    source, target = clouds(defects=False)
    assignments = list(target.collections["role_assignments"].items)
    extra = dict(
        assignments[0],
        id=assignments[0]["id"].replace("/", "/x", 1),
        role="admin",
        role_id=hex_of("ocb", "role", "admin"),
        name=assignments[0]["name"].replace("member", "admin", 1),
    )
    collections = dict(target.collections)
    collections["role_assignments"] = CollectionResult(
        Status.OK, tuple(sorted((*assignments, extra), key=lambda a: str(a["id"])))
    )
    target = dataclasses.replace(target, collections=collections)

    report = audit(source, target, SandboxOptions(), tmp_path).report

    (finding,) = report.findings
    assert (finding.kind.value, finding.collection, finding.severity.value) == (
        "unexpected",
        "role_assignments",
        "warning",
    )
    assert "matches no source role assignment" in finding.message


def _edited(target: Snapshot, name: str, edit: Any) -> Snapshot:
    collections = dict(target.collections)
    items = [dict(i) for i in collections[name].items]
    collections[name] = CollectionResult(Status.OK, tuple(edit(items)))
    return dataclasses.replace(target, collections=collections)


def _findings(target: Snapshot) -> set[tuple[str, str, str | None, str | None, str]]:
    source, _faithful = clouds(defects=False)
    report = diff(source, target, parse_rules(RULES))
    out = set()
    for f in report.findings:
        ref = f.target or f.source
        field = f.changes[0].field if f.changes else None
        out.add((f.kind.value, f.collection, ref.name if ref else None, field, f.severity.value))
    return out


def _set(items: list[JSON], name: str, **values: Any) -> list[JSON]:
    for item in items:
        if item["name"] == name:
            item.update(values)
    return items


def test_a_user_disabled_in_the_target_is_an_error_and_one_re_enabled_a_warning() -> None:
    _source, target = clouds(defects=False)
    target = _edited(target, "users", lambda us: _set(us, "stark-admin", enabled=False))
    target = _edited(target, "users", lambda us: _set(us, "former-employee", enabled=True))
    assert _findings(target) == {
        ("changed", "users", "stark-admin", "enabled", "error"),
        ("changed", "users", "former-employee", "enabled", "warning"),
    }


def test_a_lost_admin_role_is_an_error_whatever_the_other_roles() -> None:
    source, target = clouds(defects=False)
    admin = next(a for a in source.collections["role_assignments"].items if a["user"])
    # The source's tenant administrator is also the project's admin; the target lost it.
    extra = dict(admin, id=admin["id"] + "/admin", role="admin", name="admin of " + admin["user"])
    collections = dict(source.collections)
    collections["role_assignments"] = CollectionResult(
        Status.OK, (*source.collections["role_assignments"].items, extra)
    )
    source = dataclasses.replace(source, collections=collections)
    report = diff(source, target, parse_rules(RULES))
    (finding,) = report.findings
    assert (finding.kind.value, finding.collection, finding.severity.value) == (
        "missing",
        "role_assignments",
        "error",
    )
    user = admin["user"]
    assert finding.message.startswith(f"role assignment admin of user {user} (cloudwatt) on")
