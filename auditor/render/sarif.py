"""SARIF 2.1.0 for security dashboards and SARIF viewers: one result per finding.

Each finding is a ``result`` whose ``ruleId`` is ``<collection>/<kind>``
(``volumes/changed``), whose ``level`` is its severity (``info`` is SARIF's
``note``) and whose logical location names the cloud, project, collection and
item (``ocb/ocb-acme/volumes/ocb-db-data``): a cloud has no source file, so
there is no physical location. The finding's id is its ``partialFingerprints``
entry, so a viewer tracks one finding across runs; a waived finding carries an
accepted external suppression with the waiver's reason; with ``--history`` (and
in ``auditor compare``), ``baselineState`` says ``new`` or ``unchanged``, and each
finding resolved since the previous report is a result too, ``absent``, with no
location. The finding itself (source and
target, changes, matching strategy) is in the result's ``properties``,
verbatim as in the JSON report; texts shown to people (messages, location
names) show control characters as escapes.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.model import Finding, Kind, Report, ResolvedFinding, Severity, Verdict
from auditor.render.common import change_line
from auditor.textsafe import printable

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
"""The ``$schema`` of the document: OASIS's SARIF 2.1.0 schema (errata 01)."""
FINGERPRINT = "auditorFindingId/v1"
"""The ``partialFingerprints`` key holding the finding's stable id."""

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
"""SARIF level of each severity."""

_KIND_TEXT = {
    Kind.MISSING: "in the source, with no counterpart in the target",
    Kind.UNEXPECTED: "an in-scope target item with no source",
    Kind.CHANGED: "matched, with different substance",
    Kind.AMBIGUOUS: "several candidates for one key, none paired",
    Kind.CONFLICT: "one target item claimed by items of two sources",
    Kind.RESIDUE: "an old-brand string left in the target",
    Kind.INCOMPLETE: "the collection could not be listed completely",
    Kind.WAIVER_EXPIRED: "a waiver past its expiry date",
    Kind.COUNT_MISMATCH: "a service's usage counter that disagrees with the listing",
    Kind.IN_FLUX: "a difference explained by a change during the audit window",
}


def rule_id(f: Finding) -> str:
    """``<collection>/<kind>``: the SARIF rule of a finding."""
    return f"{f.collection}/{f.kind.value}"


def _rule(collection: str, kind: Kind) -> dict[str, Any]:
    words = collection.replace("_", " ")
    return {
        "id": f"{collection}/{kind.value}",
        "name": "".join(w.capitalize() for w in [*collection.split("_"), *kind.value.split("_")]),
        "shortDescription": {"text": f"{words}: {kind.value.replace('_', ' ')}"},
        "fullDescription": {"text": f"An item of {words}: {_KIND_TEXT[kind]}."},
        "properties": {"collection": collection, "kind": kind.value},
    }


def _location(f: Finding, report: Report) -> dict[str, Any]:
    """cloud/project/collection/item, of the target when there is one, else the source."""
    if f.target is not None:
        cloud, ref = report.target.cloud, f.target
    elif f.source is not None:
        cloud, ref = report.source.cloud, f.source
    else:
        # incomplete (a side's listing), waiver_expired (no item): cloud/collection.
        side = report.source if f.side == "source" else report.target
        path = [side.cloud, f.collection]
        return {"name": f.collection, "fullyQualifiedName": "/".join(path), "kind": "module"}
    name = ref.name if ref.name else f"(no name) ({ref.id})"
    # A project's finding is about the project itself: no project segment.
    project = ref.project or (f.project if f.collection != "projects" else None)
    path = [cloud, *([project] if project else []), f.collection, name]
    return {
        "name": printable(name),
        "fullyQualifiedName": printable("/".join(path), limit=None),
        "kind": "resource",
        "properties": {"id": ref.id},
    }


def _message(f: Finding) -> str:
    lines = [f"[{f.origin}] {f.message}" if f.origin else f.message]
    lines += [change_line(c) for c in f.changes]
    return printable("\n".join(lines), limit=None, keep="\n")


def _result(f: Finding, index: int, report: Report, new: set[str] | None) -> dict[str, Any]:
    properties = {k: v for k, v in f.to_json().items() if k not in ("id", "message")}
    result: dict[str, Any] = {
        "ruleId": rule_id(f),
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": _message(f)},
        "locations": [{"logicalLocations": [_location(f, report)]}],
        "partialFingerprints": {FINGERPRINT: f.id},
        "properties": {"findingId": f.id, **properties},
    }
    if f.waived is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": printable(f.waived.reason, limit=None),
                "properties": {"owner": f.waived.owner, "expires": f.waived.expires},
            }
        ]
    if new is not None:
        result["baselineState"] = "new" if f.id in new else "unchanged"
    return result


def _absent(r: ResolvedFinding, index: int) -> dict[str, Any]:
    """A finding of the previous report that this one no longer has."""
    return {
        "ruleId": f"{r.collection}/{r.kind.value}",
        "ruleIndex": index,
        "level": LEVEL[r.severity],
        "message": {"text": printable(r.message, limit=None)},
        "partialFingerprints": {FINGERPRINT: r.id},
        "properties": {"findingId": r.id, "collection": r.collection, "kind": r.kind.value},
        "baselineState": "absent",
    }


def document(report: Report) -> dict[str, Any]:
    """The SARIF log of the report, as a JSON value."""
    resolved = report.history.resolved if report.history is not None else ()
    keys: list[tuple[str, Kind]] = []
    pairs = [(f.collection, f.kind) for f in report.findings]
    for pair in (*pairs, *((r.collection, r.kind) for r in resolved)):
        if pair not in keys:
            keys.append(pair)
    keys.sort(key=lambda k: (k[0], list(Kind).index(k[1])))
    index = {key: i for i, key in enumerate(keys)}
    new = set(report.history.new) if report.history is not None else None
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "auditor",
                "fullName": "OpenStack migration auditor",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [_rule(c, k) for c, k in keys],
            }
        },
        "invocations": [
            {
                "executionSuccessful": report.verdict is not Verdict.INCOMPLETE,
                "exitCode": report.exit_code,
                **({"endTimeUtc": report.generated_at} if report.generated_at else {}),
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": [
            *(_result(f, index[(f.collection, f.kind)], report, new) for f in report.findings),
            *(_absent(r, index[(r.collection, r.kind)]) for r in resolved),
        ],
        "properties": {
            "verdict": report.verdict.value,
            "failOn": report.fail_on.value,
            "source": report.source.to_json(),
            "target": report.target.to_json(),
            **({"sources": [s.to_json() for s in report.sources]} if report.sources else {}),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
