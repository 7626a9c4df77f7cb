"""What a comparison of one pair sees and where its differences go.

:class:`Context` and :class:`Changes` are the diff's side of the protocols of
:mod:`auditor.catalog.policies` (``CompareContext``, ``ChangeSink``): the
generic checks and the catalog's custom code both add differences through
:meth:`Changes.add`, so the rules' ``ignore.fields`` and severity overrides
apply to every one alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.catalog.text import beside
from auditor.model import Change, Kind, Severity
from auditor.model.ids import ref
from auditor.rules import Rules

JSON = dict[str, Any]

_UNPAIRED = object()
"""Stands for a reference without counterpart: equal to no target id."""


def same_counterparts(
    mapping: Mapping[str, str], sources: Iterable[Any], targets: set[Any]
) -> bool:
    """True when each of ``sources`` has a counterpart in ``mapping`` and those are exactly
    ``targets`` (a set): references that :meth:`Changes.refs` finds nothing to say about."""
    return {mapping.get(s, _UNPAIRED) for s in sources} == targets


class ById(Mapping[str, Mapping[str, JSON]]):
    """Collection -> item id -> item, each collection's index built the first time it is
    asked for: most comparisons never look a target or source item up by id."""

    def __init__(self, items: Mapping[str, Sequence[JSON]]) -> None:
        self._items = items
        self._built: dict[str, dict[str, JSON]] = {}

    def __getitem__(self, collection: str) -> Mapping[str, JSON]:
        try:
            return self._built[collection]
        except KeyError:
            built = {str(i["id"]): i for i in self._items[collection]}
            self._built[collection] = built
            return built

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class Context:
    """What comparisons may consult besides the pair itself."""

    rules: Rules
    maps: Mapping[str, Mapping[str, str]]
    """Collection -> source id -> target id, from matching."""
    complete: Mapping[str, bool]
    """Collection -> listed completely on both sides."""
    target_items: Mapping[str, Mapping[str, JSON]]
    """Collection -> target id -> item, for messages."""
    counterparts: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """Collection -> ids of the target items that are some source item's counterpart."""
    source_items: Mapping[str, Mapping[str, JSON]] = dataclasses.field(default_factory=dict)
    """Collection -> source id -> item, for references that start on the source side
    (a network's subnets are the subnets that name it)."""
    unpaired: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """Collection -> ids of the in-scope source items with no counterpart (missing, or
    ambiguous), for references to them (a server whose attached volume is missing)."""
    memo: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)
    """Indexes a comparison derives once per diff (see :meth:`index`)."""

    def index(self, name: str, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per diff under ``name`` (e.g. subnets by network)."""
        if name not in self.memo:
            self.memo[name] = build()
        return self.memo[name]

    def counterpart_label(self, collection: str, target_id: str) -> str:
        item = self.target_items.get(collection, {}).get(target_id)
        return ref(item).label if item is not None else target_id

    def source_label(self, collection: str, source_id: str) -> str:
        item = self.source_items.get(collection, {}).get(source_id)
        return ref(item).label if item is not None else source_id


class Changes:
    """Collects the changes of one pair, honouring ignore.fields and severity overrides."""

    def __init__(self, collection: str, ctx: Context, matched_by: str | None = None) -> None:
        self.collection = collection
        self.ctx = ctx
        self.matched_by = matched_by
        """How the pair was matched (some differences are benign under one strategy)."""
        self.items: list[Change] = []
        self.affected: set[str] = set()
        """Target project ids a change is about besides the item's own (a flavor no longer
        shared with a project): the scorecard counts the finding against them too."""

    def wanted(self, field: str) -> bool:
        return self.ctx.rules.compared(self.collection, field)

    def affects(self, target_project_ids: Iterable[str]) -> None:
        self.affected.update(target_project_ids)

    def add(
        self,
        field: str,
        source: Any,
        target: Any,
        default: Severity,
        message: str,
        *,
        texts: tuple[str | None, str | None] = (None, None),
    ) -> None:
        """One difference; ``texts``: how people read the source and target values when
        they are ids or structures (names, ids beside them)."""
        top = field.split(".", 1)[0]
        if not self.wanted(top):
            return
        rules = self.ctx.rules
        # The most specific override wins: metadata.role, then metadata, then changed.
        changed = rules.severity_for(self.collection, Kind.CHANGED.value, default)
        severity = rules.severity.get(
            f"{self.collection}.{field}", rules.severity_for(self.collection, top, changed)
        )
        self.items.append(Change(field, source, target, severity, message, *texts))

    def refs(
        self,
        field: str,
        source_ids: Iterable[str],
        target_ids: Iterable[str],
        via: str,
        *,
        lost: str,
        gained: str,
        unpaired: str | None = None,
        label: Callable[[JSON], str] | None = None,
    ) -> None:
        """References to items of collection ``via``, compared through its matches.

        Each source reference's counterpart missing from the target's is ``lost``
        (error); a reference to the counterpart of another source item is
        ``gained`` (info). With ``unpaired``, a reference to a source item that has
        no counterpart (missing, or ambiguous) is lost too: the server whose
        attached volume is missing lost its disk, whatever the volume's own finding
        says. Messages use ``{label}``: the referenced item's name (``label``).
        """
        ctx = self.ctx
        if not ctx.complete.get(via, False) or not self.wanted(field):
            return
        mapping = ctx.maps.get(via, {})
        sources = list(source_ids)
        actual = set(target_ids)
        if same_counterparts(mapping, sources, actual):
            return  # each reference has its counterpart referenced, and nothing else is
        expected = sorted({mapping[s] for s in sources if s in mapping})
        for target_id in expected:
            if target_id not in actual:
                self._lost(field, target_id, self._named(via, target_id, label), lost)
        if unpaired is not None:
            gone = ctx.unpaired.get(via, frozenset())
            for source_id in sorted(s for s in sources if s not in mapping and s in gone):
                self._lost(field, source_id, ctx.source_label(via, source_id), unpaired)
        counterparts = ctx.counterparts.get(via, frozenset())
        for target_id in sorted(t for t in actual if t not in expected and t in counterparts):
            text = self._named(via, target_id, label)
            texts = (None, beside(text, target_id))
            message = gained.format(label=text)
            self.add(field, None, target_id, Severity.INFO, message, texts=texts)

    def _named(self, via: str, target_id: str, label: Callable[[JSON], str] | None) -> str:
        if label is None:
            return self.ctx.counterpart_label(via, target_id)
        item = self.ctx.target_items.get(via, {}).get(target_id)
        return label(item) if item is not None else target_id

    def _lost(self, field: str, ref_id: str, text: str, template: str) -> None:
        texts = (beside(text, ref_id), None)
        self.add(field, ref_id, None, Severity.ERROR, template.format(label=text), texts=texts)
