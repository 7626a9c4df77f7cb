"""The objects of a Swift container in the ``--objects`` deep mode: what a snapshot
keeps of them, and how two containers' objects are compared.

A container may hold millions of objects; a snapshot must not. So its
listing (in name order, page by page) is folded as it arrives into an
:class:`ObjectsSummary`: the object count, their bytes, a SHA-256 digest of
every object's name, size and ETag, and the objects themselves only while
there are at most :data:`ROWS_KEPT` of them (past that, only the digest).
Equal digests prove the two listings equal, object for object (names, sizes,
ETags), without any object's data downloaded or its listing held.

Two containers whose objects are both kept are compared as a merge of two
name-ordered streams (:func:`merge`): a lost object, a changed size or a
changed ETag is an error, a new object a warning, a changed content type a
warning. When one side kept only its digest, a different digest is one error
that says so; ``audit --objects`` first lists such a pair again on both sides
at once and keeps only the objects that differ (:func:`differing`,
:func:`only_differing`), so that they are named.

Large objects: the listing shows a static large object (SLO) manifest with
its ``slo_etag`` (recent Swift releases add it to listings); that ETag is made
of its segments' ETags, so a migration that copied the whole object as a plain
one gives it another ETag by design: an SLO on either side is compared by name
and size only, and its ETag enters the digest as ``slo``. A dynamic large
object (DLO) manifest cannot be told from the listing (0 bytes, the ETag of
empty content): it is compared as listed, so a DLO migrated as a plain object
reads as changed (waive it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.catalog.policies import ChangeSink
from auditor.model import Severity

JSON = dict[str, Any]

ROWS_KEPT = 1000
"""Objects a container's summary keeps, at most; past that it keeps the digest only."""

NAMED = 20
"""Differences named one by one in a finding, per container; the rest are counted."""

ROW_FIELDS = ("name", "bytes", "etag", "content_type", "last_modified", "large")
"""What a kept object says (``large``: an SLO manifest)."""


def row_of(raw: Mapping[str, Any]) -> JSON:
    """One object of a container listing (``format=json``) as the summary keeps it."""
    slo = raw.get("slo_etag")
    return {
        "name": str(raw["name"]),
        "bytes": int(raw.get("bytes") or 0),
        "etag": str(slo if slo else raw.get("hash") or "").strip('"'),
        "content_type": raw.get("content_type"),
        "last_modified": raw.get("last_modified"),
        "large": bool(slo),
    }


class ObjectsSummary:
    """Folds a container's objects, in name order, into the snapshot's ``objects`` value."""

    def __init__(self, kept: int = ROWS_KEPT) -> None:
        self.kept = kept
        self.count = 0
        self.bytes = 0
        self._digest = hashlib.sha256()
        self._rows: list[JSON] | None = []

    def add(self, row: Mapping[str, Any]) -> None:
        self.count += 1
        self.bytes += int(row["bytes"])
        etag = "slo" if row.get("large") else str(row["etag"])
        line = f"{row['name']}\n{row['bytes']}\n{etag}\n"
        self._digest.update(line.encode("utf-8", "surrogatepass"))
        if self._rows is not None:
            if len(self._rows) < self.kept:
                self._rows.append(dict(row))
            else:
                self._rows = None

    def value(self) -> JSON:
        return {
            "count": self.count,
            "bytes": self.bytes,
            "digest": "sha256:" + self._digest.hexdigest(),
            "rows": self._rows,
        }


