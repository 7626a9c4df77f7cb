"""A diff and its artifacts: the report (waivers applied), and the id maps of every match.

:func:`evaluate` is what ``auditor diff`` and ``auditor audit`` run: the diff of
:mod:`auditor.diff.engine`, the waivers of :mod:`auditor.waivers`, and what
the migration keeps besides the report. Pure, like the engine: snapshots,
rules, waivers and the day in, an :class:`Outcome` out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from auditor.diff import scorecard as scoring
from auditor.diff.crosscheck import cross_check_notes, cross_checks
from auditor.diff.engine import Differ
from auditor.diff.flux import explain, in_flux_id
from auditor.diff.fold import contests
from auditor.diff.merge import Merger, SourceRun, check_labels, source_label
from auditor.diff.scope import restrict
from auditor.diff.verdict import EXIT_CODES, collection_order, finding_order, verdict_of
from auditor.folds import Contest
from auditor.gcpause import paused_gc
from auditor.match import Matcher
from auditor.model import Finding, Report, Severity, Snapshot
from auditor.rules import Rules

if TYPE_CHECKING:
    # Only with --waivers and when the id maps are asked for (--write-id-map, evidence).
    from auditor import waivers as waiving
    from auditor.idmap import IdMap


@dataclass(frozen=True)
class Outcome:
    """The report of a diff and the id map of its matches."""

    report: Report
    make_id_maps: Callable[[], tuple[IdMap, ...]] = field(repr=False, compare=False)
    """Builds :attr:`id_maps` when they are first asked for (``--id-map-out``): an entry
    per match is 50,000 records at N = 20k, ~7 % of an audit's CPU when unused."""

    @functools.cached_property
    def id_maps(self) -> tuple[IdMap, ...]:
        """One id map per source, in the sources' order (entries with ``origin`` in a
        merger)."""
        return self.make_id_maps()

    @property
    def id_map(self) -> IdMap:
        """Every source's matches in one map."""
        from auditor.idmap import IdMap

        return IdMap.merge(self.id_maps)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@paused_gc()
def evaluate(
    sources: Sequence[Snapshot],
    target: Snapshot,
    rules: Rules | None = None,
    *,
    fail_on: Severity = Severity.ERROR,
    generated_at: str | None = None,
    waivers: waiving.Waivers | None = None,
    today: date | None = None,
    labels: Sequence[str] | None = None,
    cross_check: bool = True,
) -> Outcome:
    """Diff ``sources`` against ``target`` under ``rules``.

    With one source, the report is :class:`~auditor.diff.engine.Differ`'s. With
    several (a merger), each source is diffed against the target and the diffs
    are merged (:mod:`auditor.diff.merge`); ``labels`` name the sources (default:
    ``cloud@region``) and must differ. With ``waivers``, the findings they accept
    are marked waived and do not count; their expiry dates are checked against
    ``today`` (default: today, UTC). A project-scoped snapshot restricts the
    comparison to its projects (:mod:`auditor.diff.scope`). With ``cross_check``, each
    snapshot's usage counters are compared with its listings (:mod:`auditor.diff.crosscheck`).
    Differences a change inside a cloud's audit window explains are ``in_flux``
    findings (:mod:`auditor.diff.flux`).
    """
    if not sources:
        raise ValueError("evaluate() needs at least one source snapshot")
    rules = rules or Rules()
    generated_at = generated_at or _now()
    names = list(labels) if labels is not None else [source_label(s) for s in sources]
    if len(names) != len(sources):
        raise ValueError("one label per source")
    check_labels(names)
    multi = len(sources) > 1
    # A project-scoped side restricts the other to its projects' counterparts.
    restricted = [restrict(source, target, rules) for source in sources]
    contested = _contests(names, restricted, rules) if multi else {}
    runs: list[SourceRun] = []
    for label, (compared, against, scoped_rules, note) in zip(names, restricted, strict=True):
        differ = Differ(
            compared, against, scoped_rules, fail_on, contested=contested, defer_folds=multi
        )
        report = differ.run(generated_at)
        if note is not None:
            report = replace(report, scope=note)
        runs.append(SourceRun(label, compared, differ, report))
    if multi:
        merger = Merger(runs, target)
        report, about = merger.run(), merger.about
    else:
        report, about = runs[0].report, runs[0].differ.about
    explained = explain(report, sources, target, runs[0].differ.kind_severity)
    if explained is not report:
        # An in_flux finding is about the rows of the finding it was.
        about = {**about, **{in_flux_id(f): about[f.id] for f in report.findings if f.id in about}}
        rows = scoring.explained(report.scorecard, explained.findings, about)
        report = _with_findings(replace(explained, scorecard=rows), [], about)
    counted = (
        cross_checks(
            [(s, label if multi else None) for s, label in zip(sources, names, strict=True)],
            target,
            runs[0].differ.kind_severity,
        )
        if cross_check
        else []
    )
    if counted:
        report = _with_findings(report, counted, about)
    if cross_check:
        sides = [(s, label if multi else None) for s, label in zip(sources, names, strict=True)]
        notes = cross_check_notes(sides, target)
        if notes:
            report = replace(report, notes=(*report.notes, *notes))
    if waivers is not None:
        day = today or datetime.now(timezone.utc).date()
        report = _waive(report, waivers, day, runs[0].differ.kind_severity, about)

    def id_maps() -> tuple[IdMap, ...]:
        from auditor.idmap import from_matchings

        return tuple(
            from_matchings(
                run.differ.matchings,
                source,
                target,
                generated_at=generated_at,
                origin=run.label if multi else None,
            )
            for run, source in zip(runs, sources, strict=True)
        )

    return Outcome(report, id_maps)


compare = evaluate
"""The name ``auditor diff`` and ``auditor audit`` call it by (kept for them)."""


def _contests(
    labels: Sequence[str],
    restricted: Sequence[tuple[Snapshot, Snapshot, Rules, object]],
    rules: Rules,
) -> dict[str, Contest]:
    """The target projects source projects of several sources landed on without a fold."""
    projects = {}
    for label, (source, target, scoped_rules, _note) in zip(labels, restricted, strict=True):
        ours, theirs = source.collections.get("projects"), target.collections.get("projects")
        if ours is not None and theirs is not None:
            projects[label] = Matcher(scoped_rules).match("projects", ours.items, theirs.items)
    return contests(rules, projects)


def _with_findings(report: Report, extra: Sequence[Finding], about: scoring.About) -> Report:
    """``report`` with ``extra`` findings among its own (in report order), the verdict
    decided again and the scorecard counted again."""
    names = collection_order([*report.summary, *(f.collection for f in extra)])
    findings = sorted([*report.findings, *extra], key=finding_order(names))
    verdict = verdict_of(findings, report.fail_on)
    return replace(
        report,
        findings=tuple(findings),
        verdict=verdict,
        exit_code=EXIT_CODES[verdict],
        scorecard=scoring.recount(report.scorecard, findings, about),
    )


def _waive(
    report: Report,
    waivers: waiving.Waivers,
    today: date,
    severity_of: waiving.SeverityOf,
    about: scoring.About,
) -> Report:
    """``report`` with the waivers applied, the verdict and exit code decided again and
    the scorecard counted again (a waived finding is no error or warning of its project)."""
    from auditor import waivers as waiving

    findings, summary = waiving.apply(report.findings, waivers, today, severity_of)
    verdict = verdict_of(findings, report.fail_on)
    return replace(
        report,
        findings=tuple(findings),
        verdict=verdict,
        exit_code=EXIT_CODES[verdict],
        waivers=summary,
        scorecard=scoring.recount(report.scorecard, findings, about),
    )
