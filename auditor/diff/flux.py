"""Differences explained by the clouds changing during the audit: ``in_flux`` findings.

Each snapshot's watched collections carry what their cloud said changed after
the listing started (:mod:`auditor.collect.flux`). A missing, unexpected or
changed finding about an item that changed inside its cloud's audit window
(deleted in the source, created in the target, renamed or resized after its
listing) says nothing about the migration: it becomes an ``in_flux`` finding
(info by default) naming the change and when it happened, and is no longer
counted as missing, unexpected or changed. Pure: reports and snapshots in, a
report out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from auditor.catalog.flux import WATCHES
from auditor.model import CollectionSummary, Finding, Kind, Report, Severity, Side, Snapshot
from auditor.model.flux import Event, FluxNote, ItemChange, ListingWindow, Method
from auditor.model.ids import finding_id

EXPLAINED = (Kind.MISSING, Kind.UNEXPECTED, Kind.CHANGED)
"""The kinds of findings a change inside the audit window can explain."""

COUNTS = {Kind.MISSING: "missing", Kind.UNEXPECTED: "unexpected", Kind.CHANGED: "changed"}
"""The collection summary's count of each explained kind."""


def span(windows: Iterable[ListingWindow | None]) -> ListingWindow | None:
    """The window covering every one of ``windows`` (None: none known)."""
    known = [w for w in windows if w is not None]
    if not known:
        return None
    return ListingWindow(min(w.started for w in known), max(w.ended for w in known))


def reread_note(snapshot: Snapshot) -> dict[str, int | None]:
    """The re-reads made of ``snapshot``'s cloud: ``rereads`` and ``reread_bound`` of its side."""
    changes = [r.changes for r in snapshot.collections.values() if r.changes is not None]
    bounds = [c.bound for c in changes if c.bound is not None]
    return {"rereads": sum(c.rereads for c in changes), "reread_bound": max(bounds, default=None)}


def side_of(snapshot: Snapshot, complete: bool) -> Side:
    """The report's side of ``snapshot`` (``complete`` also covers collections the other
    snapshot has and this one lacks), with its audit window and re-reads."""
    note = reread_note(snapshot)
    return Side(
        snapshot.cloud,
        snapshot.region,
        snapshot.taken_at,
        complete,
        window=snapshot.window,
        rereads=note["rereads"] or 0,
        reread_bound=note["reread_bound"],
    )


ACCEPTED: Mapping[tuple[Kind, str], frozenset[Event]] = {
    # Missing: the source item went away or came after the migration's copy; a
    # deletion in the target is a loss, whenever it happened.
    (Kind.MISSING, "source"): frozenset({Event.DELETED, Event.CREATED, Event.UPDATED}),
    (Kind.MISSING, "target"): frozenset({Event.UPDATED}),
    # Unexpected: the target item came (or went) during the audit, or the source's
    # went away before its page was read.
    (Kind.UNEXPECTED, "target"): frozenset({Event.CREATED, Event.DELETED, Event.UPDATED}),
    (Kind.UNEXPECTED, "source"): frozenset({Event.DELETED, Event.CREATED, Event.UPDATED}),
    (Kind.CHANGED, "source"): frozenset(Event),
    (Kind.CHANGED, "target"): frozenset(Event),
}
"""Which changes of which side can explain each kind of difference. An update explains
a missing or unexpected item only when it renamed the item (see :func:`_renamed`):
a server whose status changed during the audit does not explain its absence."""


