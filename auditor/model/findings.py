"""What a report is made of: findings, the items they name, their changes, the counts and
the per-project scorecard, with their JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.model.enums import JSON, Kind, Severity


@dataclass(frozen=True)
class Ref:
    """How a finding names an item of one side."""

    id: str
    name: str | None
    project: str | None = None
    """Project name for project-owned items."""
    domain: str | None = None
    """Domain name (projects and project-owned items)."""

    def to_json(self) -> JSON:
        out: JSON = {"id": self.id, "name": self.name}
        if self.project is not None:
            out["project"] = self.project
        if self.domain is not None:
            out["domain"] = self.domain
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> Ref:
        return cls(
            id=str(doc["id"]),
            name=doc.get("name"),
            project=doc.get("project"),
            domain=doc.get("domain"),
        )

    @property
    def label(self) -> str:
        """``project/name`` for project-owned items, else the name; an unnamed item is
        ``(no name) (its id)``, never a bare id."""
        name = self.name if self.name else f"(no name) ({self.id})"
        return f"{self.project}/{name}" if self.project else name


@dataclass(frozen=True)
class Change:
    """One field that differs between matched items."""

    field: str
    source: Any
    """The source value, after renaming and cross-referencing."""
    target: Any
    severity: Severity
    message: str
    """What the difference means, in a few words."""
    source_text: str | None = None
    """The source value as people read it (names, ids beside them), when the value
    itself is not plain (an id, a list of ids, a rule); None: the value reads as it is."""
    target_text: str | None = None
    """The same for the target value."""

    def to_json(self) -> JSON:
        out: JSON = {
            "field": self.field,
            "source": self.source,
            "target": self.target,
            "severity": self.severity.value,
            "message": self.message,
        }
        if self.source_text is not None:
            out["source_text"] = self.source_text
        if self.target_text is not None:
            out["target_text"] = self.target_text
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> Change:
        return cls(
            field=doc["field"],
            source=doc.get("source"),
            target=doc.get("target"),
            severity=Severity(doc["severity"]),
            message=doc.get("message", ""),
            source_text=doc.get("source_text"),
            target_text=doc.get("target_text"),
        )


@dataclass(frozen=True)
class WaiverNote:
    """A waiver, as a finding carries it."""

    reason: str
    owner: str
    expires: str
    """Last day the waiver is in force, ``YYYY-MM-DD`` (UTC)."""
    covers: tuple[str, ...] = ()
    """For an expired waiver: the ids of the findings it matches (they count again)."""

    def to_json(self) -> JSON:
        out: JSON = {"reason": self.reason, "owner": self.owner, "expires": self.expires}
        if self.covers:
            out["covers"] = list(self.covers)
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> WaiverNote:
        return cls(
            reason=doc["reason"],
            owner=doc["owner"],
            expires=doc["expires"],
            covers=tuple(doc.get("covers", [])),
        )


@dataclass(frozen=True)
class Finding:
    """One thing an operator must look at."""

    id: str
    """Stable hash of kind, collection and identities: same inputs, same id."""
    kind: Kind
    collection: str
    severity: Severity
    message: str
    """One sentence an operator can act on."""
    source: Ref | None = None
    target: Ref | None = None
    matched_by: str | None = None
    """Matching strategy of a changed pair: id, id_map, metadata or name."""
    changes: tuple[Change, ...] = ()
    candidates: tuple[Ref, ...] = ()
    """Ambiguous findings: the other items that claim the same key; conflicts: the source
    items claiming the target item; a fold's changed finding: the other source items
    compared together with ``source``."""
    side: str | None = None
    """For incomplete findings: source or target."""
    project: str | None = None
    """The target project the finding is about (its expected name when it has no
    counterpart), for grouping by customer."""
    waived: WaiverNote | None = None
    """The waiver in force that accepts this finding: kept in the report, not counted."""
    waiver: WaiverNote | None = None
    """For waiver_expired findings: the expired waiver."""
    origin: str | None = None
    """Multi-source mergers: the label of the source the finding comes from (several,
    comma-separated, when sources share the item); None with one source."""

    @property
    def counted(self) -> bool:
        """False for a waived finding: it does not count toward the verdict."""
        return self.waived is None

    def to_json(self) -> JSON:
        out: JSON = {
            "id": self.id,
            "kind": self.kind.value,
            "collection": self.collection,
            "severity": self.severity.value,
        }
        if self.side is not None:
            out["side"] = self.side
        if self.project is not None:
            out["project"] = self.project
        if self.origin is not None:
            out["origin"] = self.origin
        if self.source is not None:
            out["source"] = self.source.to_json()
        if self.target is not None:
            out["target"] = self.target.to_json()
        if self.matched_by is not None:
            out["matched_by"] = self.matched_by
        if self.changes:
            out["changes"] = [c.to_json() for c in self.changes]
        if self.candidates:
            out["candidates"] = [c.to_json() for c in self.candidates]
        if self.waived is not None:
            out["waived"] = self.waived.to_json()
        if self.waiver is not None:
            out["waiver"] = self.waiver.to_json()
        out["message"] = self.message
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> Finding:
        return cls(
            id=doc["id"],
            kind=Kind(doc["kind"]),
            collection=doc["collection"],
            severity=Severity(doc["severity"]),
            message=doc["message"],
            source=Ref.from_json(doc["source"]) if doc.get("source") else None,
            target=Ref.from_json(doc["target"]) if doc.get("target") else None,
            matched_by=doc.get("matched_by"),
            changes=tuple(Change.from_json(c) for c in doc.get("changes", [])),
            candidates=tuple(Ref.from_json(c) for c in doc.get("candidates", [])),
            side=doc.get("side"),
            project=doc.get("project"),
            waived=WaiverNote.from_json(doc["waived"]) if doc.get("waived") else None,
            waiver=WaiverNote.from_json(doc["waiver"]) if doc.get("waiver") else None,
            origin=doc.get("origin"),
        )


@dataclass(frozen=True)
class CollectionSummary:
    """Counts of one collection."""

    source: int
    target: int
    matched: int = 0
    missing: int = 0
    unexpected: int = 0
    changed: int = 0
    ambiguous: int = 0
    partial: int = 0
    """Matched pairs not compared because one side is a partial record."""
    complete: bool = True
    """Both sides were listed completely."""
    left_out: int = 0
    """Items of either side left out of the comparison (see ``records.LEFT_OUT``)."""
    filtered: int | None = None
    """Findings of the collection a filter left out of the report (None: no filter)."""

    def to_json(self) -> JSON:
        out: JSON = {
            "source": self.source,
            "target": self.target,
            "matched": self.matched,
            "missing": self.missing,
            "unexpected": self.unexpected,
            "changed": self.changed,
            "ambiguous": self.ambiguous,
            "partial": self.partial,
            "complete": self.complete,
        }
        if self.left_out:
            out["left_out"] = self.left_out
        if self.filtered is not None:
            out["filtered"] = self.filtered
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> CollectionSummary:
        return cls(**{k: doc[k] for k in cls.__dataclass_fields__ if k in doc})


@dataclass(frozen=True)
class ProjectScore:
    """Where one source project stands: for account teams and their customers."""

    source: Ref
    target: Ref | None
    """The project's counterpart, None when it has none."""
    matched: int
    """Its resources matched in the target."""
    missing: int
    """Its resources with no counterpart."""
    changed: int
    """Its matched resources that differ (any severity)."""
    origin: str | None = None
    """Multi-source mergers: the label of the project's source."""
    unexpected: int = 0
    """Resources of its counterpart that no source resource matches."""
    errors: int = 0
    """Error findings about the project or its resources (waived ones not counted)."""
    warnings: int = 0
    """Warning findings about the project or its resources (waived ones not counted)."""

    @property
    def fully_matched(self) -> bool:
        """A counterpart, and no error or warning finding about the project."""
        return self.target is not None and not self.errors and not self.warnings

    def to_json(self) -> JSON:
        out: JSON = {
            "source": self.source.to_json(),
            "target": self.target.to_json() if self.target else None,
            "matched": self.matched,
            "missing": self.missing,
            "unexpected": self.unexpected,
            "changed": self.changed,
            "errors": self.errors,
            "warnings": self.warnings,
            "fully_matched": self.fully_matched,
        }
        if self.origin is not None:
            out["origin"] = self.origin
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> ProjectScore:
        return cls(
            source=Ref.from_json(doc["source"]),
            target=Ref.from_json(doc["target"]) if doc.get("target") else None,
            matched=doc["matched"],
            missing=doc["missing"],
            changed=doc["changed"],
            origin=doc.get("origin"),
            unexpected=int(doc.get("unexpected", 0)),
            errors=int(doc.get("errors", 0)),
            warnings=int(doc.get("warnings", 0)),
        )
