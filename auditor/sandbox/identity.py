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
from auditor.sandbox.access import AccessRoutes
from auditor.sandbox.accounts import Accounts, Unauthorized
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, MarkerNotFound, item_body, list_body, next_href
from auditor.sandbox.tokens import Caller, Credentials, Member, TokenStore
from auditor.sandbox.views.identity import (
    CatalogEntry,
    domain_items,
    project_items,
    region_items,
    roles,
    services_and_endpoints,
    token_catalog,
    user_items,
)
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
ADMIN_ROLES = ("admin", "member", "reader")
MEMBER_ROLES = ("member", "reader")
ADMIN_LISTINGS = frozenset(
    {"projects", "domains", "users", "services", "endpoints", "groups", "roles"}
)
"""Listings Keystone's default policies refuse a project member (regions are anyone's)."""
DEFAULT_REGION = "RegionOne"
"""Region of the sandbox's own catalog when the snapshot has none."""


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
        domains = domain_items(snapshot, link)
        projects = project_items(snapshot, link)
        self.projects = {str(p["id"]): p for p in projects}
        self.domain_names = {str(d["id"]): d["name"] for d in domains}
        self.accounts = Accounts(credentials, members, tokens, self.projects, self.domain_names)
        users = Listing.of_items(user_items(snapshot, domains, credentials, link))
        self.access = AccessRoutes(snapshot, users, domains, self.projects, link, options)
        services, endpoints = services_and_endpoints(snapshot, link)
        regions = region_items(snapshot, endpoints, link)
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
                    users,
                    ("name", "domain_id", "enabled"),
                    True,
                ),
                _Collection("groups", "group", self.access.groups, ("name", "domain_id"), True),
                _Collection("roles", "role", self.access.roles, (), False),
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
        access = self.access.answer(parts[1:], request)
        if access is not None:
            return access
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
        user = self.accounts.who(identity, methods)
        if user is None:
            raise self._unauthorized(request)
        scope = auth.get("scope")
        try:
            scoped, project = self.accounts.scope(scope, user)
        except Unauthorized:
            raise self._unauthorized(request) from None
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
            token["roles"] = roles(ADMIN_ROLES if admin else MEMBER_ROLES)
            project_id = project.get("id") if project else self.credentials.project_id
            token["catalog"] = token_catalog(
                self.cloud, self.region, self.catalog_entries, request.cloud_url, str(project_id)
            )
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
        user = self.accounts.user_of(caller.user_id) if caller is not None else None
        if isinstance(user, Member):
            ids: tuple[str, ...] = user.project_ids
        else:
            ids = (self.credentials.project_id,)
        projects = [self.projects[i] for i in ids if i in self.projects]
        links = {"self": request.url(), "previous": None, "next": None}
        return json_response({"projects": projects, "links": links})

    def _validate(self, request: ApiRequest) -> Response:
        subject = request.headers.get("x-subject-token")
        caller = self.tokens.caller(subject)
        if caller is None and not self.tokens.valid(subject):
            raise ApiError(404, f"Could not find token: {subject}.")
        user = self.accounts.user_of(caller.user_id) if caller is not None else None
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
            "roles": roles(ADMIN_ROLES if admin else MEMBER_ROLES),
            "catalog": token_catalog(
                self.cloud, self.region, self.catalog_entries, request.cloud_url, str(project["id"])
            ),
        }
        return json_response({"token": token}, 200, {"X-Subject-Token": subject or ""})
