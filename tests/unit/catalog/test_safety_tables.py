"""Safety net of the catalog redesign: the derived tables stay what they were.

Listings (paths, queries, kept raw fields), collections (what each is listed
from), the field docs, the collection order, the core and ``all`` choices,
the matching keys, what is compared, the raw shapes: pinned in golden files
(tests/golden/catalog) taken from the code before the redesign. A difference
is a change of behaviour, made on purpose and said in the commit that
regenerates the file (see tests/unit/catalog/golden.py).
"""

from __future__ import annotations

from tests.unit.catalog import adapter, golden


def test_listings_are_what_they_were() -> None:
    golden.check("listings.json", adapter.listings())


def test_collections_are_listed_as_they_were() -> None:
    golden.check("collections.json", adapter.collections())


def test_derived_tables_are_what_they_were() -> None:
    golden.check("tables.json", adapter.tables())
