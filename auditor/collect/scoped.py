"""Inventories with project-scoped (non-admin) credentials: project by project.

An admin lists every project's resources in one all-projects listing per
collection (:func:`auditor.collect.take_inventory`). A user without the admin
role cannot: Nova answers ``all_tenants`` with 403, Keystone refuses to list
projects, domains and endpoints. With such credentials the auditor lists what
the user can see:

1. the projects the user has a role on (``GET /v3/auth/projects``, allowed to
   any token);
2. for each of them, a token scoped to it (the token request is the one
   non-GET request the auditor sends; openstacksdk's ``connect_as_project``
   makes the connection) and the project-owned collections listed without
   ``all_tenants``, keeping the items that project owns (a shared network or
   a public image of another project is not this project's);
3. the snapshot is marked ``scope: "project"`` with the projects it covers
   (``projects_covered``); collections that need admin credentials
   (endpoints, domains, regions, services, users' keypairs, quotas...) are
   left out and named in the log. The diff then compares only those projects
   (:mod:`auditor.diff.scope`).

Application credentials are bound to one project and cannot be rescoped: with
them, only that project is covered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from auditor.catalog import registry
from auditor.catalog.lookups import DOMAINS, PROJECTS, Lookups
from auditor.catalog.spec import CollectionSpec, Request
from auditor.collect.inventory import take_inventory, utc_now
from auditor.collect.normalise import normalise
from auditor.collect.retry import RetryPolicy
from auditor.collect.run import (
    SHAPE_ERRORS,
    InventoryObserver,
    Runner,
    authenticate_with_retries,
    shape_error,
    without_all_projects,
)
from auditor.connect import CloudTarget, auth_url, region_name
from auditor.errors import AuditorError, ListingError
from auditor.logsetup import get_logger
from auditor.model import SCOPE_PROJECT, CollectionResult, Snapshot, Status

log = get_logger(__name__)

JSON = dict[str, Any]

AUTH_PROJECTS = Request("identity.auth_projects", "identity", "/auth/projects", "projects")
"""The projects the token's user has a role on (any token may ask)."""

SEEDED = frozenset({PROJECTS, DOMAINS})
"""Lookups a scoped run builds from /v3/auth/projects and the tokens, never lists."""

ADMIN_ROLES = frozenset({"admin"})

APP_CREDENTIAL_AUTH = frozenset({"v3applicationcredential", "applicationcredential"})

Rescope = Callable[[JSON], Any]
"""Project (as /v3/auth/projects gives it) -> a connection scoped to it."""


@dataclass(frozen=True)
class TokenScope:
    """What the token says about its user's reach."""

    roles: tuple[str, ...]
    project_id: str | None
    project_name: str | None
    domain_id: str | None
    """The token's project's domain."""
    domain_name: str | None

    @property
    def admin(self) -> bool:
        return any(role.lower() in ADMIN_ROLES for role in self.roles)


def token_scope(conn: Any) -> TokenScope:
    """The roles and project of the connection's token (fetched already: no request)."""
    access = conn.session.auth.get_access(conn.session)
    return TokenScope(
        roles=tuple(access.role_names or ()),
        project_id=access.project_id,
        project_name=access.project_name,
        domain_id=access.project_domain_id,
        domain_name=access.project_domain_name,
    )


def scoped_collections(collections: Sequence[str]) -> tuple[list[str], list[str]]:
    """(collections a project-scoped user can list, the others): projects, and the
    project-owned collections listed in one request per project whose lookups are
    the project's own or the seeded identity ones."""
    listable: list[str] = []
    others: list[str] = []
    for name in collections:
        c = registry.spec(name)
        ok = name == registry.PROJECTS or (
            c.project_owned
            and c.primary.fan_out is None
            and not any(
                r.key.startswith("identity.") and r.key not in SEEDED
                for r in (*(lookup.request for lookup in c.lookups), *c.requests[1:])
            )
        )
        (listable if ok else others).append(name)
    return listable, others


