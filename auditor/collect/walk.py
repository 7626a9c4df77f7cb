"""Guards of one paged walk: a service's paging can never make it endless, and its
items must have the JSON types the API reference gives them.

:class:`Walk` follows a listing page by page (see :class:`auditor.collect.pager.Pager`)
and stops it, as incomplete with the reason, when the service's next links
repeat a page, stop bringing new items, or need far more pages than the items
fill. :func:`type_error` checks an item against its listing's entry of
:data:`auditor.collect.shapes.SHAPES`; :func:`kept` and :func:`kept_typed` keep
what a page brings: new items (by id), checked, trimmed to the fields read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from auditor.errors import ListingError

PAGE_SLACK = 10
"""Pages a walk may take beyond twice what its items need, before it is declared stuck."""


class Walk:
    """Keeps a walk honest: no page asked twice, pages that bring new items, a page
    count in proportion to the items, whatever the service's next links say.

    A service whose next link repeats a page (the same query again), whose pages
    stop bringing new items, or which needs many more pages than its items fill
    (one new item per page, say) would otherwise be walked without end.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.asked: dict[tuple[tuple[str, str], ...], int] = {}
        """Query of each page asked since the walk (re)started -> its number."""
        self.largest = 0
        """Largest page seen (the service's page size, in effect)."""
        self.fresh_total = 0
        self.stale = 0
        """Pages in a row that brought no new item."""
        self.stale_allowed = 1
        """Such pages tolerated in a row: 1, or after a restart the pages walked again."""
        self.restarts = 0

    def restart(self) -> None:
        """The walk starts again from the first page (a marker vanished)."""
        self.stale_allowed = max(len(self.asked), 1) + 1
        self.asked.clear()
        self.restarts += 1

    def asking(self, query: Mapping[str, str], pages: int) -> None:
        """About to ask for the page of ``query``: refuse a page already asked."""
        key = tuple(sorted(query.items()))
        if key in self.asked:
            raise ListingError(
                f"{self.what}: the service's next link repeats page {self.asked[key]}"
                f" (after {pages} pages); stopped, the list is incomplete"
            )
        self.asked[key] = pages + 1

    def got(self, size: int, fresh: int, pages: int) -> None:
        """A page of ``size`` items, ``fresh`` of them new, was the ``pages``-th."""
        self.largest = max(self.largest, size)
        self.fresh_total += fresh
        self.stale = 0 if fresh else self.stale + 1
        if size and self.stale > self.stale_allowed:
            raise ListingError(
                f"{self.what}: {self.stale} pages in a row brought no new item (after"
                f" {pages} pages); the service's paging does not advance, stopped"
            )
        # Each restart walks the pages again: twice the pages the items fill, per walk.
        walks = 1 + self.restarts
        needed = 2 * walks * self.fresh_total / max(self.largest, 1) + PAGE_SLACK
        if pages > needed:
            raise ListingError(
                f"{self.what}: {pages} pages for {self.fresh_total} items in pages of up"
                f" to {self.largest}; the service's paging does not advance, stopped"
            )


_JSON_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def type_error(item: Mapping[str, Any], types: Mapping[str, tuple[type, ...]]) -> str | None:
    """Why ``item`` is not shaped as ``types`` says (fields present only), or None."""
    for name, allowed in types.items():
        if name not in item:
            continue
        value = item[name]
        if isinstance(value, bool) and bool not in allowed:
            ok = False
        else:
            ok = isinstance(value, allowed)
        if not ok:
            expected = " or ".join(_JSON_NAMES.get(t, t.__name__) for t in allowed)
            got = _JSON_NAMES.get(type(value), type(value).__name__)
            return f"{name!r} is {got}, expected {expected}"
    return None


JSON = dict[str, Any]


class Counts(Protocol):
    """What :func:`kept` reads and counts of a listing (:class:`~auditor.collect.pager.Listed`)."""

    pages: int
    restarts: int
    duplicates: int


def _type_fault(
    what: str, listed: Counts, index: int, item: JSON, types: Mapping[str, tuple[type, ...]]
) -> None:
    """Fail the listing when a field of ``item`` (the page's ``index``-th) has a JSON type
    other than ``types`` gives."""
    wrong = type_error(item, types)
    if wrong is not None:
        raise ListingError(f"{what}: page {listed.pages} item {index}: {wrong}")


def kept(
    what: str,
    page: list[Any],
    listed: Counts,
    seen: set[Any],
    fields: Collection[str] | None,
    types: Mapping[str, tuple[type, ...]] | None,
) -> list[JSON]:
    """The items of a page not seen before, checked, trimmed to ``fields`` (the items
    seen twice counted in ``listed``)."""
    for index, item in enumerate(page):
        if not isinstance(item, dict):
            # Dropping it would make a resource "missing": the page is garbage.
            raise ListingError(
                f"{what}: page {listed.pages} item {index} is {type(item).__name__}, not an object"
            )
        if types is not None:
            _type_fault(what, listed, index, item, types)
        key = item.get("id")
        if key is not None and not isinstance(key, (str, int)):
            raise ListingError(
                f"{what}: page {listed.pages} item {index} has an id of type {type(key).__name__}"
            )
    # Every item now is what a page decoded typed holds.
    return kept_typed(what, page, listed, seen, fields, None)


def kept_typed(
    what: str,
    page: list[JSON],
    listed: Counts,
    seen: set[Any],
    fields: Collection[str] | None,
    types: Mapping[str, tuple[type, ...]] | None,
    structs: bool = False,
) -> list[JSON]:
    """:func:`kept` of a page decoded typed: its items are objects, their ids strings,
    integers or null, the fields of ``types`` still to check (the others were).
    ``structs``: the items are ``Struct``s, every type checked, none to trim."""
    if structs:
        if types is not None or fields is not None:
            raise TypeError("a page of Structs is neither checked nor trimmed here")
        ids = [item.id for item in page]  # type: ignore[attr-defined]
    else:
        if types is not None:
            for index, item in enumerate(page):
                _type_fault(what, listed, index, item, types)
        ids = [item.get("id") for item in page]
    fresh = set(ids)
    fresh_items: list[JSON]
    if len(fresh) == len(ids) and None not in fresh and fresh.isdisjoint(seen):
        # The usual page: every item new, none twice.
        seen.update(fresh)
        fresh_items = page
    else:
        fresh_items = []
        for item, key in zip(page, ids, strict=True):
            if key is not None:
                if key in seen:
                    listed.duplicates += listed.restarts == 0
                    continue
                seen.add(key)
            fresh_items.append(item)
    if fields is None:
        return fresh_items
    return [{name: item[name] for name in fields if name in item} for item in fresh_items]
