"""Project-scoped snapshots: the diff restricted to the projects the scoped side covers.

A snapshot taken with project-scoped (non-admin) credentials (``scope:
"project"``) holds the projects its user has a role on, and their resources:
nothing else of the cloud is known. Diffing it against a whole cloud would
report every other project as missing or unexpected, so before the diff:

* a project-scoped **source** restricts the **target** to the counterparts of
  its projects (matched by the rules' strategies; contested ones stay, so the
  ambiguity is reported): other target projects and their resources are out of
  scope, never unexpected;
* a project-scoped **target** restricts the **source** the same way: source
  projects without a counterpart among the target's projects are out of scope,
  never missing (the target's user cannot see whether they exist elsewhere);
* collections the scoped side did not list (endpoints, domains... need admin
  credentials) are not compared;
* a project's ``parent`` is not compared: a scoped user cannot name parents
  outside its reach.

When the projects of either side could not be listed completely, the
restriction cannot be computed: the restricted side's projects and
project-owned collections are then reported incomplete, never as missing or
unexpected. The report's ``scope`` says which projects were compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from auditor.match import Matcher
from auditor.match.keys import PROJECT_OWNED
from auditor.model import (
    SCOPE_ADMIN,
    SCOPE_PROJECT,
    CollectionResult,
    ProjectPair,
    ScopeNote,
    Snapshot,
    Status,
)
from auditor.model.ids import ref
from auditor.rules import Rules


def _keep(snapshot: Snapshot, projects: set[str], dropped: Iterable[str]) -> Snapshot:
    """``snapshot`` with only ``projects`` and their resources, without ``dropped``."""
    drop = set(dropped)
    collections: dict[str, CollectionResult] = {}
    for name, result in snapshot.collections.items():
        if name in drop:
            continue
        if name == "projects":
            items = tuple(i for i in result.items if str(i["id"]) in projects)
        elif name in PROJECT_OWNED:
            items = tuple(i for i in result.items if str(i.get("project_id")) in projects)
        else:
            items = result.items
        collections[name] = replace(result, items=items)
    return replace(snapshot, collections=collections)


def _without(snapshot: Snapshot, dropped: Iterable[str]) -> Snapshot:
    drop = set(dropped)
    return replace(
        snapshot,
        collections={n: r for n, r in snapshot.collections.items() if n not in drop},
    )


def _unknown(snapshot: Snapshot, dropped: Iterable[str], why: str) -> Snapshot:
    """``snapshot`` whose projects and project-owned collections cannot be restricted."""
    drop = set(dropped)
    collections = {
        name: (
            CollectionResult(Status.ERROR, error=why)
            if name == "projects" or name in PROJECT_OWNED
            else result
        )
        for name, result in snapshot.collections.items()
        if name not in drop
    }
    return replace(snapshot, collections=collections)


def restrict(
    source: Snapshot, target: Snapshot, rules: Rules
) -> tuple[Snapshot, Snapshot, Rules, ScopeNote | None]:
    """The snapshots and rules to diff, and what the scope note of the report says.

    Unchanged (and no note) when both snapshots are admin-scoped.
    """
    scoped = [s for s in (source, target) if s.scope == SCOPE_PROJECT]
    if not scoped:
        return source, target, rules, None
    names = set(source.collections) | set(target.collections)
    dropped = sorted(n for n in names if any(n not in s.collections for s in scoped))
    ignored = rules.ignore_fields.get("projects", frozenset()) | {"parent"}
    rules = replace(rules, ignore_fields={**rules.ignore_fields, "projects": ignored})

    s_projects = source.collections.get("projects")
    t_projects = target.collections.get("projects")
    if (
        s_projects is None
        or t_projects is None
        or not (s_projects.complete and t_projects.complete)
    ):
        why = "cannot restrict to the project-scoped side's projects: projects could not be listed"
        note = ScopeNote(source.scope, target.scope, (), 0, 0, tuple(dropped))
        return (
            _unknown(source, dropped, why)
            if target.scope == SCOPE_PROJECT
            else _without(source, dropped),
            _unknown(target, dropped, why)
            if source.scope == SCOPE_PROJECT
            else _without(target, dropped),
            rules,
            note,
        )

    matching = Matcher(rules).match("projects", s_projects.items, t_projects.items)
    paired_sources = {str(p.source["id"]) for p in matching.pairs}
    paired_targets = {str(p.target["id"]) for p in matching.pairs}
    for amb in matching.ambiguous:
        paired_sources.update(str(i["id"]) for i in amb.sources)
        paired_targets.update(str(i["id"]) for i in amb.targets)
    keep_source = {str(p["id"]) for p in s_projects.items}
    keep_target = {str(p["id"]) for p in t_projects.items}
    if source.scope == SCOPE_PROJECT:
        keep_target &= paired_targets
    if target.scope == SCOPE_PROJECT:
        keep_source &= paired_sources
    note = ScopeNote(
        source=source.scope,
        target=target.scope,
        compared=tuple(
            ProjectPair(ref(p.source), ref(p.target))
            for p in sorted(
                matching.pairs, key=lambda p: (str(p.source.get("name")), str(p.source["id"]))
            )
            if str(p.source["id"]) in keep_source
        ),
        source_projects_not_compared=len(s_projects.items) - len(keep_source),
        target_projects_not_compared=len(t_projects.items) - len(keep_target),
        collections_not_compared=tuple(dropped),
    )
    return _keep(source, keep_source, dropped), _keep(target, keep_target, dropped), rules, note


def merged_scope(notes: Sequence[ScopeNote | None]) -> ScopeNote | None:
    """One scope note of the sources' (project-scoped snapshots among them)."""
    present = [n for n in notes if n is not None]
    if not present:
        return None
    return ScopeNote(
        source=SCOPE_PROJECT if any(n.source == SCOPE_PROJECT for n in present) else SCOPE_ADMIN,
        target=present[0].target,
        compared=tuple(p for n in present for p in n.compared),
        source_projects_not_compared=sum(n.source_projects_not_compared for n in present),
        # A target project some source compares is compared: the fewest any left out.
        target_projects_not_compared=min(n.target_projects_not_compared for n in present),
        collections_not_compared=tuple(
            sorted({c for n in present for c in n.collections_not_compared})
        ),
    )
