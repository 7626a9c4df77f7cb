"""Volume types of the real Cinder seeded through its API, as an operator would: a
private type with extra specs, QoS specs, encryption and two projects' access."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from realnet import Rest

JSON = dict[str, Any]

PRIVATE_TYPE: JSON = {
    "name": "gold-private",
    "description": "Gold tier, encrypted, for contracted tenants",
    "extra_specs": {"volume_backend_name": "gold", "replication_enabled": "<is> True"},
    "qos": {"name": "gold-qos", "consumer": "front-end", "specs": {"total_iops_sec": "1000"}},
    "encryption": {
        "provider": "luks",
        "cipher": "aes-xts-plain64",
        "key_size": 512,
        "control_location": "front-end",
    },
    "access": ("cw-acme", "cw-globex"),
}


def seed_volume_types(rest: Rest, cinder: str, project_ids: Mapping[str, str]) -> JSON:
    """The private type of :data:`PRIVATE_TYPE`, through Cinder's v3 API; its ids."""
    base = f"{cinder}/v3/{project_ids['admin']}"
    plan = PRIVATE_TYPE
    created = rest.call(
        "POST",
        f"{base}/types",
        {
            "volume_type": {
                "name": plan["name"],
                "description": plan["description"],
                "os-volume-type-access:is_public": False,
                "extra_specs": plan["extra_specs"],
            }
        },
    )["volume_type"]
    qos = plan["qos"]
    qos_specs = rest.call(
        "POST",
        f"{base}/qos-specs",
        {"qos_specs": {"name": qos["name"], "consumer": qos["consumer"], **qos["specs"]}},
    )["qos_specs"]
    # Cinder associates QoS specs with a type by a GET (its API, not ours).
    rest.call("GET", f"{base}/qos-specs/{qos_specs['id']}/associate?vol_type_id={created['id']}")
    rest.call(
        "POST", f"{base}/types/{created['id']}/encryption", {"encryption": plan["encryption"]}
    )
    for project in plan["access"]:
        rest.call(
            "POST",
            f"{base}/types/{created['id']}/action",
            {"addProjectAccess": {"project": project_ids[project]}},
        )
    return {"id": created["id"], "qos_specs_id": qos_specs["id"]}


def logged(access_log: Path, actions: int, timeout: float = 30.0) -> None:
    """Wait until Cinder's access log holds the seeding's last requests (``actions``
    access grants): the server writes a line after it answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = access_log.read_text(encoding="utf-8") if access_log.exists() else ""
        if text.count("/action") >= actions:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{access_log}: the volume type seeding was not logged")
