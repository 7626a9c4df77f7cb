"""Waivers (``--waivers FILE``, ``auditor.waivers/v1`` YAML): accepted differences, for a while.

::

    version: 1
    waivers:
      - finding: f-3c9a0b1c2d3e4f50          # one finding, by its stable id
        reason: "CHG-1234: volume shrunk on purpose, data moved to object storage"
        owner: storage-team@example.com
        expires: 2026-12-31
      - collection: servers                   # or a pattern: every key given must match
        kind: changed
        name: 'tmp-*'                         # glob on the source or target item's name
        project: 'ocb-acme*'                  # glob on the finding's project
        origin: 'numergy@*'                   # glob on the finding's source (mergers)
        reason: "scratch servers, rebuilt by the customer"
        owner: alice
        expires: 2027-03-31

A finding that a waiver in force matches stays in the report, marked
``waived`` (reason, owner, expiry), and no longer counts toward the verdict
and the exit code. A waiver is in force up to and including its ``expires``
day (UTC); after it, it is itself a ``waiver_expired`` finding (a warning by
default) and the findings it matched count again.

Validation is as strict as the rules file's (same messages: file, line, key):
unknown keys, wrong types, impossible dates, globs that cannot be meant, a
waiver that is both an id and a pattern, or the same finding waived twice.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import yaml

from auditor.catalog.registry import NAMES as ALL_COLLECTIONS
from auditor.errors import WaiversError
from auditor.model import Finding, Kind, Severity, WaiverNote, WaiverSummary, finding_id

# The rules file's validation helpers: one way of naming file, line and key.
from auditor.yamldoc import Located, Path, load_document

PATTERN_KEYS = ("collection", "kind", "name", "project", "origin")
"""The keys of a pattern waiver (a waiver is a ``finding`` id or a pattern)."""

WAIVERS_COLLECTION = "waivers"
"""Collection of a waiver_expired finding whose waiver names none."""


@dataclass(frozen=True)
class Waiver:
    """One accepted difference."""

    reason: str
    owner: str
    expires: date
    """Last day in force (UTC)."""
    finding: str | None = None
    """A finding id; or None for a pattern."""
    collection: str | None = None
    kind: Kind | None = None
    name: str | None = None
    """Glob on the name of the finding's source or target item (or of a candidate)."""
    project: str | None = None
    """Glob on the finding's project, or its source or target item's project."""
    origin: str | None = None
    """Glob on the label of the finding's source (multi-source mergers)."""
    line: int | None = None
    """Line of the waiver in its file."""

    def in_force(self, today: date) -> bool:
        return today <= self.expires

    def matches(self, f: Finding) -> bool:
        if self.finding is not None:
            return f.id == self.finding
        if self.collection is not None and f.collection != self.collection:
            return False
        if self.kind is not None and f.kind is not self.kind:
            return False
        refs = [r for r in (f.source, f.target, *f.candidates) if r is not None]
        if self.name is not None and not any(
            r.name is not None and fnmatch.fnmatchcase(r.name, self.name) for r in refs
        ):
            return False
        if self.project is not None:
            projects = {f.project, *(r.project for r in refs)} - {None}
            if not any(fnmatch.fnmatchcase(str(p), self.project) for p in projects):
                return False
        if self.origin is None:
            return True
        origins = f.origin.split(", ") if f.origin else []
        return any(fnmatch.fnmatchcase(o, self.origin) for o in origins)

    @property
    def key(self) -> str:
        """What identifies the waiver (its finding id, or its pattern), for stable ids."""
        if self.finding is not None:
            return f"finding={self.finding}"
        return "|".join(
            f"{k}={getattr(self, k).value if k == 'kind' and self.kind else getattr(self, k)}"
            for k in PATTERN_KEYS
            if getattr(self, k) is not None
        )

    def describe(self) -> str:
        """``finding f-…`` or ``servers changed name=tmp-* project=ocb-*``, plus its line."""
        if self.finding is not None:
            what = f"finding {self.finding}"
        else:
            parts = [self.collection or "", self.kind.value if self.kind else ""]
            parts += [f"{k}={getattr(self, k)}" for k in ("name", "project", "origin")]
            what = " ".join(p for p in parts if p and not p.endswith("=None")) or "(every finding)"
        return f"{what} (line {self.line})" if self.line else what

    def note(self, covers: Iterable[str] = ()) -> WaiverNote:
        return WaiverNote(self.reason, self.owner, self.expires.isoformat(), tuple(covers))


@dataclass(frozen=True)
class Waivers:
    """A waivers file, validated."""

    items: tuple[Waiver, ...]
    origin: str
    """The file the waivers were read from."""


# -- loading ------------------------------------------------------------------------


class _NoDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: an impossible one (2026-02-30) is then an
    error naming its line, instead of PyYAML's bare ValueError."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _check_glob(glob: str, path: Path, loc: Located) -> None:
    """Refuse globs that cannot be what the operator meant."""
    if glob.startswith("^") or glob.endswith("$"):
        raise loc.error(path, f"{glob!r} looks like a regex; use a glob (*, ?, [abc])")
    i = 0
    while i < len(glob):
        if glob[i] == "[":
            # fnmatch: a ']' right after '[' or '[!' is a member, not the end.
            start = i + 2 if glob[i + 1 : i + 2] == "!" else i + 1
            close = glob.find("]", start + 1 if glob[start : start + 1] == "]" else start)
            if close < 0:
                raise loc.error(path, f"{glob!r}: '[' at position {i + 1} is never closed")
            i = close
        i += 1


