"""Keystone v3: discovery, the token request, and the listings behind names and endpoints.

Projects, domains, regions and services come from the snapshot (domains also
from the projects' ``domain_id``/``domain``, services and regions also from
the endpoints, with synthetic ids). ``/v3/endpoints`` answers the *snapshot's*
endpoints: the URLs the audited cloud advertises. ``/v3/users`` answers the
sandbox's admin and the owners of the snapshot's keypairs. The token's catalog is the sandbox's
own, so clients reach the sandbox for every service.

Besides the admin, project members (``SandboxOptions.members``) authenticate
with their passwords and scope tokens to their projects only; their tokens
carry the member and reader roles, ``/v3/auth/projects`` lists their projects,
and Keystone's admin listings (projects, domains, users, services, endpoints)
answer them 403, as Keystone's default policies do.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.model import Snapshot
from auditor.sandbox.ids import synthetic_hex
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, MarkerNotFound, item_body, list_body, next_href
from auditor.sandbox.tokens import Caller, Credentials, Member, TokenStore
from auditor.sandbox.wire import (
    JSON,
    ApiError,
    ApiRequest,
    ErrorStyle,
    Response,
    bool_param,
    int_param,
    json_response,
)

UNAUTHORIZED = "The request you have made requires authentication."
INTERFACES = ("public", "internal", "admin")
ADMIN_ROLES = ("admin", "member", "reader")
MEMBER_ROLES = ("member", "reader")
ADMIN_LISTINGS = frozenset({"projects", "domains", "users", "services", "endpoints"})
"""Listings Keystone's default policies refuse a project member (regions are anyone's)."""
DEFAULT_REGION = "RegionOne"
"""Region of the sandbox's own catalog when the snapshot has none."""


@dataclass(frozen=True)
class CatalogEntry:
    """One service of the sandbox's own catalog."""

    type: str
    name: str
    path: str
    """Path under the cloud's URL; ``{project_id}`` is replaced by the token's project."""


@dataclass(frozen=True)
class _Collection:
    key: str
    """``projects``: path segment and body key."""
    member: str
    """``project``: body key of one item."""
    listing: Listing
    filters: tuple[str, ...]
    """Query parameters that filter by the item's field of the same name."""
    paged: bool


def _items(snapshot: Snapshot, name: str) -> Sequence[JSON]:
    result = snapshot.collections.get(name)
    return result.items if result is not None else ()


def _matches(item: JSON, field: str, wanted: str) -> bool:
    value = item.get(field)
    if isinstance(value, bool):
        return value is bool_param(wanted, field)
    return value is not None and str(value) == wanted


