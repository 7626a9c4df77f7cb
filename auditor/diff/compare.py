"""What comparators share: the comparison context, change collection, helpers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.model import Change, Kind, Severity
from auditor.model.ids import finding_id as finding_id  # noqa: PLC0414  (re-exported for diff/)
from auditor.model.ids import ref as ref  # noqa: PLC0414  (re-exported for diff/)
from auditor.rules import Rules
from auditor.secrets import MASK, looks_secret

JSON = dict[str, Any]

NOUNS = {
    "projects": "project",
    "servers": "server",
    "volumes": "volume",
    "endpoints": "endpoint",
}


def noun(collection: str) -> str:
    return NOUNS.get(collection, collection.rstrip("s").replace("_", " "))


# -- comparison context and helpers -------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What comparators may consult besides the pair itself."""

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
    """Indexes a comparator derives once per diff (see :meth:`index`)."""

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


def beside(label: str, item_id: str | None) -> str:
    """``label (id)``: a name for people with the id beside it (just the label when the
    label is the id)."""
    if item_id is None or item_id in label:
        return label
    return f"{label} ({item_id})"


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


def fmt(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def compare_plain(
    ch: Changes, field: str, source: Any, target: Any, severity: Severity, what: str
) -> None:
    if source != target:
        ch.add(
            field, source, target, severity, f"{what} changed from {fmt(source)} to {fmt(target)}"
        )


def compare_description(ch: Changes, source: JSON, target: JSON) -> None:
    """Descriptions (info); an empty one and none at all (null) are the same."""
    compare_plain(
        ch,
        "description",
        source.get("description") or "",
        target.get("description") or "",
        Severity.INFO,
        "description",
    )


def compare_flag(
    ch: Changes,
    field: str,
    source: JSON,
    target: JSON,
    *,
    lost: str,
    gained: str,
    lost_severity: Severity = Severity.ERROR,
    gained_severity: Severity = Severity.INFO,
) -> None:
    """A boolean on in the source and off in the target (``lost``), or the reverse."""
    was, now = bool(source.get(field)), bool(target.get(field))
    if was and not now:
        ch.add(field, True, False, lost_severity, lost)
    elif now and not was:
        ch.add(field, False, True, gained_severity, gained)


def compare_status(
    ch: Changes,
    source: JSON,
    target: JSON,
    *,
    explained: frozenset[str] = frozenset(),
    with_previous: bool = True,
) -> None:
    """Status that became an error (error) or changed otherwise (warning).

    A change between two statuses of ``explained`` is left to another
    comparison (a volume's available <-> in-use is its attachments').
    """
    s_status, t_status = source.get("status"), target.get("status")
    if s_status == t_status:
        return
    if is_error_status(t_status) and not is_error_status(s_status):
        was = f" (was {s_status})" if with_previous else ""
        ch.add("status", s_status, t_status, Severity.ERROR, f"went into status {t_status}{was}")
    elif not {s_status, t_status} <= explained:
        ch.add(
            "status",
            s_status,
            t_status,
            Severity.WARNING,
            f"status changed from {fmt(s_status)} to {fmt(t_status)}",
        )


def as_int(value: Any) -> int | None:
    """``value`` when it is an integer (a bool is not), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def compare_size(ch: Changes, source: JSON, target: JSON, unit: str = "GiB") -> None:
    """``size`` that shrank (error) or grew (info)."""
    s_size, t_size = as_int(source.get("size")), as_int(target.get("size"))
    if s_size is None or t_size is None or s_size == t_size:
        return
    if t_size < s_size:
        ch.add(
            "size",
            s_size,
            t_size,
            Severity.ERROR,
            f"shrank from {s_size} {unit} to {t_size} {unit}",
        )
    else:
        ch.add(
            "size", s_size, t_size, Severity.INFO, f"grew from {s_size} {unit} to {t_size} {unit}"
        )


def compare_metadata(ch: Changes, source: JSON, target: JSON) -> None:
    if not ch.wanted("metadata"):
        return
    meta_key = ch.ctx.rules.metadata_key
    s_meta = dict(source.get("metadata") or {})
    t_meta = {k: v for k, v in (target.get("metadata") or {}).items() if k != meta_key}
    s_meta.pop(meta_key or "", None)
    for key in sorted(set(s_meta) | set(t_meta)):
        # Snapshots the auditor writes are masked already; older or hand-made
        # ones may not be, and a report must not repeat a secret either way.
        secret = looks_secret(key)
        s_value = MASK if secret and key in s_meta else s_meta.get(key)
        t_value = MASK if secret and key in t_meta else t_meta.get(key)
        if key not in t_meta:
            ch.add(f"metadata.{key}", s_value, None, Severity.WARNING, f"lost metadata key {key!r}")
        elif key not in s_meta:
            ch.add(f"metadata.{key}", None, t_value, Severity.INFO, f"gained metadata key {key!r}")
        elif s_meta[key] != t_meta[key]:
            ch.add(
                f"metadata.{key}",
                s_value,
                t_value,
                Severity.WARNING,
                f"metadata {key!r} changed"
                + ("" if secret else f" from {s_value!r} to {t_value!r}"),
            )


def compare_refs(
    ch: Changes,
    field: str,
    source_ids: Iterable[str],
    target_ids: Iterable[str],
    via: str,
    lost_message: Callable[[str], str],
    *,
    unpaired_message: Callable[[str], str] | None = None,
) -> None:
    """Cross-references compared through the matches of collection ``via``.

    With ``unpaired_message``, a reference to a source item that has no counterpart
    (missing, or ambiguous) is lost too: the server whose attached volume is missing
    lost its disk, whatever the volume's own finding says.
    """
    if not ch.ctx.complete.get(via, False) or not ch.wanted(field):
        return
    mapping = ch.ctx.maps.get(via, {})
    sources = list(source_ids)
    expected = sorted({mapping[s] for s in sources if s in mapping})
    actual = set(target_ids)
    for target_id in expected:
        if target_id not in actual:
            label = ch.ctx.counterpart_label(via, target_id)
            ch.add(
                field,
                target_id,
                None,
                Severity.ERROR,
                lost_message(label),
                texts=(beside(label, target_id), None),
            )
    if unpaired_message is not None:
        unpaired = ch.ctx.unpaired.get(via, frozenset())
        for source_id in sorted(s for s in sources if s not in mapping and s in unpaired):
            label = ch.ctx.source_label(via, source_id)
            ch.add(
                field,
                source_id,
                None,
                Severity.ERROR,
                unpaired_message(label),
                texts=(beside(label, source_id), None),
            )
    counterparts = ch.ctx.counterparts.get(via, frozenset())
    gained = sorted(t for t in actual if t not in expected and t in counterparts)
    for target_id in gained:
        label = ch.ctx.counterpart_label(via, target_id)
        ch.add(
            field,
            None,
            target_id,
            Severity.INFO,
            f"is now attached to {noun(via)} {label}",
            texts=(None, beside(label, target_id)),
        )


def is_error_status(status: Any) -> bool:
    return isinstance(status, str) and status.lower().startswith("error")


Comparator = Callable[[JSON, JSON, Changes], None]
"""Adds to ``Changes`` what differs between a matched source and target item."""
