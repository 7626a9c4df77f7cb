"""Compare policies: how a field of a matched pair is compared, and what is said.

The policies are a closed union (:data:`Compare`): the diff dispatches on it
with ``match`` and ``assert_never``, so a policy without a handler is a type
error. Messages are templates: ``{was}``/``{now}`` are the source and target
values as people read them (``none`` for null or empty), ``{source}``/
``{target}`` the raw values, ``{expected}`` the source value after the rules'
renaming, ``{label}`` the name of a referenced item.

Where the API is irregular, :class:`Custom` holds code, written beside its
collection's declaration. It talks to the diff only through the protocols
below (:class:`ChangeSink`, :class:`CompareContext`), so the catalog never
imports the diff.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from auditor.model import Severity

if TYPE_CHECKING:
    from auditor.catalog.spec import Record

JSON = dict[str, Any]


class Rename(enum.Enum):
    """Which of the rules' renamings a value goes through."""

    NONE = "none"
    NAME = "name"
    """``rename.names`` of a collection (the item's own, or another's)."""
    DOMAIN = "domain"
    """``rename.domains``."""
    REGION = "region"
    """``rename.regions``."""
    URL = "url"
    """``rename.urls``."""


# -- the protocols custom code sees -------------------------------------------------------


class Renames(Protocol):
    """The rules, as comparisons and keys see them."""

    @property
    def metadata_key(self) -> str | None: ...

    def name(self, collection: str, name: str | None) -> str | None: ...

    def domain(self, name: str | None) -> str | None: ...

    def region(self, name: str | None) -> str | None: ...

    def url(self, url: str | None) -> str | None: ...

    def dns_text(self, text: str | None) -> str | None: ...

    def fold_of(self, project: str | None) -> object | None: ...


