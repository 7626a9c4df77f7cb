"""Snapshot items -> raw API items: the catalog's field sources run backwards.

The collector (:mod:`auditor.collect.normalise`) reads each snapshot field from
a raw item as its :class:`~auditor.catalog.sources.Source` says; here the same
sources write a snapshot item's values back where the API gives them, at a
microversion: ``Api`` puts the value under its (first) API name, from its
``since`` on; ``Elements`` makes the list of objects it reads the attribute of;
``Each`` writes each sub-record the same way; ``Versioned`` writes through the
choice of the microversion's band. Sources that are read from other fields or
other listings (``Indexed``, ``Subject``, ``Tag``, ``Joined``,
``NameInListing``) and code (``Derived``) write nothing: what they read is
written by the field that holds it. An ``Api`` value is written through its
``back`` when it has one, else as the snapshot holds it: its ``then`` must
then read it back unchanged (the catalog's transforms normalise, so they do).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from auditor.catalog import sources as src
from auditor.catalog.spec import Field
from auditor.sandbox.microversion import Version, parse_version

JSON = dict[str, Any]


def _at(since: str | None) -> Version:
    return parse_version(since) if since else (0, 0)


def write(source: src.Source, value: Any, raw: JSON, mv: Version) -> None:
    """Put ``value`` (a snapshot field's) into ``raw`` where ``source`` reads it at ``mv``."""
    match source:
        case src.Api(names=names, since=since, back=back):
            if mv >= _at(since):
                raw[names[0]] = value if back is None else back(value)
        case src.Elements(key=key, attr=attr):
            raw[key] = [{attr: element} for element in value or ()]
        case src.Each(key=key, record=record):
            raw[key] = [item(record.fields, element, mv) for element in value or ()]
        case src.Versioned(choices=choices):
            for since, choice in choices:
                if since is None or mv >= parse_version(since):
                    write(choice, value, raw, mv)
                    break
        case (
            src.Indexed()
            | src.Subject()
            | src.Tag()
            | src.Joined()
            | src.NameInListing()
            | src.Derived()
        ):
            pass


def item(fields: Sequence[Field], snapshot_item: JSON, mv: Version) -> JSON:
    """The raw item that ``fields`` read ``snapshot_item`` from, at microversion ``mv``."""
    raw: JSON = {}
    for field in fields:
        write(field.source, snapshot_item.get(field.name), raw, mv)
    return raw


def thresholds(fields: Iterable[Field]) -> tuple[Version, ...]:
    """The microversions at which the raw item of ``fields`` changes shape, lowest first
    (``(0, 0)`` first: the band of every microversion below the others)."""
    found: set[Version] = {(0, 0)}

    def visit(source: src.Source) -> None:
        match source:
            case src.Api(since=since) if since:
                found.add(parse_version(since))
            case src.Versioned(choices=choices):
                for since, choice in choices:
                    if since:
                        found.add(parse_version(since))
                    visit(choice)
            case src.Each(record=record):
                for sub in record.fields:
                    visit(sub.source)
            case _:
                pass

    for field in fields:
        visit(field.source)
    return tuple(sorted(found))


def subject_field(fields: Iterable[Field]) -> str | None:
    """The snapshot field holding the id a fan-out request was made for (its
    :class:`~auditor.catalog.sources.Subject`)."""
    for field in fields:
        if isinstance(field.source, src.Subject):
            return field.name
    return None


def tag_field(fields: Iterable[Field]) -> str | None:
    """The snapshot field saying which request an item came from (a ``Tag``)."""
    for field in fields:
        if isinstance(field.source, src.Tag):
            return field.name
    return None
