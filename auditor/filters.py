"""Filters of the findings a report shows: ``--min-severity``, ``--project``,
``--collection``.

A filter changes what a report shows, never what it concludes: the verdict, the
exit code, the collections' counts and the scorecard stay those of every finding.
The findings it leaves out are counted, in each collection's summary
(``filtered``) and in the report's ``filters``, so nothing disappears silently.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase

from auditor.model import FilterNote, Finding, Report, Severity


@dataclass(frozen=True)
class FindingFilter:
    """Which findings a report shows; the default shows every one."""

    min_severity: Severity | None = None
    """Show findings of this severity or above."""
    projects: tuple[str, ...] = ()
    """Globs (fnmatch, case-sensitive): show findings about a project whose name, on
    either side, matches one of them. Findings about no project are then left out."""
    collections: tuple[str, ...] = ()
    """Show findings of these collections."""

    @property
    def active(self) -> bool:
        return self.min_severity is not None or bool(self.projects) or bool(self.collections)

    def keeps(self, finding: Finding) -> bool:
        """True when ``finding`` is shown."""
        if self.min_severity is not None and finding.severity.rank < self.min_severity.rank:
            return False
        if self.collections and finding.collection not in self.collections:
            return False
        if self.projects:
            names = project_names(finding)
            return any(fnmatchcase(n, glob) for n in names for glob in self.projects)
        return True


def project_names(finding: Finding) -> set[str]:
    """The names of the projects a finding is about: its own project, each side's, and
    for a finding of the ``projects`` collection the project itself."""
    names = {finding.project} if finding.project else set()
    for ref in (finding.source, finding.target):
        if ref is None:
            continue
        if ref.project:
            names.add(ref.project)
        if finding.collection == "projects" and ref.name:
            names.add(ref.name)
    return names


def apply_filter(report: Report, flt: FindingFilter) -> Report:
    """``report`` showing only the findings ``flt`` keeps, the others counted as filtered
    (added to those of any filter applied before); ``report`` itself when ``flt`` is
    inactive."""
    if not flt.active:
        return report
    kept = tuple(f for f in report.findings if flt.keeps(f))
    left_out = Counter(f.collection for f in report.findings if not flt.keeps(f))
    summary = {
        name: dataclasses.replace(s, filtered=(s.filtered or 0) + left_out.get(name, 0))
        for name, s in report.summary.items()
    }
    note = FilterNote(
        min_severity=flt.min_severity,
        projects=flt.projects,
        collections=flt.collections,
        filtered=len(report.findings) - len(kept),
    )
    return dataclasses.replace(
        report, findings=kept, summary=summary, filters=(*report.filters, note)
    )
