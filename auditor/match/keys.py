"""Match keys, from the catalog: what identifies an item for the ``name`` strategy.

A collection's :class:`~auditor.catalog.spec.MatchKey` says which fields
identify an item within its owner, and how each is renamed by the rules on
the source side; its :class:`~auditor.catalog.spec.Owner` says what the key
is made within: project-owned items are keyed within their project's
counterpart (or, without one, within the renamed domain and project names),
the others within their collection. A key claimed by more than one item is
ambiguous: see :mod:`auditor.match.matcher`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from auditor.catalog import registry
from auditor.catalog.policies import Rename, Renames, renamed
from auditor.catalog.spec import BY_NAME, MatchKey

JSON = dict[str, Any]

Key = Hashable

PROJECT_OWNED = registry.project_owned()

SourceKey = Callable[[Renames, str, JSON], "tuple[Any, ...] | None"]
"""What identifies a source item within its project (or cloud), after renaming."""
TargetKey = Callable[[JSON], "tuple[Any, ...] | None"]
"""The same for a target item, as it is."""


@functools.cache
def match_key(collection: str) -> MatchKey:
    """The key of a collection (by renamed name for one the catalog lacks)."""
    spec = registry.find(collection)
    return spec.key if spec is not None else BY_NAME


def _chosen(key: MatchKey, item: JSON) -> MatchKey | None:
    """The key that applies to ``item``: its own, or its fallback when it lacks a field."""
    chosen: MatchKey | None = key
    while chosen is not None and not all(item.get(f) for f in chosen.required):
        chosen = chosen.fallback
    return chosen


def _source_fn(collection: str, key: MatchKey) -> SourceKey:
    """What computes the own key of a source item (compiled once per collection)."""
    fallback = _source_fn(collection, key.fallback) if key.fallback is not None else None
    parts = [(p.field, p.rename, p.of) for p in key.parts]
    required = key.required
    if len(parts) == 1 and required == (parts[0][0],) and fallback is None:
        field, rename, of = parts[0]
        if rename is Rename.NAME:
            whose = of or collection
            return lambda rules, _c, item: (
                (rules.name(whose, item[field]),) if item.get(field) else None
            )

    def own(rules: Renames, _collection: str, item: JSON) -> tuple[Any, ...] | None:
        for name in required:
            if not item.get(name):
                return fallback(rules, collection, item) if fallback is not None else None
        return tuple(
            _hashable(renamed(rules, collection, r, of, item.get(f))) for f, r, of in parts
        )

    return own


def _target_fn(key: MatchKey) -> TargetKey:
    """What computes the own key of a target item (as it is)."""
    fallback = _target_fn(key.fallback) if key.fallback is not None else None
    fields = [p.field for p in key.parts]
    required = key.required
    if len(fields) == 1 and required == (fields[0],) and fallback is None:
        field = fields[0]
        return lambda item: (item[field],) if item.get(field) else None

    def own(item: JSON) -> tuple[Any, ...] | None:
        for name in required:
            if not item.get(name):
                return fallback(item) if fallback is not None else None
        return tuple(_hashable(item.get(f)) for f in fields)

    return own


def _hashable(value: Any) -> Any:
    """A key part as a dict key can hold it (a list of addresses as a tuple)."""
    return tuple(value) if isinstance(value, list) else value


@functools.cache
def own_keys(collection: str) -> tuple[SourceKey, TargetKey]:
    """(source key, target key) functions of a collection's own key, compiled once."""
    key = match_key(collection)
    source, target = _source_fn(collection, key), _target_fn(key)
    unless = key.unless
    if unless is None:
        return source, target
    # Items with ``unless`` set are matched by the second key only.
    return (
        lambda rules, c, item: None if item.get(unless) else source(rules, c, item),
        lambda item: None if item.get(unless) else target(item),
    )


def own_source_key(rules: Renames, collection: str, item: JSON) -> tuple[Any, ...] | None:
    return own_keys(collection)[0](rules, collection, item)


def own_target_key(collection: str, item: JSON) -> tuple[Any, ...] | None:
    return own_keys(collection)[1](item)


def second_source_key(
    rules: Renames, collection: str, maps: Mapping[str, Mapping[str, str]], item: JSON
) -> tuple[Any, ...] | None:
    """The second key of a source item: through earlier matches (a floating IP's server's
    counterpart), or a field of its own (a service's type)."""
    second = match_key(collection).second
    if second is None or not item.get(second.field):
        return None
    value = item[second.field]
    more = tuple(
        _hashable(renamed(rules, collection, p.rename, p.of, item.get(p.field)))
        for p in second.parts
    )
    if second.through is None:
        return (second.tag, value, *more)
    counterpart = maps.get(second.through, {}).get(str(value))
    return (second.tag, counterpart, *more) if counterpart is not None else None


