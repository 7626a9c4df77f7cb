"""Keystone's access listings that need more than a collection of items: a group's
members (``GET /v3/groups/{id}/users``) and the role assignments (``GET
/v3/role_assignments``, with or without ``include_names``).

Keystone answers a group's members cut at ``list_limit`` or a request's
``limit`` (its SQL query applies no marker: the next link repeats the first
page), as it does the catalog listings; the role assignments never cut (it
wraps the list without hints) and unpaged. Both are refused to a project
member (``identity:list_users_in_group``, ``identity:list_role_assignments``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditor.model import Snapshot
from auditor.sandbox.paging import Listing, list_body
from auditor.sandbox.views.access import assignment_items, group_members, unnamed_listing
from auditor.sandbox.wire import JSON, ApiError, ApiRequest, Response, dumps, int_param

Cut = Callable[[Listing, Mapping[str, str], "int | None", str, dict[str, Any]], list[bytes]]
"""How Keystone cuts an unpageable listing: (listing, query, limit, base URL, extra
members of the body it may set) -> the items answered."""


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
        domain_ids: Mapping[Any, str],
        project_domains: Mapping[str, str],
        link: str,
    ) -> None:
        self.link = link
        self.users = users
        by_id = dict(zip(users.ids, users.sources, strict=True))
        self.members = group_members(snapshot, by_id)
        self.assignments = {
            names: unnamed_listing(
                assignment_items(snapshot, domain_ids, project_domains, link, names=names)
            )
            for names in (False, True)
        }

    def answer(self, parts: list[str], request: ApiRequest, cut: Cut) -> Response | None:
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
            return self._members(request, parts[1], cut)
        return None

    def _members(self, request: ApiRequest, group_id: str, cut: Cut) -> Response:
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
        chunks = cut(listing, request.query, limit, f"{self.link}/groups/{group_id}/users", extra)
        return Response(200, list_body("users", chunks, extra))
