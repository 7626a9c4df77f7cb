"""The rules file (``auditor.rules/v1``, YAML) -> a typed, validated :class:`Rules`.

Structure is checked against the JSON Schema that ``auditor schema rules``
prints (one source of truth); meaning is checked here (regexes compile,
replacement groups exist, fields and collections are known, the id map is
readable). Every error names the file, the key and, where the YAML gives it,
the line.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.catalog import dnsnames, registry
from auditor.errors import RulesError
from auditor.model import IDMAP_SCHEMA, Kind, Severity
from auditor.regexcheck import nested_repetition
from auditor.ruleparts import Fold, ItemGlob, Rewrite
from auditor.yamldoc import Located, Path, load_document

MATCH_STRATEGIES = ("id", "id_map", "metadata", "name")
DEFAULT_ORDER = ("id", "name")


@dataclass(frozen=True)
class Rules:
    """Everything the matcher and the comparators need to know about the migration."""

    regions: Mapping[str, str] = field(default_factory=dict)
    domains: Mapping[str, str] = field(default_factory=dict)
    names: tuple[Rewrite, ...] = ()
    urls: tuple[Rewrite, ...] = ()
    dns: tuple[tuple[str, str], ...] = ()  # rename.dns suffixes, longest first (dnsnames)
    order: tuple[str, ...] = DEFAULT_ORDER
    metadata_key: str | None = None
    id_map: Mapping[str, str] = field(default_factory=dict)
    id_map_file: str | None = None  # the file match.id_map names; its map may be empty
    target_domains: frozenset[str] | None = None
    target_regions: frozenset[str] | None = None
    source_domains: frozenset[str] | None = None
    ignore_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    ignore_items: tuple[ItemGlob, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    residue: tuple[re.Pattern[str], ...] = ()
    folds: tuple[Fold, ...] = ()
    """Source projects merged on purpose into one target project each."""
    origin: str | None = None
    """The file the rules were read from (None: defaults)."""

    @property
    def named_id_map(self) -> Mapping[str, str] | None:
        """The id map when ``match.id_map`` names one (maybe empty); None when none."""
        return self.id_map if self.id_map_file is not None else None

    # -- folds -------------------------------------------------------------

    @functools.cached_property
    def _fold_index(self) -> dict[str, Fold]:
        return {name: fold for fold in self.folds for name in fold.projects}

    def fold_of(self, project: str | None) -> Fold | None:
        """The fold a source project (by name) is part of, if any."""
        if project is None or not self.folds:
            return None
        return self._fold_index.get(project)

    # -- renaming ----------------------------------------------------------

    def region(self, name: str | None) -> str | None:
        return self.regions.get(name, name) if name is not None else None

    def domain(self, name: str | None) -> str | None:
        return self.domains.get(name, name) if name is not None else None

    @functools.cached_property
    def _renamed(self) -> dict[tuple[str, str], str]:
        """(collection, name) -> :meth:`name`'s answer, memoised (the same names recur)."""
        return {}

    def name(self, collection: str, name: str | None) -> str | None:
        """``name`` after the rewrites of ``collection`` (a folded project: its fold's target)."""
        if name is None:
            return None
        if type(name) is not str:
            return self._rename(collection, name)
        memo = self._renamed
        key = (collection, name)
        found = memo.get(key)
        if found is None:
            found = memo[key] = self._rename(collection, name)
        return found

    def _rename(self, collection: str, name: str) -> str:
        if collection == "projects":
            fold = self.fold_of(name)
            if fold is not None:
                return fold.into
        if collection in registry.DNS_NAMED:
            name = dnsnames.rename_name(self.dns, name) or name
        for rewrite in self.names:
            if collection in rewrite.collections:
                name = rewrite.apply(name)
        return name

    def dns_text(self, text: str | None) -> str | None:
        """DNS names inside ``text`` (a record's data, an e-mail) under ``rename.dns``."""
        return dnsnames.rename_text(self.dns, text)

    def url(self, url: str | None) -> str | None:
        if url is None:
            return None
        for rewrite in self.urls:
            url = rewrite.apply(url)
        return url

    # -- scope and ignores --------------------------------------------------

    @functools.cached_property
    def _globs(self) -> dict[str, tuple[ItemGlob, ...]]:
        """Collection -> its ``ignore.items`` globs, in the rules' order."""
        globs: dict[str, tuple[ItemGlob, ...]] = {}
        for glob in self.ignore_items:
            globs[glob.collection] = (*globs.get(glob.collection, ()), glob)
        return globs

    def ignores(self, collection: str) -> bool:
        """Whether ``ignore.items`` leaves out any item of ``collection``."""
        return collection in self._globs

    def ignored(self, collection: str, item: Mapping[str, Any]) -> bool:
        globs = self._globs.get(collection)
        if not globs:
            return False
        return any(glob.matches(collection, item) for glob in globs)

    def compared(self, collection: str, field_name: str) -> bool:
        return field_name not in self.ignore_fields.get(collection, frozenset())

    def severity_for(self, collection: str, what: str, default: Severity) -> Severity:
        """Severity of a field's change or of a finding kind, after overrides."""
        return self.severity.get(f"{collection}.{what}", default)


