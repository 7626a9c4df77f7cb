"""The report (``auditor.report/v1``): the audit's result, its sides, history, scope and
waivers, with their JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from auditor import __version__
from auditor.model.enums import JSON, REPORT_SCHEMA, Kind, Severity, Verdict
from auditor.model.findings import CollectionSummary, Finding, ProjectScore, Ref
from auditor.model.trend import TrendPoint


@dataclass(frozen=True)
class Side:
    """Which snapshot one side of the report came from."""

    cloud: str
    region: str | None
    taken_at: str
    complete: bool
    label: str | None = None
    """Multi-source mergers: how findings name this source (their ``origin``)."""

    def to_json(self) -> JSON:
        out: JSON = {
            "cloud": self.cloud,
            "region": self.region,
            "taken_at": self.taken_at,
            "complete": self.complete,
        }
        if self.label is not None:
            out["label"] = self.label
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> Side:
        return cls(
            cloud=doc["cloud"],
            region=doc.get("region"),
            taken_at=doc["taken_at"],
            complete=bool(doc["complete"]),
            label=doc.get("label"),
        )


@dataclass(frozen=True)
class ResolvedFinding:
    """A finding of the previous run that this run no longer has."""

    id: str
    kind: Kind
    collection: str
    severity: Severity
    """Its severity in the previous run."""
    message: str
    """Its message in the previous run."""

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "collection": self.collection,
            "severity": self.severity.value,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, doc: JSON) -> ResolvedFinding:
        return cls(
            id=doc["id"],
            kind=Kind(doc["kind"]),
            collection=doc["collection"],
            severity=Severity(doc["severity"]),
            message=doc["message"],
        )


@dataclass(frozen=True)
class History:
    """What changed since the previous report kept by ``--history`` (by finding id)."""

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

    def to_json(self) -> JSON:
        out: JSON = {
            "previous": self.previous,
            "previous_file": self.previous_file,
            "new": list(self.new),
            "resolved": [r.to_json() for r in self.resolved],
        }
        if self.trend:
            out["trend"] = [p.to_json() for p in self.trend]
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> History:
        return cls(
            previous=doc["previous"],
            previous_file=doc.get("previous_file", ""),
            new=tuple(doc.get("new", [])),
            resolved=tuple(ResolvedFinding.from_json(r) for r in doc.get("resolved", [])),
            trend=tuple(TrendPoint.from_json(p) for p in doc.get("trend", [])),
        )


@dataclass(frozen=True)
class ProjectPair:
    """A source project and its counterpart, as a scope note lists them."""

    source: Ref
    target: Ref

    def to_json(self) -> JSON:
        return {"source": self.source.to_json(), "target": self.target.to_json()}

    @classmethod
    def from_json(cls, doc: JSON) -> ProjectPair:
        return cls(Ref.from_json(doc["source"]), Ref.from_json(doc["target"]))


@dataclass(frozen=True)
class ScopeNote:
    """What was compared when a snapshot is project-scoped."""

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

    def to_json(self) -> JSON:
        return {
            "source": self.source,
            "target": self.target,
            "compared": [p.to_json() for p in self.compared],
            "source_projects_not_compared": self.source_projects_not_compared,
            "target_projects_not_compared": self.target_projects_not_compared,
            "collections_not_compared": list(self.collections_not_compared),
        }

    @classmethod
    def from_json(cls, doc: JSON) -> ScopeNote:
        return cls(
            source=doc["source"],
            target=doc["target"],
            compared=tuple(ProjectPair.from_json(p) for p in doc.get("compared", [])),
            source_projects_not_compared=int(doc.get("source_projects_not_compared", 0)),
            target_projects_not_compared=int(doc.get("target_projects_not_compared", 0)),
            collections_not_compared=tuple(doc.get("collections_not_compared", [])),
        )


@dataclass(frozen=True)
class WaiverSummary:
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

    def to_json(self) -> JSON:
        return {
            "file": self.file,
            "as_of": self.as_of,
            "waived": self.waived,
            "expired": self.expired,
            "unused": list(self.unused),
        }

    @classmethod
    def from_json(cls, doc: JSON) -> WaiverSummary:
        return cls(
            file=doc["file"],
            as_of=doc["as_of"],
            waived=int(doc["waived"]),
            expired=int(doc["expired"]),
            unused=tuple(doc.get("unused", [])),
        )


@dataclass(frozen=True)
class FilterNote:
    """A filter applied to the report's findings (``--min-severity``, ``--project``,
    ``--collection``): what it kept out, so that nothing is hidden silently."""

    min_severity: Severity | None
    projects: tuple[str, ...]
    """Globs: findings about a project whose name matches one are shown."""
    collections: tuple[str, ...]
    filtered: int
    """Findings this filter left out of the report (still counted in its verdict)."""

    def to_json(self) -> JSON:
        return {
            "min_severity": self.min_severity.value if self.min_severity else None,
            "projects": list(self.projects),
            "collections": list(self.collections),
            "filtered": self.filtered,
        }

    @classmethod
    def from_json(cls, doc: JSON) -> FilterNote:
        severity = doc.get("min_severity")
        return cls(
            min_severity=Severity(severity) if severity else None,
            projects=tuple(doc.get("projects", [])),
            collections=tuple(doc.get("collections", [])),
            filtered=int(doc["filtered"]),
        )


@dataclass(frozen=True)
class Report:
    """The audit's result: ``auditor.report/v1``."""

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
        out: JSON = {
            "schema": REPORT_SCHEMA,
            "tool_version": self.tool_version,
            "generated_at": self.generated_at,
            "source": self.source.to_json(),
            "target": self.target.to_json(),
            "verdict": self.verdict.value,
            "exit_code": self.exit_code,
            "fail_on": self.fail_on.value,
            "summary": {name: s.to_json() for name, s in self.summary.items()},
            "scorecard": [s.to_json() for s in self.scorecard],
            "findings": [f.to_json() for f in self.findings],
        }
        if self.sources:
            out["sources"] = [s.to_json() for s in self.sources]
            out["summary_by_source"] = {
                label: {name: s.to_json() for name, s in summary.items()}
                for label, summary in self.summary_by_source.items()
            }
        if self.scope is not None:
            out["scope"] = self.scope.to_json()
        if self.waivers is not None:
            out["waivers"] = self.waivers.to_json()
        if self.history is not None:
            out["history"] = self.history.to_json()
        if self.filters:
            out["filters"] = [f.to_json() for f in self.filters]
        return out

    @classmethod
    def from_json(cls, doc: JSON) -> Report:
        return cls(
            source=Side.from_json(doc["source"]),
            target=Side.from_json(doc["target"]),
            verdict=Verdict(doc["verdict"]),
            exit_code=int(doc["exit_code"]),
            fail_on=Severity(doc.get("fail_on", "error")),
            summary={k: CollectionSummary.from_json(v) for k, v in doc["summary"].items()},
            findings=tuple(Finding.from_json(f) for f in doc["findings"]),
            scorecard=tuple(ProjectScore.from_json(s) for s in doc.get("scorecard", [])),
            generated_at=doc.get("generated_at", ""),
            tool_version=doc.get("tool_version", "unknown"),
            history=History.from_json(doc["history"]) if doc.get("history") else None,
            waivers=WaiverSummary.from_json(doc["waivers"]) if doc.get("waivers") else None,
            scope=ScopeNote.from_json(doc["scope"]) if doc.get("scope") else None,
            sources=tuple(Side.from_json(s) for s in doc.get("sources", [])),
            summary_by_source={
                label: {name: CollectionSummary.from_json(s) for name, s in summary.items()}
                for label, summary in (doc.get("summary_by_source") or {}).items()
            },
            filters=tuple(FilterNote.from_json(f) for f in doc.get("filters", [])),
        )
