"""Diffing two snapshots: comparators, findings, severities, verdict.

Pure: two :class:`~auditor.model.Snapshot` and the :class:`~auditor.rules.Rules`
go in, a :class:`~auditor.model.Report` comes out. The same inputs give the
same report, finding ids included, whether the snapshots came from a live
audit or from files.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from auditor.match import Matcher, Matching, Pair
from auditor.model import (
    Change,
    CollectionResult,
    CollectionSummary,
    Finding,
    Kind,
    ProjectScore,
    Ref,
    Report,
    Severity,
    Side,
    Snapshot,
    Status,
    Verdict,
)
from auditor.records import ALL_COLLECTIONS, PROJECT_OWNED_COLLECTIONS
from auditor.rules import Rules

JSON = dict[str, Any]

EXIT_CODES = {Verdict.VERIFIED: 0, Verdict.DISCREPANCIES: 1, Verdict.INCOMPLETE: 3}

NOUNS = {
    "projects": "project",
    "servers": "server",
    "volumes": "volume",
    "endpoints": "endpoint",
}

DEFAULT_KIND_SEVERITY = {
    Kind.MISSING: Severity.ERROR,
    Kind.AMBIGUOUS: Severity.ERROR,
    Kind.INCOMPLETE: Severity.ERROR,
    Kind.UNEXPECTED: Severity.WARNING,
    Kind.RESIDUE: Severity.WARNING,
}

KIND_ORDER = {k: i for i, k in enumerate(Kind)}


def noun(collection: str) -> str:
    return NOUNS.get(collection, collection.rstrip("s").replace("_", " "))


def finding_id(kind: Kind, collection: str, *parts: str) -> str:
    """Stable id: a hash of what the finding is about, never of its values."""
    text = "|".join((kind.value, collection, *parts))
    return "f-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def ref(item: JSON) -> Ref:
    return Ref(
        id=str(item["id"]),
        name=item.get("name"),
        project=item.get("project"),
        domain=item.get("domain"),
    )


# -- comparison context and helpers -------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What comparators may consult besides the pair itself."""

    rules: Rules
    maps: Mapping[str, Mapping[str, str]]
    """Collection -> source id -> target id, from matching."""
    complete: Mapping[str, bool]
    """Collection -> listed completely on both sides."""
    target_items: Mapping[str, Mapping[str, JSON]]
    """Collection -> target id -> item, for messages."""
    counterparts: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """Collection -> ids of the target items that are some source item's counterpart."""

    def counterpart_label(self, collection: str, target_id: str) -> str:
        item = self.target_items.get(collection, {}).get(target_id)
        return ref(item).label if item is not None else target_id


class Changes:
    """Collects the changes of one pair, honouring ignore.fields and severity overrides."""

    def __init__(self, collection: str, ctx: Context) -> None:
        self.collection = collection
        self.ctx = ctx
        self.items: list[Change] = []

    def wanted(self, field: str) -> bool:
        return self.ctx.rules.compared(self.collection, field)

    def add(self, field: str, source: Any, target: Any, default: Severity, message: str) -> None:
        top = field.split(".", 1)[0]
        if not self.wanted(top):
            return
        rules = self.ctx.rules
        # The most specific override wins: metadata.role, then metadata, then changed.
        changed = rules.severity_for(self.collection, Kind.CHANGED.value, default)
        severity = rules.severity.get(
            f"{self.collection}.{field}", rules.severity_for(self.collection, top, changed)
        )
        self.items.append(Change(field, source, target, severity, message))


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _compare_plain(
    ch: Changes, field: str, source: Any, target: Any, severity: Severity, what: str
) -> None:
    if source != target:
        ch.add(
            field, source, target, severity, f"{what} changed from {_fmt(source)} to {_fmt(target)}"
        )


