"""One check of a whole pair of a collection, compiled from its fields' checks.

A field whose policy is :data:`GUARDED` (or a custom check that names its ``same``
fields) is compared only where the field differs; most of those fields make one
key per item, compared whole (:func:`comparator`). Bound to one diff (:func:`bound`),
the usual silent cases of metadata and references are seen in place, without calling
their checks. A fold's singletons have their own checks (:func:`fold_checks_of`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from auditor.catalog import registry
from auditor.catalog.policies import (
    Compare,
    Custom,
    Exact,
    Flag,
    Kept,
    Limits,
    Metadata,
    Ref,
    RefByName,
    Sized,
    Status,
)
from auditor.catalog.spec import Field
from auditor.diff.changes import Changes, Context, same_counterparts
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


class _Entry(NamedTuple):
    guard: tuple[str, ...]
    run: Check
    policy: Compare
    field: str


class _Compiled(NamedTuple):
    """A collection's checks, in order, each with its guard (see :func:`comparator`)."""

    entries: list[_Entry]
    rest: list[_Entry]
    """The entries a pair whose keys are equal still runs."""
    key: Callable[[JSON], Any] | None
    wide: tuple[Callable[[JSON], Any], list[_Entry]] | None
    """A key of optional fields too, and its rest (None: no optional field guards a
    check): :func:`bound` tries it first, while the items have those fields."""


@functools.cache
def _compiled(name: str) -> _Compiled | None:
    spec = registry.find(name)
    if spec is None:
        return None
    guarded: list[_Entry] = []
    always: list[_Entry] = []
    keyed: list[str] = []
    for field in spec.fields:
        found = check(name, field.name, field.compare)
        if found is None:
            continue
        guard = _guard(field)
        entry = _Entry(guard, found, field.compare, field.name)
        (guarded if isinstance(field.compare, GUARDED) else always).append(entry)
        if not isinstance(field.compare, Metadata):
            keyed.extend(f for f in guard if f not in keyed)
    entries = guarded + always  # in this order, as before: the same order of changes
    if not entries:
        return None
    present = {f.name for f in spec.fields if not f.optional}
    narrow = [f for f in keyed if f in present]

    def rest(key: list[str]) -> list[_Entry]:
        """The checks a pair with equal keys still runs: those whose guard it misses."""
        return [e for e in entries if not e.guard or not set(e.guard) <= set(key)]

    wide = (operator.itemgetter(*keyed), rest(keyed)) if len(keyed) > len(narrow) else None
    key = operator.itemgetter(*narrow) if narrow else None
    return _Compiled(entries, rest(narrow), key, wide)


@functools.cache
def comparator(name: str) -> Check | None:
    """One check of a whole pair of collection ``name`` (None: nothing is compared):
    :func:`bound` to the context of the changes it is given, at each call (the diff
    binds once per collection).

    Its fields' checks, those of :data:`GUARDED` policies (and custom checks that name
    their ``same`` fields) only where a field they read differs. The fields always
    present (not optional) that guard a check other than metadata's (which differs in
    most pairs: the target's holds the source id) make one key per item, taken in C by
    :func:`operator.itemgetter`: a pair whose keys are equal runs none of those checks,
    and compares no field of theirs one by one."""
    if _compiled(name) is None:
        return None

    def compare(s: JSON, t: JSON, ch: Changes) -> None:
        check = bound(name, ch.ctx)
        assert check is not None
        check(s, t, ch)

    return compare


# How :func:`bound` tests a check's usual silent case in place (else it calls the check).
_CALL, _GUARD, _REF, _METADATA, _BY_NAME = range(5)


def _in_place(entry: _Entry, ctx: Context) -> tuple[int, Any, Check]:
    """``(how, what it reads, the check)`` of one entry of :func:`bound`."""
    guard, run, policy, field = entry
    if isinstance(policy, Metadata) and ctx.rules.metadata_key is not None:
        return _METADATA, (field, ctx.rules.metadata_key), run
    if isinstance(policy, Ref):
        return _REF, (field, ctx.maps.get(policy.to)), run
    if isinstance(policy, RefByName):
        return _BY_NAME, (field, policy.to, ctx.index("ref_by_name", dict)), run
    return (_GUARD, guard, run) if guard else (_CALL, None, run)


def bound(name: str, ctx: Context) -> Check | None:
    """:func:`comparator` for one diff (``ctx``): the same checks, in the same order, but
    where a check's usual silent case can be seen from the pair and ``ctx`` at once, it is
    tested here instead of calling the check (the check itself, called otherwise, tests it
    again and finds nothing more):

    * metadata (with the rules' metadata key): the target's is the source's plus the key
      (:func:`auditor.diff.checks.metadata`'s first test);
    * references: none on either side, or each to its counterpart and nothing else
      (:func:`auditor.diff.checks.ref`'s first tests);
    * references by name: the names this diff already expects of the source's (project,
      names), all in the target's (:func:`auditor.diff.checks.ref_by_name`'s memo).

    Its key holds the optional fields that guard a check too, until an item lacks one
    (that pair runs every check; the others :func:`comparator`'s key)."""
    compiled = _compiled(name)
    if compiled is None:
        return None
    entries = [_in_place(entry, ctx) for entry in compiled.entries]
    narrow_key = compiled.key
    narrow_rest = [_in_place(entry, ctx) for entry in compiled.rest]
    key, rest = narrow_key, narrow_rest
    if compiled.wide is not None:
        key, rest = compiled.wide[0], [_in_place(entry, ctx) for entry in compiled.wide[1]]
    missing = _MISSING

    def compare(s: JSON, t: JSON, ch: Changes) -> None:
        nonlocal key, rest
        runs = entries
        if key is not None:
            try:
                if key(s) == key(t):
                    runs = rest
            except KeyError:  # a field left out of an item (an older snapshot)
                if key is not narrow_key:  # an optional one: the narrower key from now on
                    key, rest = narrow_key, narrow_rest
        for how, what, run in runs:
            if how == _GUARD:
                for field in what:
                    if s.get(field, missing) != t.get(field, missing):
                        break
                else:
                    continue  # every field it reads is the same: it finds nothing
            elif how == _METADATA:
                field, meta_key = what
                was, now = s.get(field, missing), t.get(field, missing)
                if was == now:
                    continue  # the guard of a Metadata policy
                if (
                    type(now) is dict
                    and type(was) is dict
                    and meta_key in now
                    and meta_key not in was
                    and len(now) == len(was) + 1
                    and was.items() <= now.items()
                ):
                    continue  # the target's metadata is the source's and the key
            elif how == _REF:
                field, mapping = what
                was, now = s.get(field), t.get(field)
                if not was and not now:
                    continue  # no reference on either side
                if mapping is not None and type(was) is list and type(now) is list:
                    if len(was) == 1 and len(now) == 1:
                        if mapping.get(was[0], missing) == now[0]:
                            continue  # one reference, to its counterpart
                    elif same_counterparts(mapping, was, set(now)):
                        continue  # each to its counterpart
            elif how == _BY_NAME:
                field, to, memo = what
                expected = memo.get((to, s.get("project_id"), *(s.get(field) or ())))
                if expected is not None and expected.issubset(t.get(field) or ()):
                    continue  # every name expected is there
            run(s, t, ch)

    return compare


@functools.cache
def fold_checks_of(name: str) -> tuple[FoldCheck, ...]:
    spec = registry.find(name)
    if spec is None or spec.singleton is None:
        return ()
    found = (fold_check(name, f.name, f.compare) for f in spec.fields)
    return tuple(c for c in found if c is not None)