class IdentityApi:
    """Keystone v3 of one sandbox cloud."""

    style = ErrorStyle.KEYSTONE

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        service_url: str,
        credentials: Credentials,
        tokens: TokenStore,
        catalog: Sequence[CatalogEntry],
        options: SandboxOptions,
        members: Sequence[Member] = (),
    ) -> None:
        self.cloud = snapshot.cloud
        self.region = snapshot.region or DEFAULT_REGION
        self.service_url = service_url
        self.credentials = credentials
        self.tokens = tokens
        self.catalog_entries = tuple(catalog)
        self.options = options
        self.members = tuple(members)
        link = f"{service_url}/v3"
        domains = _domains(snapshot, link)
        projects = _projects(snapshot, link)
        self.projects = {str(p["id"]): p for p in projects}
        self.domain_names = {str(d["id"]): d["name"] for d in domains}
        users = _users(snapshot, domains, credentials, link)
        services, endpoints = _services_and_endpoints(snapshot, link)
        regions = _regions(snapshot, endpoints, link)
        self.collections = {
            c.key: c
            for c in (
                _Collection(
                    "domains", "domain", Listing.of_items(domains), ("name", "enabled"), True
                ),
                _Collection(
                    "projects",
                    "project",
                    Listing.of_items(projects),
                    ("name", "domain_id", "parent_id", "enabled", "is_domain"),
                    True,
                ),
                _Collection(
                    "users",
                    "user",
                    Listing.of_items(users),
                    ("name", "domain_id", "enabled"),
                    True,
                ),
                _Collection(
                    "services", "service", Listing.of_items(services), ("type", "name"), False
                ),
                _Collection(
                    "endpoints",
                    "endpoint",
                    Listing.of_items(endpoints),
                    ("interface", "service_id", "region_id"),
                    False,
                ),
                _Collection(
                    "regions", "region", Listing.of_items(regions), ("parent_region_id",), False
                ),
            )
        }

    # -- routing -------------------------------------------------------------

    def is_public(self, request: ApiRequest) -> bool:
        if request.path in ("", "/", "/v3", "/v3/"):
            return True
        return request.method == "POST" and request.path.rstrip("/") == "/v3/auth/tokens"

    def handle(self, request: ApiRequest) -> Response:
        path = request.path
        if path in ("", "/"):
            return json_response({"versions": {"values": [self._version_doc()]}}, 300)
        if path in ("/v3", "/v3/"):
            return json_response({"version": self._version_doc()})
        parts = path.strip("/").split("/")
        if parts[0] != "v3" or len(parts) < 2:
            raise ApiError(404, "The resource could not be found.")
        if parts[1:] == ["auth", "tokens"]:
            if request.method == "POST":
                return self._issue(request)
            return self._validate(request)
        if parts[1:] == ["auth", "projects"]:
            return self._auth_projects(request)
        collection = self.collections.get(parts[1])
        if collection is None or len(parts) > 3:
            raise ApiError(404, "The resource could not be found.")
        if collection.key in ADMIN_LISTINGS and request.auth is not None and not request.auth.admin:
            action = f"identity:{'get' if len(parts) == 3 else 'list'}_{collection.key}"
            raise ApiError(
                403, f"You are not authorized to perform the requested action: {action}."
            )
        if len(parts) == 3:
            chunk = collection.listing.get(parts[2])
            if chunk is None:
                raise ApiError(404, f"Could not find {collection.member}: {parts[2]}.")
            return Response(200, item_body(collection.member, chunk))
        return self._list(collection, request)

    def _version_doc(self) -> JSON:
        return {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{self.service_url}/v3/"}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
            ],
        }

    # -- listings --------------------------------------------------------------

    def _list(self, collection: _Collection, request: ApiRequest) -> Response:
        query = request.query
        listing = collection.listing
        wanted = {k: v for k, v in query.items() if k in collection.filters}
        if collection.key == "users" and "domain_id" not in wanted:
            domain = self._users_domain(request)
            if domain is not None:
                wanted["domain_id"] = domain
        if wanted:
            listing = listing.select(
                lambda item: all(_matches(item, k, v) for k, v in wanted.items())
            )
        base = f"{self.service_url}/v3/{collection.key}"
        links: dict[str, Any] = {"self": request.url(), "previous": None, "next": None}
        extra: dict[str, Any] = {"links": links}
        limit = int_param(query, "limit", minimum=1)
        list_limit = self.options.keystone_list_limit
        if collection.paged and self.options.keystone_paging and limit is not None:
            limit = min(limit, self.options.max_limit)
            try:
                chunks, last = listing.page(query.get("marker"), limit)
            except MarkerNotFound:
                raise ApiError(
                    404, f"Could not find {collection.member}: {query.get('marker')}."
                ) from None
            if last is not None:
                # Keystone flags every full page: it cannot tell whether more follow.
                links["next"] = next_href(base, query, limit, last)
                extra["truncated"] = True
        elif self.options.keystone_paging and not collection.paged:
            chunks = self._catalog_page(collection.key, listing, query, limit, base, links, extra)
        elif list_limit is not None and len(listing) > list_limit and collection.key != "regions":
            chunks = listing.chunks[:list_limit]
            extra["truncated"] = True
        else:
            chunks = listing.chunks
        return Response(200, list_body(collection.key, chunks, extra))

    def _users_domain(self, request: ApiRequest) -> str | None:
        """With domain-specific drivers, the domain an unfiltered user listing is
        confined to: the token's project's domain (Keystone's
        ``_get_domain_id_for_list_request``); None without them."""
        if not self.options.keystone_domain_drivers:
            return None
        caller = request.auth
        project = self.projects.get(str(caller.project_id)) if caller is not None else None
        return str(project.get("domain_id")) if project else self.credentials.domain_id

    def _catalog_page(
        self,
        key: str,
        listing: Listing,
        query: Mapping[str, str],
        limit: int | None,
        base: str,
        links: dict[str, Any],
        extra: dict[str, Any],
    ) -> list[bytes]:
        """A catalog listing (services, endpoints, regions) as Keystone 2025.1+ answers
        it: cut at the request's ``limit`` (up to ``max_db_limit``), else at
        ``list_limit`` (not regions), flagged ``truncated`` only when more exist, with
        a next link whose marker the catalog's SQL backend ignores: it is the first
        page again."""
        cap = min(limit, self.options.max_limit) if limit is not None else None
        if cap is None and key != "regions":
            # Keystone's region listing hands its hints over positionally, so
            # list_limit (manager.response_truncated) never applies to it.
            cap = self.options.keystone_list_limit
        if cap is None or len(listing) <= cap:
            return listing.chunks
        extra["truncated"] = True
        links["next"] = next_href(base, query, cap, listing.ids[cap - 1])
        return listing.chunks[:cap]

    # -- tokens ------------------------------------------------------------------

    def _unauthorized(self, request: ApiRequest) -> ApiError:
        return ApiError(
            401,
            UNAUTHORIZED,
            {"WWW-Authenticate": f'Keystone uri="{request.cloud_url}/identity"'},
        )

    def _issue(self, request: ApiRequest) -> Response:
        try:
            doc = json.loads(request.body or b"null")
        except ValueError:
            raise ApiError(400, "Malformed request body: not JSON") from None
        auth = doc.get("auth") if isinstance(doc, dict) else None
        identity = auth.get("identity") if isinstance(auth, dict) else None
        methods = identity.get("methods") if isinstance(identity, dict) else None
        if not isinstance(auth, dict) or not isinstance(identity, dict):
            raise ApiError(400, "'auth' and 'auth.identity' are required properties")
        if not isinstance(methods, list) or not methods:
            raise ApiError(400, "'methods' is a required property")
        user = self._who(identity, methods)
        if user is None:
            raise self._unauthorized(request)
        scope = auth.get("scope")
        scoped, project = self._scope(scope, request, user)
        admin = user is self.credentials
        issued = self.tokens.issue(
            Caller(user.user_id, user.username, project.get("id") if project else None, admin)
        )
        user_domain = {"id": user.domain_id, "name": user.domain_name}
        token: JSON = {
            "methods": [m for m in methods if isinstance(m, str)],
            "user": {
                "id": user.user_id,
                "name": user.username,
                "domain": user_domain,
                "password_expires_at": None,
            },
            "audit_ids": [secrets.token_urlsafe(16)],
            "expires_at": issued.expires_at,
            "issued_at": issued.issued_at,
        }
        if scoped == "project" and project is not None:
            token["project"] = self._project_ref(project)
            token["is_domain"] = False
        elif scoped == "domain":
            token["domain"] = user_domain
        elif scoped == "system":
            token["system"] = {"all": True}
        if scoped is not None:
            token["roles"] = _roles(ADMIN_ROLES if admin else MEMBER_ROLES)
            project_id = project.get("id") if project else self.credentials.project_id
            token["catalog"] = self._catalog(request.cloud_url, str(project_id))
        return json_response({"token": token}, 201, {"X-Subject-Token": issued.token})

    def _project_ref(self, project: JSON) -> JSON:
        domain_id = str(project.get("domain_id"))
        return {
            "id": project["id"],
            "name": project.get("name"),
            "domain": {"id": domain_id, "name": self.domain_names.get(domain_id)},
        }

    def _auth_projects(self, request: ApiRequest) -> Response:
        """``GET /v3/auth/projects``: the projects the token's user has a role on."""
        caller = request.auth
        user = self._user_of(caller.user_id) if caller is not None else None
        if isinstance(user, Member):
            ids: tuple[str, ...] = user.project_ids
        else:
            ids = (self.credentials.project_id,)
        projects = [self.projects[i] for i in ids if i in self.projects]
        links = {"self": request.url(), "previous": None, "next": None}
        return json_response({"projects": projects, "links": links})

    def _user_of(self, user_id: str) -> Credentials | Member | None:
        if user_id == self.credentials.user_id:
            return self.credentials
        return next((m for m in self.members if m.user_id == user_id), None)

    def _who(self, identity: JSON, methods: list[Any]) -> Credentials | Member | None:
        """The user the identity proves to be (the admin or a member), None if none."""
        if "password" in methods:
            password = identity.get("password")
            user = password.get("user") if isinstance(password, dict) else None
            if not isinstance(user, dict):
                return None
            users: list[Credentials | Member] = [self.credentials, *self.members]
            for known in users:
                if user.get("id") is not None:
                    who = user.get("id") == known.user_id
                else:
                    who = user.get("name") == known.username and _domain_ok(
                        user.get("domain"), known.domain_id, known.domain_name
                    )
                if who:
                    return known if user.get("password") == known.password else None
            return None
        if "token" in methods:
            token = identity.get("token")
            caller = self.tokens.caller(token.get("id")) if isinstance(token, dict) else None
            if caller is None:
                # A valid token the store knows no caller of speaks for the admin.
                valid = isinstance(token, dict) and self.tokens.valid(token.get("id"))
                return self.credentials if valid else None
            return self._user_of(caller.user_id)
        return None

    def _scope(
        self, scope: Any, request: ApiRequest, user: Credentials | Member
    ) -> tuple[str | None, JSON | None]:
        """The kind of scope asked for, and the project for a project scope."""
        if scope is None:
            return None, None
        if not isinstance(scope, dict):
            raise ApiError(400, "'scope' must be an object")
        if "project" in scope:
            project = self._scoped_project(scope["project"], user)
            if project is None:
                raise self._unauthorized(request)
            return "project", project
        if "domain" in scope:
            if isinstance(user, Member) or not _domain_ok(
                scope["domain"], user.domain_id, user.domain_name
            ):
                raise self._unauthorized(request)
            return "domain", None
        if "system" in scope:
            if isinstance(user, Member):
                raise self._unauthorized(request)
            return "system", None
        raise ApiError(400, "unsupported scope")

    def _scoped_project(self, wanted: Any, user: Credentials | Member) -> JSON | None:
        """The project a token may be scoped to: one the user has a role on."""
        if not isinstance(wanted, dict):
            return None
        if isinstance(user, Credentials):
            cred = user
            ok = (
                wanted.get("id") == cred.project_id
                if wanted.get("id") is not None
                else wanted.get("name") == cred.project_name
                and _domain_ok(wanted.get("domain"), cred.domain_id, cred.domain_name)
            )
            if not ok:
                return None
            return self.projects.get(cred.project_id) or {
                "id": cred.project_id,
                "name": cred.project_name,
                "domain_id": cred.domain_id,
            }
        for project_id in user.project_ids:
            project = self.projects.get(project_id)
            if project is None:
                continue
            domain_id = str(project.get("domain_id"))
            if wanted.get("id") is not None:
                if wanted["id"] == project_id:
                    return project
            elif wanted.get("name") == project.get("name") and _domain_ok(
                wanted.get("domain"), domain_id, self.domain_names.get(domain_id)
            ):
                return project
        return None

    def _validate(self, request: ApiRequest) -> Response:
        subject = request.headers.get("x-subject-token")
        caller = self.tokens.caller(subject)
        if caller is None and not self.tokens.valid(subject):
            raise ApiError(404, f"Could not find token: {subject}.")
        user = self._user_of(caller.user_id) if caller is not None else None
        user = user or self.credentials
        admin = user is self.credentials
        project_id = caller.project_id if caller is not None else self.credentials.project_id
        project = self.projects.get(str(project_id)) or {
            "id": self.credentials.project_id,
            "name": self.credentials.project_name,
            "domain_id": self.credentials.domain_id,
        }
        token = {
            "methods": ["password"],
            "user": {
                "id": user.user_id,
                "name": user.username,
                "domain": {"id": user.domain_id, "name": user.domain_name},
            },
            "project": self._project_ref(project),
            "roles": _roles(ADMIN_ROLES if admin else MEMBER_ROLES),
            "catalog": self._catalog(request.cloud_url, str(project["id"])),
        }
        return json_response({"token": token}, 200, {"X-Subject-Token": subject or ""})

    def _catalog(self, cloud_url: str, project_id: str) -> list[JSON]:
        out = []
        for entry in self.catalog_entries:
            url = f"{cloud_url}/{entry.path.format(project_id=project_id)}"
            service_id = synthetic_hex(self.cloud, "sandbox-service", entry.type)
            out.append(
                {
                    "endpoints": [
                        {
                            "id": synthetic_hex(service_id, interface),
                            "interface": interface,
                            "region": self.region,
                            "region_id": self.region,
                            "url": url,
                        }
                        for interface in INTERFACES
                    ],
                    "id": service_id,
                    "type": entry.type,
                    "name": entry.name,
                }
            )
        return out


