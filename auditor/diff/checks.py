"""One check per compare policy of the catalog, and the dispatcher that makes them.

Each field's policy (:mod:`auditor.catalog.policies`) becomes a check
``(source item, target item, changes)`` (:func:`check`; a collection's are compiled
into one by :func:`auditor.diff.comparator.comparator`); the dispatch is a ``match``
ending in ``assert_never``, so a policy without a check is a type error. A fold's
singletons (quota sets, default security groups) are compared by the fold variants
of the policies that have one (:func:`fold_check`).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from auditor.catalog.policies import (
    Compare,
    CompareContext,
    Custom,
    Exact,
    Flag,
    Ignore,
    Kept,
    Limits,
    Metadata,
    Ref,
    RefByName,
    Renamed,
    SetOf,
    Sized,
    Status,
    renamed,
)
from auditor.catalog.text import as_int, fmt
from auditor.diff.changes import Changes, same_counterparts
from auditor.diff.limits import limits, limits_fold
from auditor.model import Severity
from auditor.secrets import MASK, looks_secret

if sys.version_info >= (3, 11):
    from typing import assert_never
else:  # pragma: no cover
    from typing_extensions import assert_never

JSON = dict[str, Any]

Check = Callable[[JSON, JSON, Changes], None]
"""Adds to ``Changes`` what differs between a matched source and target item."""
FoldCheck = Callable[[Sequence[JSON], JSON, Changes], None]
"""Adds what the one target item of a fold lacks of its source items together."""


def is_error_status(status: Any) -> bool:
    return isinstance(status, str) and status.lower().startswith("error")


def _unusable(p: Status, status: Any) -> bool:
    return status in p.unusable if p.unusable is not None else is_error_status(status)


def exact(field: str, p: Exact, s: JSON, t: JSON, ch: Changes) -> None:
    was, now = s.get(field), t.get(field)
    if p.blank is not None:
        was, now = was or p.blank, now or p.blank
    if was == now or (p.known and was is None):
        return
    if p.unless_folded and ch.ctx.rules.fold_of(s.get("name")) is not None:
        return
    shown = (p.show(was), p.show(now)) if p.show is not None else (fmt(was), fmt(now))
    message = (
        p.message.format(was=shown[0], now=shown[1])
        if p.message is not None
        else f"{p.what} changed from {shown[0]} to {shown[1]}"
    )
    texts = shown if p.show is not None else (None, None)
    ch.add(field, was, now, p.severity, message, texts=texts)


def renamed_check(collection: str, field: str, p: Renamed, s: JSON, t: JSON, ch: Changes) -> None:
    expected = renamed(ch.ctx.rules, collection, p.rename, p.of, s.get(field))
    actual = t.get(field)
    if expected != actual:
        message = p.message.format(now=fmt(actual), expected=fmt(expected))
        ch.add(field, expected, actual, p.severity, message)


def flag(field: str, p: Flag, s: JSON, t: JSON, ch: Changes) -> None:
    if p.known and (s.get(field) is None or t.get(field) is None):
        return
    was, now = bool(s.get(field, p.default)), bool(t.get(field, p.default))
    if was and not now:
        ch.add(field, True, False, p.lost_severity, p.lost)
    elif now and not was and p.gained is not None:
        ch.add(field, False, True, p.gained_severity, p.gained)


def sized(field: str, p: Sized, s: JSON, t: JSON, ch: Changes) -> None:
    was, now = as_int(s.get(field)), as_int(t.get(field))
    if was is None or now is None or was == now:
        return
    if now < was:
        ch.add(field, was, now, p.smaller_severity, p.smaller.format(was=was, now=now))
    else:
        ch.add(field, was, now, p.larger_severity, p.larger.format(was=was, now=now))


def status(field: str, p: Status, s: JSON, t: JSON, ch: Changes) -> None:
    was, now = s.get(field), t.get(field)
    if was == now:
        return
    if _unusable(p, now) and not _unusable(p, was):
        if p.message is not None:
            message = p.message.format(source=was, target=now, was=fmt(was), now=fmt(now))
        else:
            message = f"went into status {now}" + (f" (was {was})" if p.with_previous else "")
        ch.add(field, was, now, Severity.ERROR, message)
    elif not {was, now} <= p.explained:
        message = f"status changed from {fmt(was)} to {fmt(now)}"
        ch.add(field, was, now, Severity.WARNING, message)


def metadata(field: str, s: JSON, t: JSON, ch: Changes) -> None:
    """Key by key; the rules' metadata key (the source id it holds) is left out."""
    meta_key = ch.ctx.rules.metadata_key
    s_raw, t_raw = s.get(field) or {}, t.get(field) or {}
    if type(t_raw) is dict and type(s_raw) is dict and meta_key in t_raw:
        # The usual pair: the target's metadata is the source's plus the key (one copy).
        t_meta = t_raw.copy()
        del t_meta[meta_key]
        if meta_key not in s_raw and s_raw == t_meta:
            return
    s_meta = dict(s_raw)
    t_meta = dict(t_raw)
    s_meta.pop(meta_key or "", None)
    if meta_key is not None:
        t_meta.pop(meta_key, None)
    if s_meta == t_meta or not ch.wanted(field):
        return  # the same keys and values: no key lost, gained or changed
    for key in sorted(set(s_meta) | set(t_meta)):
        # Snapshots the auditor writes are masked already; older or hand-made
        # ones may not be, and a report must not repeat a secret either way.
        secret = looks_secret(key)
        s_value = MASK if secret and key in s_meta else s_meta.get(key)
        t_value = MASK if secret and key in t_meta else t_meta.get(key)
        name = f"{field}.{key}"
        if key not in t_meta:
            ch.add(name, s_value, None, Severity.WARNING, f"lost metadata key {key!r}")
        elif key not in s_meta:
            ch.add(name, None, t_value, Severity.INFO, f"gained metadata key {key!r}")
        elif s_meta[key] != t_meta[key]:
            shown = "" if secret else f" from {s_value!r} to {t_value!r}"
            message = f"metadata {key!r} changed{shown}"
            ch.add(name, s_value, t_value, Severity.WARNING, message)