def _compare_metadata(ch: Changes, source: JSON, target: JSON) -> None:
    if not ch.wanted("metadata"):
        return
    meta_key = ch.ctx.rules.metadata_key
    s_meta = dict(source.get("metadata") or {})
    t_meta = {k: v for k, v in (target.get("metadata") or {}).items() if k != meta_key}
    s_meta.pop(meta_key or "", None)
    for key in sorted(set(s_meta) | set(t_meta)):
        if key not in t_meta:
            ch.add(
                f"metadata.{key}", s_meta[key], None, Severity.WARNING, f"lost metadata key {key!r}"
            )
        elif key not in s_meta:
            ch.add(
                f"metadata.{key}", None, t_meta[key], Severity.INFO, f"gained metadata key {key!r}"
            )
        elif s_meta[key] != t_meta[key]:
            ch.add(
                f"metadata.{key}",
                s_meta[key],
                t_meta[key],
                Severity.WARNING,
                f"metadata {key!r} changed from {s_meta[key]!r} to {t_meta[key]!r}",
            )


def _compare_refs(
    ch: Changes,
    field: str,
    source_ids: Iterable[str],
    target_ids: Iterable[str],
    via: str,
    lost_message: Callable[[str], str],
) -> None:
    """Cross-references compared through the matches of collection ``via``."""
    if not ch.ctx.complete.get(via, False) or not ch.wanted(field):
        return
    mapping = ch.ctx.maps.get(via, {})
    expected = sorted({mapping[s] for s in source_ids if s in mapping})
    actual = set(target_ids)
    for target_id in expected:
        if target_id not in actual:
            label = ch.ctx.counterpart_label(via, target_id)
            ch.add(field, target_id, None, Severity.ERROR, lost_message(label))
    counterparts = ch.ctx.counterparts.get(via, frozenset())
    gained = sorted(t for t in actual if t not in expected and t in counterparts)
    for target_id in gained:
        label = ch.ctx.counterpart_label(via, target_id)
        ch.add(field, None, target_id, Severity.INFO, f"is now attached to {noun(via)} {label}")


# -- comparators ------------------------------------------------------------------


def compare_projects(s: JSON, t: JSON, ch: Changes) -> None:
    r = ch.ctx.rules
    expected_domain = r.domain(s.get("domain"))
    if expected_domain != t.get("domain"):
        ch.add(
            "domain",
            expected_domain,
            t.get("domain"),
            Severity.WARNING,
            f"is in domain {_fmt(t.get('domain'))}, expected {_fmt(expected_domain)}",
        )
    if s.get("enabled") and not t.get("enabled"):
        ch.add("enabled", True, False, Severity.ERROR, "is disabled in the target")
    elif not s.get("enabled") and t.get("enabled"):
        ch.add("enabled", False, True, Severity.INFO, "is enabled in the target (was disabled)")
    _compare_plain(
        ch,
        "description",
        s.get("description") or "",
        t.get("description") or "",
        Severity.INFO,
        "description",
    )
    lost = sorted(set(s.get("tags") or []) - set(t.get("tags") or []))
    if lost:
        ch.add("tags", s.get("tags"), t.get("tags"), Severity.WARNING, f"lost tags {_fmt(lost)}")
    expected_parent = r.name("projects", s.get("parent"))
    if expected_parent != t.get("parent"):
        ch.add(
            "parent",
            expected_parent,
            t.get("parent"),
            Severity.WARNING,
            f"has parent {_fmt(t.get('parent'))}, expected {_fmt(expected_parent)}",
        )


def _is_error_status(status: Any) -> bool:
    return isinstance(status, str) and status.lower().startswith("error")


