"""Helpers shared by the human-readable renderers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from auditor.catalog.registry import LEFT_OUT
from auditor.model import (
    Change,
    CollectionSummary,
    Finding,
    ProjectScore,
    Report,
    Severity,
    Side,
)
from auditor.textsafe import printable

SUMMARY_COLUMNS = ("source", "target", "matched", "missing", "unexpected", "changed", "ambiguous")

IN_FLUX = "in_flux"
"""The column every count table gains when a change inside an audit window explained a
difference (a report without one shows the tables as they always were)."""


def summary_columns(report: Report) -> tuple[str, ...]:
    """The summary's columns: :data:`SUMMARY_COLUMNS`, and ``in_flux`` when it counts some."""
    return _flux(SUMMARY_COLUMNS, any(s.in_flux for s in report.summary.values()))


def _flux(columns: tuple[str, ...], shown: bool) -> tuple[str, ...]:
    return (*columns, IN_FLUX) if shown else columns


def window_note(side: Side) -> str:
    """``, audit window S to E`` (and when re-reads stopped at their bound); "" for a
    report without windows."""
    if side.window is None:
        return ""
    note = f", audit window {side.window.started} to {side.window.ended}"
    if side.reread_bound is not None:
        note += f", re-reads stopped at {side.reread_bound} (--max-rereads)"
    return note


def completeness(s: CollectionSummary) -> str:
    """The complete column of a collection: yes, NO, or which side does not offer it."""
    if s.not_offered is not None:
        side = "" if s.not_offered == "both" else f" ({s.not_offered})"
        return f"not offered{side}"
    return "yes" if s.complete else "NO"


def side_label(side: Side) -> str:
    where = f"{side.cloud}@{side.region}" if side.region else side.cloud
    state = "" if side.complete else ", INCOMPLETE"
    return printable(f"{where} (taken {side.taken_at}{window_note(side)}{state})")


def source_lines(report: Report) -> list[tuple[str, str]]:
    """(heading, side) of the source, or of each source of a merger."""
    if not report.sources:
        return [("Source", side_label(report.source))]
    return [(f"Source {s.label}", side_label(s)) for s in report.sources]


def scope_line(report: Report, shown: int = 5) -> str | None:
    """What a project-scoped audit compared, in one line (None for admin snapshots)."""
    note = report.scope
    if note is None:
        return None
    pairs = [f"{p.source.label} -> {p.target.label}" for p in note.compared]
    listed = ", ".join(pairs[:shown]) + (
        f" and {len(pairs) - shown} more" if len(pairs) > shown else ""
    )
    parts = [
        f"source {note.source}-scoped, target {note.target}-scoped",
        f"{len(pairs)} project(s) compared" + (f" ({listed})" if pairs else ""),
    ]
    if note.source_projects_not_compared:
        parts.append(f"{note.source_projects_not_compared} source project(s) out of scope")
    if note.target_projects_not_compared:
        parts.append(f"{note.target_projects_not_compared} target project(s) out of scope")
    if note.collections_not_compared:
        parts.append(f"not compared: {', '.join(note.collections_not_compared)}")
    return "; ".join(parts)


def message(f: Finding) -> str:
    """The finding's message, after its source's label in a merger (printable: names
    inside it are the tenants')."""
    return printable(f"[{f.origin}] {f.message}" if f.origin else f.message)


BY_SOURCE_COLUMNS = ("source", "matched", "missing", "changed", "ambiguous")
"""Columns of the per-source summary of a merger (unexpected is the merger's)."""


def by_source_columns(report: Report) -> tuple[str, ...]:
    """The per-source summary's columns: :data:`BY_SOURCE_COLUMNS`, and ``in_flux``."""
    counted = any(s.in_flux for by in report.summary_by_source.values() for s in by.values())
    return _flux(BY_SOURCE_COLUMNS, counted)


def by_source_rows(report: Report) -> list[list[str]]:
    columns = by_source_columns(report)
    rows = []
    for label, summary in report.summary_by_source.items():
        for name, s in summary.items():
            cells = [str(getattr(s, c)) for c in columns]
            rows.append([label, name, *cells, completeness(s)])
    return rows


def scorecard_origin(report: Report) -> bool:
    """True when the scorecard's rows say which source they belong to (a merger)."""
    return any(s.origin is not None for s in report.scorecard)


