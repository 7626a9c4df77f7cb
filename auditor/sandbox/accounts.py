"""Who a Keystone token request proves to be, and what it may be scoped to.

The sandbox's users are its admin (:class:`~auditor.sandbox.tokens.Credentials`,
scoped to its own project) and the project members of
:class:`~auditor.sandbox.options.SandboxOptions` (scoped to their projects only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.sandbox.tokens import Credentials, Member, TokenStore
from auditor.sandbox.views.identity import domain_ok
from auditor.sandbox.wire import JSON, ApiError


class Unauthorized(Exception):
    """The credentials or the scope asked for are refused (Keystone answers 401)."""


class Accounts:
    """The users of one sandbox cloud."""

    def __init__(
        self,
        credentials: Credentials,
        members: Sequence[Member],
        tokens: TokenStore,
        projects: Mapping[str, JSON],
        domain_names: Mapping[str, Any],
    ) -> None:
        self.credentials = credentials
        self.members = tuple(members)
        self.tokens = tokens
        self.projects = projects
        """Project id -> the project as Keystone lists it."""
        self.domain_names = domain_names
        """Domain id -> its name."""

    def user_of(self, user_id: str) -> Credentials | Member | None:
        if user_id == self.credentials.user_id:
            return self.credentials
        return next((m for m in self.members if m.user_id == user_id), None)

    def who(self, identity: JSON, methods: list[Any]) -> Credentials | Member | None:
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
                    who = user.get("name") == known.username and domain_ok(
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
            return self.user_of(caller.user_id)
        return None

    def scope(self, scope: Any, user: Credentials | Member) -> tuple[str | None, JSON | None]:
        """The kind of scope asked for, and the project for a project scope."""
        if scope is None:
            return None, None
        if not isinstance(scope, dict):
            raise ApiError(400, "'scope' must be an object")
        if "project" in scope:
            project = self.scoped_project(scope["project"], user)
            if project is None:
                raise Unauthorized
            return "project", project
        if "domain" in scope:
            if isinstance(user, Member) or not domain_ok(
                scope["domain"], user.domain_id, user.domain_name
            ):
                raise Unauthorized
            return "domain", None
        if "system" in scope:
            if isinstance(user, Member):
                raise Unauthorized
            return "system", None
        raise ApiError(400, "unsupported scope")

    def scoped_project(self, wanted: Any, user: Credentials | Member) -> JSON | None:
        """The project a token may be scoped to: one the user has a role on."""
        if not isinstance(wanted, dict):
            return None
        if isinstance(user, Credentials):
            cred = user
            ok = (
                wanted.get("id") == cred.project_id
                if wanted.get("id") is not None
                else wanted.get("name") == cred.project_name
                and domain_ok(wanted.get("domain"), cred.domain_id, cred.domain_name)
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
            elif wanted.get("name") == project.get("name") and domain_ok(
                wanted.get("domain"), domain_id, self.domain_names.get(domain_id)
            ):
                return project
        return None