def compare_servers(s: JSON, t: JSON, ch: Changes) -> None:
    r = ch.ctx.rules
    s_status, t_status = s.get("status"), t.get("status")
    if s_status != t_status:
        if _is_error_status(t_status) and not _is_error_status(s_status):
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.ERROR,
                f"went into status {t_status} (was {s_status})",
            )
        else:
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.WARNING,
                f"status changed from {_fmt(s_status)} to {_fmt(t_status)}",
            )
    s_flavor, t_flavor = s.get("flavor") or {}, t.get("flavor") or {}
    smaller = [
        f"{k} {s_flavor.get(k)} -> {t_flavor.get(k)}"
        for k in ("vcpus", "ram", "disk")
        if isinstance(s_flavor.get(k), int)
        and isinstance(t_flavor.get(k), int)
        and t_flavor[k] < s_flavor[k]
    ]
    larger = [
        f"{k} {s_flavor.get(k)} -> {t_flavor.get(k)}"
        for k in ("vcpus", "ram", "disk")
        if isinstance(s_flavor.get(k), int)
        and isinstance(t_flavor.get(k), int)
        and t_flavor[k] > s_flavor[k]
    ]
    if smaller:
        ch.add(
            "flavor",
            s_flavor,
            t_flavor,
            Severity.ERROR,
            f"has a smaller flavor {_fmt(t_flavor.get('name'))} ({'; '.join(smaller)})",
        )
    elif larger:
        ch.add(
            "flavor",
            s_flavor,
            t_flavor,
            Severity.INFO,
            f"has a larger flavor {_fmt(t_flavor.get('name'))} ({'; '.join(larger)})",
        )
    elif r.name("flavors", s_flavor.get("name")) != t_flavor.get("name") and (
        s_flavor.get("name") and t_flavor.get("name")
    ):
        ch.add(
            "flavor.name",
            s_flavor.get("name"),
            t_flavor.get("name"),
            Severity.INFO,
            f"flavor renamed from {s_flavor.get('name')} to {t_flavor.get('name')} (same size)",
        )
    s_image, t_image = s.get("image"), t.get("image")
    if bool(s_image) != bool(t_image):
        ch.add(
            "image",
            s_image,
            t_image,
            Severity.WARNING,
            "now boots from a volume (had an image)"
            if s_image
            else f"now boots from image {_fmt((t_image or {}).get('name'))}",
        )
    elif s_image and t_image:
        s_name = r.name("images", s_image.get("name"))
        t_name = t_image.get("name")
        if s_name and t_name and s_name != t_name:
            ch.add(
                "image",
                s_image,
                t_image,
                Severity.WARNING,
                f"boots from image {t_name}, expected {s_name}",
            )
    _compare_plain(
        ch, "key_name", s.get("key_name"), t.get("key_name"), Severity.WARNING, "keypair"
    )
    _compare_plain(
        ch,
        "availability_zone",
        s.get("availability_zone"),
        t.get("availability_zone"),
        Severity.WARNING,
        "availability zone",
    )
    _compare_metadata(ch, s, t)
    if s.get("addresses") and not t.get("addresses"):
        ch.add(
            "addresses",
            sorted(s["addresses"]),
            [],
            Severity.WARNING,
            f"has no network address (had some on {_fmt(sorted(s['addresses']))})",
        )
    _compare_refs(
        ch,
        "volumes",
        s.get("volumes") or [],
        t.get("volumes") or [],
        "volumes",
        lambda label: f"no longer has volume {label} attached",
    )
    s_groups = {r.name("security_groups", g) for g in s.get("security_groups") or []}
    t_groups = set(t.get("security_groups") or [])
    lost = sorted(str(g) for g in s_groups - t_groups)
    if lost:
        ch.add(
            "security_groups",
            sorted(str(g) for g in s_groups),
            sorted(t_groups),
            Severity.WARNING,
            f"lost security group(s) {_fmt(lost)}",
        )


