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

from collections import defaultdict
from collections.abc import Mapping, Sequence

from auditor.diff.comparator import fold_checks_of
from auditor.folds import Contest, folded, one_fold
from auditor.match import Matching, Pair
from auditor.model import JSON
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


def contests(rules: Rules, projects: Mapping[str, Matching]) -> dict[str, Contest]:
    """Target project id -> its contest: the target projects that source projects of
    several sources (label -> that source's projects matching) landed on, with no fold
    of the rules declaring it. The diffs then withhold those projects' resources."""
    claims: dict[str, list[tuple[str, JSON]]] = defaultdict(list)
    for label, matching in projects.items():
        for pair in matching.pairs:
            claims[str(pair.target["id"])].append((label, pair.source))
    out: dict[str, Contest] = {}
    for target_id, sources in claims.items():
        if may_share(rules, "projects", sources):
            continue
        target = next(
            p.target for m in projects.values() for p in m.pairs if str(p.target["id"]) == target_id
        )
        out[target_id] = Contest(
            target=str(target.get("name") or target_id),
            sources=tuple(f"{label}: {s.get('name') or s['id']}" for label, s in sources),
        )
    return out


def may_share(rules: Rules, name: str, sources: Sequence[tuple[str, Mapping[str, object]]]) -> bool:
    """True when the (label, source item) claiming one target item may: the same item
    seen through two sources (one Keystone, two regions), or the items of one fold."""
    return len({str(s["id"]) for _, s in sources}) < 2 or one_fold(
        rules, name, [s for _, s in sources]
    )
