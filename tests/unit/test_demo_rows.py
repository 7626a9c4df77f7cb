"""Every collection of the catalog has demo rows, added by the one family that names it.

A collection declared without demo rows fails here (and the demo would not
exercise it): add its rows to a family module of :mod:`auditor.demo` and its
name to that module's ``COLLECTIONS``.
"""

from __future__ import annotations

import ast
import random
from pathlib import Path

import auditor.demo
from auditor.catalog import registry
from auditor.demo.core import COLLECTIONS as CORE
from auditor.demo.data import FAMILIES, collections, generate, source_cloud, target_cloud

DEMO = Path(auditor.demo.__file__).parent


def test_every_catalog_collection_has_demo_rows_of_one_family() -> None:
    named = collections()
    assert len(named) == len(set(named)), "a collection is named by two families"
    missing = sorted(set(registry.names()) - set(named))
    assert missing == [], f"catalog collections without demo rows: {missing}"
    assert sorted(set(named) - set(registry.names())) == []


def test_the_example_clouds_have_rows_in_every_collection() -> None:
    for snapshot in generate(extended=True):
        assert set(snapshot.collections) == set(registry.names())
        empty = sorted(name for name, result in snapshot.collections.items() if not result.items)
        assert empty == [], snapshot.cloud


def test_each_family_adds_the_collections_it_names() -> None:
    rng = random.Random(2026)
    source = source_cloud(90, rng)
    target = target_cloud(source, by_metadata=0.8, rng=rng)
    assert set(source.snapshot().collections) == set(CORE)
    for family in FAMILIES:
        before = set(source.extra), set(target.extra)
        family.add_source(source, rng)
        family.add_target(source, target, rng)
        assert set(source.extra) - before[0] == set(family.COLLECTIONS)
        assert set(target.extra) - before[1] == set(family.COLLECTIONS)


def test_the_base_imports_no_family_and_no_family_is_imported_by_name() -> None:
    tree = ast.parse((DEMO / "base.py").read_text())
    imported = {
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("auditor")
    }
    assert imported == {"auditor.model"}
    for module in DEMO.glob("*.py"):
        assert "importlib" not in module.read_text(), module.name
