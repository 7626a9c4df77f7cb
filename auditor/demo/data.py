"""Example clouds: a Cloudwatt-style source and its Orange-Cloud-for-Business-style successor.

Generated, not stored: the same code builds the demo's few dozen tenants and
the benchmark's tens of thousands of servers, deterministically (same
arguments, same ids). The target is the source after the rebranding (new ids,
``ocb-`` names, region ``ocb-fr1``, rewritten endpoint URLs, most resources
carrying ``migrated_from_id``), plus, when asked, a handful of realistic
defects that the audit must find.

Each family module (:data:`FAMILIES`) adds the rows of the collections it
names (its ``COLLECTIONS``); every collection of the catalog is one family's
(:func:`collections`).
"""

from __future__ import annotations

import random

from auditor.demo import (
    access,
    apps,
    dns,
    fold,
    identity,
    network,
    network_access,
    network_pools,
    object_store,
    sharing,
    storage,
)
from auditor.demo.base import ExampleCloud, Family
from auditor.demo.core import COLLECTIONS as CORE
from auditor.demo.core import DEFECTS, seed_defects, source_cloud, target_cloud
from auditor.model import Snapshot

RULES = r"""# Rules of the Cloudwatt -> Orange Cloud for Business rebranding (auditor.rules/v1).
version: 1
rename:
  regions: {fr1: ocb-fr1, fr: ocb-fr}
  domains: {cloudwatt: ocb-cloudwatt}
  dns: {cloudwatt.com: orange-business.com}
  names:
    - collections: [projects, servers, volumes, networks, subnets, routers, security_groups,
                    volume_snapshots, volume_backups, images, flavors, keypairs,
                    load_balancers, stacks]
      pattern: '^cw-(.*)$'
      replace: 'ocb-\1'
  urls:
    - {pattern: '^https://([a-z0-9-]+)\.fr1\.cloudwatt\.com', replace: 'https://\1.fr1.cloud.orange-business.com'}
match:
  order: [id, metadata, name]
  metadata_key: migrated_from_id
scope:
  target_domains: [ocb-cloudwatt]
fold:
  # Acme's staging tenant was merged into its production project on purpose.
  - {into: ocb-acme, projects: [cw-acme, cw-acme-staging]}
ignore:
  items:
    - {collection: projects, name: admin}
    - {collection: projects, name: service}
    # The provider networks are each cloud's own (its admin project's): not migrated.
    - {collection: networks, project: admin}
    - {collection: subnets, project: admin}
residue:
  patterns: ['cloudwatt', '\bcw-']
"""

FAMILIES: tuple[Family, ...] = (
    identity,
    access,
    storage,
    sharing,
    network,
    network_access,
    network_pools,
    dns,
    apps,
    object_store,
    fold,
)
"""The families that add rows to the core collections' clouds, in order; the last,
``fold``, merges a staging tenant into its production project."""


def families() -> list[Family]:
    return list(FAMILIES)


def collections() -> tuple[str, ...]:
    """The collections that have demo rows: the core's, then each family's, in order."""
    return CORE + tuple(name for family in FAMILIES for name in family.COLLECTIONS)


def generate(
    servers: int = 90,
    *,
    defects: bool = True,
    by_metadata: float = 0.8,
    seed: int = 2026,
    extended: bool = False,
) -> tuple[Snapshot, Snapshot]:
    """A source and a target snapshot; with ``defects``, the target carries :data:`DEFECTS`
    (and each family's); with ``extended``, the families' collections are added."""
    rng = random.Random(seed)
    source = source_cloud(servers, rng)
    target = target_cloud(source, by_metadata=by_metadata, rng=rng)
    chosen = families() if extended else []
    for family in chosen:
        family.add_source(source, rng)
        family.add_target(source, target, rng)
    if defects:
        seed_defects(target)
        for family in chosen:
            family.seed_defects(target)
    if extended:
        # The services' usage counters as they would count the final items.
        storage.recount(source)
        storage.recount(target)
        if defects:
            storage.seed_count_mismatch(target)
    return source.snapshot(), target.snapshot()


__all__ = [
    "DEFECTS",
    "FAMILIES",
    "RULES",
    "ExampleCloud",
    "Family",
    "collections",
    "families",
    "generate",
    "source_cloud",
    "target_cloud",
]
