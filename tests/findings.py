"""Run the diff over two hand-built sides and describe what it found.

The diff tests (``tests/unit/diff``, ``tests/unit/test_diff.py``) and the merger
tests build a source and a target as plain collections of items, diff them and
compare the findings, each reduced to the few facts a test asserts on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from auditor.app.files import read_rules
from auditor.diff import diff
from auditor.model import Finding, Kind, Report, Severity
from auditor.rules import Rules
from tests.builders import JSON, snapshot

Side = dict[str, list[JSON]]
"""One cloud's items, by collection."""

GENERATED_AT = "2026-11-22T11:00:00Z"


def rules_with_id_map(directory: Path, text: str, id_map: Mapping[str, str] | None = None) -> Rules:
    """The rules ``text``, read from ``directory/rules.yaml`` beside the ``idmap.json``."""
    (directory / "idmap.json").write_text(json.dumps(dict(id_map or {})), encoding="utf-8")
    path = directory / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return read_rules(str(path))


def get(side: Side, collection: str, item_id: str) -> JSON:
    """The one item of ``collection`` with the id ``item_id``."""
    (item,) = [i for i in side[collection] if i["id"] == item_id]
    return item


def diff_sides(
    source: Side | dict[str, Any],
    target: Side | dict[str, Any],
    rules: Rules,
    fail_on: Severity = Severity.ERROR,
    *,
    generated_at: str = GENERATED_AT,
) -> Report:
    """Diff ``cloudwatt@fr1`` (``source``) against ``ocb@ocb-fr1`` (``target``)."""
    return diff(
        snapshot("cloudwatt", "fr1", source),
        snapshot("ocb", "ocb-fr1", target),
        rules,
        fail_on=fail_on,
        generated_at=generated_at,
    )


def only(report: Report) -> Finding:
    """The report's one finding (the assertion lists the messages when there are more)."""
    assert len(report.findings) == 1, [f.message for f in report.findings]
    return report.findings[0]


def described(
    report: Report, by: Literal["id", "name", "label"] = "id"
) -> set[tuple[str, str, str, str | None, str]]:
    """(kind, collection, target or source ``by``, first changed field, severity) of each
    finding."""
    out = set()
    for f in report.findings:
        side = f.target or f.source
        assert side is not None
        field = f.changes[0].field if f.changes else None
        out.add((f.kind.value, f.collection, getattr(side, by), field, f.severity.value))
    return out


def summary_counts(report: Report) -> dict[str, tuple[int, int, int, int, int, int, int]]:
    """(source, target, matched, missing, unexpected, changed, ambiguous) of each collection."""
    return {
        name: (s.source, s.target, s.matched, s.missing, s.unexpected, s.changed, s.ambiguous)
        for name, s in report.summary.items()
    }


def label_of(finding: Mapping[str, Any]) -> str:
    """A JSON finding's item as the reports name it: ``project/name``, or the name alone."""
    ref = finding.get("target") or finding["source"]
    assert isinstance(ref, dict)
    name = str(ref["name"])
    return f"{ref['project']}/{name}" if ref.get("project") else name


def unlisted(finding_id: str, collection: str, side: str, message: str) -> Finding:
    """The incomplete finding (an error) of a ``collection`` that ``side`` could not list."""
    return Finding(
        id=finding_id,
        kind=Kind.INCOMPLETE,
        collection=collection,
        severity=Severity.ERROR,
        message=message,
        side=side,
    )
