"""The two clouds most tests migrate between, as snapshots built by hand.

``cloudwatt_fr1(projects=[...], servers=[...])`` reads as the inventory it
stands for: the collections are keyword arguments, each a list of items (see
:mod:`tests.builders`) or a :class:`~auditor.model.CollectionResult`.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.model import CollectionResult, Snapshot
from tests.builders import JSON, snapshot


def cloudwatt_fr1(**collections: Iterable[JSON] | CollectionResult) -> Snapshot:
    """The source: a ``cloudwatt@fr1`` snapshot of ``collections``."""
    return snapshot("cloudwatt", "fr1", collections)


def ocb_fr1(**collections: Iterable[JSON] | CollectionResult) -> Snapshot:
    """The target: an ``ocb@ocb-fr1`` snapshot of ``collections``."""
    return snapshot("ocb", "ocb-fr1", collections)