def _roles(names: Sequence[str]) -> list[JSON]:
    return [{"id": synthetic_hex("role", name), "name": name} for name in names]


def _domain_ok(domain: Any, domain_id: str, domain_name: str | None) -> bool:
    """A scope's or a user's ``domain`` (absent, by id or by name) names this domain."""
    if domain is None:
        return True
    if not isinstance(domain, dict):
        return False
    if domain.get("id") is not None:
        return bool(domain.get("id") == domain_id)
    return bool(domain.get("name") == domain_name)


# -- building the listings from a snapshot --------------------------------------


def _domains(snapshot: Snapshot, link: str) -> list[JSON]:
    out: dict[str, JSON] = {}

    def add(domain_id: Any, name: Any, source: Mapping[str, Any]) -> None:
        if domain_id is None or name is None or str(domain_id) in out:
            return
        out[str(domain_id)] = {
            "id": str(domain_id),
            "name": name,
            "description": source.get("description") or "",
            "enabled": bool(source.get("enabled", True)),
            "tags": list(source.get("tags") or []),
            "options": {},
            "links": {"self": f"{link}/domains/{domain_id}"},
        }

    for domain in _items(snapshot, "domains"):
        add(domain.get("id"), domain.get("name"), domain)
    for project in _items(snapshot, "projects"):
        add(project.get("domain_id"), project.get("domain"), {})
    known = {d["name"] for d in out.values()}
    for keypair in _items(snapshot, "keypairs"):
        # A keypair owner's domain that no project names: made up, so it resolves.
        name = keypair.get("domain")
        if name is not None and name not in known:
            known.add(name)
            add(synthetic_hex(snapshot.cloud, "domain", name), name, {})
    return sorted(out.values(), key=lambda d: d["id"])


