"""The report (``auditor.report/v1``): the audit's result, its sides, history, scope and
waivers, with their JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from auditor import __version__
from auditor.model.codec import Record
from auditor.model.enums import JSON, REPORT_SCHEMA, Kind, Severity, Verdict
from auditor.model.findings import CollectionSummary, Finding, ProjectScore, Ref
from auditor.model.flux import ListingWindow
from auditor.model.trend import TrendPoint


@dataclass(frozen=True)
class Side(Record):
    """Which snapshot one side of the report came from."""

    OPTIONAL = frozenset({"label", "window", "reread_bound"})
    OMIT_ZERO = frozenset({"rereads"})

    cloud: str
    region: str | None
    taken_at: str
    complete: bool
    label: str | None = None
    """Multi-source mergers: how findings name this source (their ``origin``)."""
    window: ListingWindow | None = None
    """The cloud's audit window: its first listing's start to the last answer about it
    (the changes asked after the listings); None for a report of an older version."""
    rereads: int = 0
    """GET requests made to read differing items of this cloud again."""
    reread_bound: int | None = None
    """When the re-reads stopped at ``--max-rereads``: that bound (some differences were
    not read again); None when it was not reached."""


@dataclass(frozen=True)
class ResolvedFinding(Record):
    """A finding of the previous run that this run no longer has."""

    id: str
    kind: Kind
    collection: str
    severity: Severity
    """Its severity in the previous run."""
    message: str
    """Its message in the previous run."""


@dataclass(frozen=True)
class History(Record):
    """What changed since the previous report kept by ``--history`` (by finding id)."""

    OPTIONAL = frozenset({"trend"})
    DEFAULTS: ClassVar[Mapping[str, Any]] = {"previous_file": ""}

    previous: str
    """``generated_at`` of the previous report."""
    previous_file: str
    """File name of the previous report in the history directory."""
    new: tuple[str, ...] = ()
    """Ids of this report's findings that the previous report did not have."""
    resolved: tuple[ResolvedFinding, ...] = ()
    """Previous findings gone from this report, in collections listed completely this time."""
    trend: tuple[TrendPoint, ...] = ()
    """The history's runs, oldest first, this one last (at most the newest
    ``history.MAX_TREND_POINTS``)."""


@dataclass(frozen=True)
class ProjectPair(Record):
    """A source project and its counterpart, as a scope note lists them."""

    source: Ref
    target: Ref


@dataclass(frozen=True)
class ScopeNote(Record):
    """What was compared when a snapshot is project-scoped."""

    DEFAULTS: ClassVar[Mapping[str, Any]] = {"compared": []}

    source: str
    """The source snapshot's scope: admin or project."""
    target: str
    compared: tuple[ProjectPair, ...]
    """The projects compared: each source project with its counterpart."""
    source_projects_not_compared: int = 0
    """Source projects left out (no counterpart among a project-scoped target's)."""
    target_projects_not_compared: int = 0
    """Target projects left out (no counterpart among a project-scoped source's)."""
    collections_not_compared: tuple[str, ...] = ()
    """Collections the project-scoped side could not list (they need admin credentials)."""


@dataclass(frozen=True)
class WaiverSummary(Record):
    """How the ``--waivers`` file was applied."""

    file: str
    """The waivers file, as given."""
    as_of: str
    """The day expiry dates were checked against, ``YYYY-MM-DD``."""
    waived: int
    """Findings waived (kept in the report, not counted)."""
    expired: int
    """Waivers past their expiry date (each one a waiver_expired finding)."""
    unused: tuple[str, ...] = ()
    """Waivers in force that matched no finding (candidates for removal)."""


@dataclass(frozen=True)
class FilterNote(Record):
    """A filter applied to the report's findings (``--min-severity``, ``--project``,
    ``--collection``): what it kept out, so that nothing is hidden silently."""

    DEFAULTS: ClassVar[Mapping[str, Any]] = {"projects": [], "collections": []}

    min_severity: Severity | None
    projects: tuple[str, ...]
    """Globs: findings about a project whose name matches one are shown."""
    collections: tuple[str, ...]
    filtered: int
    """Findings this filter left out of the report (still counted in its verdict)."""


@dataclass(frozen=True)
class Report(Record):
    """The audit's result: ``auditor.report/v1``."""

    KEYS = (
        "tool_version", "generated_at", "source", "target", "verdict", "exit_code", "fail_on",
        "summary", "scorecard", "findings", "sources", "summary_by_source", "scope", "waivers",
        "history", "filters", "notes",
    )  # fmt: skip
    OPTIONAL = frozenset(KEYS[10:])
    DEFAULTS: ClassVar[Mapping[str, Any]] = {"fail_on": "error", "tool_version": "unknown"}

    source: Side
    target: Side
    verdict: Verdict
    exit_code: int
    fail_on: Severity
    summary: Mapping[str, CollectionSummary]
    findings: tuple[Finding, ...]
    scorecard: tuple[ProjectScore, ...] = ()
    generated_at: str = ""
    tool_version: str = __version__
    history: History | None = None
    """Comparison with the previous run, when the CLI keeps a history (``--history``)."""
    waivers: WaiverSummary | None = None
    """How the waivers were applied, when a waivers file was given (``--waivers``)."""
    sources: tuple[Side, ...] = ()
    """Multi-source mergers: every source, with its label (``source`` then names them all)."""
    scope: ScopeNote | None = None
    """When a snapshot is project-scoped: which projects were compared."""
    summary_by_source: Mapping[str, Mapping[str, CollectionSummary]] = field(default_factory=dict)
    """Multi-source mergers: source label -> collection -> that source's counts
    (``unexpected`` is counted for the merger as a whole, in ``summary``)."""
    filters: tuple[FilterNote, ...] = ()
    """The filters applied to the findings shown, in order (the verdict, the exit code,
    the counts and the scorecard are those of every finding)."""
    notes: tuple[str, ...] = ()
    """What the audit could not check and why, one line each (a count cross-check
    skipped because the usage counters could not be read): never a finding."""

    @property
    def filtered(self) -> int:
        """Findings left out of this report by its filters."""
        return sum(f.filtered for f in self.filters)

    @property
    def counted(self) -> tuple[Finding, ...]:
        """The findings that count toward the verdict (all but the waived ones)."""
        return tuple(f for f in self.findings if f.counted)

    @property
    def waived(self) -> tuple[Finding, ...]:
        """The findings a waiver in force accepts."""
        return tuple(f for f in self.findings if not f.counted)

    def to_json(self) -> JSON:
        return {"schema": REPORT_SCHEMA, **super().to_json()}