def inventory(
    conn: Any,
    target: CloudTarget,
    *,
    rescope: Rescope,
    collections: Sequence[str] = registry.core(),
    policy: RetryPolicy | None = None,
    observer: InventoryObserver | None = None,
    max_workers: int = 8,
    objects: bool = False,
    counters: Sequence[str] = (),
) -> Snapshot:
    """Inventory the cloud behind ``conn``: across all projects when its token has the
    admin role (:func:`~auditor.collect.take_inventory`), else project by project
    (``objects``: Swift containers' objects too, as an admin). The usage ``counters``
    (services) are read as an admin only: a project-scoped run records them as not read,
    with the reason."""
    policy = policy or RetryPolicy()
    try:
        authenticate_with_retries(conn, target, policy)
    except ListingError:
        # take_inventory reports the failure the way it always does.
        return take_inventory(
            conn, target, collections=collections, policy=policy, observer=observer
        )
    scope = token_scope(conn)
    if scope.admin:
        return take_inventory(
            conn,
            target,
            collections=collections,
            policy=policy,
            observer=observer,
            max_workers=max_workers,
            objects=objects,
            counters=counters,
        )
    log.info("project-scoped credentials", cloud=str(target), roles=list(scope.roles))
    snapshot = take_scoped_inventory(
        conn,
        target,
        scope,
        rescope=rescope,
        collections=collections,
        policy=policy,
        observer=observer,
        max_workers=max_workers,
    )
    unread = CollectionResult(Status.ERROR, error=COUNTERS_NEED_ADMIN)
    return replace(snapshot, counters=dict.fromkeys(counters, unread))


COUNTERS_NEED_ADMIN = (
    "project-scoped credentials: every project's usage counters need the admin role"
)


@dataclass
class _Project:
    """One covered project and what was listed in it."""

    raw: JSON
    domain_name: str | None = None
    listed: dict[str, list[JSON]] | None = None
    error: str | None = None


