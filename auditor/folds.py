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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.rules import Fold, Rules

SINGLETONS = frozenset({"quotas", "security_groups"})
"""Project-owned collections in which a project has one item per name that a fold
merges: quota sets (one per service) and the ``default`` security group."""


def is_singleton(collection: str, item: Mapping[str, Any]) -> bool:
    """True for a project's quota set of a service and for its ``default`` security group."""
    if collection == "quotas":
        return True
    return collection == "security_groups" and item.get("name") == "default"


def folded(rules: Rules, collection: str, item: Mapping[str, Any]) -> Fold | None:
    """The fold a source item is one of several sources of one target item in: a folded
    project itself, or a singleton (:func:`is_singleton`) of a folded project."""
    if not rules.folds:
        return None
    if collection == "projects":
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
