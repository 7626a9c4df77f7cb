"""A fold's singletons: one target item compared against all its source items.

A fold (``fold:`` in the rules, :mod:`auditor.folds`) merges several source
projects into one target project. What a project has one of per name (its
quota set of each service, its ``default`` security group: the catalog's
``singleton``) is compared once for the fold, every source item of the fold
against the one target item, by the fold variants of the compare policies
(:func:`auditor.diff.checks.fold_checks_of`): quota limits against the
sources' usage together, rules against the union of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.diff.checks import fold_checks_of
from auditor.folds import folded
from auditor.match import Pair
from auditor.rules import Rules


def split_folds(rules: Rules, name: str, pairs: Sequence[Pair]) -> tuple[list[Pair], list[Pair]]:
    """(pairs compared one by one, pairs of folds' singletons compared together)."""
    if not rules.folds or not fold_checks_of(name):
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
