"""How collections are declared: raw listings, lookups, and normalisers.

A *listing* is one paged API call walked to its end (``compute.servers`` is
``GET /servers/detail?all_tenants=True&limit=1000``). A *collection* is what the
snapshot holds: built by a pure normaliser from its primary listing plus the
lookups it needs (project and domain names, flavors...). Declaring both as
table entries keeps every API path, query and field name in one place per
service, and lets one orchestrator fetch every listing exactly once, however
many collections use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.collect.pager import Listed, Pager

JSON = dict[str, Any]

FAN_OUT_KEY = "@for"
"""Key a fan-out listing adds to each of its raw items: the id of the item it was asked for."""


@dataclass(frozen=True)
class FanOut:
    """A listing the API only offers per item of another listing.

    Where there is no all-projects listing (a project's quotas, a user's
    keypairs, a private flavor's access list), one request, walked like any
    listing, is made for each item of the listing ``over``: ``{id}`` in the
    path and in the query values is that item's id, and every raw item of the
    answer is tagged with it under :data:`FAN_OUT_KEY`. An answer holding one
    object instead of a list (``{"quota_set": {...}}``) is one item.
    """

    over: str
    """Key of the listing whose items each get a request (``identity.projects``)."""
    select: Callable[[JSON], bool] | None = None
    """Which of those items get one (None: every item)."""


@dataclass(frozen=True)
class Listing:
    """One paged, all-projects API listing (or, with ``fan_out``, one per item of another)."""

    key: str
    """Unique name, ``<service>.<what>``, e.g. ``compute.servers``."""
    proxy: str
    """Attribute of the openstacksdk Connection holding the service proxy."""
    service_type: str
    """The catalog service type, for messages."""
    path: str
    """Path relative to the service endpoint."""
    item_key: str
    """Key of the item list in the response body."""
    params: Mapping[str, str] = field(default_factory=dict)
    """Query parameters of the first page (including the page size)."""
    microversioned: bool = False
    """Send the negotiated microversion of the service."""
    fields: frozenset[str] | None = None
    """The raw fields its normalisers read: the others are dropped as each page
    arrives, so tens of thousands of items do not keep every field the API
    sends (links, hosts, timestamps...) in memory. None keeps them all."""
    fan_out: FanOut | None = None
    """Per-item requests instead of one listing (see :class:`FanOut`)."""
    walker: Callable[[Pager, Listing], Listed] | None = None
    """A walk of its own instead of the pager's (Keystone's catalog listings, which
    cannot be paged: :mod:`auditor.collect.catalog`)."""

    @property
    def label(self) -> str:
        """How messages name this listing: ``compute servers``."""
        return f"{self.service_type} {self.key.split('.', 1)[1]}"


class Lookups:
    """Indexes over raw listings that normalisers share (names of projects, domains...)."""

    def __init__(
        self, raw: Mapping[str, list[JSON]], microversions: Mapping[str, str | None]
    ) -> None:
        self.raw = raw
        self.microversions = microversions

    def listing(self, key: str) -> list[JSON]:
        """The raw items of a listing (empty when it was not fetched)."""
        return self.raw.get(key, [])

    @cached_property
    def domain_names(self) -> dict[str, str]:
        return {d["id"]: d.get("name") or d["id"] for d in self.listing("identity.domains")}

    @cached_property
    def projects(self) -> dict[str, JSON]:
        return {p["id"]: p for p in self.listing("identity.projects")}

    def project_name(self, project_id: str | None) -> str | None:
        project = self.projects.get(project_id) if project_id else None
        return project.get("name") if project is not None else None

    def project_domain(self, project_id: str | None) -> str | None:
        project = self.projects.get(project_id) if project_id else None
        if project is None:
            return None
        return self.domain_names.get(project.get("domain_id") or "")

    @cached_property
    def flavors(self) -> dict[str, JSON]:
        return {f["id"]: f for f in self.listing("compute.flavors")}

    @cached_property
    def image_names(self) -> dict[str, str | None]:
        names: dict[str, str | None] = {}
        for key in ("image.images", "image.hidden_images"):
            for image in self.listing(key):
                names[image["id"]] = image.get("name")
        return names

    @cached_property
    def services(self) -> dict[str, JSON]:
        return {s["id"]: s for s in self.listing("identity.services")}

    @cached_property
    def users(self) -> dict[str, JSON]:
        return {u["id"]: u for u in self.listing("identity.users")}


Normaliser = Callable[[list[JSON], Lookups], list[JSON]]
Assessor = Callable[[list[JSON], Lookups], "str | None"]


@dataclass(frozen=True)
class Collection:
    """A collection of the snapshot: how to fetch and normalise it."""

    name: str
    """Name in the snapshot (``servers``)."""
    primary: str
    """Key of the listing that holds the items."""
    normalise: Normaliser
    """Pure function: raw items + lookups -> normalised items."""
    requires: Callable[[Mapping[str, str | None]], tuple[str, ...]] = lambda _mv: ()
    """Lookups without which the items would be wrong (given the microversions)."""
    optional: tuple[str, ...] = ()
    """Lookups that only enrich (an image's name); their failure leaves a null."""
    microversion_service: str | None = None
    """Service type whose microversion the primary listing is made with."""
    per_page: bool = False
    """The normaliser reads each item on its own (nothing of the other items of
    its listing), so the items can be normalised page by page as they arrive."""
    assess: Assessor | None = None
    """Why the collection is incomplete although every page was listed (a Nova
    cell that is down...), from its normalised items and the lookups; None: it is not."""
    checks: tuple[str, ...] = ()
    """Listings only :attr:`assess` reads: fetched beside the others, never waited
    for by the normaliser; when one fails, the assessment goes without it."""
