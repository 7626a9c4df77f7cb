"""The documents the auditor reads and writes, as frozen dataclasses.

Normalised items stay plain JSON dictionaries (their fields are documented per
collection in :mod:`auditor.records`): a snapshot of tens of thousands of
servers is built, written, read and diffed without a conversion layer.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor import __version__
from auditor.errors import SnapshotError
from auditor.shapecheck import check_items

INVENTORY_SCHEMA = "auditor.inventory/v1"
REPORT_SCHEMA = "auditor.report/v1"
IDMAP_SCHEMA = "auditor.idmap/v1"

SCOPE_ADMIN = "admin"
"""A snapshot listed as an admin, across all projects."""
SCOPE_PROJECT = "project"
"""A snapshot listed with project-scoped credentials: the user's projects only."""

JSON = dict[str, Any]


class Status(str, enum.Enum):
    """How completely a collection was listed."""

    OK = "ok"
    """Every page was listed."""
    INCOMPLETE = "incomplete"
    """Some items were listed, but the service cut the list (Keystone ``truncated``)."""
    ERROR = "error"
    """The listing failed after retries; the items are not to be trusted as a whole."""


@dataclass(frozen=True)
class CollectionResult:
    """One collection of a snapshot."""

    status: Status
    """ok, incomplete or error."""
    items: tuple[JSON, ...] = ()
    """Normalised items, sorted by id."""
    error: str | None = None
    """Why the collection is not ok; one line, no secret."""

    @property
    def complete(self) -> bool:
        """True when every item was listed."""
        return self.status is Status.OK

    def to_json(self) -> JSON:
        out: JSON = {"status": self.status.value, "count": len(self.items)}
        if self.error is not None:
            out["error"] = self.error
        out["items"] = list(self.items)
        return out


