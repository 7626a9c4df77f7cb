"""The diff itself: match every collection, compare pairs, report, decide the verdict.

Pure: two :class:`~auditor.model.Snapshot` and the :class:`~auditor.rules.Rules`
go in, a :class:`~auditor.model.Report` comes out. The same inputs give the
same report, finding ids included, whether the snapshots came from a live
audit or from files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from auditor.catalog import registry
from auditor.diff import offered
from auditor.diff import scorecard as scoring
from auditor.diff.changes import ById, Changes, Context
from auditor.diff.comparator import bound, fold_checks_of
from auditor.diff.flux import side_of
from auditor.diff.fold import by_target, split_folds
from auditor.diff.leftout import leave_out
from auditor.diff.residue import residue_finding, residue_in, residue_severity
from auditor.diff.verdict import (
    DEFAULT_KIND_SEVERITY,
    EXIT_CODES,
    collection_order,
    finding_order,
    verdict_of,
)
from auditor.diff.wording import ambiguous_message, item_label, noun
from auditor.folds import Contest
from auditor.gcpause import paused_gc
from auditor.match import Ambiguity, Matcher, Matching, Pair
from auditor.match.keys import PROJECT_OWNED, expected_label
from auditor.model import (
    Change,
    CollectionResult,
    CollectionSummary,
    Finding,
    Kind,
    Report,
    Severity,
    Snapshot,
    Status,
)
from auditor.model.ids import finding_id, ref
from auditor.rules import Rules

JSON = dict[str, Any]

PROJECTS = registry.PROJECTS


def _missing_result(side: str) -> CollectionResult:
    return CollectionResult(Status.ERROR, error=f"not in the {side} snapshot")


class Differ:
    """One diff of a source and a target snapshot under rules."""

    def __init__(
        self,
        source: Snapshot,
        target: Snapshot,
        rules: Rules,
        fail_on: Severity,
        *,
        contested: Mapping[str, Contest] | None = None,
        defer_folds: bool = False,
    ) -> None:
        self.source = source
        self.target = target
        self.rules = rules
        self.fail_on = fail_on
        self.contested = contested
        """Target project id -> its contest, when a merger found it across sources."""
        self.defer_folds = defer_folds
        """True in a merger: a fold's singletons are compared there, across sources."""
        self.findings: list[Finding] = []
        self.matchings: dict[str, Matching] = {}
        """Collection -> its matching, once :meth:`run` has run (the id map is made of it)."""
        self.folded: dict[str, list[Pair]] = {}
        """With ``defer_folds``: collection -> the pairs of folds' singletons, not compared."""
        self.about: dict[str, frozenset[scoring.RowKey]] = {}
        """Finding id -> the source projects (scorecard rows) it is about."""
        self.left_out: dict[str, tuple[int, int]] = {}
        """Collection -> items of the source and of the target left out of the comparison."""
        self.not_offered: dict[str, str | None] = {}  # collection -> side (diff.offered)

    def group(self, name: str, source: JSON | None, target: JSON | None) -> str | None:
        """The target project a finding is about: its counterpart's name, or the expected one."""
        if target is not None:
            return target.get("name") if name == PROJECTS else target.get("project")
        if source is None:
            return None
        if name == PROJECTS:
            counterpart = self.matcher.project_map.get(str(source["id"]))
            if counterpart is not None:
                return self.target_projects.get(counterpart)
            return self.rules.name(PROJECTS, source.get("name"))
        if name not in PROJECT_OWNED:
            return None
        counterpart = self.matcher.project_map.get(str(source.get("project_id")))
        if counterpart is not None and counterpart in self.target_projects:
            return self.target_projects[counterpart]
        return self.rules.name(PROJECTS, source.get("project"))

    def kind_severity(self, collection: str, kind: Kind) -> Severity:
        return self.rules.severity_for(collection, kind.value, DEFAULT_KIND_SEVERITY[kind])

    def run(self, generated_at: str | None = None) -> Report:
        names = collection_order([*self.source.collections, *self.target.collections])
        results: dict[str, tuple[CollectionResult, CollectionResult]] = {}
        for name in names:
            source_result, left_source = leave_out(
                name, self.source.collections.get(name) or _missing_result("source")
            )
            target_result, left_target = leave_out(
                name, self.target.collections.get(name) or _missing_result("target")
            )
            results[name] = (source_result, target_result)
            self.not_offered[name] = offered.not_offered(source_result, target_result)
            if left_source or left_target:
                self.left_out[name] = (left_source, left_target)
        complete = {name: s.complete and t.complete for name, (s, t) in results.items()}
        matcher = Matcher(self.rules, self.contested)
        self.matcher = matcher
        target_projects = results[PROJECTS][1].items if PROJECTS in results else ()
        self.target_projects = {str(p["id"]): p.get("name") for p in target_projects}
        matchings: dict[str, Matching] = {}
        for name in names:
            source_result, target_result = results[name]
            for side, result in (("source", source_result), ("target", target_result)):
                if not result.complete:
                    self._incomplete(name, side, result)
            matchings[name] = matcher.match(name, source_result.items, target_result.items)
        self.matchings = matchings

        # Source id -> target id per collection, as the matcher already built them.
        maps = {name: matcher.maps[name] for name in matchings}
        self.counterpart_of: dict[str, list[str]] = {}
        """Target project id -> the source projects whose counterpart it is."""
        for source_id, target_id in maps.get(PROJECTS, {}).items():
            self.counterpart_of.setdefault(target_id, []).append(source_id)
        ctx = Context(
            rules=self.rules,
            maps=maps,
            counterparts={name: frozenset(ids.values()) for name, ids in maps.items()},
            complete=complete,
            target_items=ById({name: results[name][1].items for name in names}),
            source_items=ById({name: results[name][0].items for name in names}),
            unpaired={
                name: frozenset(
                    str(i["id"])
                    for i in (*m.missing, *(s for amb in m.ambiguous for s in amb.sources))
                )
                for name, m in matchings.items()
            },
        )
        self.ctx = ctx
        summary: dict[str, CollectionSummary] = {}
        for name in names:
            source_result, target_result = results[name]
            summary[name] = self._collection(
                name, matchings[name], ctx, source_result.complete, target_result.complete
            )
        self._residue(names, matchings, results)
        findings = sorted(self.findings, key=finding_order(names))
        verdict = verdict_of(findings, self.fail_on)
        rows = scoring.rows(matchings)
        return Report(
            source=side_of(self.source, all(s.complete for s, _ in results.values())),
            target=side_of(self.target, all(t.complete for _, t in results.values())),
            verdict=verdict,
            exit_code=EXIT_CODES[verdict],
            fail_on=self.fail_on,
            summary=summary,
            findings=tuple(findings),
            scorecard=scoring.recount(rows, findings, self.about),
            generated_at=generated_at or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    # -- per collection -------------------------------------------------------

    def _incomplete(self, name: str, side: str, result: CollectionResult) -> None:
        consequence = (
            "missing items are not reported"
            if side == "target"
            else "unexpected items are not reported"
        )
        self.findings.append(
            Finding(
                id=finding_id(Kind.INCOMPLETE, name, side),
                kind=Kind.INCOMPLETE,
                collection=name,
                severity=self.kind_severity(name, Kind.INCOMPLETE),
                side=side,
                message=f"{name} could not be listed completely in the {side}"
                f" ({result.error or result.status.value}); {consequence} until it can.",
            )
        )

    def _collection(
        self, name: str, m: Matching, ctx: Context, source_complete: bool, target_complete: bool
    ) -> CollectionSummary:
        thing = noun(name)
        # An incomplete side proves nothing about absence: a target that failed
        # to list has no "missing", a source that failed has no "unexpected".
        if not target_complete:
            m.missing = []
        if not source_complete or not offered.unexpected_reported(self.not_offered.get(name)):
            m.unexpected = []
        changed: set[str] = set()
        partial = 0
        compare = bound(name, ctx)
        plain, folded = split_folds(self.rules, name, m.pairs)
        changes: Changes | None = None  # still empty after a pair: the next one's
        for pair in plain:
            source, target, matched_by = pair
            if source.get("partial") or target.get("partial"):
                partial += 1
                continue
            if compare is None:
                continue
            changes = changes or Changes(name, ctx)
            changes.matched_by = matched_by
            compare(source, target, changes)
            if changes.items:
                changed.add(str(source["id"]))
                self._record(
                    self._changed(name, pair, changes.items),
                    self._projects_of(name, [pair.source])
                    | self._counterparts_of(changes.affected),
                )
            if changes.items or changes.affected:
                changes = None
        if self.defer_folds:
            self.folded[name] = folded
        else:
            for group in by_target(folded):
                finding = self.fold_finding(name, group, ctx)
                if finding is not None:
                    changed.update(str(p.source["id"]) for p in group)
                    self._record(finding, self._projects_of(name, [p.source for p in group]))
        for item in m.missing:
            expected = expected_label(self.rules, name, item, ctx.source_label)
            looked = offered.looked_for(name, self.not_offered.get(name), expected)
            self._record(
                Finding(
                    id=finding_id(Kind.MISSING, name, str(item["id"])),
                    kind=Kind.MISSING,
                    collection=name,
                    severity=self.kind_severity(name, Kind.MISSING),
                    source=ref(item),
                    project=self.group(name, item, None),
                    message=f"{thing} {item_label(name, item)} has no counterpart in the"
                    f" target ({looked}); restore it or record its fate.",
                ),
                self._projects_of(name, [item]),
            )
        for item in m.unexpected:
            self._record(
                Finding(
                    id=finding_id(Kind.UNEXPECTED, name, str(item["id"])),
                    kind=Kind.UNEXPECTED,
                    collection=name,
                    severity=self.kind_severity(name, Kind.UNEXPECTED),
                    target=ref(item),
                    project=self.group(name, None, item),
                    message=f"{thing} {item_label(name, item)} is in the target but"
                    f" matches no source {thing}; check it belongs to the migration, or narrow"
                    " the scope.",
                ),
                self._counterparts_of(self._projects_of(name, [item])),
            )
        ambiguous_sources = 0
        for amb in m.ambiguous:
            ambiguous_sources += len(amb.sources)
            self._record(self._ambiguous(name, amb), self._projects_of(name, amb.sources))
        summary = CollectionSummary(
            source=m.source_count,
            target=m.target_count,
            matched=len(m.pairs),
            missing=len(m.missing),
            unexpected=len(m.unexpected),
            changed=len(changed),
            ambiguous=ambiguous_sources,
            partial=partial,
            complete=source_complete and target_complete,
            left_out=sum(self.left_out.get(name, (0, 0))),
            not_offered=self.not_offered.get(name),
        )
        return summary

    def _ambiguous(self, name: str, amb: Ambiguity) -> Finding:
        ids = sorted(str(i["id"]) for i in (*amb.sources, *amb.targets))
        first = amb.sources[0]
        message = ambiguous_message(name, amb)
        return Finding(
            id=finding_id(Kind.AMBIGUOUS, name, *ids),
            kind=Kind.AMBIGUOUS,
            collection=name,
            severity=self.kind_severity(name, Kind.AMBIGUOUS),
            source=ref(first),
            candidates=tuple(ref(i) for i in (*amb.sources[1:], *amb.targets)),
            matched_by=amb.strategy if amb.contest is None else None,
            project=self.group(name, first, amb.targets[0] if amb.targets else None),
            message=message,
        )

    def fold_finding(
        self, name: str, group: Sequence[Pair], ctx: Context | None = None
    ) -> Finding | None:
        """The changed finding of a fold's singleton: ``group``'s source items (of every
        source of a merger) against their one target item; None when it holds them all."""
        changes = Changes(name, ctx or self.ctx, group[0].matched_by)
        for check in fold_checks_of(name):
            check([p.source for p in group], group[0].target, changes)
        if not changes.items:
            return None
        return self._changed(name, group[0], changes.items, also=[p.source for p in group[1:]])

    # -- what findings are about (the scorecard's rows) --------------------------

    def _record(self, finding: Finding, projects: Iterable[str]) -> None:
        self.findings.append(finding)
        keys = frozenset((None, p) for p in projects)
        if keys:
            self.about[finding.id] = self.about.get(finding.id, frozenset()) | keys

    @staticmethod
    def _projects_of(name: str, items: Iterable[JSON]) -> set[str]:
        """Ids of the projects ``items`` are (projects) or belong to (project-owned)."""
        if name == PROJECTS:
            return {str(i["id"]) for i in items}
        if name in PROJECT_OWNED:
            return {str(i["project_id"]) for i in items if i.get("project_id")}
        return set()

    def _counterparts_of(self, target_projects: Iterable[str]) -> set[str]:
        """The source projects whose counterparts are ``target_projects``."""
        return {s for t in target_projects for s in self.counterpart_of.get(str(t), ())}

    def _changed(
        self, name: str, pair: Pair, changes: Sequence[Change], also: Sequence[JSON] = ()
    ) -> Finding:
        ordered = sorted(changes, key=lambda c: (-c.severity.rank, c.field))
        top = ordered[0]
        more = len(ordered) - 1
        tail = f" (and {more} more difference{'s' if more > 1 else ''})" if more else ""
        target = ref(pair.target)
        sources = sorted([str(pair.source["id"]), *(str(s["id"]) for s in also)])
        return Finding(
            id=finding_id(Kind.CHANGED, name, *sources, str(pair.target["id"])),
            kind=Kind.CHANGED,
            collection=name,
            severity=top.severity,
            source=ref(pair.source),
            target=target,
            matched_by=pair.matched_by,
            project=self.group(name, pair.source, pair.target),
            changes=tuple(sorted(changes, key=lambda c: c.field)),
            candidates=tuple(ref(s) for s in also),
            message=f"{noun(name)} {item_label(name, pair.target)} {top.message}{tail}.",
        )

    def _residue(
        self,
        names: Sequence[str],
        matchings: Mapping[str, Matching],
        results: Mapping[str, tuple[CollectionResult, CollectionResult]],
    ) -> None:
        if not self.rules.residue:
            return
        for name in names:
            severity = self.rules.severity_for(name, "residue", residue_severity(name))
            paired = self.ctx.counterparts.get(name)
            for item, hits in residue_in(
                self.rules, name, matchings[name], results[name][1].items, paired
            ):
                project = self.group(name, None, item)
                self._record(
                    residue_finding(name, item, hits, severity, project),
                    self._counterparts_of(self._projects_of(name, [item])),
                )


@paused_gc()
def diff(
    source: Snapshot,
    target: Snapshot,
    rules: Rules | None = None,
    *,
    fail_on: Severity = Severity.ERROR,
    generated_at: str | None = None,
) -> Report:
    """Diff two snapshots under rules (default: match by id, then name)."""
    return Differ(source, target, rules or Rules(), fail_on).run(generated_at)
