"""The declaration types of the catalog: one :class:`CollectionSpec` per collection.

A collection is declared once, as data: the requests that list it (service,
path, query, the all-projects parameter, paging style, microversions,
fan-out), the other listings it looks names up in, how its items are
matched (:class:`MatchKey`, :class:`Owner`), and its fields, each with its
API source (:mod:`auditor.catalog.sources`), its JSON type, a one-line doc
and its compare policy (:mod:`auditor.catalog.policies`). Collection,
matching, the diff, the schemas, the docs tables and the ``--collections``
choices are all derived from these declarations (:mod:`auditor.catalog.registry`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from auditor.catalog.policies import IGNORE, Compare, Rename, Renames
from auditor.catalog.sources import Source
from auditor.catalog.text import version
from auditor.catalog.types import RawTypes, Schema

if TYPE_CHECKING:
    from auditor.catalog.lookups import Lookups

JSON = dict[str, Any]

FAN_OUT_KEY = "@for"
"""Key a fan-out listing adds to each of its raw items: the id of the item it was asked for."""

NO_QUERY: Mapping[str, str] = MappingProxyType({})
NO_SHAPES: Mapping[str, RawTypes] = MappingProxyType({})


class Paging(enum.Enum):
    """How a listing is walked to its end."""

    LINKS = "links"
    """The service's next links: ``<key>_links`` (Nova, Cinder, Neutron), Keystone's
    ``links.next``, Glance's ``next``; limit and marker."""
    OFFSET = "offset"
    """``limit`` and ``offset``, no link: pages are asked until a short one."""
    SWIFT = "swift"
    """Swift's account and container listings: a bare JSON list (``format=json``) in
    name order, asked again from ``marker`` (the last name) until a short page or an
    empty one (204); the item's details come in headers (:mod:`auditor.collect.swift`)."""
    UNPAGED = "unpaged"
    """One answer holds every item; a list the service cut (Keystone's ``list_limit``,
    ``truncated``) is asked again whole another way (:mod:`auditor.collect.list_limit`)."""


class Owner(enum.Enum):
    """Who an item belongs to: what its match key is made within."""

    CLOUD = "cloud"
    """The cloud's own (endpoints, regions, services, domains, flavors): its key alone."""
    DOMAIN = "domain"
    """A domain's (projects): its key includes the (renamed) domain."""
    USER = "user"
    """A user's (keypairs): its key includes the (renamed) domain and the user."""
    PROJECT = "project"
    """A project's: keyed within its project's counterpart; a scorecard row's resource."""


class Family(enum.Enum):
    """The catalog module (service) a collection is declared in."""

    IDENTITY = "identity"
    COMPUTE = "compute"
    BLOCK_STORAGE = "block_storage"
    IMAGE = "image"
    NETWORK = "network"
    QUOTAS = "quotas"
    DNS = "dns"
    LOAD_BALANCER = "load_balancer"
    ORCHESTRATION = "orchestration"
    OBJECT_STORE = "object_store"


@dataclass(frozen=True, eq=False, repr=False)
class FanOut:
    """A listing the API only offers per item of another listing.

    Where there is no all-projects listing (a project's quotas, a user's
    keypairs, a private flavor's access list), one request, walked like any
    listing, is made for each item of ``over``: ``{id}`` in the path and in the
    query values is that item's id, and every raw item of the answer is tagged
    with it under :data:`FAN_OUT_KEY`. An answer holding one object instead of
    a list (``{"quota_set": {...}}``) is one item.
    """

    over: Request
    select: Callable[[JSON], bool] | None = None
    """Which of those items get one (None: every item)."""


