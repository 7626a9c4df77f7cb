"""Quota sets of Nova, Cinder and Neutron, with usage, from the snapshot's ``quotas``.

Each service answers one project at a time, as the real ones do:

* Nova ``GET /os-quota-sets/{project_id}[/detail]``: ``{"quota_set": {"id", <resource>:
  limit | {limit, in_use, reserved}}}``; the network resources Nova proxied
  (``floating_ips``...) only below compute 2.36, the injected-file ones below 2.57;
* Cinder ``GET /v3/{admin_project}/os-quota-sets/{project_id}[?usage=True]``: the
  same shape, with ``allocated`` in the detailed entries;
* Neutron ``GET /v2.0/quotas/{project_id}[/details]``: ``{"quota": {<resource>: limit |
  {limit, used, reserved}}}`` (no project id in the answer).

A project without a quota item of a service gets that service's defaults, like
a project nobody set quotas for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from auditor.sandbox.microversion import Version
from auditor.sandbox.wire import JSON, Response, json_response

MV_NO_NETWORK_QUOTAS = (2, 36)
MV_NO_INJECTED_FILES = (2, 57)
NOVA_NETWORK_RESOURCES = frozenset(
    {"fixed_ips", "floating_ips", "networks", "security_group_rules", "security_groups"}
)
NOVA_INJECTED_FILE_RESOURCES = frozenset(
    {"injected_file_content_bytes", "injected_file_path_bytes", "injected_files"}
)

DEFAULTS: Mapping[str, Mapping[str, int]] = {
    "compute": {
        "cores": 20,
        "instances": 10,
        "key_pairs": 100,
        "metadata_items": 128,
        "ram": 51200,
        "server_group_members": 10,
        "server_groups": 10,
    },
    "block-storage": {
        "backup_gigabytes": 1000,
        "backups": 10,
        "gigabytes": 1000,
        "groups": 10,
        "per_volume_gigabytes": -1,
        "snapshots": 10,
        "volumes": 10,
    },
    "network": {
        "floatingip": 50,
        "network": 100,
        "port": 500,
        "rbac_policy": 10,
        "router": 10,
        "security_group": 10,
        "security_group_rule": 100,
        "subnet": 100,
        "subnetpool": -1,
    },
}
"""Each service's default quotas (what a project nobody set quotas for answers)."""


Counted = dict[tuple[str, str], dict[str, int]]
"""(project id, service) -> resource -> in use."""

COUNTS: tuple[tuple[str, str, str, Callable[[JSON], int]], ...] = (
    ("servers", "compute", "instances", lambda _: 1),
    ("servers", "compute", "cores", lambda s: int((s.get("flavor") or {}).get("vcpus") or 0)),
    ("servers", "compute", "ram", lambda s: int((s.get("flavor") or {}).get("ram") or 0)),
    ("volumes", "block-storage", "volumes", lambda _: 1),
    ("volumes", "block-storage", "gigabytes", lambda v: int(v.get("size") or 0)),
    ("volume_snapshots", "block-storage", "snapshots", lambda _: 1),
    ("volume_snapshots", "block-storage", "gigabytes", lambda s: int(s.get("size") or 0)),
    ("volume_backups", "block-storage", "backups", lambda _: 1),
    ("volume_backups", "block-storage", "backup_gigabytes", lambda b: int(b.get("size") or 0)),
    ("networks", "network", "network", lambda _: 1),
    ("subnets", "network", "subnet", lambda _: 1),
    ("routers", "network", "router", lambda _: 1),
    ("floating_ips", "network", "floatingip", lambda _: 1),
    ("security_groups", "network", "security_group", lambda _: 1),
    ("security_groups", "network", "security_group_rule", lambda g: len(g.get("rules") or ())),
)
"""What each service counts in use, from which snapshot items: (collection, service,
resource, amount). The sandbox's Neutron counts what it serves instead
(:data:`NEUTRON_COUNTS`): some of its resources are derived from the servers when the
snapshot has none."""

