"""Folds: source projects merged on purpose into one target project (``fold:`` in the rules).

A fold is declared, never inferred: ``fold: [{into: ocb-acme, projects: [cw-acme,
nm-acme]}]`` says that the two source projects (of one source cloud, or of
several in a merger) now live in target project ``ocb-acme``. Then:

* each folded project is matched with the target project its fold names;
* their resources are matched inside it as usual (two of them claiming one
  target resource is still ambiguous, or a conflict in a merger: the target
  must hold the union of the sources' resources);
* what a project has exactly one of (its quota set per service, Neutron's
  ``default`` security group) is compared once for the fold, against all its
  source projects together (:data:`SINGLETONS`): quota limits against the sum
  of their usage, the default group's rules against the union of theirs.

Several source projects landing on one target project *without* a fold is
contested: an error, and the resources of those projects are not paired (the
matcher reports them as ambiguous, the merger as a conflict).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from auditor.catalog import registry
from auditor.ruleparts import Fold
from auditor.rules import Rules

SINGLETONS = frozenset(spec.name for spec in registry.CATALOG if spec.singleton is not None)
"""Project-owned collections in which a project has one item per name that a fold
merges (the catalog's ``singleton``): quota sets (one per service) and the
``default`` security group."""


def is_singleton(collection: str, item: Mapping[str, Any]) -> bool:
    """True for a project's quota set of a service and for its ``default`` security group."""
    spec = registry.find(collection)
    return spec is not None and spec.singleton is not None and spec.singleton(item)


def folded(rules: Rules, collection: str, item: Mapping[str, Any]) -> Fold | None:
    """The fold a source item is one of several sources of one target item in: a folded
    project itself, or a singleton (:func:`is_singleton`) of a folded project."""
    if not rules.folds:
        return None
    if collection == registry.PROJECTS:
        return rules.fold_of(item.get("name"))
    if is_singleton(collection, item):
        return rules.fold_of(item.get("project"))
    return None


@dataclass(frozen=True)
class Contest:
    """A target project that several source projects landed on, with no fold declaring it."""

    target: str
    """The target project, readable (``ocb-acme``)."""
    sources: tuple[str, ...]
    """The source projects that landed on it, readable (``cw-acme``, or ``numergy@nm1:
    nm-acme`` in a merger)."""

    @property
    def claimants(self) -> str:
        return ", ".join(self.sources)


Item = Mapping[str, Any]
T = TypeVar("T", bound=Mapping[str, Any])


def one_fold(rules: Rules, collection: str, items: Sequence[Item]) -> bool:
    """True when ``items`` (source items claiming one target item) are all of one fold."""
    folds = [folded(rules, collection, item) for item in items]
    return bool(folds) and folds[0] is not None and all(f is folds[0] for f in folds)


def _project_label(project: Item) -> str:
    return str(project.get("name") or project["id"])


def note_contests(
    ambiguities: Sequence[tuple[Sequence[Item], Sequence[Item]]],
    pairs: Sequence[tuple[Item, Item]],
    contested_sources: MutableMapping[str, Contest],
    contested_targets: MutableMapping[str, Contest],
) -> None:
    """Record the contests of a projects matching: its ambiguities of several source
    projects for a target one ((sources, targets) each), and its pairs whose target a
    merger found contested already."""
    for sources, targets in ambiguities:
        if len(sources) < 2 or not targets:
            continue
        contest = Contest(
            target=", ".join(_project_label(t) for t in targets),
            sources=tuple(_project_label(s) for s in sources),
        )
        for source in sources:
            contested_sources[str(source["id"])] = contest
        for target in targets:
            contested_targets.setdefault(str(target["id"]), contest)
    for source, target in pairs:
        claimed = contested_targets.get(str(target["id"]))
        if claimed is not None:
            contested_sources[str(source["id"])] = claimed


def _by_contest(
    items: Sequence[Item], contested: Mapping[str, Contest]
) -> tuple[list[Item], dict[Contest, list[Item]]]:
    """(items of no contested project, contest -> items of its projects, sorted by id)."""
    free: list[Item] = []
    held: dict[Contest, list[Item]] = {}
    for item in items:
        contest = contested.get(str(item.get("project_id")))
        if contest is None:
            free.append(item)
        else:
            held.setdefault(contest, []).append(item)
    return free, {c: sorted(held[c], key=lambda i: str(i["id"])) for c in held}


def withhold(
    sources: Sequence[Item],
    targets: Sequence[Item],
    contested_sources: Mapping[str, Contest],
    contested_targets: Mapping[str, Contest],
) -> tuple[list[Any], list[Any], list[tuple[Contest, tuple[Any, ...], tuple[Any, ...]]]]:
    """Project-owned items split into (sources, targets) still to match and, per contest,
    the (sorted) source and target items of its projects, which are not to be paired.

    A contest's target items that no source item of this diff claims stay in the
    running: another source of a merger may claim them."""
    free_sources, held_sources = _by_contest(sources, contested_sources)
    free_targets, held_targets = _by_contest(targets, contested_targets)
    out = []
    for contest, held in held_targets.items():
        if contest not in held_sources:
            free_targets += held
    for contest, held in held_sources.items():
        out.append((contest, tuple(held), tuple(held_targets.get(contest, ()))))
    return free_sources, free_targets, out


def fold_joins(
    rules: Rules,
    collection: str,
    pairs: Sequence[tuple[T, T]],
    free: Sequence[T],
    source_key: Callable[[T], Hashable | None],
    target_keys: Callable[[T], Sequence[Hashable]],
) -> list[tuple[T, T]]:
    """(source, target) for each unpaired source item of a fold whose key is that of a
    target item already paired with another source item of the same fold (by id, id map
    or metadata): a fold's target takes all its sources."""
    taken: dict[Hashable, tuple[T, Fold]] = {}
    for source, target in pairs:
        fold = folded(rules, collection, source)
        if fold is not None:
            taken.update(dict.fromkeys(target_keys(target), (target, fold)))
    joins = []
    for source in free if taken else ():
        fold = folded(rules, collection, source)
        key = source_key(source) if fold is not None else None
        hit = taken.get(key) if key is not None else None
        if hit is not None and hit[1] is fold:
            joins.append((source, hit[0]))
    return joins
