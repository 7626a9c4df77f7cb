"""The per-project scorecard: where each source project stands, for account teams.

A row per source project in scope: its counterpart, how many of its resources
were matched and how many are missing (from the matching), and, from the
findings, how many of its resources changed, how many unexpected resources its
counterpart holds, and how many error and warning findings are about it. A
project is *fully matched* only when it has a counterpart and no error or
warning finding (waived findings do not count, as for the verdict).

Which source projects a finding is about (:data:`About`) is worked out where
the finding is made (the diff, the merger), because only there are the items'
project ids at hand: a finding about a source item is about that item's
project; one about a target item (unexpected, residue) about every source
project whose counterpart holds it (several for a fold); a flavor no longer
shared with a project is about that project too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from auditor.match import Matching
from auditor.match.keys import PROJECT_OWNED
from auditor.model import JSON, Finding, Kind, ProjectScore, Severity
from auditor.model.ids import ref

RowKey = tuple[str | None, str]
"""A scorecard row: (the source's label in a merger, else None; source project id)."""

About = Mapping[str, frozenset[RowKey]]
"""Finding id -> the rows (source projects) the finding is about."""


def rows(matchings: Mapping[str, Matching], origin: str | None = None) -> tuple[ProjectScore, ...]:
    """The rows of one source's diff, with what the matching says (matched, missing);
    the findings' counts come from :func:`recount`."""
    projects = matchings.get("projects")
    if projects is None:
        return ()
    counterpart = {str(p.source["id"]): p.target for p in projects.pairs}
    sources: list[JSON] = [p.source for p in projects.pairs] + list(projects.missing)
    for amb in projects.ambiguous:
        sources.extend(amb.sources)
    counts: dict[str, list[int]] = {str(s["id"]): [0, 0] for s in sources}
    for name, m in matchings.items():
        if name not in PROJECT_OWNED:
            continue
        for pair in m.pairs:
            row = counts.get(str(pair.source.get("project_id")))
            if row is not None:
                row[0] += 1
        for item in m.missing:
            row = counts.get(str(item.get("project_id")))
            if row is not None:
                row[1] += 1
    out = [
        ProjectScore(
            source=ref(s),
            target=ref(counterpart[str(s["id"])]) if str(s["id"]) in counterpart else None,
            matched=counts[str(s["id"])][0],
            missing=counts[str(s["id"])][1],
            changed=0,
            origin=origin,
        )
        for s in sources
    ]
    out.sort(key=lambda r: (r.source.domain or "", r.source.name or "", r.source.id))
    return tuple(out)


def recount(
    scorecard: Sequence[ProjectScore], findings: Iterable[Finding], about: About
) -> tuple[ProjectScore, ...]:
    """``scorecard`` with its changed, unexpected, errors and warnings counted from
    ``findings`` (waived ones count as changed or unexpected, not as errors or warnings)."""
    counts: dict[RowKey, dict[str, int]] = {
        (row.origin, row.source.id): {"changed": 0, "unexpected": 0, "errors": 0, "warnings": 0}
        for row in scorecard
    }
    for f in findings:
        keys = [k for k in about.get(f.id, ()) if k in counts]
        for key in keys:
            tally = counts[key]
            if f.kind is Kind.CHANGED and f.collection in PROJECT_OWNED:
                tally["changed"] += 1
            elif f.kind is Kind.UNEXPECTED:
                tally["unexpected"] += 1
            if f.counted and f.severity is Severity.ERROR:
                tally["errors"] += 1
            elif f.counted and f.severity is Severity.WARNING:
                tally["warnings"] += 1
    out = []
    for row in scorecard:
        c = counts[(row.origin, row.source.id)]
        # A new row rather than dataclasses.replace, which inspects the fields per call.
        out.append(
            ProjectScore(
                source=row.source,
                target=row.target,
                matched=row.matched,
                missing=row.missing,
                changed=c["changed"],
                origin=row.origin,
                unexpected=c["unexpected"],
                errors=c["errors"],
                warnings=c["warnings"],
                in_flux=row.in_flux,
            )
        )
    return tuple(out)


def explained(
    scorecard: Sequence[ProjectScore], findings: Iterable[Finding], about: About
) -> tuple[ProjectScore, ...]:
    """``scorecard`` once the differences a change inside an audit window explains are
    ``in_flux`` findings (``about`` knows their ids): each row counts its own in
    ``in_flux``, and a missing resource among them no longer as missing (as the
    collections' summary moves it). Made once, after the explanation; :func:`recount`
    keeps both counts."""
    flux: dict[RowKey, list[int]] = {}
    for f in findings:
        if f.kind is not Kind.IN_FLUX or f.flux is None or f.collection not in PROJECT_OWNED:
            continue
        for key in about.get(f.id, ()):
            tally = flux.setdefault(key, [0, 0])
            tally[0] += 1
            tally[1] += f.flux.was is Kind.MISSING
    if not flux:
        return tuple(scorecard)
    out = []
    for row in scorecard:
        moved, was_missing = flux.get((row.origin, row.source.id), (0, 0))
        out.append(
            ProjectScore(
                source=row.source,
                target=row.target,
                matched=row.matched,
                missing=row.missing - was_missing,
                changed=row.changed,
                origin=row.origin,
                unexpected=row.unexpected,
                errors=row.errors,
                warnings=row.warnings,
                in_flux=row.in_flux + moved,
            )
        )
    return tuple(out)


def with_origin(about: About, origin: str) -> dict[str, frozenset[RowKey]]:
    """A single-source diff's ``about``, its rows labelled with the source's ``origin``."""
    return {fid: frozenset((origin, pid) for _, pid in keys) for fid, keys in about.items()}


def merge_about(parts: Iterable[About]) -> dict[str, frozenset[RowKey]]:
    """The union of several ``about`` maps (the same finding reached through two sources)."""
    out: dict[str, frozenset[RowKey]] = {}
    for part in parts:
        for fid, keys in part.items():
            out[fid] = out.get(fid, frozenset()) | keys
    return out
