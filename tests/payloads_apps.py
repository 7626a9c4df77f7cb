"""API-reference-shaped items of Octavia v2 and Heat v1 (neither runs in CI).

The fields are those of the load-balancer v2 API reference (List Load
Balancers, Listeners, Pools, Members, Health Monitors) and of the
orchestration v1 reference (List stacks with ``global_tenant``, Show stack
details), values as the references' examples write them.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

_STAMP = {"created_at": "2024-03-01T10:00:00", "updated_at": "2024-03-01T10:05:00"}


def _owned(project_id: str) -> JSON:
    return {"project_id": project_id, "tenant_id": project_id, "tags": [], **_STAMP}


def _statuses(provisioning: str = "ACTIVE", operating: str = "ONLINE") -> JSON:
    return {"provisioning_status": provisioning, "operating_status": operating}


def load_balancer(
    id_: str,
    name: str,
    project_id: str,
    *,
    vip_address: str = "10.0.0.50",
    vip_port_id: str = "vip-port-1",
    vip_network_id: str = "n-1",
    listeners: tuple[str, ...] = (),
    pools: tuple[str, ...] = (),
    provisioning_status: str = "ACTIVE",
    operating_status: str = "ONLINE",
) -> JSON:
    """A load balancer of GET /v2/lbaas/loadbalancers."""
    return {
        "id": id_,
        "name": name,
        "description": "",
        **_owned(project_id),
        "admin_state_up": True,
        **_statuses(provisioning_status, operating_status),
        "provider": "amphora",
        "flavor_id": None,
        "availability_zone": None,
        "vip_address": vip_address,
        "vip_port_id": vip_port_id,
        "vip_network_id": vip_network_id,
        "vip_subnet_id": "sn-1",
        "vip_qos_policy_id": None,
        "vip_vnic_type": "normal",
        "additional_vips": [],
        "listeners": [{"id": i} for i in listeners],
        "pools": [{"id": i} for i in pools],
    }


def listener(
    id_: str,
    name: str,
    project_id: str,
    lb_id: str,
    *,
    protocol: str = "HTTP",
    port: int = 80,
    default_pool_id: str | None = None,
) -> JSON:
    """A listener of GET /v2/lbaas/listeners."""
    return {
        "id": id_,
        "name": name,
        "description": "",
        **_owned(project_id),
        "admin_state_up": True,
        **_statuses(),
        "protocol": protocol,
        "protocol_port": port,
        "connection_limit": -1,
        "default_pool_id": default_pool_id,
        "default_tls_container_ref": None,
        "sni_container_refs": [],
        "loadbalancers": [{"id": lb_id}],
        "l7policies": [],
        "insert_headers": {"X-Forwarded-For": "true"},
        "timeout_client_data": 50000,
        "timeout_member_connect": 5000,
        "timeout_member_data": 50000,
        "timeout_tcp_inspect": 0,
        "allowed_cidrs": None,
        "tls_ciphers": None,
        "tls_versions": None,
        "alpn_protocols": None,
        "hsts_include_subdomains": False,
        "hsts_max_age": None,
        "hsts_preload": False,
    }


def pool(
    id_: str,
    name: str,
    project_id: str,
    lb_id: str,
    *,
    listeners: tuple[str, ...] = (),
    members: tuple[str, ...] = (),
    healthmonitor_id: str | None = None,
    protocol: str = "HTTP",
    lb_algorithm: str = "ROUND_ROBIN",
    persistence: str | None = None,
) -> JSON:
    """A pool of GET /v2/lbaas/pools."""
    return {
        "id": id_,
        "name": name,
        "description": "",
        **_owned(project_id),
        "admin_state_up": True,
        **_statuses(),
        "protocol": protocol,
        "lb_algorithm": lb_algorithm,
        "session_persistence": (
            {"type": persistence, "cookie_name": None, "persistence_timeout": None,
             "persistence_granularity": None}
            if persistence
            else None
        ),
        "loadbalancers": [{"id": lb_id}],
        "listeners": [{"id": i} for i in listeners],
        "members": [{"id": i} for i in members],
        "healthmonitor_id": healthmonitor_id,
        "tls_enabled": False,
        "tls_container_ref": None,
        "ca_tls_container_ref": None,
        "crl_container_ref": None,
        "tls_ciphers": None,
        "tls_versions": None,
        "alpn_protocols": None,
    }  # fmt: skip


def member(
    id_: str,
    name: str,
    project_id: str,
    address: str,
    *,
    port: int = 8080,
    subnet_id: str | None = "sn-1",
    weight: int = 1,
) -> JSON:
    """A member of GET /v2/lbaas/pools/{pool_id}/members."""
    return {
        "id": id_,
        "name": name,
        **_owned(project_id),
        "admin_state_up": True,
        **_statuses(),
        "address": address,
        "protocol_port": port,
        "weight": weight,
        "backup": False,
        "subnet_id": subnet_id,
        "monitor_address": None,
        "monitor_port": None,
        "vnic_type": "normal",
    }


def health_monitor(
    id_: str, project_id: str, pool_id: str, *, type_: str = "HTTP", delay: int = 5
) -> JSON:
    """A health monitor of GET /v2/lbaas/healthmonitors."""
    return {
        "id": id_,
        "name": "",
        **_owned(project_id),
        "admin_state_up": True,
        **_statuses(),
        "type": type_,
        "delay": delay,
        "timeout": 3,
        "max_retries": 3,
        "max_retries_down": 3,
        "http_method": "GET",
        "url_path": "/healthz",
        "expected_codes": "200",
        "http_version": 1.1,
        "domain_name": None,
        "pools": [{"id": pool_id}],
    }


def stack_summary(id_: str, name: str, project_id: str, status: str = "CREATE_COMPLETE") -> JSON:
    """A stack of GET /v1/{tenant_id}/stacks?global_tenant=True (an admin's)."""
    return {
        "id": id_,
        "stack_name": name,
        "description": "web and app tiers",
        "stack_status": status,
        "stack_status_reason": "Stack CREATE completed successfully",
        "creation_time": "2024-03-01T10:00:00Z",
        "deletion_time": None,
        "updated_time": None,
        "stack_owner": None,
        "parent": None,
        "stack_user_project_id": "8d3a0f3c8b3e4f5c9a1b2c3d4e5f6a7b",
        "tags": None,
        "links": [
            {"href": f"http://heat.test:8004/v1/{project_id}/stacks/{name}/{id_}", "rel": "self"}
        ],
        "project": project_id,
    }


def stack(
    id_: str,
    name: str,
    project_id: str,
    *,
    status: str = "CREATE_COMPLETE",
    parameters: dict[str, str] | None = None,
    outputs: dict[str, Any] | None = None,
) -> JSON:
    """The stack of GET /v1/{tenant_id}/stacks/{stack_name}/{stack_id} (``{"stack": ...}``)."""
    summary = stack_summary(id_, name, project_id, status)
    del summary["project"]
    return {
        **summary,
        "template_description": "web and app tiers",
        "disable_rollback": True,
        "timeout_mins": 60,
        "capabilities": [],
        "notification_topics": [],
        "parameters": {
            "OS::project_id": project_id,
            "OS::stack_id": id_,
            "OS::stack_name": name,
            **(parameters or {}),
        },
        "outputs": [
            {"output_key": key, "output_value": value, "description": f"The {key}."}
            for key, value in (outputs or {}).items()
        ],
    }
