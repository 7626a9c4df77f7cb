"""One check of a whole pair of a collection, compiled from its fields' checks.

A field whose policy is :data:`GUARDED` (or a custom check that names its ``same``
fields) is compared only where the field differs; most of those fields make one
key per item, compared whole (:func:`comparator`). A fold's singletons have their
own checks (:func:`fold_checks_of`).
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from auditor.catalog import registry
from auditor.catalog.policies import Custom, Exact, Flag, Kept, Limits, Metadata, Sized, Status
from auditor.catalog.spec import Field
from auditor.diff.changes import Changes
from auditor.diff.checks import Check, FoldCheck, check, fold_check

JSON = dict[str, Any]

_MISSING = object()
"""Stands for an absent field: equal to no value, not even None."""

GUARDED = (Exact, Flag, Sized, Status, Metadata, Kept, Limits)
"""Policies whose check finds nothing when the field is the same on both sides (no
renaming, no matches involved): it is not called then."""


def _guard(field: Field) -> tuple[str, ...]:
    """The fields whose sameness on both sides proves ``field``'s check finds nothing
    (empty: it is always called)."""
    if isinstance(field.compare, GUARDED):
        return (field.name,)
    if isinstance(field.compare, Custom):
        return field.compare.same
    return ()


@functools.cache
def comparator(name: str) -> Check | None:
    """One check of a whole pair of collection ``name`` (None: nothing is compared):
    its fields' checks, those of :data:`GUARDED` policies (and custom checks that name
    their ``same`` fields) only where a field they read differs.

    The fields always present (not optional) that guard a check other than metadata's
    (which differs in most pairs: the target's holds the source id) make one key per item,
    taken in C by :func:`operator.itemgetter`: a pair whose keys are equal runs none of
    those checks, and compares no field of theirs one by one."""
    spec = registry.find(name)
    if spec is None:
        return None
    guarded: list[tuple[tuple[str, ...], Check]] = []
    always: list[tuple[tuple[str, ...], Check]] = []
    keyed: list[str] = []
    for field in spec.fields:
        found = check(name, field.name, field.compare)
        if found is None:
            continue
        guard = _guard(field)
        (guarded if isinstance(field.compare, GUARDED) else always).append((guard, found))
        if not isinstance(field.compare, Metadata):
            keyed.extend(f for f in guard if f not in keyed)
    entries = guarded + always  # in this order, as before: the same order of changes
    if not entries:
        return None
    present = {f.name for f in spec.fields if not f.optional}
    keyed = [f for f in keyed if f in present]
    # The checks a pair with equal keys still runs: those whose guard the key misses.
    rest = [(g, run) for g, run in entries if not g or not set(g) <= set(keyed)]
    key = operator.itemgetter(*keyed) if keyed else None

    def compare(s: JSON, t: JSON, ch: Changes) -> None:
        runs = entries
        if key is not None:
            try:
                if key(s) == key(t):
                    runs = rest
            except KeyError:  # a field left out of an item (an older snapshot)
                pass
        for guard, run in runs:
            if guard:
                for field in guard:
                    if s.get(field, _MISSING) != t.get(field, _MISSING):
                        break
                else:
                    continue  # every field it reads is the same: it finds nothing
            run(s, t, ch)

    return compare


@functools.cache
def fold_checks_of(name: str) -> tuple[FoldCheck, ...]:
    spec = registry.find(name)
    if spec is None or spec.singleton is None:
        return ()
    found = (fold_check(name, f.name, f.compare) for f in spec.fields)
    return tuple(c for c in found if c is not None)
