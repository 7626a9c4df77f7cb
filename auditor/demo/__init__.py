"""``auditor demo``: a full audit of two example clouds served on loopback.

The example source (Cloudwatt-style) and target (Orange-Cloud-for-Business-style,
with a handful of seeded defects) are generated here, as documents; the
application layer (:mod:`auditor.app.commands.demo`) writes them, serves them
with the sandbox as real OpenStack APIs, audits them through openstacksdk over
HTTP exactly as ``auditor audit`` does against production clouds, and writes
every input and output to a directory so each step can be rerun by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.demo.data import DEFECTS, RULES, generate
from auditor.model import Snapshot


@dataclass(frozen=True)
class DemoClouds:
    """The demo's inputs, as documents."""

    source: Snapshot
    """The Cloudwatt-style example cloud, served as the source."""
    target: Snapshot
    """Its Orange-Cloud-for-Business-style successor, with the seeded defects."""
    rules: str
    """The rules of the rebranding (``auditor.rules/v1`` YAML text)."""


def build_demo() -> DemoClouds:
    """The example clouds (every collection) and the rules of their rebranding."""
    source, target = generate(extended=True)
    return DemoClouds(source, target, RULES)


__all__ = ["DEFECTS", "DemoClouds", "build_demo"]
