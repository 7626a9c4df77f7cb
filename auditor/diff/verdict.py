"""The verdict of a diff, its exit code, and the order findings are reported in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from auditor.catalog import registry
from auditor.model import Finding, Kind, Severity, Verdict

EXIT_CODES = {Verdict.VERIFIED: 0, Verdict.DISCREPANCIES: 1, Verdict.INCOMPLETE: 3}

DEFAULT_KIND_SEVERITY = {
    Kind.MISSING: Severity.ERROR,
    Kind.AMBIGUOUS: Severity.ERROR,
    Kind.CONFLICT: Severity.ERROR,
    Kind.INCOMPLETE: Severity.ERROR,
    Kind.UNEXPECTED: Severity.WARNING,
    Kind.RESIDUE: Severity.WARNING,
    Kind.WAIVER_EXPIRED: Severity.WARNING,
    Kind.COUNT_MISMATCH: Severity.WARNING,
    Kind.IN_FLUX: Severity.INFO,
}
"""Severity of each kind of finding (changes have their own), before the rules' overrides."""

KIND_ORDER = {k: i for i, k in enumerate(Kind)}


def verdict_of(findings: Iterable[Finding], fail_on: Severity) -> Verdict:
    """The verdict of ``findings``; waived findings do not count."""
    counted = [f for f in findings if f.counted]
    if any(f.kind is not Kind.INCOMPLETE and f.severity.rank >= fail_on.rank for f in counted):
        return Verdict.DISCREPANCIES
    if any(f.kind is Kind.INCOMPLETE for f in counted):
        return Verdict.INCOMPLETE
    return Verdict.VERIFIED


def collection_order(names: Iterable[str]) -> list[str]:
    """``names`` in the catalog's order (collections it lacks last, by name)."""
    rank = {name: i for i, name in enumerate(registry.order())}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


def finding_order(names: Sequence[str]) -> Callable[[Finding], tuple[Any, ...]]:
    """How findings are sorted: by collection (in ``names``' order), severity, kind,
    project, item label, id."""
    rank = {name: i for i, name in enumerate(names)}

    def key(f: Finding) -> tuple[Any, ...]:
        side = f.target or f.source
        label = side.label if side is not None else ""
        return (
            rank.get(f.collection, len(rank)),
            -f.severity.rank,
            KIND_ORDER[f.kind],
            f.project or "",
            label,
            f.id,
        )

    return key