@dataclass(frozen=True)
class Snapshot:
    """An inventory of one cloud (region) at one moment: ``auditor.inventory/v1``."""

    cloud: str
    """The clouds.yaml profile name (or the name the snapshot was given)."""
    region: str | None
    """The region listed, None when the cloud has a single unnamed region."""
    auth_url: str | None
    """Keystone's URL, for the record."""
    taken_at: str
    """UTC time the inventory started, ISO 8601 with a Z."""
    duration_s: float
    """Wall-clock seconds the inventory took."""
    collections: Mapping[str, CollectionResult]
    """Collection name -> result."""
    tool_version: str = __version__
    """Version of the auditor that took the snapshot."""
    scope: str = SCOPE_ADMIN
    """``admin`` for an all-projects inventory, ``project`` for one made with
    project-scoped credentials (see ``projects_covered``)."""
    microversions: Mapping[str, str | None] = field(default_factory=dict)
    """Service type -> microversion the listings were made with."""
    projects_covered: tuple[JSON, ...] = ()
    """For ``scope: project``: the projects listed, ``{id, name, domain}`` each."""

    @property
    def complete(self) -> bool:
        """True when every collection was listed completely."""
        return all(c.complete for c in self.collections.values())

    def to_json(self) -> JSON:
        return {
            "schema": INVENTORY_SCHEMA,
            "tool_version": self.tool_version,
            "cloud": self.cloud,
            "region": self.region,
            "auth_url": self.auth_url,
            "scope": self.scope,
            "taken_at": self.taken_at,
            "duration_s": round(self.duration_s, 3),
            "microversions": dict(self.microversions),
            **(
                {"projects_covered": list(self.projects_covered)}
                if self.scope == SCOPE_PROJECT
                else {}
            ),
            "collections": {
                name: self.collections[name].to_json() for name in sorted(self.collections)
            },
        }

    def dumps(self) -> str:
        """The snapshot as the JSON text written to files."""
        return json.dumps(self.to_json(), indent=1, sort_keys=False, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, doc: Any, origin: str) -> Snapshot:
        """Build a snapshot from parsed JSON; ``origin`` names the file in errors."""
        if not isinstance(doc, dict):
            raise SnapshotError(f"{origin}: not an auditor snapshot (top level is not an object)")
        schema = doc.get("schema")
        if schema != INVENTORY_SCHEMA:
            raise SnapshotError(f"{origin}: schema is {schema!r}, expected {INVENTORY_SCHEMA!r}")
        try:
            raw_collections = doc["collections"]
            if not isinstance(raw_collections, dict):
                raise TypeError("collections is not an object")
            collections = {
                str(name): _collection_from_json(value, f"collections.{name}")
                for name, value in raw_collections.items()
            }
            return cls(
                cloud=str(doc["cloud"]),
                region=_opt_str(doc.get("region")),
                auth_url=_opt_str(doc.get("auth_url")),
                taken_at=str(doc["taken_at"]),
                duration_s=float(doc.get("duration_s", 0.0)),
                collections=collections,
                tool_version=str(doc.get("tool_version", "unknown")),
                scope=str(doc.get("scope", SCOPE_ADMIN)),
                microversions=dict(doc.get("microversions") or {}),
                projects_covered=tuple(doc.get("projects_covered") or ()),
            )
        except KeyError as exc:
            raise SnapshotError(f"{origin}: missing key {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise SnapshotError(f"{origin}: {exc}") from None

    @classmethod
    def load(cls, path: str) -> Snapshot:
        """Read a snapshot file; every failure is a one-line :class:`SnapshotError`."""
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except FileNotFoundError:
            raise SnapshotError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise SnapshotError(f"{path}: is a directory, not a snapshot file") from None
        except PermissionError:
            raise SnapshotError(f"{path}: permission denied") from None
        except UnicodeDecodeError:
            raise SnapshotError(f"{path}: not UTF-8 text, not a snapshot") from None
        except RecursionError:
            raise SnapshotError(f"{path}: nested too deeply, not a snapshot") from None
        except json.JSONDecodeError as exc:
            raise SnapshotError(
                f"{path}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg});"
                " truncated or corrupt snapshot?"
            ) from None
        return cls.from_json(doc, path)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _collection_from_json(value: Any, where: str) -> CollectionResult:
    if not isinstance(value, dict):
        raise TypeError(f"{where} is not an object")
    try:
        status = Status(value.get("status"))
    except ValueError:
        raise ValueError(f"{where}.status is {value.get('status')!r}") from None
    items = value.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise TypeError(f"{where}.items is not a list of objects")
    for index, item in enumerate(items):
        if "id" not in item:
            raise ValueError(f"{where}.items[{index}] has no id")
    check_items(where.removeprefix("collections."), items, where)
    if "count" in value and value["count"] != len(items):
        raise ValueError(
            f"{where}.count says {value['count']} but {len(items)} items are present"
            " (truncated snapshot?)"
        )
    error = value.get("error")
    return CollectionResult(status=status, items=tuple(items), error=_opt_str(error))


class Severity(str, enum.Enum):
    """How much a finding matters; ``--fail-on`` compares against it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for error, 1 for warning, 0 for info."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Kind(str, enum.Enum):
    """What a finding says."""

    MISSING = "missing"
    """In the source, no counterpart in the target."""
    UNEXPECTED = "unexpected"
    """In-scope target resource with no source."""
    CHANGED = "changed"
    """Matched, but with different substance."""
    AMBIGUOUS = "ambiguous"
    """Several candidates for one key: no silent pick."""
    CONFLICT = "conflict"
    """Multi-source mergers: one target item is the counterpart of items of two sources."""
    RESIDUE = "residue"
    """Old-brand string left in a target name, description, URL or metadata."""
    INCOMPLETE = "incomplete"
    """A collection could not be listed completely on one side."""
    WAIVER_EXPIRED = "waiver_expired"
    """A waiver of the ``--waivers`` file is past its expiry date."""


class Verdict(str, enum.Enum):
    """The audit's conclusion."""

    VERIFIED = "verified"
    DISCREPANCIES = "discrepancies"
    INCOMPLETE = "incomplete"


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

    def to_json(self) -> JSON:
        return {
            "previous": self.previous,
            "previous_file": self.previous_file,
            "new": list(self.new),
            "resolved": [r.to_json() for r in self.resolved],
        }

    @classmethod
    def from_json(cls, doc: JSON) -> History:
        return cls(
            previous=doc["previous"],
            previous_file=doc.get("previous_file", ""),
            new=tuple(doc.get("new", [])),
            resolved=tuple(ResolvedFinding.from_json(r) for r in doc.get("resolved", [])),
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
        )
