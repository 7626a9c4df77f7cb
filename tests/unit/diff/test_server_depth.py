"""A server's tags, config drive and lock, compared (issue 17, compute depth).

Every test starts from one faithful migration (new ids, renamed project and
server: verified, no finding) and changes one thing. Unknown values (a
microversion that does not give the field, a snapshot taken before the field
was read: the field absent) are never compared. Then the same over HTTP: the
sandbox serves the demo's clouds at microversions below each field's, and the
audit sees what Nova would tell it, no more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.demo import identity
from auditor.model import Severity, Verdict
from auditor.rules import Rules, parse_rules
from auditor.sandbox import SandboxOptions
from tests.builders import project, server
from tests.findings import described, only
from tests.findings import diff_sides as run
from tests.merger import audit_over_http, family_clouds
from tests.worlds import RENAMES

JSON = dict[str, Any]

RULES_TEXT = "version: 1\n" + RENAMES + "match:\n  order: [id, name]\n"


@pytest.fixture
def rules(tmp_path: Path) -> Rules:
    return parse_rules(RULES_TEXT, str(tmp_path / "rules.yaml"))


def pair(**changes: Any) -> tuple[dict[str, list[JSON]], dict[str, list[JSON]]]:
    """cw-acme/cw-db (tagged, with a config drive, locked with a reason) and its faithful
    counterpart, the target's fields then set (``None``: absent) as ``changes`` say."""
    acme, t_acme = (
        project("p-acme", "cw-acme"),
        project("P-ACME", "ocb-acme", domain="ocb-cloudwatt"),
    )
    fields: JSON = {
        "tags": ("backup:daily", "db"),
        "config_drive": True,
        "locked": True,
        "locked_reason": "legal hold",
    }
    source = server("s-db", "cw-db", acme, **fields)
    target = server("S-DB", "ocb-db", t_acme, **fields)
    for name, value in changes.items():
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return {"projects": [acme], "servers": [source]}, {"projects": [t_acme], "servers": [target]}


def changes(rules: Rules, **target: Any) -> list[tuple[str, Severity, str]]:
    source_side, target_side = pair(**target)
    report = run(source_side, target_side, rules)
    return [(c.field, c.severity, c.message) for f in report.findings for c in f.changes]


def test_the_faithful_migration_is_verified(rules: Rules) -> None:
    report = run(*pair(), rules)
    assert (report.verdict, report.findings) == (Verdict.VERIFIED, ())


def test_a_lost_tag_is_a_warning_a_new_one_nothing(rules: Rules) -> None:
    assert changes(rules, tags=["db"]) == [("tags", Severity.WARNING, "lost tag(s) backup:daily")]
    assert changes(rules, tags=["backup:daily", "db", "new"]) == []


def test_a_lost_config_drive_is_an_error_a_new_one_info(rules: Rules) -> None:
    ((field, severity, message),) = changes(rules, config_drive=False)
    assert (field, severity) == ("config_drive", Severity.ERROR)
    assert message.startswith("no longer has a config drive")
    source_side, target_side = pair()
    source_side["servers"][0]["config_drive"] = False
    report = run(source_side, target_side, rules)
    assert [(c.field, c.severity) for c in only(report).changes] == [
        ("config_drive", Severity.INFO)
    ]


def test_a_server_no_longer_locked_is_an_error_that_says_why_it_was(rules: Rules) -> None:
    report = run(*pair(locked=False, locked_reason=None), rules)
    finding = only(report)
    assert (finding.severity, report.verdict) == (Severity.ERROR, Verdict.DISCREPANCIES)
    assert finding.message == (
        "server ocb-acme/ocb-db is no longer locked (it was locked: legal hold): non-admin"
        " users may stop, rebuild or delete it again."
    )


def test_locked_only_in_the_target_or_for_another_reason_is_info(rules: Rules) -> None:
    source_side, target_side = pair()
    source_side["servers"][0].update(locked=False)
    del source_side["servers"][0]["locked_reason"]
    report = run(source_side, target_side, rules)
    assert [(c.field, c.severity, c.message) for c in only(report).changes] == [
        ("locked", Severity.INFO, "is now locked (legal hold)")
    ]
    assert changes(rules, locked_reason="audit") == [
        ("locked_reason", Severity.INFO, "is locked for another reason: audit (was legal hold)")
    ]
    # Still locked, the reason unknown (a target listed below compute 2.73): nothing.
    assert changes(rules, locked_reason=None) == []


@pytest.mark.parametrize("field", ["tags", "config_drive", "locked"])
def test_an_unknown_value_on_either_side_is_never_a_difference(rules: Rules, field: str) -> None:
    # Absent in the target: listed below the microversion that gives it (or a partial
    # record); absent in the source: a snapshot taken before the auditor read it.
    assert changes(rules, **{field: None}) == []
    source_side, target_side = pair(**{field: [] if field == "tags" else False})
    del source_side["servers"][0][field]
    assert run(source_side, target_side, rules).findings == ()


def test_the_rules_can_ignore_the_lock(tmp_path: Path) -> None:
    text = RULES_TEXT + "ignore:\n  fields: {servers: [locked]}\n"
    rules = parse_rules(text, str(tmp_path / "rules.yaml"))
    assert changes(rules, locked=False, locked_reason=None) == []


# -- over HTTP: what each microversion lets the audit see ---------------------------------

COLLECTIONS = ("projects", "servers")
LOCKED = ("changed", "servers", "ocb-db-01", "locked", "error")


@pytest.mark.parametrize(
    ("microversion", "seen"),
    [("2.96", {LOCKED}), ("2.9", {LOCKED}), ("2.8", set())],
)
def test_the_demos_unlocked_server_is_seen_from_compute_2_9(
    microversion: str, seen: set[tuple[str, str, str, str, str]], tmp_path: Path
) -> None:
    source, target = family_clouds(identity, servers=24, seed=3, by_metadata=0.5, defects=True)
    options = SandboxOptions(compute_max_version=microversion)

    result = audit_over_http(source, target, COLLECTIONS, tmp_path, options).result

    assert {d for d in described(result.report, by="name") if d[1] == "servers"} == seen
    servers = result.source.collections["servers"].items
    has = {name for s in servers for name in ("tags", "locked", "locked_reason") if name in s}
    # The demo's locked server has a reason (2.73+); tags come from 2.26, the lock from 2.9.
    assert (
        has
        == {
            "2.96": {"tags", "locked", "locked_reason"},
            "2.9": {"locked"},
            "2.8": set(),
        }[microversion]
    )
    assert all(isinstance(s["config_drive"], bool) for s in servers)
