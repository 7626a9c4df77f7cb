"""The catalog: every collection the auditor knows, and what is derived from all of them.

A collection is declared in the ``SPECS`` of its family's module (:data:`FAMILIES`);
:data:`CATALOG` gathers them in the order collections are matched and reports
list their findings: the 18 of :data:`FIRST` as they always were (core
collections first, then in the order they were added), then every other in
its family module's order. So a new collection is declared in one place, and
lands at the end. The declarations are checked when this module is imported,
so a broken one fails every test at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from auditor.catalog import (
    access,
    block_storage,
    compute,
    dns,
    identity,
    image,
    image_members,
    load_balancer,
    network,
    network_l3,
    network_pools,
    network_ports,
    object_store,
    orchestration,
    quotas,
    security_groups,
    servers,
    volume_types,
)
from auditor.catalog.policies import Compare, Custom, Ref, RefByName, Renamed, SetOf
from auditor.catalog.sources import reads
from auditor.catalog.spec import CollectionSpec, Family, MatchKey, Request

FAMILIES = (
    identity,
    access,
    servers,
    compute,
    block_storage,
    volume_types,
    image,
    image_members,
    network,
    network_l3,
    security_groups,
    quotas,
    network_ports,
    network_pools,
    dns,
    load_balancer,
    orchestration,
    object_store,
)
"""The modules that declare collections (each in its ``SPECS``)."""

FIRST = (
    "projects",
    "servers",
    "volumes",
    "endpoints",
    "domains",
    "regions",
    "services",
    "flavors",
    "images",
    "keypairs",
    "networks",
    "subnets",
    "routers",
    "security_groups",
    "floating_ips",
    "volume_snapshots",
    "volume_backups",
    "quotas",
)
"""The report order of the first collections, kept: finding order (hence every report)
stays as it was; collections declared since come after them."""


def gather(families: Sequence[Any] = FAMILIES) -> tuple[CollectionSpec, ...]:
    """The collections the modules ``families`` declare (their ``SPECS``), in the report
    order."""
    declared: list[CollectionSpec] = [spec for module in families for spec in module.SPECS]
    first = {name: i for i, name in enumerate(FIRST)}
    return tuple(
        sorted(declared, key=lambda spec: first.get(spec.name, len(first)))
    )  # sorted is stable: the others keep their declaration order


CATALOG: tuple[CollectionSpec, ...] = gather()
"""Every collection, in the order collections are matched and reported."""

MICROVERSIONS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "compute": ("2.1", compute.CLIENT_MAX_MICROVERSION),
        "block-storage": ("3.0", block_storage.CLIENT_MAX_MICROVERSION),
    }
)
"""Microversioned service -> (its baseline, the highest microversion the catalog knows)."""


def baseline(service: str) -> str:
    """The microversion a service answers without one (compute 2.1)."""
    return MICROVERSIONS[service][0]


DNS_NAMED: frozenset[str] = frozenset(s.name for s in CATALOG if s.family is Family.DNS)
"""Collections whose names are DNS names, renamed by the rules' ``rename.dns`` first."""

PROJECTS = "projects"
"""The collection that owns the project-owned ones (matched first: it keys them)."""

_BY_NAME = {spec.name: spec for spec in CATALOG}

NAMES: tuple[str, ...] = tuple(_BY_NAME)
"""Every collection's name, in the catalog's order."""


def names() -> tuple[str, ...]:
    """Every collection's name, in the catalog's order."""
    return NAMES


def core() -> tuple[str, ...]:
    """The collections listed by default."""
    return tuple(spec.name for spec in CATALOG if spec.core)


def order() -> tuple[str, ...]:
    """The order collections are matched in and reports list them in."""
    return NAMES


def spec(name: str) -> CollectionSpec:
    """The declaration of collection ``name`` (KeyError for an unknown one)."""
    return _BY_NAME[name]


def find(name: str) -> CollectionSpec | None:
    return _BY_NAME.get(name)


def field_names(name: str) -> tuple[str, ...] | None:
    """The snapshot fields of collection ``name`` (None for an unknown collection)."""
    found = _BY_NAME.get(name)
    return tuple(f.name for f in found.fields) if found is not None else None


def project_owned() -> frozenset[str]:
    """Collections whose items belong to a project (keyed within its counterpart)."""
    return frozenset(spec.name for spec in CATALOG if spec.project_owned)


def _requests(spec: CollectionSpec) -> list[Request]:
    found = [*spec.requests, *(lookup.request for lookup in spec.lookups), *spec.checks]
    out: list[Request] = []
    while found:
        request = found.pop(0)
        out.append(request)
        if request.fan_out is not None:
            found.append(request.fan_out.over)
    return out