@dataclass(frozen=True)
class _Cloud:
    """One side's cloud: its changes by collection and id, and what it listed."""

    side: str
    snapshot: Snapshot
    changes: Mapping[str, Mapping[str, ItemChange]]

    @classmethod
    def of(cls, side: str, snapshot: Snapshot) -> _Cloud:
        return cls(
            side,
            snapshot,
            {
                name: result.changes.by_id()
                for name, result in snapshot.collections.items()
                if result.changes is not None and name in WATCHES
            },
        )

    def change(self, collection: str, item_id: str | None) -> ItemChange | None:
        if item_id is None:
            return None
        return self.changes.get(collection, {}).get(item_id)

    def listed_name(self, collection: str, item_id: str) -> tuple[bool, object]:
        """(whether the item was listed, its name as listed)."""
        result = self.snapshot.collections.get(collection)
        for item in result.items if result is not None else ():
            if str(item.get("id")) == item_id:
                return True, item.get("name")
        return False, None


def _renamed(f: Finding, cloud: _Cloud, change: ItemChange, clouds: Sequence[_Cloud]) -> bool:
    """Whether ``change`` (an update) renamed the item: its name now is not the one its
    listing read, or the two sides list the same id under different names."""
    listed, name = cloud.listed_name(f.collection, change.id)
    if listed and change.name is not None and change.name != name:
        return True
    names = [c.listed_name(f.collection, change.id) for c in clouds]
    return len({repr(n) for seen, n in names if seen}) > 1


def _explanation(
    f: Finding, sources: Sequence[_Cloud], target: _Cloud
) -> tuple[_Cloud, ItemChange] | None:
    """The change inside an audit window that explains ``f`` (None: none does)."""
    source_id = f.source.id if f.source is not None else None
    target_id = f.target.id if f.target is not None else None
    # Same-id migrations: an item of one side has the same id on the other.
    looks = [(s, source_id) for s in sources] + [(target, target_id)]
    looks += [(target, source_id)] if f.kind is Kind.MISSING else []
    looks += [(s, target_id) for s in sources] if f.kind is Kind.UNEXPECTED else []
    for cloud, item_id in looks:
        change = cloud.change(f.collection, item_id)
        if change is None or change.event not in ACCEPTED[(f.kind, cloud.side)]:
            continue
        if (
            change.event is Event.UPDATED
            and f.kind is not Kind.CHANGED
            and not _renamed(f, cloud, change, [*sources, target])
        ):
            continue
        return cloud, change
    return None


def in_flux_id(f: Finding) -> str:
    """The id of the ``in_flux`` finding ``f`` becomes when a change explains it."""
    return finding_id(Kind.IN_FLUX, f.collection, f.id)


def _in_flux(f: Finding, cloud: _Cloud, change: ItemChange, severity: Severity) -> Finding:
    window = cloud.snapshot.window
    what = {
        Event.DELETED: "deleted",
        Event.CREATED: "created",
        Event.UPDATED: "changed",
    }[change.event]
    message = (
        f"{f.message}; but {cloud.side} {cloud.snapshot.cloud} says it was {what} at"
        f" {change.at}, inside its audit window ({window.started} to {window.ended}):"
        f" in flux during the audit, not counted as {COUNTS.get(f.kind, 'a count mismatch')}"
    )
    return replace(
        f,
        id=in_flux_id(f),
        kind=Kind.IN_FLUX,
        severity=severity,
        message=message,
        flux=FluxNote(f.kind, cloud.side, cloud.snapshot.cloud, change.event, change.at, window),
    )


def explain_count(
    f: Finding, snapshot: Snapshot, severity_of: Callable[[str, Kind], Severity]
) -> Finding:
    """``f``, a ``count_mismatch`` of ``snapshot``'s cloud, as ``in_flux`` when items of its
    project in its collection changed inside the audit window: the counters and the
    listing were read at different moments of a changing project (the latest change
    named)."""
    result = snapshot.collections.get(f.collection)
    about = f.source or f.target
    if result is None or result.changes is None or about is None or f.side is None:
        return f
    owners = {str(i.get("id")): i.get("project_id") for i in result.items}
    changed = [c for c in result.changes.items if (c.project_id or owners.get(c.id)) == about.id]
    if not changed or snapshot.window is None:
        return f
    latest = max(changed, key=lambda c: c.at)
    cloud = _Cloud.of(f.side, snapshot)
    return _in_flux(f, cloud, latest, severity_of(f.collection, Kind.IN_FLUX))


