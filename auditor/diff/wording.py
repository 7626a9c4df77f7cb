"""How findings name things: items by name (never a bare id), what the name strategy
looked for, and why items were left unpaired.

Pure functions of the rules and the items, for the diff's messages.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.diff.compare import JSON, noun, ref
from auditor.match import Ambiguity
from auditor.records import PROJECT_OWNED_COLLECTIONS
from auditor.rules import Rules


def item_label(name: str, item: JSON) -> str:
    """How a message names an item: ``project/name``, or its natural key when it has
    no name (an unnamed subnet: its CIDR on its network), never a bare id."""
    if item.get("name") or name != "subnets" or not item.get("cidr"):
        return ref(item).label
    where = f"{item['project']}/" if item.get("project") else ""
    return f"{where}{item['cidr']} on network {item.get('network') or '-'} ({item['id']})"


def expected_label(
    r: Rules, name: str, item: JSON, server_label: Callable[[str], str] | None = None
) -> str | None:
    """What the name strategy looked for in the target (None: an unnamed item);
    ``server_label`` names a source server (a floating IP is also looked for by its
    server's counterpart)."""
    if name == "floating_ips" and item.get("server_id") and server_label is not None:
        server = server_label(str(item["server_id"]))
        return (
            f"{r.name('projects', item.get('project'))}/{r.name(name, item.get('name'))},"
            f" then a floating IP on the counterpart of server {server}"
        )
    if name == "endpoints":
        return f"{item.get('service_type')}/{item.get('interface')}/{r.region(item.get('region'))}"
    if name == "domains":
        return str(r.domain(item.get("name")) or item.get("id"))
    if name == "regions":
        return str(r.region(item.get("id")))
    if name == "services":
        return f"{item.get('service_type')}/{r.name(name, item.get('name')) or '-'}"
    if name == "keypairs":
        user = f"{r.domain(item.get('domain'))}/{item.get('user') or item.get('user_id')}"
        return f"{r.name(name, item.get('name'))} of user {user}"
    if name == "subnets" and not item.get("name") and item.get("cidr"):
        # Unnamed: matched by its network (renamed) and its CIDR.
        return (
            f"a subnet {item['cidr']} on network {r.name('projects', item.get('project'))}/"
            f"{r.name('networks', item.get('network')) or '-'}"
        )
    renamed = r.name(name, item.get("name"))
    if not renamed:
        return None
    if name == "projects":
        return f"{r.domain(item.get('domain'))}/{renamed}"
    if name in PROJECT_OWNED_COLLECTIONS:
        return f"{r.name('projects', item.get('project'))}/{renamed}"
    return str(renamed)


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
    if name == "projects" and len(amb.sources) > 1 and len(amb.targets) == 1:
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