@dataclass(frozen=True, eq=False, repr=False)
class Request:
    """One API listing, walked to its end (or, with ``fan_out``, one per item of another)."""

    key: str
    """Unique name, ``<service>.<what>`` (``compute.servers``)."""
    service: str
    """The catalog service type (``compute``, ``block-storage``, ``identity``...)."""
    path: str
    """Relative to the service endpoint; ``{id}``: the fan-out item's id."""
    items: str
    """JSON key of the item list (or of the one object) in the answer; ``""``: the answer
    is the one object itself (``{}``: none)."""
    links: str | None = None
    """The key of the answer's next links when it is not ``<items>_links`` (Cinder's
    types: ``volume_type_links``)."""
    query: Mapping[str, str] = field(default_factory=lambda: NO_QUERY)
    """Query parameters besides the all-projects one and the page size."""
    all_projects: str | None = None
    """The parameter (``=True``) that lists every project's items to an admin
    (``all_tenants``); dropped by project-scoped runs."""
    all_projects_header: str | None = None
    """The header (``: True``) that lists every project's items to an admin where the
    service takes no parameter for it (Designate's ``X-Auth-All-Projects``); dropped by
    project-scoped runs."""
    page_size: int | None = None
    """``limit`` of the first page (None: none sent; the service's default page)."""
    paging: Paging = Paging.LINKS
    microversioned: bool = False
    """Sent with the negotiated microversion of its service."""
    fan_out: FanOut | None = None
    after: tuple[str, ...] = ()
    """Listings (keys) finished before this one starts, when a run asks for them too:
    their GETs can change what it reads (Neutron creates the caller's ``default``
    security group when groups are listed, and counts it in the project's usage)."""
    tag: str | None = None
    """What its items say in a :class:`~auditor.catalog.sources.Tag` field."""
    wrapped: str | None = None
    """Each item wraps the object under this key (``{"keypair": {...}}``)."""
    keep: tuple[str, ...] = ()
    """Raw fields kept for other collections' lookups, besides those its own fields read."""
    shapes: Mapping[str, RawTypes] = field(default_factory=lambda: NO_SHAPES)
    """Raw field -> the JSON types the API reference gives it (checked on every item)."""
    partitions: tuple[tuple[str, str], ...] = ()
    """``UNPAGED``: filters whose answers together hold every item (endpoints per interface)."""

    @property
    def params(self) -> dict[str, str]:
        """The query of the first page."""
        params = {self.all_projects: "True"} if self.all_projects else {}
        params.update(self.query)
        if self.page_size is not None:
            params["limit"] = str(self.page_size)
        return params

    @property
    def headers(self) -> dict[str, str]:
        """The headers of every page besides the client's own (the all-projects one)."""
        return {self.all_projects_header: "True"} if self.all_projects_header else {}

    @property
    def label(self) -> str:
        """How messages name it: ``compute servers``."""
        return f"{self.service} {self.key.split('.', 1)[1]}"

    @property
    def proxy(self) -> str:
        """The attribute of an openstacksdk Connection holding the service's proxy."""
        return self.service.replace("-", "_")


@dataclass(frozen=True, eq=False, repr=False)
class Lookup:
    """Another listing a collection reads names (or more) from."""

    request: Request
    required: bool = True
    """False: its failure only leaves names unknown (null)."""
    below: str | None = None
    """Needed only below this microversion of the collection's service."""


@dataclass(frozen=True, eq=False, repr=False)
class Field:
    """One field of a snapshot item."""

    name: str
    source: Source
    type: Schema
    doc: str
    compare: Compare = IGNORE
    residue: bool = False
    """Scanned for old-brand strings in target items (a mapping: each of its values)."""
    optional: bool = False
    """Present only on some items: left out when null (down-cell ``partial``)."""
    leaves_out: str | None = None
    """Items that have this field are left out of the comparison; what they are."""


@dataclass(frozen=True, eq=False, repr=False)
class Record:
    """The fields of a sub-record (a security group's rules)."""

    noun: str
    fields: tuple[Field, ...]
    sort_key: Callable[[JSON], Any] | None = None


@dataclass(frozen=True)
class KeyPart:
    """A field of a match key, renamed by the rules on the source side."""

    field: str
    rename: Rename = Rename.NONE
    of: str | None = None
    """With ``Rename.NAME``: the collection whose renaming applies (default: its own)."""


KeyLabel = Callable[[Mapping[str, Any], JSON, Renames], str]
"""How the expected target key of a source item reads: (renamed key parts, item, rules)."""


@dataclass(frozen=True)
class SecondKey:
    """A key tried on what the first left unpaired: ``(tag, value of field)``, the
    value taken through the matches of ``through`` when set (a floating IP by its
    server's counterpart)."""

    tag: str
    field: str
    through: str | None = None
    label: str | None = None
    """Added to the expected label (``{label}``: the ``through`` item's label; ``{<field>}``:
    a part's renamed value)."""
    parts: tuple[KeyPart, ...] = ()
    """More fields of the key, renamed as the own key's are (a port: by its server's
    counterpart *and* its renamed network)."""