def explain(
    report: Report,
    sources: Sequence[Snapshot],
    target: Snapshot,
    severity_of: Callable[[str, Kind], Severity],
) -> Report:
    """``report`` with every difference a change inside an audit window explains turned
    into an ``in_flux`` finding, and the collections' counts moved accordingly (the
    verdict is decided again by the caller)."""
    clouds = [_Cloud.of("source", s) for s in sources]
    against = _Cloud.of("target", target)
    if not any(c.changes for c in (*clouds, against)):
        return report
    findings: list[Finding] = []
    moved: dict[str, dict[str, int]] = {}
    moved_by_source: dict[str, dict[str, dict[str, int]]] = {}
    for f in report.findings:
        found = _explanation(f, clouds, against) if f.kind in EXPLAINED else None
        if found is None:
            findings.append(f)
            continue
        findings.append(_in_flux(f, *found, severity_of(f.collection, Kind.IN_FLUX)))
        places = [moved]
        if f.origin is not None and f.origin in report.summary_by_source:
            places.append(moved_by_source.setdefault(f.origin, {}))
        for place in places:
            counts = place.setdefault(f.collection, {})
            counts[COUNTS[f.kind]] = counts.get(COUNTS[f.kind], 0) + 1
    if not moved:
        return report
    by_source = {
        label: _moved(summary, moved_by_source[label]) if label in moved_by_source else summary
        for label, summary in report.summary_by_source.items()
    }
    return replace(
        report,
        findings=tuple(findings),
        summary=_moved(report.summary, moved),
        summary_by_source=by_source,
    )


def _moved(
    summary: Mapping[str, CollectionSummary], moved: Mapping[str, Mapping[str, int]]
) -> dict[str, CollectionSummary]:
    """``summary`` with each collection's explained differences (``moved``: their counts by
    kind) counted as in flux instead."""
    out = dict(summary)
    for name, counts in moved.items():
        if name in out:
            s = out[name]
            out[name] = replace(
                s,
                missing=max(s.missing - counts.get("missing", 0), 0),
                unexpected=max(s.unexpected - counts.get("unexpected", 0), 0),
                changed=max(s.changed - counts.get("changed", 0), 0),
                in_flux=s.in_flux + sum(counts.values()),
            )
    return out


def rereads_wanted(
    report: Report, sources: Sequence[Snapshot], target: Snapshot
) -> tuple[list[dict[str, set[str]]], dict[str, set[str]]]:
    """The items to read again, by id: for each source, then for the target, collection ->
    ids. Those of the differences no change explains, on a side whose filter could not
    have reported it (a deletion is reported by Nova's ``changes-since`` alone; no
    filter reports nothing)."""
    wanted_sources: list[dict[str, set[str]]] = [{} for _ in sources]
    wanted_target: dict[str, set[str]] = {}

    def method(snapshot: Snapshot, collection: str) -> Method | None:
        result = snapshot.collections.get(collection)
        if result is None or result.changes is None:
            return None
        return result.changes.method

    for f in report.findings:
        if f.kind not in EXPLAINED or f.collection not in WATCHES:
            continue
        if f.source is not None and f.kind in (Kind.MISSING, Kind.CHANGED):
            for n, snapshot in enumerate(sources):
                result = snapshot.collections.get(f.collection)
                if result is None or not any(i.get("id") == f.source.id for i in result.items):
                    continue
                asked = method(snapshot, f.collection)
                if asked is None or (f.kind is Kind.MISSING and asked is not Method.CHANGES_SINCE):
                    wanted_sources[n].setdefault(f.collection, set()).add(f.source.id)
        if f.target is not None and method(target, f.collection) is None:
            wanted_target.setdefault(f.collection, set()).add(f.target.id)
    return wanted_sources, wanted_target
