"""One cloud of the sandbox: a snapshot, its credentials, tokens and service APIs."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from auditor.catalog.registry import CATALOG as COLLECTIONS
from auditor.catalog.spec import CollectionSpec
from auditor.model import Snapshot
from auditor.sandbox import dns as dns_views
from auditor.sandbox import image as image_views
from auditor.sandbox.compute import ComputeApi
from auditor.sandbox.declared import DeclaredRoutes, Route, WithDeclared
from auditor.sandbox.flux import Mutations
from auditor.sandbox.heat import HeatApi
from auditor.sandbox.identity import IdentityApi
from auditor.sandbox.ids import synthetic_hex
from auditor.sandbox.image import ImageApi
from auditor.sandbox.network import NETWORK_COLLECTIONS, NetworkApi
from auditor.sandbox.object_store import ObjectStoreApi
from auditor.sandbox.octavia import OctaviaApi
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.quotas import QuotaSets, count_usage
from auditor.sandbox.tokens import Credentials, Member, TokenStore
from auditor.sandbox.views import Context, items_of
from auditor.sandbox.views import network as network_views
from auditor.sandbox.views import volume as volume_views
from auditor.sandbox.views.identity import CatalogEntry
from auditor.sandbox.volume import VolumeApi
from auditor.sandbox.wire import JSON, ServiceApi

CATALOG = (
    CatalogEntry("identity", "keystone", "identity/v3"),
    CatalogEntry("compute", "nova", "compute/v2.1"),
    CatalogEntry("block-storage", "cinderv3", "volume/v3/{project_id}"),
    CatalogEntry("image", "glance", "image"),
    CatalogEntry("network", "neutron", "network"),
    CatalogEntry("dns", "designate", "dns"),
    CatalogEntry("load-balancer", "octavia", "load-balancer"),
    CatalogEntry("orchestration", "heat", "orchestration/v1/{project_id}"),
)
"""The sandbox's own catalog: service type, name, path under ``/<cloud>/``
(``SandboxOptions.without_services`` leaves some out, as a cloud without them)."""

OBJECT_STORE = CatalogEntry("object-store", "swift", "object-store/v1/AUTH_{project_id}")
"""Swift, in the catalog of a cloud whose snapshot lists containers (an optional service)."""

VIEWED = frozenset(
    {
        "identity.projects",
        "identity.domains",
        "identity.users",
        "identity.groups",
        "identity.group_users",
        "identity.roles",
        "identity.role_assignments",
        "identity.endpoints",
        "identity.services",
        "identity.regions",
        "compute.servers",
        "compute.services",
        "compute.flavors",
        "compute.flavor_access",
        "compute.keypairs",
        "compute.quotas",
        "block-storage.volumes",
        "block-storage.quotas",
        "block-storage.types",
        "image.images",
        "image.hidden_images",
        "network.networks",
        "network.subnets",
        "network.routers",
        "network.ports",
        "network.security_groups",
        "network.floating_ips",
        "network.quotas",
        "load-balancer.loadbalancers",
        "load-balancer.listeners",
        "load-balancer.pools",
        "load-balancer.members",
        "load-balancer.healthmonitors",
        "orchestration.stacks",
        "orchestration.stack",
        "object-store.containers",
    }
)
"""The requests that views of the sandbox serve (their services' quirks are code); every
other request of the catalog is served from its declaration (:mod:`auditor.sandbox.declared`)."""

VIEWS = {
    "block-storage.snapshots": volume_views.SNAPSHOTS,
    "block-storage.backups": volume_views.BACKUPS,
    "image.members": image_views.MEMBERS,
    "network.rbac_policies": network_views.RBAC_POLICIES,
    "network.address_scopes": network_views.ADDRESS_SCOPES,
    "network.subnet_pools": network_views.SUBNET_POOLS,
    "dns.zones": dns_views.ZONES,
    "dns.recordsets": dns_views.RECORDSETS,
}
"""Declared requests and what the service answers of their items besides the declared fields."""

DEFAULT_DOMAIN_ID = "default"


def slug(name: str) -> str:
    """The URL path segment of a cloud name."""
    return re.sub(r"[^A-Za-z0-9._~-]+", "-", name).strip("-") or "cloud"


class CloudSite:
    """Everything the sandbox serves for one snapshot, under ``/<slug>/``."""

    def __init__(
        self,
        snapshot: Snapshot,
        path: str,
        options: SandboxOptions,
        catalog: Sequence[CollectionSpec] = COLLECTIONS,
    ) -> None:
        self.snapshot = snapshot
        self.catalog = tuple(catalog)
        """The collections served: those no view serves, from their declarations."""
        self.name = snapshot.cloud
        """The clouds.yaml profile name (the snapshot's cloud)."""
        self.path = path
        """URL path segment of the cloud."""
        self.options = options
        self.credentials = Credentials(
            username=options.username,
            password=options.password or secrets.token_urlsafe(18),
            user_id=synthetic_hex(snapshot.cloud, "user", options.username),
            domain_id=DEFAULT_DOMAIN_ID,
            domain_name=options.domain_name,
            project_id=self._auth_project_id(),
            project_name=options.project_name,
        )
        self.members = self._members()
        """The project members (non-admin users) of this cloud."""
        self.tokens = TokenStore(options.token_ttl)
        self.apis: dict[str, ServiceApi] = {}
        self.url = ""
        self.base_url = ""
        self.mutations = Mutations(snapshot, self._reopen)
        """The test hook that changes this cloud's data while it is served."""

    def _reopen(self, snapshot: Snapshot) -> None:
        """Serve ``snapshot`` (changed by :attr:`mutations`) from now on."""
        self.snapshot = snapshot
        if self.base_url:
            self.open(self.base_url)

    def _members(self) -> tuple[Member, ...]:
        """``options.members`` of this cloud, their projects resolved by id or name."""
        projects = items_of(self.snapshot, "projects")
        out = []
        for member in self.options.members:
            if member.cloud is not None and member.cloud != self.snapshot.cloud:
                continue
            ids = tuple(
                dict.fromkeys(
                    str(p["id"])
                    for wanted in member.projects
                    for p in projects
                    if wanted in (p.get("id"), p.get("name"))
                )
            )
            out.append(
                Member(
                    username=member.username,
                    password=member.password,
                    user_id=synthetic_hex(self.snapshot.cloud, "user", member.username),
                    domain_id=DEFAULT_DOMAIN_ID,
                    domain_name=self.options.domain_name,
                    project_ids=ids,
                )
            )
        return tuple(out)

    def _auth_project_id(self) -> str:
        """The admin project: the snapshot's own when it lists one, else a synthetic one."""
        for project in items_of(self.snapshot, "projects"):
            if (
                project.get("name") == self.options.project_name
                and project.get("domain") == self.options.domain_name
            ):
                return str(project["id"])
        return synthetic_hex(self.snapshot.cloud, "project", self.options.project_name)

    def open(self, base_url: str) -> None:
        """Build the service APIs (and their prebuilt listings) for ``base_url``."""
        self.base_url = base_url
        self.url = f"{base_url}/{self.path}"
        snapshot = self.snapshot
        stamps = self.mutations.stamps
        options = self.options
        project_id = self.credentials.project_id
        servers = items_of(snapshot, "servers")
        quotas = QuotaSets(
            items_of(snapshot, "quotas"),
            # Neutron counts what it serves (NetworkApi), derived from the servers or not.
            count_usage(
                {name: r.items for name, r in snapshot.collections.items()},
                services=("compute", "block-storage"),
            ),
        )
        images = snapshot.collections.get("images")
        views: dict[str, ServiceApi] = {
            "identity": IdentityApi(
                snapshot,
                service_url=f"{self.url}/identity",
                credentials=self.credentials,
                tokens=self.tokens,
                catalog=self.entries,
                options=options,
                members=self.members,
            ),
            "compute": ComputeApi(
                servers,
                cloud=snapshot.cloud,
                service_url=f"{self.url}/compute",
                project_id=project_id,
                options=options,
                flavors=items_of(snapshot, "flavors"),
                keypairs=items_of(snapshot, "keypairs"),
                user_id=self.credentials.user_id,
                quotas=quotas,
                stamps=stamps,
            ),
            "volume": VolumeApi(
                items_of(snapshot, "volumes"),
                service_url=f"{self.url}/volume",
                project_id=project_id,
                options=options,
                quotas=quotas,
                types=items_of(snapshot, "volume_types"),
                stamps=stamps,
            ),
            "image": ImageApi(
                images.items if images is not None else None,
                servers,
                service_url=f"{self.url}/image",
                options=options,
                stamps=stamps,
            ),
            "network": NetworkApi(
                servers,
                cloud=snapshot.cloud,
                service_url=f"{self.url}/network",
                options=options,
                project_id=project_id,
                collections={
                    name: result.items
                    for name, result in snapshot.collections.items()
                    if name in NETWORK_COLLECTIONS
                },
                quotas=quotas,
                stamps=stamps,
            ),
        }
        views["dns"] = dns_views.DnsApi(f"{self.url}/dns")
        # A snapshot without load balancers or stacks: services that have none.
        views["load-balancer"] = OctaviaApi(
            items_of(snapshot, "load_balancers"),
            service_url=f"{self.url}/load-balancer",
            options=options,
        )
        views["orchestration"] = HeatApi(
            items_of(snapshot, "stacks"), service_url=f"{self.url}/orchestration"
        )
        views["object-store"] = ObjectStoreApi(items_of(snapshot, "containers"), options=options)
        offered = {entry.path.split("/")[0] for entry in self.entries}
        self.apis = {
            segment: self._with_declared(segment, view, project_id)
            for segment, view in views.items()
            if segment in offered
        }

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        """The services of this cloud's catalog: the sandbox's, but those left out."""
        swift = "containers" in self.snapshot.collections
        catalog = (*CATALOG, OBJECT_STORE) if swift else CATALOG
        return tuple(e for e in catalog if e.type not in self.options.without_services)

    def _with_declared(self, segment: str, view: ServiceApi, project_id: str) -> ServiceApi:
        """``view``, behind the routes of the collections of its service that no view
        serves (none: the view alone)."""
        service = next(e.type for e in (*CATALOG, OBJECT_STORE) if e.path.split("/")[0] == segment)
        routes = [
            Route(spec, request, items_of(self.snapshot, spec.name), VIEWS.get(request.key))
            for spec in self.catalog
            for request in spec.requests
            if request.service == service and request.key not in VIEWED
        ]
        if not routes:
            return view
        declared = DeclaredRoutes(
            service,
            routes,
            options=self.options,
            context=Context(f"{self.url}/{segment}", project_id),
            versions=getattr(view, "versions", None),
        )
        return WithDeclared(view, declared)

    @property
    def auth_url(self) -> str:
        return f"{self.url}/identity/v3"

    def clouds_yaml_entry(self) -> JSON:
        """This cloud's clouds.yaml profile."""
        cred = self.credentials
        entry: JSON = {
            "auth": {
                "auth_url": self.auth_url,
                "username": cred.username,
                "password": cred.password,
                "project_name": cred.project_name,
                "user_domain_name": cred.domain_name,
                "project_domain_name": cred.domain_name,
            },
            "identity_api_version": 3,
            "interface": "public",
        }
        if self.snapshot.region:
            entry["region_name"] = self.snapshot.region
        return entry

    def member_entries(self) -> dict[str, JSON]:
        """A clouds.yaml profile ``<cloud>-<username>`` per project member, scoped to
        its first project (unscoped when it has none)."""
        out: dict[str, JSON] = {}
        projects = {str(p["id"]): p for p in items_of(self.snapshot, "projects")}
        for member in self.members:
            auth: JSON = {
                "auth_url": self.auth_url,
                "username": member.username,
                "password": member.password,
                "user_domain_name": member.domain_name,
            }
            first = projects.get(member.project_ids[0]) if member.project_ids else None
            if first is not None:
                auth["project_name"] = first.get("name")
                auth["project_domain_name"] = first.get("domain")
            entry: JSON = {"auth": auth, "identity_api_version": 3, "interface": "public"}
            if self.snapshot.region:
                entry["region_name"] = self.snapshot.region
            out[f"{self.name}-{member.username}"] = entry
        return out
