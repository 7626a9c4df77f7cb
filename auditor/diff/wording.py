"""How findings name things: items by name (never a bare id), and why items were left
unpaired (what the name strategy looked for: :func:`auditor.match.keys.expected_label`).

Pure functions of the items, for the diff's messages; what a
collection is called and how its items are named come from the catalog.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog import registry
from auditor.match import Ambiguity
from auditor.model.ids import ref

JSON = dict[str, Any]


def noun(collection: str) -> str:
    """What one item of ``collection`` is called (``volume snapshot``)."""
    spec = registry.find(collection)
    return spec.noun if spec is not None else collection.rstrip("s").replace("_", " ")


def item_label(name: str, item: JSON) -> str:
    """How a message names an item: ``project/name``, or its natural key when it has
    no name (an unnamed subnet: its CIDR on its network), never a bare id."""
    spec = registry.find(name)
    if spec is not None and spec.item_label is not None:
        label = spec.item_label(item)
        if label is not None:
            return label
    return ref(item).label


def ambiguous_message(name: str, amb: Ambiguity) -> str:
    """Why items were left unpaired, and what to do about it."""
    thing = noun(name)
    if amb.contest is not None:
        c = amb.contest
        return (
            f"{len(amb.sources)} source and {len(amb.targets)} target {thing}(s) of project"
            f" {c.target} were not paired: source projects {c.claimants} all landed on"
            f" {c.target} and no fold in the rules says so; declare the fold (fold: in the"
            " rules) if they were merged on purpose, else rename all but one project."
        )
    if name == registry.PROJECTS and len(amb.sources) > 1 and len(amb.targets) == 1:
        names = ", ".join(item_label(name, s) for s in amb.sources)
        target = amb.targets[0]
        return (
            f"{len(amb.sources)} source projects ({names}) all map onto target project"
            f" {item_label(name, target)}; none was paired: if they were merged on purpose,"
            f" declare the fold in the rules (fold: [{{into: {target.get('name')}, projects:"
            f" [{', '.join(str(s.get('name')) for s in amb.sources)}]}}]), else rename all"
            " but one."
        )
    return (
        f"{len(amb.sources)} source and {len(amb.targets)} target {thing}(s) claim the"
        f" same key as {item_label(name, amb.sources[0])} ({amb.strategy}); none was"
        " paired: give them distinct names or match them with an id map."
    )
