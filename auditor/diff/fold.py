"""Comparators of a fold's singletons: one target item against all its source items.

A fold (``fold:`` in the rules, :mod:`auditor.folds`) merges several source
projects into one target project. What a project has one of per name (its
quota set of each service, its ``default`` security group) is compared once
for the fold: every source item of the fold against the one target item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auditor.diff.compare import JSON, Changes, as_int
from auditor.diff.network import compare_security_groups, rule_key
from auditor.folds import folded
from auditor.match import Pair
from auditor.model import Severity
from auditor.rules import Rules

FoldComparator = Callable[[Sequence[JSON], JSON, Changes], None]
"""Adds to ``Changes`` what the target item lacks of its source items together."""


def _projects(sources: Sequence[JSON]) -> str:
    return " + ".join(dict.fromkeys(str(s.get("project")) for s in sources))


def compare_quota_fold(sources: Sequence[JSON], t: JSON, ch: Changes) -> None:
    """Each resource's target limit against the sum of the source projects' usage.

    Below that sum (and not unlimited, -1): error, the merged project cannot hold
    what its source projects had. Below the largest source limit (or limited where
    a source project was unlimited) but enough for the usage: warning. Otherwise
    nothing: a fold's limits are the operator's to choose above the usage.
    """
    t_limits: JSON = t.get("limits") or {}
    together = _projects(sources)
    resources = sorted({r for s in sources for r in (s.get("limits") or {})})
    for resource in resources:
        field = f"limits.{resource}"
        if resource not in t_limits:
            ch.add(field, None, None, Severity.INFO, f"has no {resource} quota any more")
            continue
        t_limit = as_int(t_limits[resource])
        if t_limit is None or t_limit == -1:
            continue
        limits = [as_int((s.get("limits") or {}).get(resource)) for s in sources]
        used = sum(as_int((s.get("usage") or {}).get(resource)) or 0 for s in sources)
        if t_limit < used:
            ch.add(
                field,
                used,
                t_limit,
                Severity.ERROR,
                f"{resource} quota is {t_limit}, below the {used} that {together} used together"
                " in the source: the merged project cannot even recreate what they had",
                texts=(f"{used} used by {together}", None),
            )
        elif -1 in limits:
            ch.add(
                field,
                -1,
                t_limit,
                Severity.WARNING,
                f"{resource} quota is {t_limit}, unlimited before in one of {together}"
                f" ({used} used together)",
                texts=("unlimited", None),
            )
        elif None not in limits and t_limit < (largest := max(v or 0 for v in limits)):
            ch.add(
                field,
                largest,
                t_limit,
                Severity.WARNING,
                f"{resource} quota is {t_limit}, below the {largest} one of {together} had alone"
                f" ({used} used together)",
            )


def compare_default_group_fold(sources: Sequence[JSON], t: JSON, ch: Changes) -> None:
    """The target's ``default`` security group against the union of the sources' rules."""
    union: dict[tuple[object, ...], JSON] = {}
    for source in sources:
        for rule in source.get("rules") or []:
            union.setdefault(rule_key(rule), rule)
    merged = {**sources[0], "rules": list(union.values()), "description": t.get("description")}
    compare_security_groups(merged, t, ch)


FOLD_COMPARATORS: dict[str, FoldComparator] = {
    "quotas": compare_quota_fold,
    "security_groups": compare_default_group_fold,
}
"""Collection -> how a fold's singletons of it are compared (see auditor.folds.SINGLETONS)."""


def split_folds(rules: Rules, name: str, pairs: Sequence[Pair]) -> tuple[list[Pair], list[Pair]]:
    """(pairs compared one by one, pairs of folds' singletons compared together)."""
    if name not in FOLD_COMPARATORS or not rules.folds:
        return list(pairs), []
    plain: list[Pair] = []
    folds: list[Pair] = []
    for pair in pairs:
        (folds if folded(rules, name, pair.source) is not None else plain).append(pair)
    return plain, folds


def by_target(pairs: Sequence[Pair]) -> list[list[Pair]]:
    """Fold pairs grouped by their target item, sources in id order, groups in target order."""
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(str(pair.target["id"]), []).append(pair)
    return [sorted(groups[key], key=lambda p: str(p.source["id"])) for key in sorted(groups)]
