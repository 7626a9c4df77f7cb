"""Matching: which target item is the counterpart of which source item.

Strategies are tried in the rules' order, each on what earlier ones left:

* ``id``: the same id on both sides (a region merged into the same Keystone);
* ``id_map``: the migration's own record of source id -> target id;
* ``metadata``: the target item's ``metadata[metadata_key]`` holds the source id;
* ``name``: the natural key after renaming (:mod:`auditor.match.keys`, from
  the catalog): projects by (domain, name), project-owned items by (their
  project's counterpart, name), endpoints by (service type, interface,
  region); then, for collections with a second key, that key on what is still
  unpaired (a floating IP by its server's counterpart, through earlier matches).

A key claimed by more than one item on either side is *ambiguous*: none of
them is paired, and the diff reports them, never a silent pick. The one
exception is a fold the rules declare (:mod:`auditor.folds`): its source
projects, and their singletons (quota sets, ``default`` security groups), all
pair with one target item. Several source projects on one target project
without a fold are *contested*: the resources of those projects are withheld
from matching and reported as ambiguous, one group per collection.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.catalog import registry
from auditor.folds import SINGLETONS, Contest, fold_joins, note_contests, one_fold, withhold
from auditor.match import keys
from auditor.match.keys import PROJECT_OWNED, Key, SourceKey, TargetKey
from auditor.match.pairs import Ambiguity, Matching, Pair, new_pair
from auditor.rules import Rules

JSON = dict[str, Any]


@dataclass
class _State:
    sources: list[JSON]
    targets: list[JSON]
    free_sources: dict[str, JSON]
    free_targets: dict[str, JSON]
    matching: Matching
    ids: dict[str, str] = field(default_factory=dict)
    """Source id -> target id of the pairs made, in their order (:meth:`Matching.id_map`)."""

    def pair(
        self,
        source: JSON,
        target: JSON,
        strategy: str,
        source_id: str | None = None,
        target_id: str | None = None,
    ) -> None:
        """Pair two free items (``source_id``, ``target_id``: their ids as strings, when
        the caller has them already)."""
        self.matching.pairs.append(new_pair((source, target, strategy)))
        source_id = str(source["id"]) if source_id is None else source_id
        target_id = str(target["id"]) if target_id is None else target_id
        self.ids[source_id] = target_id
        del self.free_sources[source_id]
        del self.free_targets[target_id]

    def pair_fold(self, sources: Iterable[JSON], target: JSON, strategy: str) -> None:
        """Pair every source of a fold with one target item (it may be paired already)."""
        target_id = str(target["id"])
        for source in sources:
            self.matching.pairs.append(Pair(source, target, strategy))
            source_id = str(source["id"])
            self.ids[source_id] = target_id
            del self.free_sources[source_id]
        self.free_targets.pop(target_id, None)

    def contest(
        self, key: str, sources: Iterable[JSON], targets: Iterable[JSON], strategy: str
    ) -> None:
        """Record an ambiguity; its items are withdrawn from every later strategy."""
        ordered_sources = tuple(sorted(sources, key=lambda i: str(i["id"])))
        ordered_targets = tuple(sorted(targets, key=lambda i: str(i["id"])))
        self.matching.ambiguous.append(Ambiguity(key, ordered_sources, ordered_targets, strategy))
        for item in ordered_sources:
            self.free_sources.pop(str(item["id"]), None)
        for item in ordered_targets:
            self.free_targets.pop(str(item["id"]), None)


class Matcher:
    """Matches collections in dependency order (projects first: they key the rest)."""

    def __init__(self, rules: Rules, contested: Mapping[str, Contest] | None = None) -> None:
        self.rules = rules
        self.project_map: dict[str, str] = {}
        """Source project id -> target project id, once projects are matched."""
        self.maps: dict[str, dict[str, str]] = {}
        """Collection -> source id -> target id of every collection matched so far."""
        self.contested_targets: dict[str, Contest] = dict(contested or {})
        """Target project id -> its contest: several source projects landed on it and no
        fold says so (given by a merger, which sees every source; found here otherwise)."""
        self.contested_sources: dict[str, Contest] = {}
        """Source project id -> the contest it is part of, once projects are matched."""

    # -- keys -------------------------------------------------------------------

    def source_key(
        self, collection: str, item: JSON, source_fn: SourceKey = keys.own_source_key
    ) -> Key | None:
        return keys.source_key(self.rules, collection, item, self.project_map, source_fn)

    @staticmethod
    def target_keys(collection: str, item: JSON, target_fn: TargetKey | None = None) -> list[Key]:
        return keys.target_keys(collection, item, target_fn)

    # -- scope ------------------------------------------------------------------

    def source_in_scope(self, collection: str, item: JSON) -> bool:
        r = self.rules
        if r.ignored(collection, item):
            return False
        domain = _scope_domain(collection)
        if r.source_domains is not None and domain is not None:
            return item.get(domain) in r.source_domains
        return True

    def target_in_scope(self, collection: str, item: JSON, regions: frozenset[str]) -> bool:
        r = self.rules
        region = _scope_region(collection)
        if region is not None:
            return item.get(region) in regions
        domain = _scope_domain(collection)
        if r.target_domains is not None and domain is not None:
            return item.get(domain) in r.target_domains
        return True

    def _sources_in_scope(self, collection: str, sources: Sequence[JSON]) -> list[JSON]:
        """:meth:`source_in_scope` of each, with what it asks of the rules asked once."""
        r = self.rules
        domain = _scope_domain(collection)
        if r.ignores(collection) or (r.source_domains is not None and domain is not None):
            return [s for s in sources if self.source_in_scope(collection, s)]
        return list(sources)

    def _targets_in_scope(
        self, collection: str, targets: list[JSON], regions: frozenset[str]
    ) -> list[JSON]:
        """:meth:`target_in_scope` of each, with what it asks of the rules asked once."""
        region = _scope_region(collection)
        if region is not None:
            return [t for t in targets if t.get(region) in regions]
        domain = _scope_domain(collection)
        domains = self.rules.target_domains
        if domains is not None and domain is not None:
            return [t for t in targets if t.get(domain) in domains]
        return targets

    # -- matching ---------------------------------------------------------------

    def match(self, collection: str, sources: Sequence[JSON], targets: Sequence[JSON]) -> Matching:
        r = self.rules
        matching = Matching(collection)
        kept_sources = self._sources_in_scope(collection, sources)
        kept_targets = (
            [t for t in targets if not r.ignored(collection, t)]
            if r.ignores(collection)
            else list(targets)
        )
        free_sources, free_targets, withheld = self._withhold(
            collection, kept_sources, kept_targets
        )
        state = _State(
            free_sources,
            free_targets,
            {str(s["id"]): s for s in free_sources},
            {str(t["id"]): t for t in free_targets},
            matching,
        )
        strategies: dict[str, Callable[[str, _State], None]] = {
            "id": self._by_id,
            "id_map": self._by_id_map,
            "metadata": self._by_metadata,
            "name": self._by_name,
        }
        for strategy in r.order:
            if not state.free_sources or not state.free_targets:
                break
            strategies[strategy](collection, state)
        self._join_folds(collection, state)
        matching.ambiguous.extend(withheld)

        contested = {
            str(item["id"]) for amb in matching.ambiguous for item in (*amb.sources, *amb.targets)
        }
        matching.missing = [s for k, s in state.free_sources.items() if k not in contested]
        region = _scope_region(collection)
        regions = self._target_regions(kept_sources, region) if region is not None else frozenset()
        in_scope = self._targets_in_scope(collection, kept_targets, regions)
        matching.source_count = len(kept_sources)
        if len(in_scope) == len(kept_targets):
            # Every target item in scope (the usual case): no set of their ids to build.
            matching.unexpected = [t for k, t in state.free_targets.items() if k not in contested]
            matching.target_count = len(in_scope)
        else:
            in_scope_ids = {str(t["id"]) for t in in_scope}
            for key, target in state.free_targets.items():
                if key in contested:
                    continue
                if key in in_scope_ids:
                    matching.unexpected.append(target)
                else:
                    matching.out_of_scope += 1
            # Matched targets count even when outside the declared scope.
            matched_out = sum(1 for t in state.ids.values() if t not in in_scope_ids)
            matching.target_count = len(in_scope) + matched_out
        self.maps[collection] = state.ids
        if collection == registry.PROJECTS:
            self.project_map.update(self.maps[collection])
            self._note_contests(matching)
        return matching

    # -- folds and contests -------------------------------------------------------

    def _note_contests(self, projects: Matching) -> None:
        """Remember which projects are contested, so that their resources are withheld."""
        note_contests(
            [(amb.sources, amb.targets) for amb in projects.ambiguous],
            [(p.source, p.target) for p in projects.pairs],
            self.contested_sources,
            self.contested_targets,
        )

    def _withhold(
        self, collection: str, sources: list[JSON], targets: list[JSON]
    ) -> tuple[list[JSON], list[JSON], list[Ambiguity]]:
        """(sources, targets) left to match, and the items of contested projects, one
        ambiguity per contest: which source item is which target item is anyone's guess."""
        if collection not in PROJECT_OWNED or not (
            self.contested_sources or self.contested_targets
        ):
            return sources, targets, []
        free_sources, free_targets, held = withhold(
            sources, targets, self.contested_sources, self.contested_targets
        )
        withheld = [
            Ambiguity(f"project {contest.target}", held_sources, held_targets, "project", contest)
            for contest, held_sources, held_targets in held
        ]
        return free_sources, free_targets, withheld

    def _join_folds(self, collection: str, state: _State) -> None:
        """Pair the sources of a fold left over (their target was paired by id, id map or
        metadata to another source of the fold) with that target."""
        if not self.rules.folds or not state.free_sources:
            return
        if collection != registry.PROJECTS and collection not in SINGLETONS:
            return  # no item of it is a fold's (folds.folded): nothing to join
        joins = fold_joins(
            self.rules,
            collection,
            [(p.source, p.target) for p in state.matching.pairs],
            list(state.free_sources.values()),
            lambda item: self.source_key(collection, item),
            lambda item: self.target_keys(collection, item),
        )
        for source, target in joins:
            state.pair_fold((source,), target, "name")

    def _target_regions(self, sources: Iterable[JSON], field: str) -> frozenset[str]:
        if self.rules.target_regions is not None:
            return self.rules.target_regions
        return frozenset(str(self.rules.region(s.get(field))) for s in sources if s.get(field))

    @staticmethod
    def _by_id(_collection: str, state: _State) -> None:
        common = state.free_sources.keys() & state.free_targets.keys()  # in C; often empty
        for key in [k for k in state.free_sources if k in common] if common else ():
            state.pair(state.free_sources[key], state.free_targets[key], "id", key, key)

    def _by_id_map(self, _collection: str, state: _State) -> None:
        id_map = self.rules.id_map
        for key in list(state.free_sources):
            target_id = id_map.get(key)
            if target_id is not None and target_id in state.free_targets:
                state.pair(
                    state.free_sources[key], state.free_targets[target_id], "id_map", key, target_id
                )

    def _by_metadata(self, collection: str, state: _State) -> None:
        meta_key = self.rules.metadata_key
        if meta_key is None:
            return
        # The one target item that claims each source id, and (rare) every claim of an
        # id claimed more than once: no list per claim.
        claims: dict[str, tuple[str, JSON]] = {}
        more: dict[str, list[tuple[str, JSON]]] = {}
        for target_id, target in state.free_targets.items():
            metadata = target.get("metadata")
            if type(metadata) is dict or isinstance(metadata, Mapping):
                claimed = metadata.get(meta_key)
                if claimed:
                    key = str(claimed)
                    if key in claims:
                        more.setdefault(key, [claims[key]]).append((target_id, target))
                    else:
                        claims[key] = (target_id, target)
        if not claims:
            return
        free_sources, free_targets = state.free_sources, state.free_targets
        pairs, ids = state.matching.pairs, state.ids
        for key in [k for k in free_sources if k in claims]:
            source = free_sources[key]
            if key in more:
                targets = [target for _, target in more[key]]
                state.contest(f"{meta_key}={key}", (source,), targets, "metadata")
                continue
            target_id, target = claims[key]
            # state.pair, inline: one per item of most collections
            pairs.append(new_pair((source, target, "metadata")))
            ids[key] = target_id
            del free_sources[key]
            del free_targets[target_id]

    def _by_name(self, collection: str, state: _State) -> None:
        self._by_key(collection, state, *keys.own_keys(collection))
        if (
            keys.match_key(collection).second is not None
            and state.free_sources
            and state.free_targets
        ):
            maps = self.maps
            self._by_key(
                collection,
                state,
                lambda r, c, i: keys.second_source_key(r, c, maps, i),
                lambda item: keys.second_target_key(collection, item),
            )

    def _by_key(
        self, collection: str, state: _State, source_fn: SourceKey, target_fn: TargetKey
    ) -> None:
        by_source: dict[Key, list[JSON]] = defaultdict(list)
        source_key = keys.source_keyer(self.rules, collection, self.project_map, source_fn)
        for source in state.free_sources.values():
            key = source_key(source)
            if key is not None:
                by_source[key].append(source)
        by_target: dict[Key, list[JSON]] = defaultdict(list)
        target_keys = keys.target_keyer(collection, target_fn)
        for target in state.free_targets.values():
            for key in target_keys(target):
                by_target[key].append(target)
        for key, sources in by_source.items():
            targets = [t for t in by_target.get(key, []) if str(t["id"]) in state.free_targets]
            if not targets:
                continue
            if len(sources) == 1 and len(targets) == 1:
                state.pair(sources[0], targets[0], "name")
                continue
            if len(targets) == 1 and one_fold(self.rules, collection, sources):
                state.pair_fold(sources, targets[0], "name")
                continue
            state.contest(keys.readable(key), sources, targets, "name")


@functools.cache
def _scope_domain(collection: str) -> str | None:
    """The field whose domain puts an item in or out of the rules' scope."""
    spec = registry.find(collection)
    return spec.scope_domain if spec is not None else None


@functools.cache
def _scope_region(collection: str) -> str | None:
    """The field whose region puts a target item in or out of scope."""
    spec = registry.find(collection)
    return spec.in_region if spec is not None else None