@dataclass(frozen=True)
class MatchKey:
    """What identifies an item within its owner, for the ``name`` strategy."""

    parts: tuple[KeyPart, ...]
    required: tuple[str, ...] = ("name",)
    """Fields without which the item has no key (it cannot be matched by name)."""
    fallback: MatchKey | None = None
    """The key of items lacking a required field (an unnamed subnet: network and CIDR)."""
    second: SecondKey | None = None
    label: KeyLabel | None = None
    """How the expected key reads (default: its parts joined by ``/``)."""
    unless: str | None = None
    """Items with this field set have no own key: only the second key matches them (a
    server's port by its server, never by a name the ports of many servers may share)."""


BY_NAME = MatchKey((KeyPart("name", Rename.NAME),))
"""Matched by renamed name (within the owner)."""

Assessor = Callable[[list[JSON], "Lookups"], "str | None"]


@dataclass(frozen=True, eq=False, repr=False)
class CollectionSpec:
    """One collection of the snapshot, declared once."""

    name: str
    """In the snapshot, the rules, ``--collections`` (``servers``)."""
    noun: str
    """In finding messages (``server``)."""
    family: Family
    owner: Owner
    requests: tuple[Request, ...]
    """The first lists the items; the others' items join them (an id listed twice
    is kept once); all are needed."""
    fields: tuple[Field, ...]
    docs: str
    """Where the documentation says how it is compared (``collections-identity.md#flavors``)."""
    key: MatchKey = BY_NAME
    lookups: tuple[Lookup, ...] = ()
    checks: tuple[Request, ...] = ()
    """Listings only ``assess`` reads: their failure leaves the assessment without them."""
    assess: Assessor | None = None
    """Why the collection is incomplete although every page was listed (a Nova cell is
    down...), from its items and the lookups; None: it is not."""
    core: bool = False
    """Listed by default."""
    optional: bool = False
    """The collection's service may be absent from a cloud's catalog: then it is not offered
    (status ``not_offered``), neither missing nor incomplete."""
    per_page: bool = False
    """Items are read one by one (nothing of the other items of their listing), so a
    big listing is normalised page by page as it arrives."""
    min_microversion: str | None = None
    min_reason: str = ""
    """Why not below ``min_microversion`` (``{microversion}``): the collection fails."""
    in_domain: str | None = None
    """The field naming the domain that puts an item in or out of the rules' scope
    (default: ``domain`` for every owner but the cloud)."""
    in_region: str | None = None
    """The field naming the region that puts a target item in or out of scope."""
    item_label: Callable[[JSON], str | None] | None = None
    """How messages name an item when its name is no good (None: its reference label)."""
    singleton: Callable[[Mapping[str, Any]], bool] | None = None
    """A project has one of these items per name that a fold merges (quota sets)."""
    doc: str = ""
    """A paragraph for the documentation."""

    @property
    def primary(self) -> Request:
        return self.requests[0]

    @property
    def service(self) -> str | None:
        """The service whose microversion its requests are made with (None: none)."""
        return next((r.service for r in self.requests if r.microversioned), None)

    @property
    def project_owned(self) -> bool:
        return self.owner is Owner.PROJECT

    @property
    def scope_domain(self) -> str | None:
        if self.in_domain is not None:
            return self.in_domain
        return None if self.owner is Owner.CLOUD else "domain"

    def needs(self, microversions: Mapping[str, str | None]) -> tuple[Request, ...]:
        """The listings without which its items would be wrong, at these microversions:
        its required lookups (those needed there), then its other requests."""
        now = version(microversions.get(self.service) if self.service else None)
        needed = tuple(
            lookup.request
            for lookup in self.lookups
            if lookup.required and (lookup.below is None or now < version(lookup.below))
        )
        return (*needed, *self.requests[1:])

    @property
    def enriched_by(self) -> tuple[Request, ...]:
        """Lookups that only enrich (an image's name): their failure leaves a null."""
        return tuple(lookup.request for lookup in self.lookups if not lookup.required)

    def field_named(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)