def _users(
    snapshot: Snapshot, domains: Sequence[JSON], credentials: Credentials, link: str
) -> list[JSON]:
    """The sandbox's admin and every owner of a keypair of the snapshot."""
    domain_ids = {d["name"]: d["id"] for d in domains}
    out: dict[str, JSON] = {}

    def add(user_id: str, name: Any, domain_id: Any) -> None:
        if user_id in out:
            return
        out[user_id] = {
            "id": user_id,
            "name": name,
            "domain_id": domain_id,
            "enabled": True,
            "password_expires_at": None,
            "options": {},
            "links": {"self": f"{link}/users/{user_id}"},
        }

    add(credentials.user_id, credentials.username, credentials.domain_id)
    for keypair in _items(snapshot, "keypairs"):
        if keypair.get("user_id") is not None:
            add(str(keypair["user_id"]), keypair.get("user"), domain_ids.get(keypair.get("domain")))
    return sorted(out.values(), key=lambda u: u["id"])


def _projects(snapshot: Snapshot, link: str) -> list[JSON]:
    items = _items(snapshot, "projects")
    by_name: dict[Any, list[JSON]] = {}
    for project in items:
        by_name.setdefault(project.get("name"), []).append(project)

    def parent_id(project: JSON) -> Any:
        parent = project.get("parent")
        if parent is None:
            return project.get("domain_id")
        candidates = by_name.get(parent, [])
        # Keystone keeps a project and its parent in one domain.
        same = [c for c in candidates if c.get("domain_id") == project.get("domain_id")]
        chosen = same or candidates
        if not chosen:
            # The parent is not in the snapshot: an id that resolves to no listed project.
            return synthetic_hex(snapshot.cloud, "project", parent)
        return chosen[0]["id"]

    return [
        {
            "id": p["id"],
            "name": p.get("name"),
            "domain_id": p.get("domain_id"),
            "description": p.get("description") or "",
            "enabled": bool(p.get("enabled", True)),
            "is_domain": False,
            "parent_id": parent_id(p),
            "tags": list(p.get("tags") or []),
            "options": {},
            "links": {"self": f"{link}/projects/{p['id']}"},
        }
        for p in items
    ]