def severity_counts(findings: Iterable[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{counts.get(s, 0)} {s.value}" for s in Severity)


def waived_line(f: Finding) -> str:
    """``waived until 2026-12-31 by alice: CHG-1234`` (empty for a finding not waived)."""
    w = f.waived
    return printable(f"waived until {w.expires} by {w.owner}: {w.reason}") if w is not None else ""


def summary_rows(report: Report) -> list[list[str]]:
    columns = summary_columns(report)
    rows = []
    for name, s in report.summary.items():
        rows.append([name, *(str(getattr(s, c)) for c in columns), completeness(s)])
    return rows


def left_out_lines(report: Report) -> list[str]:
    """One line per collection some of whose items were left out of the comparison."""
    return [
        f"Left out of the comparison: {s.left_out} {name} ({LEFT_OUT[name][1]})."
        for name, s in report.summary.items()
        if s.left_out and name in LEFT_OUT
    ]


def grouped_by_project(findings: Iterable[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Findings grouped by project (target name first), projectless ones last."""
    groups: dict[str | None, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.project, []).append(f)
    keys = sorted(k for k in groups if k is not None)
    ordered: list[str | None] = [*keys, None] if None in groups else list(keys)
    return [(k, groups[k]) for k in ordered]


def change_line(change: Change) -> str:
    """``field: source -> target`` as people read it: names with ids beside them, lists
    joined, no Python notation (the JSON report keeps the values themselves)."""
    source = change.source_text if change.source_text is not None else readable(change.source)
    target = change.target_text if change.target_text is not None else readable(change.target)
    return f"{change.field}: {_short(source)} -> {_short(target)}"


def readable(value: object) -> str:
    """A value of a change in words: ``none``, ``yes``/``no``, ``a, b``, ``key=value``."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}={readable(v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        parts = [readable(v) for v in value]
        separator = "; " if any(isinstance(v, (dict, list, tuple)) for v in value) else ", "
        return separator.join(parts) or "none"
    return str(value)


def _short(text: str) -> str:
    text = printable(text, limit=None)
    return text if len(text) <= 80 else text[:77] + "..."


SCORECARD_COLUMNS = ("matched", "missing", "unexpected", "changed", "errors", "warnings")
"""Counts of a scorecard row, in the order every format shows them."""


def scorecard_columns(report: Report) -> tuple[str, ...]:
    """The scorecard's counts: :data:`SCORECARD_COLUMNS`, and ``in_flux`` when a row has some."""
    return _flux(SCORECARD_COLUMNS, any(row.in_flux for row in report.scorecard))


def scorecard_counts(row: ProjectScore, columns: tuple[str, ...] = SCORECARD_COLUMNS) -> list[int]:
    return [getattr(row, column) for column in columns]


def project_label(ref_domain: str | None, name: str | None, label: str) -> str:
    """``domain/name`` of a scorecard project, or its label without a domain."""
    return f"{ref_domain}/{name}" if ref_domain else label


def scorecard_line(report: Report) -> str:
    """``15 of 30 source projects fully matched``."""
    clean = sum(1 for s in report.scorecard if s.fully_matched)
    return f"{clean} of {len(report.scorecard)} source projects fully matched"


def filter_lines(report: Report) -> list[str]:
    """One line per filter applied: what it left out, and that the verdict counts it."""
    lines = []
    for note in report.filters:
        criteria = [
            *([f"--min-severity {note.min_severity.value}"] if note.min_severity else []),
            *(f"--project {glob}" for glob in note.projects),
            *(f"--collection {name}" for name in note.collections),
        ]
        lines.append(
            f"Filtered: {note.filtered} finding(s) not shown ({' '.join(criteria)});"
            " the verdict and the exit code count them"
        )
    return lines


HISTORY_COLUMNS = ("", *(s.value for s in Severity), "total")
"""The header of the table of what changed since the previous report."""


def history_rows(report: Report) -> list[list[str]]:
    """Findings new, resolved and still open since the previous report (``history``), by
    severity: the rows of every format's "since the previous run" table."""
    history = report.history
    if history is None:
        return []
    new_ids = set(history.new)
    new = [f.severity for f in report.findings if f.id in new_ids]
    still_open = [f.severity for f in report.findings if f.id not in new_ids]
    resolved = [r.severity for r in history.resolved]
    rows = []
    for label, severities in (("new", new), ("resolved", resolved), ("still open", still_open)):
        counts = [str(severities.count(s)) for s in Severity]
        rows.append([label, *counts, str(len(severities))])
    return rows


def still_open(report: Report) -> int:
    """The report's findings that the previous report had too."""
    new = set(report.history.new) if report.history is not None else set()
    return sum(1 for f in report.findings if f.id not in new)
