"""A diff and its artifacts: the report, and the id map of every match.

:func:`compare` is what ``auditor diff`` and ``auditor audit`` run: the diff of
:mod:`auditor.diff.engine`, plus what the migration keeps besides the report.
Pure, like the engine: snapshots and rules in, an :class:`Outcome` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from auditor.diff.engine import Differ
from auditor.gcpause import paused_gc
from auditor.idmap import IdMap, from_matchings
from auditor.model import Report, Severity, Snapshot
from auditor.rules import Rules


@dataclass(frozen=True)
class Outcome:
    """The report of a diff and the id map of its matches."""

    report: Report
    id_maps: tuple[IdMap, ...]
    """One id map per source, in the sources' order."""

    @property
    def id_map(self) -> IdMap:
        """Every source's matches in one map."""
        return IdMap.merge(self.id_maps)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@paused_gc()
def compare(
    sources: Sequence[Snapshot],
    target: Snapshot,
    rules: Rules | None = None,
    *,
    fail_on: Severity = Severity.ERROR,
    generated_at: str | None = None,
) -> Outcome:
    """Diff ``sources`` (one, for now) against ``target`` under ``rules``."""
    if len(sources) != 1:
        raise ValueError("compare() takes one source snapshot")
    rules = rules or Rules()
    generated_at = generated_at or _now()
    source = sources[0]
    differ = Differ(source, target, rules, fail_on)
    report = differ.run(generated_at)
    id_map = from_matchings(differ.matchings, source, target, generated_at=generated_at)
    return Outcome(report, (id_map,))
