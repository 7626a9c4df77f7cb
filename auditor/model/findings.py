"""What a report is made of: findings, the items they name, their changes, the counts and
the per-project scorecard, with their JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from auditor.model.codec import Record
from auditor.model.enums import Kind, Severity
from auditor.model.flux import FluxNote


@dataclass(frozen=True)
class Ref(Record):
    """How a finding names an item of one side."""

    OPTIONAL = frozenset({"project", "domain"})

    id: str
    name: str | None
    project: str | None = None
    """Project name for project-owned items."""
    domain: str | None = None
    """Domain name (projects and project-owned items)."""

    @property
    def label(self) -> str:
        """``project/name`` for project-owned items, else the name; an unnamed item is
        ``(no name) (its id)``, never a bare id."""
        name = self.name if self.name else f"(no name) ({self.id})"
        return f"{self.project}/{name}" if self.project else name


@dataclass(frozen=True)
class Change(Record):
    """One field that differs between matched items."""

    OPTIONAL = frozenset({"source_text", "target_text"})
    DEFAULTS: ClassVar[Mapping[str, Any]] = {"message": ""}

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


@dataclass(frozen=True)
class WaiverNote(Record):
    """A waiver, as a finding carries it."""

    OPTIONAL = frozenset({"covers"})

    reason: str
    owner: str
    expires: str
    """Last day the waiver is in force, ``YYYY-MM-DD`` (UTC)."""
    covers: tuple[str, ...] = ()
    """For an expired waiver: the ids of the findings it matches (they count again)."""


@dataclass(frozen=True)
class Finding(Record):
    """One thing an operator must look at."""

    KEYS = (
        "id", "kind", "collection", "severity", "side", "project", "origin", "source",
        "target", "matched_by", "changes", "candidates", "waived", "waiver", "flux", "message",
    )  # fmt: skip
    OPTIONAL = frozenset(KEYS[4:-1])

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
    flux: FluxNote | None = None
    """For in_flux findings: what the finding would have been, and the change inside the
    audit window that explains it."""

    @property
    def counted(self) -> bool:
        """False for a waived finding: it does not count toward the verdict."""
        return self.waived is None


@dataclass(frozen=True)
class CollectionSummary(Record):
    """Counts of one collection."""

    OPTIONAL = frozenset({"filtered", "not_offered"})
    OMIT_ZERO = frozenset({"left_out", "in_flux"})

    source: int
    target: int
    matched: int = 0
    missing: int = 0
    unexpected: int = 0
    changed: int = 0
    ambiguous: int = 0
    in_flux: int = 0
    """Differences explained by a change inside an audit window (not counted as missing,
    unexpected or changed)."""
    partial: int = 0
    """Matched pairs not compared because one side is a partial record."""
    complete: bool = True
    """Both sides were listed completely."""
    left_out: int = 0
    """Items of either side left out of the comparison (see ``records.LEFT_OUT``)."""
    filtered: int | None = None
    """Findings of the collection a filter left out of the report (None: no filter)."""
    not_offered: str | None = None
    """The side whose cloud does not offer the collection's service: ``source``,
    ``target`` or ``both`` (None: both offer it)."""


@dataclass(frozen=True)
class ProjectScore(Record):
    """Where one source project stands: for account teams and their customers."""

    KEYS = (
        "source", "target", "matched", "missing", "unexpected", "changed", "in_flux",
        "errors", "warnings", "fully_matched", "origin",
    )  # fmt: skip
    OPTIONAL = frozenset({"origin"})
    OMIT_ZERO = frozenset({"in_flux"})

    source: Ref
    target: Ref | None
    """The project's counterpart, None when it has none."""
    matched: int
    """Its resources matched in the target."""
    missing: int
    """Its resources with no counterpart (those a change inside an audit window explains
    are counted in ``in_flux`` instead)."""
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
    in_flux: int = 0
    """Its resources (or its counterpart's) whose difference a change inside an audit
    window explains: ``in_flux`` findings, not counted as missing, unexpected or changed."""

    @property
    def fully_matched(self) -> bool:
        """A counterpart, and no error or warning finding about the project."""
        return self.target is not None and not self.errors and not self.warnings
