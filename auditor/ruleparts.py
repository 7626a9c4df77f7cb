"""The parts a :class:`~auditor.rules.Rules` is made of: rewrites, item globs, folds.

Split from :mod:`auditor.rules` (which reads and validates the rules file);
each part is frozen and knows how it applies to one name or item.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rewrite:
    """A regex rewrite (of names of some collections, or of URLs)."""

    pattern: re.Pattern[str]
    replace: str
    collections: frozenset[str] = frozenset()

    def apply(self, text: str) -> str:
        return self.pattern.sub(self.replace, text)


@dataclass(frozen=True)
class ItemGlob:
    """Items left out of the audit on both sides."""

    collection: str
    name: str | None = None
    project: str | None = None
    ignore_case: bool = False
    """True: the globs match whatever the case (``tmp-*`` leaves out ``TMP-1`` too)."""

    def _glob(self, value: Any, pattern: str) -> bool:
        text = str(value or "")
        if self.ignore_case:
            return fnmatch.fnmatchcase(text.casefold(), pattern.casefold())
        return fnmatch.fnmatchcase(text, pattern)

    def matches(self, collection: str, item: Mapping[str, Any]) -> bool:
        if collection != self.collection:
            return False
        if self.name is not None and not self._glob(item.get("name"), self.name):
            return False
        return self.project is None or self._glob(item.get("project"), self.project)


@dataclass(frozen=True)
class Fold:
    """Source projects merged on purpose into one target project (``fold:`` in the rules)."""

    into: str
    """The target project's name."""
    projects: tuple[str, ...]
    """The source projects' names, as their source clouds name them."""

    @property
    def label(self) -> str:
        """``cw-acme + nm-acme -> ocb-acme``, for messages."""
        return f"{' + '.join(self.projects)} -> {self.into}"
