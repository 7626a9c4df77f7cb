"""Snapshots (and a report's findings) as SQL tables: ``auditor export --sqlite``.

One table per collection, named as ``--collections`` names it, with a ``cloud``
column (the snapshot's cloud, ``cloud@region`` when it names a region) and one
column per field of the collection's declaration, in the catalog's order:
strings as TEXT, integers as INTEGER, booleans as INTEGER (0/1), numbers as
REAL, lists and mappings as JSON text (SQLite's ``json_extract``, DuckDB and
Datasette read them). Each table is indexed on ``id``, ``name`` and
``project`` where it has them. Beside them:

* ``snapshots``: one row per snapshot (cloud, region, scope, taken_at,
  duration_s, tool_version, microversions);
* ``listings``: one row per snapshot and collection, with its status (``ok``,
  ``incomplete``, ``error``, ``not_offered``), item count and error: a query over
  an incomplete collection, or one the cloud does not offer, can know it;
* ``findings`` (with ``--report``): one row per finding, with the items it
  names flattened (source_id, source_name, source_project, target_...) and its
  changes as JSON.

This module writes into a :class:`sqlite3.Connection` it is given; opening the
file and replacing it atomically is the application layer's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.catalog import registry
from auditor.catalog.spec import CollectionSpec
from auditor.model import Finding, Ref, Report, Snapshot

BATCH = 5000
"""Rows handed to SQLite at a time (memory stays bounded on 100k-item collections)."""

FINDING_COLUMNS = (
    ("id", "TEXT"),
    ("kind", "TEXT"),
    ("collection", "TEXT"),
    ("severity", "TEXT"),
    ("message", "TEXT"),
    ("project", "TEXT"),
    ("origin", "TEXT"),
    ("side", "TEXT"),
    ("matched_by", "TEXT"),
    ("waived", "INTEGER"),
    *(
        (f"{side}_{part}", "TEXT")
        for side in ("source", "target")
        for part in ("id", "name", "project", "domain")
    ),
    ("changes", "TEXT"),
)
"""The ``findings`` table: what a finding says, and the items it names."""

INDEXED = ("id", "name", "project")


@dataclass(frozen=True)
class Exported:
    """What an export wrote: table name -> rows."""

    rows: Mapping[str, int]


def sql_type(schema: Mapping[str, Any]) -> str:
    """The SQLite column type of a field of JSON Schema ``schema`` (the catalog's)."""
    if "const" in schema:
        return "INTEGER" if isinstance(schema["const"], bool | int) else "TEXT"
    ref = str(schema.get("$ref", ""))
    if ref:
        return "TEXT" if ref.endswith("String") else "JSON"
    kinds = schema.get("type", ())
    kinds = {kinds} if isinstance(kinds, str) else set(kinds)
    kinds.discard("null")
    if len(kinds) == 1:
        return {"string": "TEXT", "integer": "INTEGER", "boolean": "INTEGER", "number": "REAL"}.get(
            kinds.pop(), "JSON"
        )
    return "JSON"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _encoder() -> Callable[[Any], str]:
    """JSON text as ``json.dumps(value, ensure_ascii=False, sort_keys=True)`` writes it.

    ``JSONEncoder.encode`` builds a new C encoder on every call; a list or mapping
    field of 500,000 items is encoded 2.25x faster by one encoder built once (issue 22:
    the export of 2 x 250,000 items), with the same text.
    """
    make: Any = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - an interpreter without json's C accelerator
        return json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    encoder = make(
        None,  # markers: JSON read from a snapshot has no cycles
        json.JSONEncoder().default,  # what is not JSON: TypeError, as json.dumps
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # indent
        ": ",
        ", ",
        True,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )

    def encode(value: Any) -> str:
        return "".join(encoder(value, 0))

    return encode


_json_text = _encoder()


def label(snapshot: Snapshot) -> str:
    """The ``cloud`` column of a snapshot's rows."""
    return f"{snapshot.cloud}@{snapshot.region}" if snapshot.region else snapshot.cloud


def _columns(spec: CollectionSpec) -> list[tuple[str, str]]:
    return [(f.name, sql_type(f.type)) for f in spec.fields]


def _create(conn: sqlite3.Connection, table: str, columns: Sequence[tuple[str, str]]) -> None:
    body = ", ".join(f"{_quote(n)} {'TEXT' if t == 'JSON' else t}" for n, t in columns)
    conn.execute(f"CREATE TABLE {_quote(table)} ({body})")


def _index(conn: sqlite3.Connection, table: str, column: str) -> None:
    conn.execute(
        f"CREATE INDEX {_quote(f'{table}_{column}')} ON {_quote(table)} ({_quote(column)})"
    )


def _insert(
    conn: sqlite3.Connection, table: str, width: int, rows: Iterator[tuple[Any, ...]]
) -> int:
    sql = f"INSERT INTO {_quote(table)} VALUES ({', '.join('?' * width)})"
    count = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.executemany(sql, batch)
            count += len(batch)
            batch.clear()
    conn.executemany(sql, batch)
    return count + len(batch)


def _item_rows(
    snapshots: Sequence[Snapshot], name: str, columns: Sequence[tuple[str, str]]
) -> Iterator[tuple[Any, ...]]:
    # The inventory schema holds every value to its declared type (checked when the
    # snapshot is read): scalars go in as they are (a bool is an int to sqlite3),
    # lists and mappings as JSON text.
    names = [n for n, _ in columns]
    as_json = [i for i, (_, t) in enumerate(columns) if t == "JSON"]
    for snapshot in snapshots:
        result = snapshot.collections.get(name)
        if result is None:
            continue
        cloud = label(snapshot)
        for item in result.items:
            values = [cloud, *map(item.get, names)]
            for i in as_json:
                value = values[i + 1]
                if value is not None:
                    values[i + 1] = _json_text(value)
            yield tuple(values)


def _ref(ref: Ref | None) -> tuple[str | None, ...]:
    if ref is None:
        return (None, None, None, None)
    return (ref.id, ref.name, ref.project, ref.domain)


def _finding_row(f: Finding) -> tuple[Any, ...]:
    return (
        f.id,
        f.kind.value,
        f.collection,
        f.severity.value,
        f.message,
        f.project,
        f.origin,
        f.side,
        f.matched_by,
        int(f.waived is not None),
        *_ref(f.source),
        *_ref(f.target),
        _json_text([c.to_json() for c in f.changes]) if f.changes else None,
    )


def _snapshot_rows(snapshots: Sequence[Snapshot]) -> Iterator[tuple[Any, ...]]:
    for s in snapshots:
        microversions = _json_text(dict(s.microversions))
        yield (
            label(s),
            s.cloud,
            s.region,
            s.scope,
            s.taken_at,
            s.duration_s,
            s.tool_version,
            microversions,
        )


def _listing_rows(snapshots: Sequence[Snapshot]) -> Iterator[tuple[Any, ...]]:
    for s in snapshots:
        for name in sorted(s.collections):
            result = s.collections[name]
            yield (label(s), name, result.status.value, len(result.items), result.error)


def export(
    conn: sqlite3.Connection, snapshots: Sequence[Snapshot], report: Report | None = None
) -> Exported:
    """Write ``snapshots`` (and ``report``'s findings) into the empty database ``conn``."""
    rows: dict[str, int] = {}
    meta: dict[str, tuple[list[tuple[str, str]], Iterator[tuple[Any, ...]]]] = {
        "snapshots": (
            [
                ("cloud", "TEXT"),
                ("cloud_name", "TEXT"),
                ("region", "TEXT"),
                ("scope", "TEXT"),
                ("taken_at", "TEXT"),
                ("duration_s", "REAL"),
                ("tool_version", "TEXT"),
                ("microversions", "TEXT"),
            ],
            _snapshot_rows(snapshots),
        ),
        "listings": (
            [
                ("cloud", "TEXT"),
                ("collection", "TEXT"),
                ("status", "TEXT"),
                ("count", "INTEGER"),
                ("error", "TEXT"),
            ],
            _listing_rows(snapshots),
        ),
    }
    with conn:
        for table, (columns, source) in meta.items():
            _create(conn, table, columns)
            rows[table] = _insert(conn, table, len(columns), source)
        for name in registry.names():
            spec = registry.spec(name)
            columns = _columns(spec)
            _create(conn, name, [("cloud", "TEXT"), *columns])
            rows[name] = _insert(conn, name, len(columns) + 1, _item_rows(snapshots, name, columns))
            for column in ("cloud", *(c for c in INDEXED if spec.field_named(c) is not None)):
                _index(conn, name, column)
        if report is not None:
            _create(conn, "findings", FINDING_COLUMNS)
            rows["findings"] = _insert(
                conn, "findings", len(FINDING_COLUMNS), (_finding_row(f) for f in report.findings)
            )
            for column in ("collection", "severity", "project"):
                _index(conn, "findings", column)
    return Exported(rows)