# -- loading ---------------------------------------------------------------------


def _compile(pattern: str, path: Path, loc: Located, flags: int = 0) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise loc.error(path, f"invalid regex {pattern!r} ({exc})") from None
    nested = nested_repetition(pattern, flags)
    if nested is not None:
        raise loc.error(
            path,
            f"regex {pattern!r} repeats a repetition ({nested}): matching a long name could"
            " take hours (catastrophic backtracking); write it without nested + or *",
        )
    return compiled


_GROUP_REF = re.compile(r"\\\\|\\(\d+)|\\g<([^>]*)>")


def _check_replacement(compiled: re.Pattern[str], replace: str, path: Path, loc: Located) -> None:
    for match in _GROUP_REF.finditer(replace):
        number, name = match.group(1), match.group(2)
        if number is None and name is None:
            continue  # an escaped backslash, not a group reference
        ref = name if name is not None else number
        if ref.isdigit():
            if int(ref) > compiled.groups:
                raise loc.error(
                    path, f"refers to group {ref} but the pattern has {compiled.groups} group(s)"
                )
        elif ref not in compiled.groupindex:
            raise loc.error(path, f"refers to unknown group {ref!r}")
    try:
        # The template is parsed before any search: a bad escape (\d, \x...) fails here,
        # not in the middle of a diff.
        compiled.sub(replace, "")
    except re.error as exc:
        raise loc.error(path, f"invalid replacement {replace!r} ({exc})") from None


ReadText = Callable[[str], str]
"""Reads a file the rules name (the id map): its path in, its UTF-8 text out; raises
OSError or UnicodeDecodeError. The application layer hands it in: nothing here opens a file."""


