"""What matching one collection gives: its pairs, what is left over, what is ambiguous.

Made by :class:`~auditor.match.matcher.Matcher`; split from it (the matcher's
strategies are in that module).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from auditor.folds import Contest

JSON = dict[str, Any]


class Pair(NamedTuple):
    """A source item and its counterpart (a tuple: the matcher makes one per item, and a
    frozen dataclass costs three ``object.__setattr__`` calls each)."""

    source: JSON
    target: JSON
    matched_by: str


@dataclass(frozen=True)
class Ambiguity:
    """Items of both sides that claim one key."""

    key: str
    """The contested key, readable (e.g. ``ocb-acme/web``)."""
    sources: tuple[JSON, ...]
    targets: tuple[JSON, ...]
    strategy: str
    contest: Contest | None = None
    """Set when the items were withheld because their project is contested (strategy
    ``project``): several source projects landed on one target project, no fold."""


new_pair: Callable[[tuple[JSON, JSON, str]], Pair] = functools.partial(tuple.__new__, Pair)
"""``Pair(*fields)`` without the Python frame of a named tuple's ``__new__`` (one per pair)."""


@dataclass
class Matching:
    """The outcome of matching one collection."""

    collection: str
    pairs: list[Pair] = field(default_factory=list)
    missing: list[JSON] = field(default_factory=list)
    unexpected: list[JSON] = field(default_factory=list)
    """In-scope target items with no source."""
    ambiguous: list[Ambiguity] = field(default_factory=list)
    out_of_scope: int = 0
    """Target items without source that are outside the migration's scope."""
    source_count: int = 0
    target_count: int = 0
    """In-scope target items."""

    def id_map(self) -> dict[str, str]:
        """Source id -> target id of every pair."""
        return {str(p.source["id"]): str(p.target["id"]) for p in self.pairs}