def merge(
    source: Iterable[Mapping[str, Any]], target: Iterable[Mapping[str, Any]]
) -> Iterator[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """Pairs of same-named objects of two name-ordered listings (None: no counterpart),
    in name order; each listing is read once, one object ahead."""
    s_iter, t_iter = iter(source), iter(target)
    s, t = next(s_iter, None), next(t_iter, None)
    while s is not None or t is not None:
        if t is None or (s is not None and s["name"] < t["name"]):
            yield s, None
            s = next(s_iter, None)
        elif s is None or t["name"] < s["name"]:
            yield None, t
            t = next(t_iter, None)
        else:
            yield s, t
            s, t = next(s_iter, None), next(t_iter, None)


def same(s: Mapping[str, Any], t: Mapping[str, Any]) -> bool:
    """Two objects of the same name are the same as :func:`differences` sees them."""
    return (
        s["bytes"] == t["bytes"]
        and (bool(s.get("large") or t.get("large")) or s["etag"] == t["etag"])
        and s.get("content_type") == t.get("content_type")
    )


def differing(
    source: Iterable[Mapping[str, Any]],
    target: Iterable[Mapping[str, Any]],
    limit: int = ROWS_KEPT,
) -> tuple[list[JSON], list[JSON], bool]:
    """The objects of two name-ordered listings that are not the same on both sides
    (those of each side), the first ``limit`` pairs; True when there were more (the
    walk stops there)."""
    s_rows: list[JSON] = []
    t_rows: list[JSON] = []
    pairs = 0
    for s, t in merge(source, target):
        if s is not None and t is not None and same(s, t):
            continue
        if pairs == limit:
            return s_rows, t_rows, True
        pairs += 1
        if s is not None:
            s_rows.append(dict(s))
        if t is not None:
            t_rows.append(dict(t))
    return s_rows, t_rows, False


def only_differing(summary: Mapping[str, Any], rows: list[JSON], cut: bool) -> JSON:
    """``summary`` (digest only) keeping ``rows``: only the objects that differ from the
    counterpart's (``cut``: more differ than are kept)."""
    return {**summary, "rows": rows, "rows_of": "differing", "cut": cut}


def unnamed(value: Any) -> bool:
    """A summary that kept no object (more than :data:`ROWS_KEPT`): only its digest."""
    return isinstance(value, Mapping) and value.get("rows") is None


@dataclass(frozen=True)
class Difference:
    """One object that differs between two listings."""

    kind: str
    """lost, new, bytes, etag or content_type."""
    severity: Severity
    source: Any
    target: Any
    message: str
    texts: tuple[str | None, str | None]
    """How people read the two values: ``name (value)``."""


def _changed(
    kind: str, severity: Severity, name: str, was: Any, now: Any, message: str
) -> Difference:
    return Difference(
        kind,
        severity,
        {"name": name, kind: was},
        {"name": name, kind: now},
        message,
        (f"{name} ({was})", f"{name} ({now})"),
    )


def differences(
    source: Iterable[Mapping[str, Any]], target: Iterable[Mapping[str, Any]]
) -> Iterator[Difference]:
    """What differs between two name-ordered listings, in name order."""
    for s, t in merge(source, target):
        if t is None:
            assert s is not None
            lost = str(s["name"])
            yield Difference(
                "lost", Severity.ERROR, lost, None, f"lost object {lost!r}", (lost, None)
            )
            continue
        if s is None:
            new = str(t["name"])
            yield Difference("new", Severity.WARNING, None, new, f"new object {new!r}", (None, new))
            continue
        name = str(s["name"])
        if s["bytes"] != t["bytes"]:
            message = f"object {name!r} changed size from {s['bytes']} to {t['bytes']} bytes"
            yield _changed("bytes", Severity.ERROR, name, s["bytes"], t["bytes"], message)
        elif not (s.get("large") or t.get("large")) and s["etag"] != t["etag"]:
            message = f"object {name!r} changed content (another ETag)"
            yield _changed("etag", Severity.ERROR, name, s["etag"], t["etag"], message)
        was, now = s.get("content_type"), t.get("content_type")
        if was != now:
            message = f"object {name!r} changed content type from {was} to {now}"
            yield _changed("content_type", Severity.WARNING, name, was, now, message)


def compare_objects(source: JSON, target: JSON, sink: ChangeSink) -> None:
    """The ``objects`` summaries of a matched pair of containers (both from ``--objects``
    runs; otherwise nothing is compared)."""
    was, now = source.get("objects"), target.get("objects")
    if not isinstance(was, Mapping) or not isinstance(now, Mapping):
        return
    if was.get("digest") == now.get("digest"):
        return
    rows_was, rows_now = was.get("rows"), now.get("rows")
    if isinstance(rows_was, list) and isinstance(rows_now, list):
        named: dict[str, int] = {}
        unnamed: dict[tuple[Severity, str], int] = {}
        for d in differences(rows_was, rows_now):
            if named.get(d.kind, 0) < NAMED:
                named[d.kind] = named.get(d.kind, 0) + 1
                sink.add("objects", d.source, d.target, d.severity, d.message, texts=d.texts)
            else:
                unnamed[d.severity, d.kind] = unnamed.get((d.severity, d.kind), 0) + 1
        for (severity, kind), n in sorted(unnamed.items(), key=lambda e: e[0][1]):
            sink.add("objects", None, n, severity, f"and {n} more objects ({kind})")
        if was.get("cut") or now.get("cut"):
            sink.add(
                "objects",
                was.get("count"),
                now.get("count"),
                Severity.ERROR,
                f"more than {ROWS_KEPT} objects differ: only the first {ROWS_KEPT} were kept",
            )
        return
    sink.add(
        "objects",
        {"count": was.get("count"), "bytes": was.get("bytes"), "digest": was.get("digest")},
        {"count": now.get("count"), "bytes": now.get("bytes"), "digest": now.get("digest")},
        Severity.ERROR,
        f"the objects differ from the source's ({was.get('count')} objects,"
        f" {was.get('bytes')} bytes -> {now.get('count')} objects, {now.get('bytes')} bytes;"
        " names, sizes and ETags digested: more than"
        f" {ROWS_KEPT} objects, so which ones is not kept)",
        texts=(
            f"{was.get('count')} objects, {was.get('bytes')} bytes",
            f"{now.get('count')} objects, {now.get('bytes')} bytes",
        ),
    )


OBJECTS_SAYS = (
    "object lost, size or ETag changed (SLO: size only), digest differs: error;"
    " new object, content type changed: warning"
)
