"""The id map (``auditor.idmap/v1``): source id -> target id of every match of a diff.

A migration's own record of what became what, written by ``--write-id-map`` and
read back by the rules' ``match.id_map`` in the next audit or the next
migration wave (see :func:`auditor.rules.parse_rules`). One entry per matched
pair, whatever strategy matched it, with the names and projects of both sides
so that a person (or ``jq``) can read it without the snapshots::

    {"schema": "auditor.idmap/v1", "tool_version": "...", "generated_at": "...",
     "sources": [{"cloud": "cloudwatt", "region": "fr1", "taken_at": "..."}],
     "target": {"cloud": "ocb", "region": "ocb-fr1", "taken_at": "..."},
     "count": 1,
     "entries": [{"collection": "servers", "source_id": "...", "target_id": "...",
                  "matched_by": "metadata", "source_name": "cw-web", "source_project": "cw-acme",
                  "target_name": "ocb-web", "target_project": "ocb-acme"}]}

In a multi-source run every entry also says its ``origin`` (the source's label).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor import __version__
from auditor.match import Matching
from auditor.model import IDMAP_SCHEMA, Snapshot

JSON = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    """One matched pair."""

    collection: str
    source_id: str
    target_id: str
    matched_by: str
    """The strategy that paired them: id, id_map, metadata or name."""
    source_name: str | None = None
    source_project: str | None = None
    """Name of the source item's project (project-owned collections)."""
    target_name: str | None = None
    target_project: str | None = None
    origin: str | None = None
    """The source's label in a multi-source run; None with one source."""

    def to_json(self) -> JSON:
        out: JSON = {
            "collection": self.collection,
            "source_id": self.source_id,
            "target_id": self.target_id,
            "matched_by": self.matched_by,
            "source_name": self.source_name,
            "source_project": self.source_project,
            "target_name": self.target_name,
            "target_project": self.target_project,
        }
        if self.origin is not None:
            out["origin"] = self.origin
        return out


@dataclass(frozen=True)
class Cloud:
    """Which snapshot one side of the map came from."""

    cloud: str
    region: str | None
    taken_at: str
    label: str | None = None
    """The source's label in a multi-source run."""

    @classmethod
    def of(cls, snapshot: Snapshot, label: str | None = None) -> Cloud:
        return cls(snapshot.cloud, snapshot.region, snapshot.taken_at, label)

    def to_json(self) -> JSON:
        out: JSON = {"cloud": self.cloud, "region": self.region, "taken_at": self.taken_at}
        if self.label is not None:
            out["label"] = self.label
        return out


@dataclass(frozen=True)
class IdMap:
    """Every match of one diff (or of several sources' diffs against one target)."""

    sources: tuple[Cloud, ...]
    target: Cloud
    entries: tuple[Entry, ...]
    generated_at: str
    tool_version: str = __version__

    def pairs(self) -> dict[str, str]:
        """source id -> target id, the plain form ``match.id_map`` also accepts."""
        return {e.source_id: e.target_id for e in self.entries}

    def to_json(self) -> JSON:
        return {
            "schema": IDMAP_SCHEMA,
            "tool_version": self.tool_version,
            "generated_at": self.generated_at,
            "sources": [s.to_json() for s in self.sources],
            "target": self.target.to_json(),
            "count": len(self.entries),
            "entries": [e.to_json() for e in self.entries],
        }

    def dumps(self) -> str:
        """The JSON text written to files: one entry per line, diff-friendly."""
        doc = self.to_json()
        entries = doc.pop("entries")
        head = json.dumps(doc, indent=1, ensure_ascii=False)  # "{\n ...\n}"
        rows = ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in entries)
        body = f"\n{rows}\n " if entries else ""
        return head[:-1].rstrip() + f',\n "entries": [{body}]\n}}\n'

    @classmethod
    def merge(cls, maps: Sequence[IdMap]) -> IdMap:
        """One map of several sources' maps (against the same target), in source order."""
        if len(maps) == 1:
            return maps[0]
        return cls(
            sources=tuple(s for m in maps for s in m.sources),
            target=maps[0].target,
            entries=tuple(e for m in maps for e in m.entries),
            generated_at=maps[0].generated_at,
        )


def _name(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return None if value is None else str(value)


def from_matchings(
    matchings: Mapping[str, Matching] | Iterable[tuple[str, Matching]],
    source: Snapshot,
    target: Snapshot,
    *,
    generated_at: str,
    origin: str | None = None,
) -> IdMap:
    """The id map of one diff's matchings (collection -> :class:`~auditor.match.Matching`).

    Entries are ordered by collection (as given), then source id.
    """
    items = matchings.items() if isinstance(matchings, Mapping) else matchings
    entries = []
    for collection, matching in items:
        for pair in sorted(matching.pairs, key=lambda p: str(p.source["id"])):
            entries.append(
                Entry(
                    collection=collection,
                    source_id=str(pair.source["id"]),
                    target_id=str(pair.target["id"]),
                    matched_by=pair.matched_by,
                    source_name=_name(pair.source, "name"),
                    source_project=_name(pair.source, "project"),
                    target_name=_name(pair.target, "name"),
                    target_project=_name(pair.target, "project"),
                    origin=origin,
                )
            )
    return IdMap(
        sources=(Cloud.of(source, origin),),
        target=Cloud.of(target),
        entries=tuple(entries),
        generated_at=generated_at,
    )
