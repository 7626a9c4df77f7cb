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


RENAMES = r"""rename:
  regions: {fr1: ocb-fr1}
  domains: {cloudwatt: ocb-cloudwatt}
  names:
    - {collections: [projects, servers, volumes], pattern: '^cw-(.*)$', replace: 'ocb-\1'}
"""
"""The ``rename:`` section of rules from cloudwatt to ocb: the region, the domain, and the
``cw-`` prefix of project, server and volume names."""

RENAMES_WITH_URLS = (
    RENAMES
    + r"""  urls:
    - {pattern: '^https://([a-z0-9-]+)\.fr1\.cloudwatt\.com', replace: 'https://\1.fr1.cloud.orange-business.com'}
"""
)
""":data:`RENAMES`, and the endpoint URLs from ``*.fr1.cloudwatt.com`` to Orange's."""