def second_target_key(collection: str, item: JSON) -> tuple[Any, ...] | None:
    second = match_key(collection).second
    if second is None or not item.get(second.field):
        return None
    value = item[second.field]
    more = tuple(_hashable(item.get(p.field)) for p in second.parts)
    return (second.tag, value if second.through is None else str(value), *more)


def source_key(
    rules: Renames,
    collection: str,
    item: JSON,
    project_map: Mapping[str, str],
    own: SourceKey = own_source_key,
) -> Key | None:
    """A source item's full key: its own key within its owner."""
    return source_keyer(rules, collection, project_map, own)(item)


def source_keyer(
    rules: Renames,
    collection: str,
    project_map: Mapping[str, str],
    own: SourceKey = own_source_key,
) -> Callable[[JSON], Key | None]:
    """:func:`source_key` of the items of one collection, what depends on the collection
    decided once."""
    if collection not in PROJECT_OWNED:

        def in_collection(item: JSON) -> Key | None:
            key = own(rules, collection, item)
            return None if key is None else (collection, *key)

        return in_collection

    def in_project(item: JSON) -> Key | None:
        key = own(rules, collection, item)
        if key is None:
            return None
        counterpart = project_map.get(str(item.get("project_id")))
        if counterpart is not None:
            return ("pid", counterpart, *key)
        return (
            "pname",
            rules.domain(item.get("domain")),
            rules.name(registry.PROJECTS, item.get("project")),
            *key,
        )

    return in_project


def target_keys(collection: str, item: JSON, own: TargetKey | None = None) -> list[Key]:
    """A target item's full keys (a project-owned one: by project id and by names)."""
    return target_keyer(collection, own)(item)


def target_keyer(collection: str, own: TargetKey | None = None) -> Callable[[JSON], list[Key]]:
    """:func:`target_keys` of the items of one collection, what depends on the collection
    decided once."""
    own_key = own if own is not None else own_keys(collection)[1]
    if collection not in PROJECT_OWNED:

        def in_collection(item: JSON) -> list[Key]:
            key = own_key(item)
            return [] if key is None else [(collection, *key)]

        return in_collection

    def in_project(item: JSON) -> list[Key]:
        key = own_key(item)
        if key is None:
            return []
        return [
            ("pid", item.get("project_id"), *key),
            ("pname", item.get("domain"), item.get("project"), *key),
        ]

    return in_project


def readable(key: Key) -> str:
    """A key for messages, without its first element (the collection or pid/pname)."""
    if isinstance(key, tuple):
        return "/".join(str(p) for p in key[1:] if p is not None)
    return str(key)


def expected_label(
    rules: Renames,
    collection: str,
    item: JSON,
    source_label: Callable[[str, str], str] | None = None,
) -> str | None:
    """What the name strategy looked for in the target (None: an unnamed item);
    ``source_label(collection, id)`` names a source item the second key went through
    (a floating IP is also looked for by its server's counterpart)."""
    key = match_key(collection)
    owner = (
        f"{rules.name(registry.PROJECTS, item.get('project'))}/"
        if collection in PROJECT_OWNED
        else ""
    )
    second = key.second
    if second and second.through and second.label and item.get(second.field) and source_label:
        through = source_label(second.through, str(item[second.field]))
        more = {
            p.field: renamed(rules, collection, p.rename, p.of, item.get(p.field))
            for p in second.parts
        }
        then = second.label.format(label=through, **more)
        if key.unless is not None and item.get(key.unless):
            return f"{owner}{then}"
        values = [renamed(rules, collection, p.rename, p.of, item.get(p.field)) for p in key.parts]
        joined = "/".join(str(v) for v in values)
        return f"{owner}{joined}, {then}"
    chosen = key
    if key.fallback is not None and _chosen(key, item) is key.fallback:
        chosen = key.fallback
    parts = {
        p.field: renamed(rules, collection, p.rename, p.of, item.get(p.field)) for p in chosen.parts
    }
    if chosen.label is not None:
        return chosen.label(parts, item, rules)
    if any(not parts.get(f, item.get(f)) for f in chosen.required):
        return None
    return owner + "/".join(str(v) for v in parts.values())