def take_scoped_inventory(
    conn: Any,
    target: CloudTarget,
    scope: TokenScope,
    *,
    rescope: Rescope,
    collections: Sequence[str] = registry.core(),
    policy: RetryPolicy | None = None,
    observer: InventoryObserver | None = None,
    max_workers: int = 8,
) -> Snapshot:
    """The project-by-project inventory of a non-admin user (see the module doc)."""
    policy = policy or RetryPolicy()
    started = time.monotonic()
    taken_at = utc_now()
    cloud_name = str(target)
    listable, others = scoped_collections(collections)
    if others:
        log.warning(
            "collections need admin credentials, not listed",
            cloud=cloud_name,
            collections=others,
        )
    run = Runner(conn, target, policy, observer, max_workers)
    projects: list[_Project] = []
    failure: str | None = None
    try:
        raw_projects = run.fetch(AUTH_PROJECTS, None).items
    except ListingError as exc:
        failure = str(exc)
        raw_projects = []
    auth_type = str(conn.config.config.get("auth_type") or "")
    for raw in sorted(raw_projects, key=lambda p: str(p.get("id"))):
        if raw.get("is_domain") or raw.get("enabled") is False:
            continue  # no token can be scoped to it
        if auth_type in APP_CREDENTIAL_AUTH and raw.get("id") != scope.project_id:
            continue  # an application credential is bound to its project
        projects.append(_Project(raw))
    if auth_type in APP_CREDENTIAL_AUTH and len(projects) < len(raw_projects):
        log.warning(
            "application credentials cover their own project only",
            cloud=cloud_name,
            project=scope.project_name,
        )

    absent = run.not_offered(registry.spec(n) for n in listable)
    owned = [registry.spec(n) for n in listable if n != registry.PROJECTS and n not in absent]
    microversions: dict[str, str | None] = {}
    if projects and owned and failure is None:
        microversions, failure = _negotiate(projects[0], owned, conn, scope, run, rescope)
        workers = max(1, min(max_workers // 2, len(projects)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="auditor-project") as pool:
            list(
                pool.map(
                    lambda p: _list_project(p, owned, conn, scope, rescope, run, microversions),
                    projects,
                )
            )

    domains = {
        str(p.raw.get("domain_id")): p.domain_name
        for p in projects
        if p.domain_name is not None and p.raw.get("domain_id") is not None
    }
    if scope.domain_id and scope.domain_name:
        domains.setdefault(scope.domain_id, scope.domain_name)
    seeded: dict[str, list[JSON]] = {
        PROJECTS: [p.raw for p in projects],
        DOMAINS: [{"id": k, "name": v} for k, v in domains.items()],
    }
    results: dict[str, CollectionResult] = {}
    for name in listable:
        c = registry.spec(name)
        results[name] = (
            CollectionResult(Status.NOT_OFFERED)
            if name in absent
            else _result(c, projects, seeded, microversions, failure)
        )
        if observer is not None:
            observer.on_collection(cloud_name, name, results[name])
    lookups = Lookups(seeded, microversions)
    covered = tuple(
        {
            "id": str(p.raw["id"]),
            "name": p.raw.get("name"),
            "domain": lookups.domain_names.get(str(p.raw.get("domain_id"))),
        }
        for p in projects
    )
    return Snapshot(
        cloud=target.cloud or cloud_name,
        region=target.region or region_name(conn),
        auth_url=auth_url(conn),
        taken_at=taken_at,
        duration_s=time.monotonic() - started,
        collections=results,
        scope=SCOPE_PROJECT,
        projects_covered=covered,
        microversions=microversions,
    )


def _connection(project: _Project, conn: Any, scope: TokenScope, rescope: Rescope) -> Any:
    """A connection whose token is scoped to ``project`` (``conn`` itself when it is)."""
    if project.raw.get("id") == scope.project_id:
        return conn
    return rescope(project.raw)


def _scoped_run(
    project: _Project, conn: Any, scope: TokenScope, rescope: Rescope, run: Runner
) -> Runner:
    """The project's run, authenticated (the token request), its domain's name learnt."""
    project_conn = _connection(project, conn, scope, rescope)
    project_run = run.over(project_conn)
    project_run.authenticate(f"identity: token for project {project.raw.get('name')}")
    project.domain_name = token_scope(project_conn).domain_name
    return project_run


def _negotiate(
    project: _Project,
    owned: Sequence[CollectionSpec],
    conn: Any,
    scope: TokenScope,
    run: Runner,
    rescope: Rescope,
) -> tuple[dict[str, str | None], str | None]:
    """Microversions, once (on the first project's connection): they are the services'."""
    services = sorted({c.service for c in owned if c.service})
    microversions: dict[str, str | None] = {}
    try:
        project_run = _scoped_run(project, conn, scope, rescope, run)
        for service in services:
            microversions[service] = project_run.negotiate(service)
    except (ListingError, AuditorError) as exc:
        return microversions, f"project {project.raw.get('name')}: {exc}"
    return microversions, None


def _list_project(
    project: _Project,
    owned: Sequence[CollectionSpec],
    conn: Any,
    scope: TokenScope,
    rescope: Rescope,
    run: Runner,
    microversions: Mapping[str, str | None],
) -> None:
    """Every listing the project's collections need, in the project's scope."""
    name = project.raw.get("name")
    try:
        project_run = _scoped_run(project, conn, scope, rescope, run)
        requests: dict[str, Request] = {}
        for c in owned:
            for request in (c.primary, *c.needs(microversions), *c.enriched_by):
                if request.key not in SEEDED:
                    requests[request.key] = request
        needed = {r.key for c in owned for r in (c.primary, *c.needs(microversions))}
        listed: dict[str, list[JSON]] = {}
        for key, request in requests.items():
            mv = microversions.get(request.service)
            try:
                listed[key] = project_run.fetch(without_all_projects(request), mv).items
            except ListingError:
                if key not in needed:
                    continue  # an optional lookup (image names): its names stay null
                raise
        project.listed = listed
    except (ListingError, AuditorError) as exc:
        project.error = f"project {name}: {exc}"
        log.error("project listing failed", project=name, reason=project.error)


def _result(
    c: CollectionSpec,
    projects: Sequence[_Project],
    seeded: Mapping[str, list[JSON]],
    microversions: Mapping[str, str | None],
    failure: str | None,
) -> CollectionResult:
    if failure is not None:
        return CollectionResult(Status.ERROR, error=failure)
    if c.name == registry.PROJECTS:
        lookups = Lookups(seeded, microversions)
        projects_items = normalise(c, [(c.primary, seeded[PROJECTS])], lookups)
        return CollectionResult(Status.OK, tuple(sorted(projects_items, key=lambda p: p["id"])))
    errors = [p.error for p in projects if p.error is not None]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return CollectionResult(Status.ERROR, error=errors[0] + more)
    items: dict[str, JSON] = {}
    for project in projects:
        raw = {**seeded, **(project.listed or {})}
        lookups = Lookups(raw, microversions)
        try:
            normalised = normalise(c, [(r, raw.get(r.key, [])) for r in c.requests], lookups)
        except SHAPE_ERRORS as exc:
            return CollectionResult(Status.ERROR, error=shape_error(c.primary, exc))
        own = str(project.raw["id"])
        for item in normalised:
            if str(item.get("project_id")) == own:
                items.setdefault(str(item["id"]), item)
    ordered = [items[k] for k in sorted(items)]
    # Without admin credentials only the items themselves can tell (no checks).
    reason = c.assess(ordered, Lookups(seeded, microversions)) if c.assess else None
    if reason:
        return CollectionResult(Status.INCOMPLETE, tuple(ordered), error=reason)
    return CollectionResult(Status.OK, tuple(ordered))
