"""Keystone's access listings that need more than a collection of items: a group's
members (``GET /v3/groups/{id}/users``) and the role assignments (``GET
/v3/role_assignments``, with or without ``include_names``).

Keystone answers a group's members cut at ``list_limit`` whatever the request's
``limit`` (unlike the catalog listings and the roles, where a ``limit`` replaces
it), else at a request's ``limit`` (up to ``max_db_limit``), flagged
``truncated``, with a next link whose marker its SQL query ignores (the first
page again): checked against Keystone 30. The role assignments are never cut
(it wraps the list without hints) and unpaged. Both are refused to a project
member (``identity:list_users_in_group``, ``identity:list_role_assignments``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.model import Snapshot
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.paging import Listing, list_body, next_href
from auditor.sandbox.views.access import (
    assignment_items,
    group_items,
    group_members,
    role_items,
    unnamed_listing,
)
from auditor.sandbox.wire import JSON, ApiError, ApiRequest, Response, dumps, int_param


def refuse_member(request: ApiRequest, action: str) -> None:
    """403 as Keystone's default policy answers a caller without the admin role."""
    if request.auth is not None and not request.auth.admin:
        raise ApiError(
            403, f"You are not authorized to perform the requested action: identity:{action}."
        )


class AccessRoutes:
    """A group's members and the role assignments of one sandbox cloud."""

    def __init__(
        self,
        snapshot: Snapshot,
        users: Listing,
        domains: Sequence[JSON],
        projects: Mapping[str, JSON],
        link: str,
        options: SandboxOptions,
    ) -> None:
        self.link = link
        self.options = options
        self.users = users
        domain_ids = {d["name"]: d["id"] for d in domains}
        project_domains = {pid: str(p.get("domain_id")) for pid, p in projects.items()}
        self.groups = Listing.of_items(group_items(snapshot, domain_ids, link))
        """``GET /v3/groups`` (paged as the users are)."""
        self.roles = Listing.of_items(role_items(snapshot, link))
        """``GET /v3/roles`` (cut as the catalog listings are)."""
        by_id = dict(zip(users.ids, users.sources, strict=True))
        self.members = group_members(snapshot, by_id)
        self.assignments = {
            names: unnamed_listing(
                assignment_items(snapshot, domain_ids, project_domains, link, names=names)
            )
            for names in (False, True)
        }

    def answer(self, parts: list[str], request: ApiRequest) -> Response | None:
        """The answer to ``/v3/<parts>`` when it is one of these (None: it is not)."""
        if parts == ["role_assignments"]:
            refuse_member(request, "list_role_assignments")
            # Keystone's query_filter_is_true: present and not "0".
            named = request.query.get("include_names", "0") != "0"
            links = {"self": request.url(), "previous": None, "next": None}
            chunks = self.assignments[named].chunks
            return Response(200, list_body("role_assignments", chunks, {"links": links}))
        if len(parts) == 3 and parts[0] == "groups" and parts[2] == "users":
            refuse_member(request, "list_users_in_group")
            return self._members(request, parts[1])
        return None

    def _members(self, request: ApiRequest, group_id: str) -> Response:
        members = self.members.get(group_id)
        if members is None:
            raise ApiError(404, f"Could not find group: {group_id}.")
        known = self.users.index
        listing = Listing(
            [str(u["id"]) for u in members],
            [
                self.users.chunks[known[str(u["id"])]] if str(u["id"]) in known else dumps(u)
                for u in members
            ],
            members,
        )
        links: JSON = {"self": request.url(), "previous": None, "next": None}
        extra: JSON = {"links": links}
        limit = int_param(request.query, "limit", minimum=1)
        cap = self.options.keystone_list_limit
        if cap is None and limit is not None:
            cap = min(limit, self.options.max_limit)
        chunks = listing.chunks
        if cap is not None and len(listing) > cap:
            chunks = chunks[:cap]
            extra["truncated"] = True
            base = f"{self.link}/groups/{group_id}/users"
            links["next"] = next_href(base, request.query, cap, listing.ids[cap - 1])
        return Response(200, list_body("users", chunks, extra))
