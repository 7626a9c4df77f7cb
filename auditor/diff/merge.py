"""Multi-source mergers: several source clouds (or regions) diffed against one target.

Each source is diffed against the target on its own (:class:`~auditor.diff.engine.Differ`),
then the diffs are merged into one report:

* a finding about a source item (``missing``, ``changed``, ``ambiguous``, a
  source that could not be listed) says which source it comes from
  (``origin``, the source's label); the same finding found through two sources
  (a project of one Keystone shared by two regions) is reported once, with both
  labels;
* a target item is ``unexpected`` only when no source claims it (and every
  source was listed completely);
* a target item that is the counterpart of two different source items (from
  two sources) is a ``conflict``: one target resource cannot stand for two,
  unless a fold of the rules says so (the target project of folded source
  projects, and its quota sets and ``default`` security group, compared here
  against all the fold's sources together: :mod:`auditor.folds`); a target
  project that source projects of several sources landed on without a fold is
  found before the diffs (:func:`auditor.diff.fold.contests`), and their resources are not paired;
* the summary counts each source item once, and ``summary_by_source`` and the
  scorecard's ``origin`` say how each source fares.

Finding ids are those of the single-source diffs (an operator's waivers and
history keep working when a second source joins), except a source's
``incomplete`` finding, whose id also hashes the source's label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from auditor.diff import offered
from auditor.diff import scorecard as scoring
from auditor.diff.engine import Differ
from auditor.diff.flux import span
from auditor.diff.fold import by_target, may_share
from auditor.diff.scope import merged_scope
from auditor.diff.verdict import EXIT_CODES, collection_order, finding_order, verdict_of
from auditor.diff.wording import noun
from auditor.errors import BadInputError
from auditor.match import Pair
from auditor.model import (
    CollectionSummary,
    Finding,
    Kind,
    Ref,
    Report,
    Side,
    Snapshot,
)
from auditor.model.ids import finding_id, ref

SOURCE_KINDS = frozenset({Kind.MISSING, Kind.CHANGED, Kind.AMBIGUOUS})
"""Kinds of findings that are about a source item, hence about one source."""


@dataclass(frozen=True)
class SourceRun:
    """One source's diff against the target."""

    label: str
    """How the report names the source (``cloudwatt@fr1``)."""
    snapshot: Snapshot
    differ: Differ
    """The diff, after :meth:`~auditor.diff.engine.Differ.run`."""
    report: Report
    """Its single-source report."""


def source_label(snapshot: Snapshot) -> str:
    """``cloud@region`` (or the cloud) of a snapshot: the default label of a source."""
    return f"{snapshot.cloud}@{snapshot.region}" if snapshot.region else snapshot.cloud


def check_labels(labels: Sequence[str]) -> None:
    """Refuse two sources of one label (:class:`~auditor.errors.BadInputError`)."""
    twice = sorted({n for n in labels if list(labels).count(n) > 1})
    if twice:
        raise BadInputError(
            f"two sources are both {twice[0]!r}: a merger needs sources of distinct"
            " clouds or regions"
        )


def _join(labels: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(labels))


def _with_origin(f: Finding, label: str) -> Finding:
    if f.kind is Kind.INCOMPLETE and f.side == "source":
        return replace(
            f,
            id=finding_id(Kind.INCOMPLETE, f.collection, "source", label),
            origin=label,
            message=f"{label}: {f.message}",
        )
    if f.kind in SOURCE_KINDS:
        return replace(f, origin=label)
    return f


def _complete(snapshot: Snapshot, collection: str) -> bool:
    result = snapshot.collections.get(collection)
    return result is not None and result.complete