def compare_volumes(s: JSON, t: JSON, ch: Changes) -> None:
    s_status, t_status = s.get("status"), t.get("status")
    if s_status != t_status:
        if _is_error_status(t_status) and not _is_error_status(s_status):
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.ERROR,
                f"went into status {t_status} (was {s_status})",
            )
        elif {s_status, t_status} != {"available", "in-use"}:
            # available <-> in-use is what the attachments comparison explains.
            ch.add(
                "status",
                s_status,
                t_status,
                Severity.WARNING,
                f"status changed from {_fmt(s_status)} to {_fmt(t_status)}",
            )
    s_size, t_size = s.get("size"), t.get("size")
    if isinstance(s_size, int) and isinstance(t_size, int) and s_size != t_size:
        if t_size < s_size:
            ch.add(
                "size", s_size, t_size, Severity.ERROR, f"shrank from {s_size} GiB to {t_size} GiB"
            )
        else:
            ch.add("size", s_size, t_size, Severity.INFO, f"grew from {s_size} GiB to {t_size} GiB")
    if s.get("encrypted") and not t.get("encrypted"):
        ch.add("encrypted", True, False, Severity.ERROR, "lost its encryption")
    elif not s.get("encrypted") and t.get("encrypted"):
        ch.add("encrypted", False, True, Severity.INFO, "is now encrypted")
    if s.get("bootable") and not t.get("bootable"):
        ch.add("bootable", True, False, Severity.ERROR, "is no longer bootable")
    elif not s.get("bootable") and t.get("bootable"):
        ch.add("bootable", False, True, Severity.INFO, "is now bootable")
    _compare_plain(
        ch,
        "volume_type",
        s.get("volume_type"),
        t.get("volume_type"),
        Severity.WARNING,
        "volume type",
    )
    _compare_plain(
        ch,
        "availability_zone",
        s.get("availability_zone"),
        t.get("availability_zone"),
        Severity.WARNING,
        "availability zone",
    )
    _compare_metadata(ch, s, t)
    _compare_refs(
        ch,
        "attachments",
        s.get("attachments") or [],
        t.get("attachments") or [],
        "servers",
        lambda label: f"is no longer attached to server {label}",
    )


def compare_endpoints(s: JSON, t: JSON, ch: Changes) -> None:
    expected = ch.ctx.rules.url(s.get("url"))
    if expected != t.get("url"):
        ch.add(
            "url",
            expected,
            t.get("url"),
            Severity.ERROR,
            f"URL is {_fmt(t.get('url'))}, expected {_fmt(expected)}",
        )
    if s.get("enabled") and not t.get("enabled"):
        ch.add("enabled", True, False, Severity.ERROR, "is disabled in the target")
    _compare_plain(
        ch,
        "service_name",
        s.get("service_name"),
        t.get("service_name"),
        Severity.INFO,
        "service name",
    )


COMPARATORS: dict[str, Callable[[JSON, JSON, Changes], None]] = {
    "projects": compare_projects,
    "servers": compare_servers,
    "volumes": compare_volumes,
    "endpoints": compare_endpoints,
}


# -- residue ----------------------------------------------------------------------


def residue_hits(rules: Rules, item: JSON) -> list[tuple[str, str]]:
    """(field, matched text) of every old-brand string left in a target item."""
    if not rules.residue:
        return []
    values: list[tuple[str, Any]] = [
        ("name", item.get("name")),
        ("description", item.get("description")),
        ("url", item.get("url")),
    ]
    metadata = item.get("metadata")
    if isinstance(metadata, Mapping):
        values.extend(
            (f"metadata.{k}", v) for k, v in sorted(metadata.items()) if k != rules.metadata_key
        )
    hits = []
    for field, value in values:
        if not isinstance(value, str) or not value:
            continue
        for pattern in rules.residue:
            found = pattern.search(value)
            if found:
                hits.append((field, found.group(0)))
                break
    return hits


# -- the diff ------------------------------------------------------------------------


