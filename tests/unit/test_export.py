"""SQL over inventories: the tables, columns, types and indexes ``export`` writes."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.catalog import registry
from auditor.demo.data import generate
from auditor.diff import diff
from auditor.export import export, label, sql_type
from auditor.model import CollectionResult, Report, Snapshot, Status
from auditor.rules import parse_rules


@pytest.fixture(scope="module")
def clouds() -> tuple[Snapshot, Snapshot]:
    return generate(extended=True)


@pytest.fixture(scope="module")
def report(clouds: tuple[Snapshot, Snapshot]) -> Report:
    source, target = clouds
    return diff(source, target, parse_rules("version: 1\n"))


def exported(snapshots: list[Snapshot], report: Report | None = None) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    export(conn, snapshots, report)
    return conn


def columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {row[1]: row[2] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def test_one_table_per_collection_one_column_per_field(clouds: tuple[Snapshot, Snapshot]) -> None:
    conn = exported(list(clouds))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {*registry.names(), "snapshots", "listings"}
    for name in registry.names():
        fields = [f.name for f in registry.spec(name).fields]
        assert list(columns(conn, name)) == ["cloud", *fields], name


def test_rows_are_the_snapshots_items_with_their_cloud(clouds: tuple[Snapshot, Snapshot]) -> None:
    source, target = clouds
    conn = exported([source, target])
    for name in registry.names():
        for snapshot in (source, target):
            result = snapshot.collections.get(name)
            expected = len(result.items) if result else 0
            (got,) = conn.execute(
                f'SELECT count(*) FROM "{name}" WHERE cloud = ?', (label(snapshot),)
            ).fetchone()
            assert got == expected, (name, snapshot.cloud)


def test_scalars_are_typed_lists_and_mappings_are_json(clouds: tuple[Snapshot, Snapshot]) -> None:
    source, _ = clouds
    conn = exported([source])
    assert columns(conn, "volumes")["size"] == "INTEGER"
    assert columns(conn, "volumes")["encrypted"] == "INTEGER"
    assert columns(conn, "servers")["name"] == "TEXT"
    volume = next(v for v in source.collections["volumes"].items if v["size"] is not None)
    size, size_type, encrypted, metadata = conn.execute(
        "SELECT size, typeof(size), encrypted, metadata FROM volumes WHERE id = ?",
        (volume["id"],),
    ).fetchone()
    assert (size, size_type) == (volume["size"], "integer")
    assert encrypted == int(volume["encrypted"])
    assert json.loads(metadata) == volume["metadata"]
    server = next(s for s in source.collections["servers"].items if s["volumes"])
    (volumes,) = conn.execute(
        "SELECT volumes FROM servers WHERE id = ?", (server["id"],)
    ).fetchone()
    assert json.loads(volumes) == server["volumes"]
    # SQLite's own JSON functions read the text.
    (first,) = conn.execute(
        "SELECT json_extract(volumes, '$[0]') FROM servers WHERE id = ?", (server["id"],)
    ).fetchone()
    assert first == server["volumes"][0]


def test_indexes_on_id_name_and_project(clouds: tuple[Snapshot, Snapshot]) -> None:
    conn = exported(list(clouds))
    indexed = {
        (table, column)
        for table, index in conn.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"
        )
        for (_, _, column) in conn.execute(f'PRAGMA index_info("{index}")')
    }
    assert {("servers", "id"), ("servers", "name"), ("servers", "project")} <= indexed
    assert ("regions", "id") in indexed and ("regions", "project") not in indexed


def test_listings_say_which_collection_is_incomplete(clouds: tuple[Snapshot, Snapshot]) -> None:
    source, _ = clouds
    broken = replace(
        source,
        collections={
            **source.collections,
            "volumes": CollectionResult(Status.ERROR, (), error="HTTP 503 after 5 attempts"),
        },
    )
    conn = exported([broken])
    assert conn.execute(
        "SELECT status, count, error FROM listings WHERE collection = 'volumes'"
    ).fetchone() == ("error", 0, "HTTP 503 after 5 attempts")
    assert conn.execute(
        "SELECT status, count FROM listings WHERE collection = 'servers'"
    ).fetchone() == ("ok", len(source.collections["servers"].items))


def test_findings_table_from_a_report(clouds: tuple[Snapshot, Snapshot], report: Report) -> None:
    conn = exported(list(clouds), report)
    assert conn.execute("SELECT count(*) FROM findings").fetchone() == (len(report.findings),)
    changed = next(f for f in report.findings if f.changes and f.source and f.target)
    assert changed.source is not None and changed.target is not None
    row = conn.execute(
        "SELECT kind, severity, source_id, target_id, changes FROM findings WHERE id = ?",
        (changed.id,),
    ).fetchone()
    assert row[:4] == (changed.kind.value, changed.severity.value, changed.source.id,
                       changed.target.id)  # fmt: skip
    assert [c["field"] for c in json.loads(row[4])] == [c.field for c in changed.changes]
    # What a finding points at: joined back to its item.
    table = changed.collection
    (name,) = conn.execute(
        f'SELECT t.name FROM findings f JOIN "{table}" t ON t.id = f.source_id'
        " AND t.cloud = 'cloudwatt@fr1' WHERE f.id = ?",
        (changed.id,),
    ).fetchone()
    assert name == changed.source.name


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "TEXT"),
        ({"$ref": "#/$defs/nullableString"}, "TEXT"),
        ({"type": ["integer", "null"]}, "INTEGER"),
        ({"type": "boolean"}, "INTEGER"),
        ({"type": ["number", "null"]}, "REAL"),
        ({"const": True}, "INTEGER"),
        ({"type": "array", "items": {"type": "string"}}, "JSON"),
        ({"type": ["object", "null"]}, "JSON"),
        ({"type": ["string", "integer"]}, "JSON"),
    ],
)
def test_column_types_from_the_catalogs_schemas(schema: dict[str, object], expected: str) -> None:
    assert sql_type(schema) == expected


def test_the_docs_queries_run_and_answer(clouds: tuple[Snapshot, Snapshot], report: Report) -> None:
    """Every ```sql block of docs/export.md runs on an export of the demo's clouds."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text()
    queries = re.findall(r"```sql\n(.*?)```", text, re.S)
    assert len(queries) >= 5
    conn = exported(list(clouds), report)
    answered = [len(conn.execute(q).fetchall()) for q in queries]
    # The demo's clouds were listed completely, and no server has another project's
    # volume: those two answer nothing; every other query answers rows.
    assert answered[0] == 0 and answered[4] == 0, answered
    assert all(n > 0 for i, n in enumerate(answered) if i not in (0, 4)), answered
    # ... and the consistency query finds a volume moved to another project.
    source, target = clouds
    server = next(s for s in source.collections["servers"].items if s["volumes"])
    moved = [
        {**v, "project": "elsewhere"} if v["id"] == server["volumes"][0] else v
        for v in source.collections["volumes"].items
    ]
    changed = replace(
        source,
        collections={**source.collections, "volumes": CollectionResult(Status.OK, tuple(moved))},
    )
    rows = exported([changed, target]).execute(queries[4]).fetchall()
    assert [(r[1], r[4]) for r in rows] == [(server["name"], "elsewhere")]