def listings(catalog: Sequence[CollectionSpec] = CATALOG) -> dict[str, Request]:
    """Every request any collection makes, by key (each once, however many use it)."""
    out: dict[str, Request] = {}
    for spec_ in catalog:
        for request in _requests(spec_):
            known = out.setdefault(request.key, request)
            if known is not request:
                raise ValueError(f"two requests are named {request.key}")
    return out


def _kept() -> dict[str, frozenset[str] | None]:
    kept: dict[str, set[str] | None] = {key: set(r.keep) for key, r in listings().items()}
    for spec_ in CATALOG:
        for request in spec_.requests:
            names_ = kept[request.key]
            for field in spec_.fields:
                read = reads(field.source)
                if read is None or names_ is None:
                    kept[request.key] = names_ = None
                    break
                names_ |= read
            if names_ is not None and request.wrapped:
                names_.add(request.wrapped)
    return {key: frozenset(value) if value else None for key, value in kept.items()}


KEPT: Mapping[str, frozenset[str] | None] = MappingProxyType(_kept())
"""Listing key -> the raw fields the pager keeps of its items (None: all): what the
fields of the collections it lists read, and what other collections look up in it."""


def kept_fields(key: str) -> frozenset[str] | None:
    """The raw fields kept of listing ``key`` (None: all, or a listing no collection reads)."""
    return KEPT.get(key)


def _targets(compare: Compare) -> tuple[str, ...]:
    match compare:
        case Ref(to=to) | RefByName(to=to):
            return (to,)
        case Renamed(of=of) if of is not None:
            return (of,)
        case Custom(to=to):
            return to
        case SetOf(record=record):
            return tuple(t for f in record.fields for t in _targets(f.compare))
    return ()


def _key_targets(key: MatchKey | None) -> tuple[str, ...]:
    if key is None:
        return ()
    out = tuple(part.of for part in key.parts if part.of is not None)
    if key.second is not None:
        out += tuple(part.of for part in key.second.parts if part.of is not None)
        if key.second.through is not None:
            out += (key.second.through,)
    return out + _key_targets(key.fallback)


def edges(catalog: Sequence[CollectionSpec] = CATALOG) -> tuple[tuple[str, str, str], ...]:
    """(collection, field, collection it refers to) of every relationship: references
    compared through matches, names renamed by another collection's rules, keys."""
    out: list[tuple[str, str, str]] = []
    for spec_ in catalog:
        for field in spec_.fields:
            out.extend((spec_.name, field.name, to) for to in _targets(field.compare))
        out.extend((spec_.name, "(key)", to) for to in _key_targets(spec_.key))
    return tuple(dict.fromkeys(e for e in out if e[2] != e[0]))


def left_out() -> Mapping[str, tuple[str, str]]:
    """Collection -> (field marking an item the diff leaves out, what such items are)."""
    return {
        spec_.name: (field.name, field.leaves_out)
        for spec_ in CATALOG
        for field in spec_.fields
        if field.leaves_out is not None
    }


LEFT_OUT: Mapping[str, tuple[str, str]] = MappingProxyType(dict(left_out()))


def validate(catalog: Sequence[CollectionSpec] = CATALOG) -> None:
    """Refuse a catalog whose declarations contradict each other (done at import)."""
    names_ = [spec_.name for spec_ in catalog]
    if len(set(names_)) != len(names_) or names_[:1] != [PROJECTS]:
        raise ValueError("collection names must be unique, projects first")
    if not set(FIRST) <= set(names_):
        raise ValueError(f"collections no longer declared: {sorted(set(FIRST) - set(names_))}")
    rank = {name: i for i, name in enumerate(names_)}
    for spec_ in catalog:
        fields = [f.name for f in spec_.fields]
        if len(set(fields)) != len(fields) or fields[:1] != ["id"]:
            raise ValueError(f"{spec_.name}: fields must be unique, id first")
        optional = [f.optional for f in spec_.fields]
        if optional != sorted(optional):
            raise ValueError(f"{spec_.name}: optional fields come last")
        if spec_.project_owned and not {"project", "project_id", "domain"} <= set(fields):
            raise ValueError(f"{spec_.name}: a project's items say project, project_id, domain")
        key: MatchKey | None = spec_.key
        while key is not None:
            unknown = [p.field for p in key.parts if p.field not in fields]
            if unknown or not set(key.required) <= set(fields):
                raise ValueError(f"{spec_.name}: its match key names unknown fields {unknown}")
            second = key.second
            named = [p.field for p in second.parts] if second is not None else []
            named += [key.unless] if key.unless is not None else []
            if set(named) - set(fields):
                raise ValueError(f"{spec_.name}: its match key names unknown fields {named}")
            through = second.through if second is not None else None
            if through is not None and rank.get(through, len(rank)) >= rank[spec_.name]:
                raise ValueError(f"{spec_.name}: {through} must be matched before it")
            key = key.fallback
    for name, _field, to in edges(catalog):
        if to not in rank:
            raise ValueError(f"{name} refers to unknown collection {to}")
    listings(catalog)


validate()