class Merger:
    """Merges the single-source diffs of :class:`SourceRun` into one report."""

    def __init__(self, runs: Sequence[SourceRun], target: Snapshot) -> None:
        if len(runs) < 2:
            raise ValueError("a merger has at least two sources")
        self.runs = runs
        self.target = target
        self.names = collection_order(name for run in runs for name in run.differ.matchings)
        self.about: dict[str, frozenset[scoring.RowKey]] = scoring.merge_about(
            scoring.with_origin(run.differ.about, run.label) for run in runs
        )
        """Finding id -> the scorecard rows it is about, once :meth:`run` has run."""

    def run(self) -> Report:
        first = self.runs[0].report
        findings = self._findings()
        findings += self._conflicts()
        self.fold_findings = self._folds()
        findings += self.fold_findings
        findings.sort(key=finding_order(self.names))
        verdict = verdict_of(findings, first.fail_on)
        sides = tuple(replace(run.report.source, label=run.label) for run in self.runs)
        return Report(
            source=Side(
                cloud=" + ".join(run.label for run in self.runs),
                region=None,
                taken_at=min(s.taken_at for s in sides),
                complete=all(s.complete for s in sides),
                window=span(s.window for s in sides),
            ),
            target=replace(
                first.target, complete=all(run.report.target.complete for run in self.runs)
            ),
            verdict=verdict,
            exit_code=EXIT_CODES[verdict],
            fail_on=first.fail_on,
            summary={name: self._summary(name) for name in self.names},
            findings=tuple(findings),
            scorecard=scoring.recount(
                [
                    replace(row, origin=run.label)
                    for run in self.runs
                    for row in run.report.scorecard
                ],
                findings,
                self.about,
            ),
            generated_at=first.generated_at,
            sources=sides,
            scope=merged_scope([run.report.scope for run in self.runs]),
            summary_by_source={
                run.label: {
                    name: replace(summary, unexpected=0)
                    for name, summary in run.report.summary.items()
                }
                for run in self.runs
            },
        )

    # -- findings ------------------------------------------------------------------

    def _claimed(self, name: str) -> set[str]:
        """Target ids some source pairs or contests."""
        claimed: set[str] = set()
        for run in self.runs:
            m = run.differ.matchings.get(name)
            if m is None:
                continue
            claimed.update(str(p.target["id"]) for p in m.pairs)
            claimed.update(str(t["id"]) for amb in m.ambiguous for t in amb.targets)
        return claimed

    def _findings(self) -> list[Finding]:
        merged: dict[str, Finding] = {}
        claimed = {name: self._claimed(name) for name in self.names}
        listed = {
            name: all(_complete(run.snapshot, name) for run in self.runs) for name in self.names
        }
        for run in self.runs:
            for f in run.report.findings:
                if f.kind is Kind.UNEXPECTED and (
                    not listed.get(f.collection, False)
                    or (f.target is not None and f.target.id in claimed[f.collection])
                ):
                    continue  # another source claims it, or a source could not be listed
                tagged = _with_origin(f, run.label)
                known = merged.get(tagged.id)
                if known is None:
                    merged[tagged.id] = tagged
                elif tagged.origin is not None and known.origin is not None:
                    merged[tagged.id] = replace(known, origin=_join([known.origin, tagged.origin]))
        return list(merged.values())

    def _conflicts(self) -> list[Finding]:
        out = []
        for name in self.names:
            claims: dict[str, list[tuple[str, dict[str, object]]]] = defaultdict(list)
            targets: dict[str, dict[str, object]] = {}
            for run in self.runs:
                m = run.differ.matchings.get(name)
                for pair in m.pairs if m is not None else ():
                    target_id = str(pair.target["id"])
                    claims[target_id].append((run.label, pair.source))
                    targets[target_id] = pair.target
            rules = self.runs[0].differ.rules
            for target_id, sources in claims.items():
                if may_share(rules, name, sources):
                    continue
                conflict = self._conflict(name, targets[target_id], sources)
                self._about(conflict, name, sources)
                out.append(conflict)
        return out

    def _folds(self) -> list[Finding]:
        """The folds' singletons, compared against every source's items together."""
        out = []
        first = self.runs[0].differ
        for name in self.names:
            labels: dict[str, str] = {}
            pairs: list[Pair] = []
            for run in self.runs:
                for pair in run.differ.folded.get(name, ()):
                    labels.setdefault(str(pair.source["id"]), run.label)
                    pairs.append(pair)
            for group in by_target(pairs):
                finding = first.fold_finding(name, group)
                if finding is None:
                    continue
                origins = [labels[str(p.source["id"])] for p in group]
                finding = replace(finding, origin=_join(origins))
                self._about(finding, name, [(labels[str(p.source["id"])], p.source) for p in group])
                out.append(finding)
        return out

    def _about(
        self, finding: Finding, name: str, sources: Sequence[tuple[str, Mapping[str, object]]]
    ) -> None:
        """Record the scorecard rows of a finding the merger makes: its source items'."""
        keys = frozenset(
            (label, str(item["id"] if name == "projects" else item.get("project_id")))
            for label, item in sources
            if name == "projects" or item.get("project_id")
        )
        self.about[finding.id] = self.about.get(finding.id, frozenset()) | keys

    def _conflict(
        self,
        name: str,
        target: Mapping[str, object],
        sources: Sequence[tuple[str, Mapping[str, object]]],
    ) -> Finding:
        first = self.runs[0].differ
        target_ref = ref(dict(target))
        candidates: list[Ref] = [ref(dict(s)) for _, s in sources]
        claimants = "; ".join(
            f"{label}: {c.label}" for (label, _), c in zip(sources, candidates, strict=True)
        )
        remedy = (
            "if they were merged on purpose, declare the fold in the rules (fold: [{into:"
            f" {target_ref.name}, projects: [{', '.join(str(c.name) for c in candidates)}]}}]),"
            " else rename or re-map all but one; their resources were not paired."
            if name == "projects"
            else "one target resource cannot stand for two: rename or re-map all but one."
        )
        return Finding(
            id=finding_id(Kind.CONFLICT, name, target_ref.id, *sorted(c.id for c in candidates)),
            kind=Kind.CONFLICT,
            collection=name,
            severity=first.kind_severity(name, Kind.CONFLICT),
            target=target_ref,
            candidates=tuple(candidates),
            origin=_join(label for label, _ in sources),
            project=target_ref.project if name != "projects" else target_ref.name,
            message=f"{noun(name)} {target_ref.label} is the counterpart of"
            f" {len(candidates)} source {noun(name)}s ({claimants}); {remedy}",
        )

    # -- counts --------------------------------------------------------------------

    def _summary(self, name: str) -> CollectionSummary:
        sources: set[str] = set()
        matched: set[str] = set()
        missing: set[str] = set()
        ambiguous: set[str] = set()
        partial: set[str] = set()
        changed: set[str] = set()
        in_scope: set[str] = set()
        complete = True
        for run in self.runs:
            summary = run.report.summary.get(name)
            complete = complete and (summary.complete if summary is not None else False)
            m = run.differ.matchings.get(name)
            if m is None:
                continue
            for pair in m.pairs:
                sid = str(pair.source["id"])
                matched.add(sid)
                in_scope.add(str(pair.target["id"]))
                if pair.source.get("partial") or pair.target.get("partial"):
                    partial.add(sid)
            missing.update(str(s["id"]) for s in m.missing)
            for amb in m.ambiguous:
                ambiguous.update(str(s["id"]) for s in amb.sources)
                in_scope.update(str(t["id"]) for t in amb.targets)
            in_scope.update(str(t["id"]) for t in m.unexpected)
            changed.update(
                f.source.id
                for f in run.report.findings
                if f.kind is Kind.CHANGED and f.collection == name and f.source is not None
            )
            sources |= matched | missing | ambiguous
        for f in self.fold_findings:
            if f.collection == name and f.source is not None:
                changed.update([f.source.id, *(c.id for c in f.candidates)])
        unclaimed = {
            str(t["id"])
            for run in self.runs
            if name in run.differ.matchings
            for t in run.differ.matchings[name].unexpected
        } - self._claimed(name)
        listed = all(_complete(run.snapshot, name) for run in self.runs)
        return CollectionSummary(
            source=len(sources),
            target=len(in_scope),
            matched=len(matched),
            missing=len(missing),
            unexpected=len(unclaimed) if listed else 0,
            changed=len(changed),
            ambiguous=len(ambiguous),
            partial=len(partial),
            complete=complete,
            # Each source's own, and the one target's once.
            left_out=sum(run.differ.left_out.get(name, (0, 0))[0] for run in self.runs)
            + max((run.differ.left_out.get(name, (0, 0))[1] for run in self.runs), default=0),
            not_offered=offered.merged([run.differ.not_offered.get(name) for run in self.runs]),
        )


def merge(runs: Sequence[SourceRun], target: Snapshot) -> Report:
    """One report of several sources' diffs against ``target`` (see the module doc)."""
    return Merger(runs, target).run()
