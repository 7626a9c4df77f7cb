"""The object storage family of the example clouds: Swift containers and their objects.

Globex and Initech keep a public ``website`` container (read ACL ``.r:*``,
metadata) and a ``backups`` container whose old versions go to
``backups-history`` (history mode), one of its objects a static large object.
The target holds the same containers in the tenants' new accounts, with the
same objects (sizes, ETags): the demo audits them with ``--objects``. Its
seeded defect: Globex's backups lost one object and another's content changed
(another ETag) on the way.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from typing import Any

from auditor.catalog.object_rows import ObjectsSummary
from auditor.demo.base import ExampleCloud

JSON = dict[str, Any]

COLLECTIONS = ("containers",)
"""The collections whose demo rows this family adds."""

DEFECTS = (
    "container backups of ocb-globex lost object 2026-11-19.tar.gz and object"
    " 2026-11-20.tar.gz changed content (another ETag)",
)
"""What :func:`seed_defects` breaks in the target."""

TENANTS = ("globex", "initech")
MODIFIED = "2026-11-20T09:00:00.000000"

OBJECTS: Mapping[str, tuple[tuple[str, int, str, bool], ...]] = {
    "website": (
        ("index.html", 5_120, "text/html", False),
        ("logo.png", 48_213, "image/png", False),
        ("style.css", 2_048, "text/css", False),
    ),
    "backups": (
        ("2026-11-18.tar.gz", 7_340_032, "application/gzip", False),
        ("2026-11-19.tar.gz", 7_352_320, "application/gzip", False),
        ("2026-11-20.tar.gz", 7_364_608, "application/gzip", False),
        ("db.dump", 6_442_450_944, "application/octet-stream", True),
    ),
    "backups-history": (),
}
"""Container -> its objects: (name, bytes, content type, a static large object)."""


def _etag(*parts: object) -> str:
    return hashlib.md5("/".join(str(p) for p in parts).encode()).hexdigest()


def _row(tenant: str, container: str, name: str, size: int, kind: str, large: bool) -> JSON:
    return {
        "name": name,
        "bytes": size,
        "etag": _etag(tenant, container, name),
        "content_type": kind,
        "last_modified": MODIFIED,
        "large": large,
    }


def _summary(rows: list[JSON]) -> JSON:
    summary = ObjectsSummary()
    for row in rows:
        summary.add(row)
    return summary.value()


def _containers(cloud: ExampleCloud, prefix: str) -> list[JSON]:
    projects = {str(p["name"]): p for p in cloud.projects}
    out = []
    for tenant in TENANTS:
        project = projects.get(f"{prefix}{tenant}")
        if project is None:
            continue
        for container, objects in OBJECTS.items():
            rows = [_row(tenant, container, *obj) for obj in objects]
            website = container == "website"
            out.append(
                {
                    "id": f"{project['id']}/{container}",
                    "name": container,
                    "project": project["name"],
                    "project_id": project["id"],
                    "domain": project["domain"],
                    "object_count": len(rows),
                    "bytes_used": sum(int(r["bytes"]) for r in rows),
                    "storage_policy": "Policy-0",
                    "read_acl": ".r:*,.rlistings" if website else None,
                    "write_acl": None,
                    "versions_location": None,
                    "history_location": "backups-history" if container == "backups" else None,
                    "versions_enabled": None,
                    "sync_to": None,
                    "metadata": {"web-index": "index.html"} if website else {},
                    "objects": _summary(rows),
                }
            )
    return out


def add_source(cloud: ExampleCloud, rng: random.Random) -> None:
    """The legacy cloud's containers."""
    del rng
    cloud.extra["containers"] = _containers(cloud, "cw-")


def add_target(source: ExampleCloud, target: ExampleCloud, rng: random.Random) -> None:
    """The same containers in the tenants' new accounts."""
    del rng, source
    target.extra["containers"] = _containers(target, "ocb-")


def seed_defects(target: ExampleCloud) -> None:
    """Break Globex's backups as :data:`DEFECTS` says."""
    backups = next(
        c
        for c in target.extra["containers"]
        if c["project"] == "ocb-globex" and c["name"] == "backups"
    )
    rows = [dict(r) for r in backups["objects"]["rows"] if r["name"] != "2026-11-19.tar.gz"]
    changed = next(r for r in rows if r["name"] == "2026-11-20.tar.gz")
    changed["etag"] = _etag("corrupted", changed["name"])
    backups["objects"] = _summary(rows)
    backups["object_count"] = len(rows)
    backups["bytes_used"] = sum(int(r["bytes"]) for r in rows)
