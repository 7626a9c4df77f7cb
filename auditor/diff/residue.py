"""Residue: old-brand strings left in the target (``residue.patterns`` in the rules).

Scanned are the fields the catalog marks ``residue`` (names, descriptions,
URLs, metadata values, each string of a list such as a DNS record set's
records), in their declared order. Residue is a warning, an error in DNS data
(:func:`residue_severity`); the rules' ``severity`` overrides either.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from itertools import accumulate
from typing import Any

from auditor.catalog import registry
from auditor.catalog.policies import Rename
from auditor.catalog.spec import Family
from auditor.diff.wording import item_label, noun
from auditor.match import Matching
from auditor.model import Change, Finding, Kind, Severity
from auditor.model.ids import finding_id, ref
from auditor.rules import Rules

JSON = dict[str, Any]

UNDECLARED = ("name", "description", "url", "metadata")
"""What is scanned in a collection the catalog lacks (a newer snapshot's)."""


@functools.cache
def _fields(collection: str) -> tuple[str, ...]:
    spec = registry.find(collection)
    if spec is None:
        return UNDECLARED
    return tuple(f.name for f in spec.fields if f.residue)


def spelled_out(rules: Rules, collection: str) -> frozenset[str]:
    """Target names the rules give literally (renamed domains and regions, the key of
    their collections): whatever old-brand string they hold, the operator chose them."""
    spec = registry.find(collection)
    if spec is None:
        return frozenset()
    out: set[str] = set()
    for part in spec.key.parts:
        if part.field in ("name", "id") and part.rename is Rename.DOMAIN:
            out.update(rules.domains.values())
        elif part.field in ("name", "id") and part.rename is Rename.REGION:
            out.update(rules.regions.values())
    return frozenset(out)


class _Finder(dict[str, "str | None"]):
    """Text -> what the first pattern that finds something in it finds, searched the first
    time a text is asked for: names and metadata values recur across a collection's
    items (a dict, so that a text seen before costs a lookup and no Python call)."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        super().__init__()
        self.patterns = patterns

    def __missing__(self, text: str) -> str | None:
        found = self[text] = _first(self.patterns, text)
        return found


def residue_hits(
    rules: Rules, collection: str, item: JSON, first: Callable[[str], str | None] | None = None
) -> list[tuple[str, str]]:
    """(field, matched text) of every old-brand string left in a target item; ``first``
    finds the residue in one text (default: :func:`_first` of the rules' patterns)."""
    if not rules.residue:
        return []
    return _scanner(rules, collection, first or functools.partial(_first, rules.residue))(item)


def _scanner(
    rules: Rules, collection: str, first: Callable[[str], str | None]
) -> Callable[[JSON], list[tuple[str, str]]]:
    """:func:`residue_hits` of one collection's items, with what it asks of the rules and
    the catalog asked once."""
    meta_key = rules.metadata_key
    fields = _fields(collection)

    def scan(item: JSON) -> list[tuple[str, str]]:
        hits: list[tuple[str, str]] = []
        for field in fields:
            value = item.get(field)
            if value is None:
                continue
            if isinstance(value, str):
                found = first(value)
                if found is not None:
                    hits.append((field, found))
            elif isinstance(value, list):
                # A DNS record set's records.
                for member in value:
                    if isinstance(member, str) and member:
                        found = first(member)
                        if found is not None:
                            hits.append((field, found))
            elif value and (type(value) is dict or isinstance(value, Mapping)):
                for key, member in sorted(value.items()):
                    if key != meta_key and isinstance(member, str):
                        found = first(member)
                        if found is not None:
                            hits.append((f"{field}.{key}", found))
        return hits

    return scan


def _first(patterns: Sequence[re.Pattern[str]], text: str) -> str | None:
    """What the first pattern that finds something in ``text`` finds (None: none does)."""
    if text:
        for pattern in patterns:
            found = pattern.search(text)
            if found:
                return found.group(0)
    return None


_SEPARATOR = "\x00"
_LITERAL = re.compile(r"(?:\\b|[A-Za-z0-9_ \-]|\\[.\-])+")
"""An ASCII pattern of letters, digits, spaces, hyphens and dots, and word boundaries:
each of its matches holds its text without the boundaries (:func:`_literal`), in any
case when the pattern ignores case."""


def _literal(pattern: re.Pattern[str]) -> str | None:
    """What each match of ``pattern`` holds, lower-case (None: not a :data:`_LITERAL`
    pattern, or one whose matches may hold nothing)."""
    if pattern.flags & re.VERBOSE or not _LITERAL.fullmatch(pattern.pattern):
        return None  # (verbose: its spaces are no text)
    text = pattern.pattern.replace("\\b", "").replace("\\", "").lower()
    return text or None


def _candidates(
    patterns: Sequence[re.Pattern[str]], fields: Sequence[str], items: Sequence[JSON]
) -> list[int] | None:
    """The indexes of the items a text of whose ``fields`` holds the text of a pattern's
    matches (:func:`_literal`), in any case: a superset of those the scan finds residue
    in (a metadata key's value among them), searched in C in one lower-case string per
    field. None when that cannot be known so: a pattern not :data:`_LITERAL`, a value
    neither a string, a list of strings nor a mapping to strings, a text not ASCII
    (whose lower case may match otherwise than the pattern ignoring case)."""
    literals = [text for text in map(_literal, patterns) if text is not None]
    if len(literals) < len(patterns):
        return None
    found: set[int] = set()
    join = _SEPARATOR.join
    for field in fields:
        values = [item.get(field) for item in items]
        kinds = set(map(type, values))
        kinds.discard(type(None))
        try:
            if kinds <= {str}:
                texts = [v or "" for v in values]
            elif kinds <= {dict}:
                texts = [join(v.values()) if v else "" for v in values]
            elif kinds <= {list}:
                texts = [join(v) if v else "" for v in values]
            else:
                return None
        except TypeError:  # a member that is no string
            return None
        joined = join(texts)
        if not joined.isascii():
            return None
        joined = joined.lower()
        # ends[i]: where item i's text and its separator end in the joined text.
        ends = list(accumulate(map((1).__add__, map(len, texts))))
        for literal in literals:
            at = joined.find(literal)
            while at >= 0:
                item = bisect_right(ends, at)
                found.add(item)
                at = joined.find(literal, ends[item])  # on to the next item's text
    return sorted(found)


def residue_in(
    rules: Rules,
    collection: str,
    matching: Matching,
    items: Sequence[JSON],
    paired: AbstractSet[str] | None = None,
) -> Iterator[tuple[JSON, list[tuple[str, str]]]]:
    """(item, hits) of each in-scope target item (paired or unexpected) with residue;
    ``items``: the target items ``matching`` was made of; ``paired``: the ids of its paired
    target items, when the caller has them already."""
    if paired is None:
        paired = {str(p.target["id"]) for p in matching.pairs}
    unexpected = {str(t["id"]) for t in matching.unexpected}
    literal = spelled_out(rules, collection)
    scan = _scanner(rules, collection, _Finder(rules.residue).__getitem__)
    # As many paired and unexpected ids as items (the usual case): each item is one of
    # them, none is out of scope, and no id needs looking up.
    all_in_scope = len(paired) + len(unexpected) == len(items) and unexpected.isdisjoint(paired)
    # Most items hold no old-brand string: those some pattern may find something in, when
    # the patterns allow knowing them in one search per field (else every item).
    candidates = _candidates(rules.residue, _fields(collection), items)
    if candidates is not None:
        items = [items[i] for i in candidates]
    for item in items:
        if not all_in_scope:
            key = str(item["id"])
            if key not in paired and key not in unexpected:
                continue  # outside the migration's scope
        hits = scan(item)
        if hits and item.get("name") in literal:
            # The rules map this name literally (domains: {cloudwatt: ocb-cloudwatt}).
            hits = [hit for hit in hits if hit[0] != "name"]
        if hits:
            yield item, hits


def residue_severity(collection: str) -> Severity:
    """Residue is a warning, but an error in DNS data: a name under the old brand's
    domain stops resolving when that domain goes."""
    spec = registry.find(collection)
    return Severity.ERROR if spec is not None and spec.family is Family.DNS else Severity.WARNING


def residue_finding(
    collection: str,
    item: JSON,
    hits: Sequence[tuple[str, str]],
    severity: Severity,
    project: str | None,
) -> Finding:
    """The residue finding of a target item."""
    where = ", ".join(f"{field} ({text!r})" for field, text in hits)
    return Finding(
        id=finding_id(Kind.RESIDUE, collection, str(item["id"])),
        kind=Kind.RESIDUE,
        collection=collection,
        severity=severity,
        target=ref(item),
        project=project,
        changes=tuple(
            Change(field, None, text, severity, "old-brand string") for field, text in hits
        ),
        message=f"{noun(collection)} {item_label(collection, item)} still carries the"
        f" old brand in {where}; rename it.",
    )
