"""Collections of an optional service that one side's cloud does not offer.

A cloud whose catalog has no endpoint of an optional service (DNS, load
balancing, orchestration, object storage) lists its collections as
``not_offered``: complete, with no items (:class:`~auditor.model.Status`).
The diff then reads:

- not offered on either side: nothing to compare, nothing reported;
- offered in the source, not in the target: every source item is lost with the
  service, each a ``missing`` finding (an error, as any missing item) whose
  message names the service the target lacks: per item, so that each lost zone
  or stack is named, waived and counted on its project's scorecard row;
- not offered in the source, offered in the target: the target's items are the
  target's own (the migration cannot have brought them), never ``unexpected``.

The summary of such a collection says which side does not offer it
(``not_offered``: ``source``, ``target`` or ``both``); the reports show it where
they show a collection's completeness.
"""

from __future__ import annotations

from auditor.catalog import registry
from auditor.model import CollectionResult, Status

SOURCE = "source"
TARGET = "target"
BOTH = "both"


def not_offered(source: CollectionResult, target: CollectionResult) -> str | None:
    """Which side does not offer the collection's service: ``source``, ``target``,
    ``both``, or None when both do."""
    s = source.status is Status.NOT_OFFERED
    t = target.status is Status.NOT_OFFERED
    if s and t:
        return BOTH
    return SOURCE if s else TARGET if t else None


def unexpected_reported(side: str | None) -> bool:
    """False when the source does not offer the service: nothing in the target can be
    unexpected."""
    return side not in (SOURCE, BOTH)


def looked_for(name: str, side: str | None, expected: str | None) -> str:
    """What a missing finding's message says of the search for a source item's
    counterpart: the service the target lacks, when it does not offer it."""
    if side in (TARGET, BOTH):
        service = registry.spec(name).primary.service if name in registry.NAMES else name
        return f"the target cloud does not offer the {service} service: no endpoint in its catalog"
    return f"looked for {expected}" if expected else "it has no name to look for"


def merged(sides: list[str | None]) -> str | None:
    """The side that does not offer the service in a merger of several sources' diffs:
    ``target`` when no run's target does, ``source`` when no source does, ``both``
    when neither; None otherwise."""
    if not sides:
        return None
    target = all(side in (TARGET, BOTH) for side in sides)
    source = all(side in (SOURCE, BOTH) for side in sides)
    if target and source:
        return BOTH
    return TARGET if target else SOURCE if source else None