def ref(field: str, p: Ref, s: JSON, t: JSON, ch: Changes) -> None:
    sources, targets = s.get(field) or [], t.get(field) or []
    if not sources and not targets:
        return  # no reference on either side: nothing lost or gained
    mapping = ch.ctx.maps.get(p.to)
    if mapping is not None:
        if type(sources) is list and type(targets) is list and len(sources) == len(targets) == 1:
            if mapping.get(sources[0], _MISSING) == targets[0]:
                return  # one reference, to its counterpart (same_counterparts, in short)
        elif same_counterparts(mapping, sources, set(targets)):
            return  # nothing for Changes.refs to say, whatever else it would check first
    ch.refs(
        field,
        sources,
        targets,
        p.to,
        lost=p.lost,
        gained=p.gained,
        unpaired=p.unpaired,
        label=p.label,
    )


def counterpart_name(ctx: CompareContext, to: str, project_id: Any, name: Any) -> Any:
    """The name the target must say for the item of ``to`` named ``name`` in project
    ``project_id``: through ``to``'s matches when both snapshots have it (the source item
    found by (project, name), its counterpart's name, whatever strategy matched it), else
    (or without counterpart) the renamed name."""
    rename = ctx.rules.name
    if not ctx.complete.get(to):
        return rename(to, name)
    by_name = ctx.index(
        f"{to}.source.by_project_name",
        lambda: {
            (g.get("project_id"), g.get("name")): gid
            for gid, g in ctx.source_items.get(to, {}).items()
        },
    )
    target_id = ctx.maps.get(to, {}).get(by_name.get((project_id, name)) or "")
    target = ctx.target_items.get(to, {}).get(target_id) if target_id else None
    if target is not None and target.get("name"):
        return target["name"]
    return rename(to, name)


def ref_by_name(field: str, p: RefByName, s: JSON, t: JSON, ch: Changes) -> None:
    """The names the target item must list (:func:`counterpart_name` of each)."""
    names = s.get(field) or []
    # The same names recur in a project's items (a server's security groups): what they
    # expect is worked out once per diff (the context holds this diff's matches).
    memo: dict[tuple[Any, ...], frozenset[str]] = ch.ctx.index("ref_by_name", dict)
    key = (p.to, s.get("project_id"), *names)
    expected = memo.get(key)
    if expected is None:
        project_id = s.get("project_id")
        expected = frozenset(str(counterpart_name(ch.ctx, p.to, project_id, n)) for n in names)
        memo[key] = expected
    have = set(t.get(field) or [])
    if expected <= have:
        return  # nothing lost
    lost = sorted(str(n) for n in expected - have)
    if lost:
        message = p.message.format(lost=fmt(lost))
        ch.add(field, sorted(str(n) for n in expected), sorted(have), p.severity, message)


