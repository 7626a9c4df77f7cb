"""Neutron v2.0: networks, subnets, ports, routers, security groups and floating IPs.

The snapshot's own network collections are served as Neutron would answer
them (:mod:`auditor.sandbox.views.network`): networks with their subnet ids,
routers with their gateway, security groups with their rules embedded (remote
groups by id), floating IPs with ``port_details``, its ports with their fixed IPs
on their subnets; and the ports behind them that a snapshot without ports lacks:
a ``network:router_interface`` port per router interface, a compute port per
floating IP's port.

What the snapshot lacks is a modest reconstruction from the servers: one
network per network name of the servers' addresses (owned by the project of
the first server on it, shared when several projects use it), one subnet per
network and IP version, one port per server and network, one security group
per project and group name. Everything is built on the first Neutron
request, so clouds nobody asks about cost nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from auditor.sandbox.derived_network import derive_network
from auditor.sandbox.flux import Stamps, nova_time, parse_time
from auditor.sandbox.neutron_paging import default_security_group, neutron_page
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, item_body
from auditor.sandbox.quotas import QuotaSets, count_neutron
from auditor.sandbox.views.network import (
    serve_network,
)
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    json_response,
)

RESOURCES = (
    ("networks", "network"),
    ("subnets", "subnet"),
    ("ports", "port"),
    ("routers", "router"),
    ("security-groups", "security_group"),
    ("floatingips", "floatingip"),
)
NETWORK_COLLECTIONS = (
    "networks",
    "subnets",
    "ports",
    "routers",
    "security_groups",
    "floating_ips",
)
"""The snapshot collections this API serves as they are (the others are derived)."""
CREATED = datetime(2024, 1, 10, 8, 0, tzinfo=timezone.utc)
"""When the resources the sandbox serves unchanged were created and last updated (STAMP)."""
TIMESTAMP_EXTENSION = "standard-attr-timestamp"
EXTENSIONS = ("quota_details", "router", "external-net", "security-group", "rbac-policies")
"""The other extensions ``GET /v2.0/extensions`` lists (those the auditor's listings use)."""

_RESERVED = frozenset({"limit", "marker", "page_reverse", "fields", "sort_key", "sort_dir"})


@dataclass(frozen=True)
class _Resource:
    collection: str
    """Path segment, ``security-groups``."""
    key: str
    """Body key of the list, ``security_groups``."""
    member: str
    """Body key of one item, ``security_group``."""
    listing: Listing


def _matches(item: JSON, field: str, wanted: str) -> bool:
    value = item.get(field)
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    return value is not None and str(value) == wanted


class NetworkApi:
    """Neutron v2.0 of one sandbox cloud."""

    style = ErrorStyle.NEUTRON

    def __init__(
        self,
        servers: Sequence[JSON],
        *,
        cloud: str,
        service_url: str,
        options: SandboxOptions,
        quotas: QuotaSets | None = None,
        collections: Mapping[str, Sequence[JSON]] | None = None,
        project_id: str | None = None,
        stamps: Stamps | None = None,
    ) -> None:
        self.cloud = cloud
        self.stamps = stamps or Stamps()
        """When changed resources were created or updated (:mod:`auditor.sandbox.flux`)."""
        self.timestamps = options.neutron_timestamps
        """The ``standard-attr-timestamp`` extension is offered."""
        self.validation = options.neutron_filter_validation
        """The ``filter-validation`` extension is offered: ``changed_since`` is refused."""
        self.project_id = project_id
        """The admin's project: whose ``default`` group listing security groups creates."""
        self.servers = servers
        self.collections = dict(collections or {})
        """The snapshot's network collections (see :data:`NETWORK_COLLECTIONS`)."""
        self.quotas = quotas if quotas is not None else QuotaSets(())
        self.service_url = service_url
        self.max_limit = options.max_limit
        self._lock = threading.Lock()
        self._resources: dict[str, _Resource] | None = None

    def is_public(self, request: ApiRequest) -> bool:
        return request.path in ("", "/", "/v2.0", "/v2.0/")

    def resources(self) -> dict[str, _Resource]:
        with self._lock:
            if self._resources is None:
                derived = serve_network(
                    self.cloud, derive_network(self.cloud, self.servers), self.collections
                )
                # Neutron's usage counters count what it holds, derived or not.
                self.quotas.add(count_neutron(derived))
                self._resources = {
                    collection: _Resource(
                        collection,
                        member + "s",
                        member,
                        Listing.of_items(self._stamped(derived[member + "s"])),
                    )
                    for collection, member in RESOURCES
                }
            return self._resources

    def _stamped(self, items: list[JSON]) -> list[JSON]:
        """With the timestamp extension: each item's ``created_at`` and ``updated_at``."""
        if not self.timestamps:
            return items
        for item in items:
            item["created_at"] = nova_time(self.stamps.created_at(item.get("id"), CREATED))
            item["updated_at"] = nova_time(self.stamps.updated_at(item.get("id"), CREATED))
        return items

    def _extensions(self) -> Response:
        aliases = [
            *EXTENSIONS,
            *([TIMESTAMP_EXTENSION] if self.timestamps else []),
            *(["filter-validation"] if self.validation else []),
        ]
        return json_response(
            {
                "extensions": [
                    {"alias": alias, "name": alias, "description": "", "links": [], "updated": ""}
                    for alias in sorted(aliases)
                ]
            }
        )

    def handle(self, request: ApiRequest) -> Response:
        path = request.path
        if path.rstrip("/") == "/v2.0/extensions":
            return self._extensions()
        if path in ("", "/"):
            link = [{"href": f"{self.service_url}/v2.0/", "rel": "self"}]
            return json_response({"versions": [{"id": "v2.0", "status": "CURRENT", "links": link}]})
        if path in ("/v2.0", "/v2.0/"):
            return json_response(
                {
                    "resources": [
                        {
                            "name": member,
                            "collection": collection,
                            "links": [
                                {"href": f"{self.service_url}/v2.0/{collection}", "rel": "self"}
                            ],
                        }
                        for collection, member in RESOURCES
                    ]
                }
            )
        parts = path.strip("/").split("/")
        if parts[:2] == ["v2.0", "quotas"] and len(parts) in (3, 4):
            # The quota details extension: one project's limits with their usage.
            if len(parts) == 4 and parts[3] != "details":
                raise ApiError(404, "The resource could not be found.")
            self.resources()
            return self.quotas.network(parts[2], details=len(parts) == 4)
        resource = self.resources().get(parts[1]) if len(parts) in (2, 3) else None
        if parts[0] != "v2.0" or resource is None:
            raise ApiError(404, "The resource could not be found.")
        if len(parts) == 3:
            chunk = resource.listing.get(parts[2])
            if chunk is None:
                raise ApiError(404, f"{resource.member} {parts[2]} could not be found.")
            return Response(200, item_body(resource.member, chunk))
        if resource.collection == "security-groups":
            resource = self._ensure_default_group(resource, request)
        return self._list(resource, request)

    def _ensure_default_group(self, resource: _Resource, request: ApiRequest) -> _Resource:
        """What Neutron's ``get_security_groups`` does before listing: create the
        ``default`` group of the ``project_id`` (or ``tenant_id``) filter's project, or
        of the caller's, when it has none (``_ensure_default_security_group``)."""
        query = request.query
        caller = request.auth.project_id if request.auth is not None else None
        project = query.get("project_id") or query.get("tenant_id") or caller or self.project_id
        if not project:
            return resource
        self.resources()
        with self._lock:
            assert self._resources is not None
            current = self._resources[resource.collection]
            if any(
                s.get("name") == "default" and s.get("project_id") == project
                for s in current.listing.sources
            ):
                return current
            group = default_security_group(self.cloud, project)
            self.quotas.created(
                project,
                "network",
                security_group=1,
                security_group_rule=len(group["security_group_rules"]),
            )
            items = sorted([*current.listing.sources, group], key=lambda i: str(i["id"]))
            created = _Resource(
                current.collection, current.key, current.member, Listing.of_items(items)
            )
            self._resources[resource.collection] = created
            return created

    def _list(self, resource: _Resource, request: ApiRequest) -> Response:
        query = request.query
        listing = resource.listing
        wanted = {k: v for k, v in query.items() if k not in _RESERVED}
        if "changed_since" in wanted:
            listing = listing.select(self._changed_since(wanted.pop("changed_since")))
        if wanted:
            listing = listing.select(lambda i: all(_matches(i, k, v) for k, v in wanted.items()))
        base = f"{self.service_url}/v2.0/{resource.collection}"
        return Response(200, neutron_page(listing, request, self.max_limit, base, resource.key))

    def _changed_since(self, value: str) -> Callable[[JSON], bool]:
        """Neutron's ``changed_since`` (``neutron.services.timestamp``): resources updated
        at or after it; without the extension, or with filter validation (Neutron's
        default), an unknown filter (400)."""
        if not self.timestamps or self.validation:
            # No attribute declares it: filter validation refuses it (api_common).
            raise ApiError(400, "['changed_since'] is invalid attribute for filtering")
        since = parse_time(value)
        if since is None:
            raise ApiError(
                400,
                "Invalid input for operation: The input changed_since must be in the"
                " following format: YYYY-MM-DDTHH:MM:SSZ.",
            )
        return self.stamps.changed_since(since, CREATED)