def _services_and_endpoints(snapshot: Snapshot, link: str) -> tuple[list[JSON], list[JSON]]:
    declared = {
        (s.get("service_type"), s.get("name")): s
        for s in _items(snapshot, "services")
        if s.get("id") is not None
    }
    services: dict[str, JSON] = {}

    def service_id(service_type: Any, service_name: Any) -> str:
        source = declared.get((service_type, service_name))
        if source is None and service_type is None:
            # The audited cloud listed the endpoint but not its service.
            return synthetic_hex(snapshot.cloud, "unlisted-service", service_name)
        sid = (
            str(source["id"])
            if source
            else synthetic_hex(snapshot.cloud, "service", service_type, service_name)
        )
        if sid not in services:
            service: JSON = {
                "id": sid,
                "type": service_type,
                "enabled": bool((source or {}).get("enabled", True)),
                "description": (source or {}).get("description") or "",
                "links": {"self": f"{link}/services/{sid}"},
            }
            if service_name is not None:
                service["name"] = service_name
            services[sid] = service
        return sid

    for (service_type, service_name), _source in declared.items():
        service_id(service_type, service_name)
    endpoints = []
    for e in _items(snapshot, "endpoints"):
        region = e.get("region")
        endpoints.append(
            {
                "id": e["id"],
                "service_id": service_id(e.get("service_type"), e.get("service_name")),
                "interface": e.get("interface"),
                "region": region,
                "region_id": region,
                "url": e.get("url"),
                "enabled": bool(e.get("enabled", True)),
                "links": {"self": f"{link}/endpoints/{e['id']}"},
            }
        )
    return sorted(services.values(), key=lambda s: s["id"]), endpoints


def _regions(snapshot: Snapshot, endpoints: list[JSON], link: str) -> list[JSON]:
    names: dict[str, JSON] = {}
    for region in _items(snapshot, "regions"):
        names[str(region["id"])] = region
    for endpoint in endpoints:
        if endpoint.get("region_id"):
            names.setdefault(str(endpoint["region_id"]), {})
    if snapshot.region:
        names.setdefault(snapshot.region, {})
    return [
        {
            "id": name,
            "description": source.get("description") or "",
            "parent_region_id": source.get("parent"),
            "links": {"self": f"{link}/regions/{name}"},
        }
        for name, source in sorted(names.items())
    ]