def _record_key(p: SetOf) -> Callable[[JSON], tuple[Any, ...]]:
    names = [f.name for f in p.record.fields]
    return lambda record: tuple(record.get(k) for k in names)


def set_of(collection: str, field: str, p: SetOf, s: JSON, t: JSON, ch: Changes) -> None:
    """Records lost (in the source, not the target) and gained, as multisets."""
    rules = ch.ctx.rules
    renames = [(f.name, f.compare) for f in p.record.fields if isinstance(f.compare, Renamed)]
    s_records = []
    for original in s.get(field) or []:
        record = original
        for name, policy in renames:
            if record.get(name) and policy.matched:
                of = policy.of or collection
                value = counterpart_name(ch.ctx, of, s.get("project_id"), record[name])
                record = {**record, name: value}
            elif record.get(name):
                value = renamed(rules, collection, policy.rename, policy.of, record[name])
                record = {**record, name: value}
        s_records.append(record)
    t_records = list(t.get(field) or [])
    key = _record_key(p)
    s_keys = Counter(key(r) for r in s_records)
    t_keys = Counter(key(r) for r in t_records)
    lost_keys, gained_keys = s_keys - t_keys, t_keys - s_keys
    for record in s_records:
        if lost_keys[key(record)] > 0:
            lost_keys[key(record)] -= 1
            text = p.describe(record)
            message = p.lost.format(text=text)
            ch.add(field, record, None, p.lost_severity, message, texts=(text, None))
    for record in t_records:
        if gained_keys[key(record)] > 0:
            gained_keys[key(record)] -= 1
            text = p.describe(record)
            message = p.gained.format(text=text)
            ch.add(field, None, record, p.gained_severity, message, texts=(None, text))


def set_of_fold(
    collection: str, field: str, p: SetOf, sources: Sequence[JSON], t: JSON, ch: Changes
) -> None:
    """The target's records against the union of the fold's sources' records."""
    key = _record_key(p)
    union: dict[tuple[Any, ...], JSON] = {}
    for source in sources:
        for record in source.get(field) or []:
            union.setdefault(key(record), record)
    set_of(collection, field, p, {field: list(union.values())}, t, ch)


def kept(field: str, p: Kept, s: JSON, t: JSON, ch: Changes) -> None:
    """Source elements no longer in the target."""
    if p.known and (s.get(field) is None or t.get(field) is None):
        return
    key = p.key or (lambda element: element)
    have = {key(e) for e in t.get(field) or []}
    lost: dict[Any, Any] = {}
    for element in s.get(field) or []:
        if key(element) not in have:
            lost.setdefault(key(element), element)
    if not lost:
        return
    describe = p.describe or str
    text = ", ".join(describe(lost[k]) for k in sorted(lost, key=str))
    texts: tuple[str | None, str | None] = (None, None)
    if p.describe is not None:
        texts = (_listed(p.describe, s.get(field)), _listed(p.describe, t.get(field)))
    ch.add(field, s.get(field), t.get(field), p.severity, p.message.format(lost=text), texts=texts)


def _listed(describe: Callable[[Any], str], elements: Any) -> str:
    return ", ".join(describe(e) for e in elements or []) or "none"


def check(collection: str, field: str, policy: Compare) -> Check | None:
    """The check of one field's policy (None: not compared)."""
    match policy:
        case Ignore():
            return None
        case Exact():
            return partial(exact, field, policy)
        case Renamed():
            return partial(renamed_check, collection, field, policy)
        case Flag():
            return partial(flag, field, policy)
        case Sized():
            return partial(sized, field, policy)
        case Status():
            return partial(status, field, policy)
        case Metadata():
            return partial(metadata, field)
        case Ref():
            return partial(ref, field, policy)
        case RefByName():
            return partial(ref_by_name, field, policy)
        case SetOf():
            return partial(set_of, collection, field, policy)
        case Kept():
            return partial(kept, field, policy)
        case Limits():
            return partial(limits, field, policy)
        case Custom(check=custom):
            return custom
        case _:
            assert_never(policy)


def fold_check(collection: str, field: str, policy: Compare) -> FoldCheck | None:
    """How a fold's singletons compare one field together (None: they do not: a fold's
    target cannot carry every source's description)."""
    match policy:
        case SetOf():
            return partial(set_of_fold, collection, field, policy)
        case Limits():
            return partial(limits_fold, field, policy)
    return None


_MISSING = object()