def _collection_order(names: Iterable[str]) -> list[str]:
    rank = {name: i for i, name in enumerate(ALL_COLLECTIONS)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


def _side(snapshot: Snapshot, complete: bool) -> Side:
    """``complete`` also covers collections the other snapshot has and this one lacks."""
    return Side(snapshot.cloud, snapshot.region, snapshot.taken_at, complete)


def _missing_result(side: str) -> CollectionResult:
    return CollectionResult(Status.ERROR, error=f"not in the {side} snapshot")


class Differ:
    """One diff of a source and a target snapshot under rules."""

    def __init__(self, source: Snapshot, target: Snapshot, rules: Rules, fail_on: Severity) -> None:
        self.source = source
        self.target = target
        self.rules = rules
        self.fail_on = fail_on
        self.findings: list[Finding] = []

    def group(self, name: str, source: JSON | None, target: JSON | None) -> str | None:
        """The target project a finding is about: its counterpart's name, or the expected one."""
        if target is not None:
            return target.get("name") if name == "projects" else target.get("project")
        if source is None:
            return None
        if name == "projects":
            counterpart = self.matcher.project_map.get(str(source["id"]))
            if counterpart is not None:
                return self.target_projects.get(counterpart)
            return self.rules.name("projects", source.get("name"))
        if name not in PROJECT_OWNED_COLLECTIONS:
            return None
        counterpart = self.matcher.project_map.get(str(source.get("project_id")))
        if counterpart is not None and counterpart in self.target_projects:
            return self.target_projects[counterpart]
        return self.rules.name("projects", source.get("project"))

    def kind_severity(self, collection: str, kind: Kind) -> Severity:
        return self.rules.severity_for(collection, kind.value, DEFAULT_KIND_SEVERITY[kind])

    def run(self, generated_at: str | None = None) -> Report:
        names = _collection_order([*self.source.collections, *self.target.collections])
        results = {
            name: (
                self.source.collections.get(name) or _missing_result("source"),
                self.target.collections.get(name) or _missing_result("target"),
            )
            for name in names
        }
        complete = {name: s.complete and t.complete for name, (s, t) in results.items()}
        matcher = Matcher(self.rules)
        self.matcher = matcher
        target_projects = results["projects"][1].items if "projects" in results else ()
        self.target_projects = {str(p["id"]): p.get("name") for p in target_projects}
        matchings: dict[str, Matching] = {}
        for name in names:
            source_result, target_result = results[name]
            for side, result in (("source", source_result), ("target", target_result)):
                if not result.complete:
                    self._incomplete(name, side, result)
            matchings[name] = matcher.match(name, source_result.items, target_result.items)

        maps = {name: m.id_map() for name, m in matchings.items()}
        ctx = Context(
            rules=self.rules,
            maps=maps,
            counterparts={name: frozenset(ids.values()) for name, ids in maps.items()},
            complete=complete,
            target_items={
                name: {str(i["id"]): i for i in results[name][1].items} for name in names
            },
        )
        summary: dict[str, CollectionSummary] = {}
        changed_ids: dict[str, set[str]] = {}
        for name in names:
            source_result, target_result = results[name]
            summary[name], changed_ids[name] = self._collection(
                name, matchings[name], ctx, source_result.complete, target_result.complete
            )
        self._residue(names, matchings, results)
        findings = sorted(self.findings, key=self._sort_key(names))
        verdict = self._verdict(findings)
        return Report(
            source=_side(self.source, all(s.complete for s, _ in results.values())),
            target=_side(self.target, all(t.complete for _, t in results.values())),
            verdict=verdict,
            exit_code=EXIT_CODES[verdict],
            fail_on=self.fail_on,
            summary=summary,
            findings=tuple(findings),
            scorecard=self._scorecard(matchings, changed_ids),
            generated_at=generated_at or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    # -- per collection -------------------------------------------------------

    def _incomplete(self, name: str, side: str, result: CollectionResult) -> None:
        consequence = (
            "missing items are not reported"
            if side == "target"
            else "unexpected items are not reported"
        )
        self.findings.append(
            Finding(
                id=finding_id(Kind.INCOMPLETE, name, side),
                kind=Kind.INCOMPLETE,
                collection=name,
                severity=self.kind_severity(name, Kind.INCOMPLETE),
                side=side,
                message=f"{name} could not be listed completely in the {side}"
                f" ({result.error or result.status.value}); {consequence} until it can.",
            )
        )

    def _collection(
        self, name: str, m: Matching, ctx: Context, source_complete: bool, target_complete: bool
    ) -> tuple[CollectionSummary, set[str]]:
        thing = noun(name)
        # An incomplete side proves nothing about absence: a target that failed
        # to list has no "missing", a source that failed has no "unexpected".
        if not target_complete:
            m.missing = []
        if not source_complete:
            m.unexpected = []
        changed: set[str] = set()
        partial = 0
        comparator = COMPARATORS.get(name)
        for pair in m.pairs:
            if pair.source.get("partial") or pair.target.get("partial"):
                partial += 1
                continue
            if comparator is None:
                continue
            changes = Changes(name, ctx)
            comparator(pair.source, pair.target, changes)
            if changes.items:
                changed.add(str(pair.source["id"]))
                self.findings.append(self._changed(name, pair, changes.items))
        missing = m.missing
        for item in missing:
            expected = self._expected_label(name, item)
            self.findings.append(
                Finding(
                    id=finding_id(Kind.MISSING, name, str(item["id"])),
                    kind=Kind.MISSING,
                    collection=name,
                    severity=self.kind_severity(name, Kind.MISSING),
                    source=ref(item),
                    project=self.group(name, item, None),
                    message=f"{thing} {ref(item).label} has no counterpart in the target"
                    f" (looked for {expected}); restore it or record its fate.",
                )
            )
        unexpected = m.unexpected
        for item in unexpected:
            self.findings.append(
                Finding(
                    id=finding_id(Kind.UNEXPECTED, name, str(item["id"])),
                    kind=Kind.UNEXPECTED,
                    collection=name,
                    severity=self.kind_severity(name, Kind.UNEXPECTED),
                    target=ref(item),
                    project=self.group(name, None, item),
                    message=f"{thing} {ref(item).label} is in the target but matches no source"
                    f" {thing}; check it belongs to the migration, or narrow the scope.",
                )
            )
        ambiguous_sources = 0
        for amb in m.ambiguous:
            ambiguous_sources += len(amb.sources)
            ids = sorted(str(i["id"]) for i in (*amb.sources, *amb.targets))
            first = amb.sources[0]
            self.findings.append(
                Finding(
                    id=finding_id(Kind.AMBIGUOUS, name, *ids),
                    kind=Kind.AMBIGUOUS,
                    collection=name,
                    severity=self.kind_severity(name, Kind.AMBIGUOUS),
                    source=ref(first),
                    candidates=tuple(ref(i) for i in (*amb.sources[1:], *amb.targets)),
                    matched_by=amb.strategy,
                    project=self.group(name, first, amb.targets[0] if amb.targets else None),
                    message=f"{len(amb.sources)} source and {len(amb.targets)} target {thing}(s)"
                    f" claim the same key as {ref(first).label} ({amb.strategy}); none was paired:"
                    " give them distinct names or match them with an id map.",
                )
            )
        summary = CollectionSummary(
            source=m.source_count,
            target=m.target_count,
            matched=len(m.pairs),
            missing=len(missing),
            unexpected=len(unexpected),
            changed=len(changed),
            ambiguous=ambiguous_sources,
            partial=partial,
            complete=source_complete and target_complete,
        )
        return summary, changed

    def _expected_label(self, name: str, item: JSON) -> str:
        r = self.rules
        if name == "endpoints":
            return (
                f"{item.get('service_type')}/{item.get('interface')}/{r.region(item.get('region'))}"
            )
        renamed = r.name(name, item.get("name")) or item.get("id")
        if name == "projects":
            return f"{r.domain(item.get('domain'))}/{renamed}"
        if name in PROJECT_OWNED_COLLECTIONS:
            return f"{r.name('projects', item.get('project'))}/{renamed}"
        return str(renamed)

    def _changed(self, name: str, pair: Pair, changes: Sequence[Change]) -> Finding:
        ordered = sorted(changes, key=lambda c: (-c.severity.rank, c.field))
        top = ordered[0]
        more = len(ordered) - 1
        tail = f" (and {more} more difference{'s' if more > 1 else ''})" if more else ""
        target = ref(pair.target)
        return Finding(
            id=finding_id(Kind.CHANGED, name, str(pair.source["id"]), str(pair.target["id"])),
            kind=Kind.CHANGED,
            collection=name,
            severity=top.severity,
            source=ref(pair.source),
            target=target,
            matched_by=pair.matched_by,
            project=self.group(name, pair.source, pair.target),
            changes=tuple(sorted(changes, key=lambda c: c.field)),
            message=f"{noun(name)} {target.label} {top.message}{tail}.",
        )

    def _residue(
        self,
        names: Sequence[str],
        matchings: Mapping[str, Matching],
        results: Mapping[str, tuple[CollectionResult, CollectionResult]],
    ) -> None:
        if not self.rules.residue:
            return
        for name in names:
            m = matchings[name]
            paired = {str(p.target["id"]) for p in m.pairs}
            unexpected = {str(t["id"]) for t in m.unexpected}
            for item in results[name][1].items:
                key = str(item["id"])
                if key not in paired and key not in unexpected:
                    continue  # outside the migration's scope
                hits = residue_hits(self.rules, item)
                if not hits:
                    continue
                where = ", ".join(f"{field} ({text!r})" for field, text in hits)
                self.findings.append(
                    Finding(
                        id=finding_id(Kind.RESIDUE, name, key),
                        kind=Kind.RESIDUE,
                        collection=name,
                        severity=self.kind_severity(name, Kind.RESIDUE),
                        target=ref(item),
                        project=self.group(name, None, item),
                        changes=tuple(
                            Change(
                                field,
                                None,
                                text,
                                self.kind_severity(name, Kind.RESIDUE),
                                "old-brand string",
                            )
                            for field, text in hits
                        ),
                        message=f"{noun(name)} {ref(item).label} still carries the old brand in"
                        f" {where}; rename it.",
                    )
                )

    def _verdict(self, findings: Sequence[Finding]) -> Verdict:
        if any(
            f.kind is not Kind.INCOMPLETE and f.severity.rank >= self.fail_on.rank for f in findings
        ):
            return Verdict.DISCREPANCIES
        if any(f.kind is Kind.INCOMPLETE for f in findings):
            return Verdict.INCOMPLETE
        return Verdict.VERIFIED

    @staticmethod
    def _sort_key(names: Sequence[str]) -> Callable[[Finding], tuple[Any, ...]]:
        rank = {name: i for i, name in enumerate(names)}

        def key(f: Finding) -> tuple[Any, ...]:
            side = f.target or f.source
            label = side.label if side is not None else ""
            return (
                rank.get(f.collection, len(rank)),
                -f.severity.rank,
                KIND_ORDER[f.kind],
                f.project or "",
                label,
                f.id,
            )

        return key

    def _scorecard(
        self, matchings: Mapping[str, Matching], changed: Mapping[str, set[str]]
    ) -> tuple[ProjectScore, ...]:
        projects = matchings.get("projects")
        if projects is None:
            return ()
        counterpart = {str(p.source["id"]): p.target for p in projects.pairs}
        sources = [p.source for p in projects.pairs] + list(projects.missing)
        for amb in projects.ambiguous:
            sources.extend(amb.sources)
        counts: dict[str, list[int]] = {str(s["id"]): [0, 0, 0] for s in sources}
        for name, m in matchings.items():
            if name not in PROJECT_OWNED_COLLECTIONS:
                continue
            for pair in m.pairs:
                row = counts.get(str(pair.source.get("project_id")))
                if row is not None:
                    row[0] += 1
                    if str(pair.source["id"]) in changed.get(name, set()):
                        row[2] += 1
            for item in m.missing:
                row = counts.get(str(item.get("project_id")))
                if row is not None:
                    row[1] += 1
        rows = [
            ProjectScore(
                source=ref(s),
                target=ref(counterpart[str(s["id"])]) if str(s["id"]) in counterpart else None,
                matched=counts[str(s["id"])][0],
                missing=counts[str(s["id"])][1],
                changed=counts[str(s["id"])][2],
            )
            for s in sources
        ]
        rows.sort(key=lambda r: (r.source.domain or "", r.source.name or "", r.source.id))
        return tuple(rows)


def diff(
    source: Snapshot,
    target: Snapshot,
    rules: Rules | None = None,
    *,
    fail_on: Severity = Severity.ERROR,
    generated_at: str | None = None,
) -> Report:
    """Diff two snapshots under rules (default: match by id, then name)."""
    return Differ(source, target, rules or Rules(), fail_on).run(generated_at)