class CompareContext(Protocol):
    """What a comparison may consult besides the pair itself."""

    @property
    def rules(self) -> Renames: ...

    @property
    def maps(self) -> Mapping[str, Mapping[str, str]]:
        """Collection -> source id -> target id, from matching."""

    @property
    def complete(self) -> Mapping[str, bool]:
        """Collection -> listed completely on both sides (absent: not in the diff)."""

    @property
    def target_items(self) -> Mapping[str, Mapping[str, JSON]]: ...

    @property
    def source_items(self) -> Mapping[str, Mapping[str, JSON]]: ...

    @property
    def counterparts(self) -> Mapping[str, frozenset[str]]:
        """Collection -> ids of the target items that are some source item's counterpart."""

    def index(self, name: str, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per diff under ``name``."""

    def counterpart_label(self, collection: str, target_id: str) -> str: ...

    def source_label(self, collection: str, source_id: str) -> str: ...


class ChangeSink(Protocol):
    """Where a comparison puts the differences of one pair."""

    @property
    def ctx(self) -> CompareContext: ...

    @property
    def matched_by(self) -> str | None: ...

    def wanted(self, field: str) -> bool:
        """False when the rules ignore ``field``."""

    def affects(self, target_project_ids: Iterable[str]) -> None:
        """The change is about these target projects too (for the scorecard)."""

    def add(
        self,
        field: str,
        source: Any,
        target: Any,
        default: Severity,
        message: str,
        *,
        texts: tuple[str | None, str | None] = (None, None),
    ) -> None:
        """One difference; ``texts``: how people read the values, when they are ids."""

    def refs(
        self,
        field: str,
        source_ids: Iterable[str],
        target_ids: Iterable[str],
        via: str,
        *,
        lost: str,
        gained: str,
        unpaired: str | None = None,
        label: Callable[[JSON], str] | None = None,
    ) -> None:
        """References compared through the matches of ``via`` (see :class:`Ref`)."""


def renamed(rules: Renames, collection: str, rename: Rename, of: str | None, value: Any) -> Any:
    """``value`` after the rules' renaming of kind ``rename`` (``of``: whose names)."""
    if rename is Rename.NAME:
        return rules.name(of or collection, value)
    if rename is Rename.DOMAIN:
        return rules.domain(value)
    if rename is Rename.REGION:
        return rules.region(value)
    if rename is Rename.URL:
        return rules.url(value)
    return value


CustomCheck = Callable[[JSON, JSON, ChangeSink], None]
"""Adds what differs between a matched source and target item."""


# -- the policies ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Ignore:
    """Shown, never compared (ids, fields that are part of the key, usage...)."""


@dataclass(frozen=True, eq=False, repr=False)
class Exact:
    """Changed -> ``severity``: ``{what} changed from {was} to {now}`` unless ``message``."""

    severity: Severity
    what: str = ""
    message: str | None = None
    blank: Any = None
    """An empty value (null, "", []) reads as this one (``""``: none and empty are the same)."""
    known: bool = False
    """Not compared while the source value is unknown (null)."""
    show: Callable[[Any], str] | None = None
    """How people read a value (then also the change's texts)."""
    unless_folded: bool = False
    """Not compared for a project of a fold (its target cannot carry every source's)."""


@dataclass(frozen=True, eq=False, repr=False)
class Renamed:
    """The target value must be the source value renamed by the rules; ``message`` may
    use ``{now}`` and ``{expected}``."""

    severity: Severity
    message: str
    rename: Rename = Rename.NAME
    of: str | None = None
    """With ``Rename.NAME``: the collection whose renaming applies (default: its own)."""
    matched: bool = False
    """A record's name of an item of ``of`` (of the same project): the name of that
    item's counterpart when ``of`` is in the diff, through its matches (whatever
    strategy paired it), else (or without counterpart) the renamed name."""


@dataclass(frozen=True, eq=False, repr=False)
class Flag:
    """A boolean lost (true -> false: ``lost``) or gained (``gained``; None: not said)."""

    lost: str
    gained: str | None
    lost_severity: Severity = Severity.ERROR
    gained_severity: Severity = Severity.INFO
    default: bool = False
    """The value of an item without the field."""
    known: bool = False
    """Not compared while either value is unknown (null or absent: a microversion that
    does not give it, a snapshot taken before the field was read); ``default`` then unused."""


@dataclass(frozen=True, eq=False, repr=False)
class Sized:
    """An integer that must not shrink: ``smaller``/``larger`` may use ``{was}``, ``{now}``."""

    smaller: str
    larger: str
    smaller_severity: Severity = Severity.ERROR
    larger_severity: Severity = Severity.INFO


@dataclass(frozen=True, eq=False, repr=False)
class Status:
    """A status that became unusable (error), or changed otherwise (warning)."""

    explained: frozenset[str] = frozenset()
    """Changes between these statuses are left to another field (available <-> in-use)."""
    with_previous: bool = True
    """The error message says the previous status."""
    unusable: frozenset[str] | None = None
    """Statuses that are an error (None: the ones starting with ``error``)."""
    message: str | None = None
    """The error message (default: ``went into status {target} (was {source})``)."""


@dataclass(frozen=True, eq=False, repr=False)
class Metadata:
    """Key by key (secret-looking values masked), the rules' metadata key left out."""


@dataclass(frozen=True, eq=False, repr=False)
class Ref:
    """Ids of items of collection ``to``, compared through its matches: each source id's
    counterpart must be there (``lost``, error), a counterpart of another source item
    is new (``gained``, info); with ``unpaired``, a source id whose item has no
    counterpart at all is lost too."""

    to: str
    lost: str
    gained: str
    unpaired: str | None = None
    label: Callable[[JSON], str] | None = None
    """How an item of ``to`` is named (default: its reference label)."""


@dataclass(frozen=True, eq=False, repr=False)
class RefByName:
    """Names of items of collection ``to`` (of the same project), compared through its
    matches when it is in the diff, else after renaming: a lost one -> ``message``."""

    to: str
    severity: Severity
    message: str
    """May use ``{lost}``."""


@dataclass(frozen=True, eq=False, repr=False)
class SetOf:
    """A multiset of records: each one lost (``lost``) or gained (``gained``); the
    source records' fields with a :class:`Renamed` policy are renamed first."""

    record: Record
    describe: Callable[[JSON], str]
    lost: str = "lost {text}"
    gained: str = "gained {text}"
    lost_severity: Severity = Severity.ERROR
    gained_severity: Severity = Severity.WARNING


@dataclass(frozen=True, eq=False, repr=False)
class Kept:
    """Every source element must still be in the target: the lost ones -> ``message``
    (``{lost}``); ``key`` says when two elements are the same, ``describe`` how one reads
    (then the change's texts list them all)."""

    severity: Severity
    message: str
    key: Callable[[Any], Any] | None = None
    describe: Callable[[Any], str] | None = None
    known: bool = False
    """Not compared while either value is unknown (null or absent), else null reads as
    empty."""


@dataclass(frozen=True, eq=False, repr=False)
class Limits:
    """Quota limits ``{resource: limit}`` against the source's limits and its usage
    (the ``usage`` field), -1 unlimited; in a fold, against the sources' usage together."""

    usage: str = "usage"


@dataclass(frozen=True, eq=False, repr=False)
class Custom:
    """Code, where the API is irregular: ``check(source, target, sink)``."""

    check: CustomCheck
    says: str = ""
    """What it reports, for the documentation (``lost member: error``)."""
    to: tuple[str, ...] = ()
    """Collections whose matches or renaming it reads (the relationship edges)."""
    same: tuple[str, ...] = ()
    """Fields whose values, the same on both sides, prove that ``check`` finds nothing
    (no renaming, no matches read): the diff does not call it then. Empty: always called."""


Compare = (
    Ignore
    | Exact
    | Renamed
    | Flag
    | Sized
    | Status
    | Metadata
    | Ref
    | RefByName
    | SetOf
    | Kept
    | Limits
    | Custom
)
"""How a field is compared (a closed union: the diff matches on it)."""

IGNORE = Ignore()


def describe(policy: Compare) -> str:
    """What a field's comparison reports, for the documentation (``lost: error``)."""
    match policy:
        case Ignore():
            return ""
        case Exact(severity=severity):
            return f"changed: {severity.value}"
        case Renamed(severity=severity, matched=True):
            return f"not the counterpart's name (else the renamed name): {severity.value}"
        case Renamed(severity=severity):
            return f"not the source value renamed: {severity.value}"
        case Flag(lost_severity=lost, gained=gained, gained_severity=won):
            return f"lost: {lost.value}" + (f"; gained: {won.value}" if gained else "")
        case Sized(smaller_severity=smaller, larger_severity=larger):
            return f"smaller: {smaller.value}; larger: {larger.value}"
        case Status():
            return "into an unusable status: error; other change: warning"
        case Metadata():
            return "key lost or changed: warning; key gained: info"
        case Ref(to=to):
            return f"reference lost (through the {to} matches): error; new one: info"
        case RefByName(to=to, severity=severity):
            return f"name lost (through the {to} matches): {severity.value}"
        case SetOf(record=record, lost_severity=lost, gained_severity=gained):
            return f"{record.noun} lost: {lost.value}; gained: {gained.value}"
        case Kept(severity=severity):
            return f"an element lost: {severity.value}"
        case Limits():
            return "below the source's usage: error; lowered: warning; raised: info"
        case Custom(says=says):
            return says
    return ""