NEUTRON_COUNTS: tuple[tuple[str, str, Callable[[JSON], int]], ...] = (
    ("networks", "network", lambda _: 1),
    ("subnets", "subnet", lambda _: 1),
    ("routers", "router", lambda _: 1),
    ("floatingips", "floatingip", lambda _: 1),
    ("security_groups", "security_group", lambda _: 1),
    ("security_groups", "security_group_rule", lambda g: len(g.get("security_group_rules") or ())),
)
"""What Neutron counts in use, from the API items it serves: (body key, resource, amount)."""


def count_usage(
    collections: Mapping[str, Iterable[JSON]], services: Iterable[str] | None = None
) -> Counted:
    """Each project's usage as the services (all, or ``services``) count it from their own
    records (a migration's temporary target volume counts for nobody)."""
    counted: Counted = {}
    wanted = None if services is None else frozenset(services)
    for collection, service, resource, amount in COUNTS:
        if wanted is not None and service not in wanted:
            continue
        for item in collections.get(collection, ()):
            if item.get("project_id") and "migration_target_of" not in item:
                counts = counted.setdefault((str(item["project_id"]), service), {})
                counts[resource] = counts.get(resource, 0) + amount(item)
    return counted


def count_neutron(served: Mapping[str, Iterable[JSON]]) -> Counted:
    """Each project's Neutron usage, counted from the API items served (by body key)."""
    counted: Counted = {}
    for key, resource, amount in NEUTRON_COUNTS:
        for item in served.get(key, ()):
            if item.get("project_id"):
                counts = counted.setdefault((str(item["project_id"]), "network"), {})
                counts[resource] = counts.get(resource, 0) + amount(item)
    return counted


class QuotaSets:
    """The snapshot's quota items, by project and service; a project without one has the
    service's defaults, and its usage counted from the snapshot's items."""

    def __init__(self, items: Iterable[JSON], counted: Counted | None = None) -> None:
        self._items: dict[tuple[str, str], JSON] = {
            (str(item.get("project_id")), str(item.get("name"))): item for item in items
        }
        self._counted = counted if counted is not None else {}

    def add(self, counted: Counted) -> None:
        """Count ``counted`` in use too."""
        for (project_id, service), amounts in counted.items():
            self.created(project_id, service, **amounts)

    def created(self, project_id: str, service: str, **amounts: int) -> None:
        """Count what the service made itself while serving (Neutron's ``default``
        security group, created when groups are listed), as the service would."""
        counts = self._counted.setdefault((project_id, service), {})
        for resource, amount in amounts.items():
            counts[resource] = counts.get(resource, 0) + amount

    def _resources(self, project_id: str, service: str) -> list[tuple[str, Any, Any]]:
        """(resource, limit, in use) of a project's quotas of ``service``."""
        item = self._items.get((project_id, service))
        if item is None:
            used = self._counted.get((project_id, service), {})
            return [(name, limit, used.get(name, 0)) for name, limit in DEFAULTS[service].items()]
        limits: Mapping[str, Any] = item.get("limits") or {}
        usage: Mapping[str, Any] = item.get("usage") or {}
        return [(name, limit, usage.get(name, 0)) for name, limit in limits.items()]

    def compute(self, project_id: str, mv: Version, *, detail: bool) -> Response:
        body: JSON = {"id": project_id}
        for name, limit, used in self._resources(project_id, "compute"):
            if mv >= MV_NO_NETWORK_QUOTAS and name in NOVA_NETWORK_RESOURCES:
                continue
            if mv >= MV_NO_INJECTED_FILES and name in NOVA_INJECTED_FILE_RESOURCES:
                continue
            body[name] = {"limit": limit, "in_use": used, "reserved": 0} if detail else limit
        return json_response({"quota_set": body})

    def block_storage(self, project_id: str, *, usage: bool) -> Response:
        body: JSON = {"id": project_id}
        for name, limit, used in self._resources(project_id, "block-storage"):
            body[name] = (
                {"limit": limit, "in_use": used, "reserved": 0, "allocated": 0} if usage else limit
            )
        return json_response({"quota_set": body})

    def network(self, project_id: str, *, details: bool) -> Response:
        body: JSON = {}
        for name, limit, used in self._resources(project_id, "network"):
            body[name] = {"limit": limit, "used": used, "reserved": 0} if details else limit
        return json_response({"quota": body})