def parse_waivers(text: str, origin: str = "<waivers>") -> Waivers:
    """Parse and validate waivers text; ``origin`` names the file in errors.

    Raises :class:`~auditor.errors.WaiversError` (exit code 2) naming the file,
    the line and the key.
    """
    data, loc = load_document(
        text,
        origin,
        schema="waivers",
        error=WaiversError,
        empty="empty waivers file (expected 'version: 1' and 'waivers:')",
        loader=_NoDatesLoader,
    )
    items: list[Waiver] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(data["waivers"]):
        path: Path = ("waivers", index)
        items.append(_waiver(raw, path, loc))
        waiver = items[-1]
        if waiver.key in seen:
            first = seen[waiver.key]
            raise loc.error(path, f"waives {waiver.describe()} again (first at line {first})")
        seen[waiver.key] = waiver.line
    return Waivers(tuple(items), origin)


def _waiver(raw: dict[str, Any], path: Path, loc: Located) -> Waiver:
    pattern = [k for k in PATTERN_KEYS if k in raw]
    if "finding" in raw and pattern:
        raise loc.error(
            (*path, pattern[0]),
            "a waiver is either one finding (finding: f-...) or a pattern, not both",
        )
    if "finding" not in raw and not pattern:
        raise loc.error(
            path, f"needs finding: <id>, or a pattern of at least one of {', '.join(PATTERN_KEYS)}"
        )
    collection = raw.get("collection")
    if collection is not None and collection not in ALL_COLLECTIONS:
        raise loc.error(
            (*path, "collection"),
            f"unknown collection {collection!r} (known: {', '.join(ALL_COLLECTIONS)})",
        )
    for key in ("name", "project", "origin"):
        if key in raw:
            _check_glob(raw[key], (*path, key), loc)
    try:
        expires = date.fromisoformat(raw["expires"])
    except ValueError:
        raise loc.error(
            (*path, "expires"), f"{raw['expires']!r} is not a date (expected YYYY-MM-DD)"
        ) from None
    return Waiver(
        reason=raw["reason"].strip(),
        owner=raw["owner"].strip(),
        expires=expires,
        finding=raw.get("finding"),
        collection=collection,
        kind=Kind(raw["kind"]) if "kind" in raw else None,
        name=raw.get("name"),
        project=raw.get("project"),
        origin=raw.get("origin"),
        line=loc.lines.get(path),
    )


# -- applying -------------------------------------------------------------------------


SeverityOf = Callable[[str, Kind], Severity]
"""(collection, kind) -> severity, after the rules' overrides."""


def apply(
    findings: Sequence[Finding],
    waivers: Waivers,
    today: date,
    severity_of: SeverityOf,
) -> tuple[list[Finding], WaiverSummary]:
    """``findings`` with the waivers applied, then one waiver_expired finding per expired
    waiver; and the summary of what was done.

    A finding is waived by the first waiver in force (in file order) that matches
    it. The findings an expired waiver matches are not waived by it: they count.
    """
    out: list[Finding] = []
    used: set[int] = set()
    covered: dict[int, list[Finding]] = {}
    for f in findings:
        waived_by = None
        for index, w in enumerate(waivers.items):
            if not w.matches(f):
                continue
            if w.in_force(today):
                if waived_by is None:
                    waived_by = index
            else:
                covered.setdefault(index, []).append(f)
        if waived_by is None:
            out.append(f)
        else:
            used.add(waived_by)
            out.append(replace(f, waived=waivers.items[waived_by].note()))
    expired = [
        _expired(w, covered.get(index, []), severity_of)
        for index, w in enumerate(waivers.items)
        if not w.in_force(today)
    ]
    out.extend(sorted(expired, key=lambda f: (f.collection, f.id)))
    unused = tuple(
        w.describe()
        for index, w in enumerate(waivers.items)
        if w.in_force(today) and index not in used
    )
    summary = WaiverSummary(
        file=waivers.origin,
        as_of=today.isoformat(),
        waived=sum(1 for f in out if not f.counted),
        expired=len(expired),
        unused=unused,
    )
    return out, summary


def _expired(w: Waiver, covered: Sequence[Finding], severity_of: SeverityOf) -> Finding:
    collections = {f.collection for f in covered}
    collection = w.collection or (
        collections.pop() if len(collections) == 1 else WAIVERS_COLLECTION
    )
    projects = {f.project for f in covered}
    project = projects.pop() if len(projects) == 1 else None
    severity = (
        severity_of(collection, Kind.WAIVER_EXPIRED)
        if collection in ALL_COLLECTIONS
        else Severity.WARNING
    )
    count = len(covered)
    consequence = (
        f"the {count} finding{'s' if count != 1 else ''} it matches count again"
        if count
        else "it matches no finding any more"
    )
    return Finding(
        id=finding_id(Kind.WAIVER_EXPIRED, WAIVERS_COLLECTION, w.key),
        kind=Kind.WAIVER_EXPIRED,
        collection=collection,
        severity=severity,
        project=project,
        waiver=w.note(f.id for f in covered),
        message=f"waiver of {w.describe()} ({w.reason!r}, owner {w.owner}) expired on"
        f" {w.expires.isoformat()}; {consequence}: fix them, or renew or remove the waiver.",
    )