def _load_id_map(
    value: str, base_dir: str, read: ReadText | None, path: Path, loc: Located
) -> dict[str, str]:
    file_path = value if os.path.isabs(value) else os.path.join(base_dir, value)
    if read is None:
        raise loc.error(path, f"id map {file_path}: not read (rules given as text, not as a file)")
    try:
        doc = json.loads(read(file_path))
    except FileNotFoundError:
        raise loc.error(path, f"id map {file_path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise loc.error(path, f"id map {file_path}: unreadable ({exc})") from None
    except json.JSONDecodeError as exc:
        raise loc.error(path, f"id map {file_path}: not valid JSON (line {exc.lineno})") from None
    if isinstance(doc, dict) and "schema" in doc and doc["schema"] != IDMAP_SCHEMA:
        raise loc.error(
            path, f"id map {file_path}: schema is {doc['schema']!r}, expected {IDMAP_SCHEMA!r}"
        )
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
        # The richer form written by --write-id-map: {"schema": ..., "entries": [...]}.
        pairs: dict[str, str] = {}
        for index, entry in enumerate(doc["entries"]):
            if not isinstance(entry, dict) or "source_id" not in entry or "target_id" not in entry:
                raise loc.error(path, f"id map {file_path}: entries need source_id and target_id")
            source_id, target_id = str(entry["source_id"]), str(entry["target_id"])
            if pairs.get(source_id, target_id) != target_id:
                # The same source seen twice (two regions of one Keystone) is fine;
                # two counterparts of one source id is no map.
                raise loc.error(
                    path,
                    f"id map {file_path}: entries[{index}]: source id {source_id} maps to"
                    f" {pairs[source_id]} and to {target_id}",
                )
            pairs[source_id] = target_id
        return pairs
    if not isinstance(doc, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in doc.items()
    ):
        raise loc.error(path, f"id map {file_path}: expected an object {{source_id: target_id}}")
    return dict(doc)


_KINDS = {k.value for k in Kind}


def parse_rules(
    text: str,
    origin: str = "<rules>",
    *,
    base_dir: str | None = None,
    read: ReadText | None = None,
) -> Rules:
    """Parse and validate rules text; ``origin`` names the file in errors.

    ``match.id_map`` names a file relative to ``base_dir`` (default: ``origin``'s
    directory), read with ``read``; without ``read``, rules that name an id map are
    refused (``auditor.app.files.read_rules`` reads a rules file and its id map).
    """
    data, loc = load_document(
        text,
        origin,
        schema="rules",
        error=RulesError,
        empty="empty rules file (expected at least 'version: 1')",
    )
    base = base_dir if base_dir is not None else os.path.dirname(origin)
    return _build(data, origin, loc, base, read)


def _build(
    data: dict[str, Any], origin: str, loc: Located, base_dir: str, read: ReadText | None
) -> Rules:
    rename = data.get("rename") or {}
    names = []
    for index, rule in enumerate(rename.get("names") or []):
        path: Path = ("rename", "names", index)
        compiled = _compile(rule["pattern"], (*path, "pattern"), loc)
        _check_replacement(compiled, rule["replace"], (*path, "replace"), loc)
        names.append(Rewrite(compiled, rule["replace"], frozenset(rule["collections"])))
    urls = []
    for index, rule in enumerate(rename.get("urls") or []):
        path = ("rename", "urls", index)
        compiled = _compile(rule["pattern"], (*path, "pattern"), loc)
        _check_replacement(compiled, rule["replace"], (*path, "replace"), loc)
        urls.append(Rewrite(compiled, rule["replace"]))

    match = data.get("match") or {}
    metadata_key = match.get("metadata_key")
    id_map = (
        _load_id_map(match["id_map"], base_dir, read, ("match", "id_map"), loc)
        if "id_map" in match
        else {}
    )
    if "order" in match:
        order = tuple(match["order"])
        if "metadata" in order and metadata_key is None:
            raise loc.error(("match", "order"), "uses metadata but match.metadata_key is not set")
        if "id_map" in order and "id_map" not in match:
            raise loc.error(("match", "order"), "uses id_map but match.id_map is not set")
    else:
        order = tuple(
            s
            for s in MATCH_STRATEGIES
            if s in ("id", "name")
            or (s == "id_map" and "id_map" in match)
            or (s == "metadata" and metadata_key is not None)
        )

    scope = data.get("scope") or {}
    ignore = data.get("ignore") or {}
    ignore_fields: dict[str, frozenset[str]] = {}
    for collection, fields in (ignore.get("fields") or {}).items():
        known = registry.field_names(collection)
        for index, name in enumerate(fields):
            if known is not None and name not in known:
                raise loc.error(
                    ("ignore", "fields", collection, index),
                    f"{collection} has no field {name!r} (fields: {', '.join(known)})",
                )
        ignore_fields[collection] = frozenset(fields)
    ignore_items = tuple(
        ItemGlob(i["collection"], i.get("name"), i.get("project"), bool(i.get("ignore_case")))
        for i in ignore.get("items") or []
    )
    folds = _folds(data.get("fold") or [], loc)

    severity: dict[str, Severity] = {}
    for key, level in (data.get("severity") or {}).items():
        collection, _, what = key.partition(".")
        if collection not in registry.NAMES:
            raise loc.error(("severity", key), f"unknown collection {collection!r}")
        known = registry.field_names(collection)
        if known is not None and what.split(".", 1)[0] not in known and what not in _KINDS:
            raise loc.error(
                ("severity", key), f"{collection} has no field or finding kind {what!r}"
            )
        severity[key] = Severity(level)

    residue = tuple(
        _compile(p, ("residue", "patterns", i), loc, re.IGNORECASE)
        for i, p in enumerate((data.get("residue") or {}).get("patterns") or [])
    )

    def opt_set(key: str) -> frozenset[str] | None:
        return frozenset(scope[key]) if key in scope else None

    return Rules(
        regions=dict(rename.get("regions") or {}),
        domains=dict(rename.get("domains") or {}),
        names=tuple(names),
        urls=tuple(urls),
        dns=dnsnames.suffixes(rename.get("dns") or {}),
        order=order,
        metadata_key=metadata_key,
        id_map=id_map,
        id_map_file=str(match["id_map"]) if "id_map" in match else None,
        target_domains=opt_set("target_domains"),
        target_regions=opt_set("target_regions"),
        source_domains=opt_set("source_domains"),
        ignore_fields=ignore_fields,
        ignore_items=ignore_items,
        severity=severity,
        residue=residue,
        folds=folds,
        origin=origin,
    )


def _folds(entries: list[dict[str, Any]], loc: Located) -> tuple[Fold, ...]:
    """The ``fold`` entries; a source project may be folded into one target project only."""
    folds: list[Fold] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        for position, name in enumerate(entry["projects"]):
            if name in seen:
                raise loc.error(
                    ("fold", index, "projects", position),
                    f"{name!r} is already folded into {entries[seen[name]]['into']!r}"
                    f" (fold[{seen[name]}]): a source project lands in one target project",
                )
            seen[name] = index
        folds.append(Fold(entry["into"], tuple(entry["projects"])))
    return tuple(folds)
