"""Swift's listings (:attr:`~auditor.catalog.spec.Paging.SWIFT`): one project's account.

Swift answers a bare JSON list in name order (``format=json``), at most
10,000 names a page (``container_listing_limit``, also the default), asked
again from ``marker`` = the last name until a page is shorter than the limit
or empty (``[]``; ``204 No Content`` where the listing is plain text). A
container's details come in the headers of its own GET; ``limit=0`` (the
container server refuses only a limit above 10,000) makes that GET answer them
with an empty listing. Only GET is sent.

The account of project P is the catalog endpoint's with the token's project
id swapped for P (``.../v1/AUTH_<admin project>`` -> ``.../v1/AUTH_<P>``,
whatever the reseller prefix). Other projects' accounts need the reseller
admin role: a 403 fails the listing and says so.

With ``objects``, each container's objects are listed too, page by page, and
folded into an :class:`~auditor.catalog.object_rows.ObjectsSummary` (memory:
one page, whatever the container's size).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from auditor.catalog.object_rows import (
    ObjectsSummary,
    differing,
    only_differing,
    row_of,
    unnamed,
)
from auditor.collect.pager import Listed, PageObserver, get_options
from auditor.collect.retry import Retryable, RetryPolicy, call_with_retries, retry_after
from auditor.collect.walk import type_error
from auditor.errors import ListingError
from auditor.logsetup import get_logger
from auditor.textsafe import printable

log = get_logger(__name__)

JSON = dict[str, Any]

LISTING_LIMIT = 10_000
"""Swift's default and maximum page (``container_listing_limit``, ``account_listing_limit``)."""

MAX_REAUTHS = 3

CONTAINER_HEADERS = ("x-container-", "x-storage-policy", "x-versions-", "x-history-location")
"""The container headers an item keeps (counts, policy, ACLs, versioning, sync, metadata)."""

FORBIDDEN_HINT = (
    " (reading another project's account needs Swift's reseller admin role,"
    " keystoneauth's reseller_admin_role, e.g. ResellerAdmin)"
)


class _Unauthorized(Exception):
    pass


def account_url(endpoint: str, token_project: str, project_id: str) -> str:
    """The account URL of ``project_id``, from the catalog endpoint naming the account of
    the token's project (``https://swift/v1/AUTH_<token_project>``)."""
    parts = urlsplit(endpoint.rstrip("/"))
    head, _, account = parts.path.rpartition("/")
    if not token_project or not account.endswith(token_project):
        raise ListingError(
            "object-store: the catalog's endpoint names no account of the token's project"
            f" ({printable(parts.path, limit=80)})"
        )
    prefix = account[: len(account) - len(token_project)]
    path = f"{head}/{prefix}{quote(project_id, safe='')}"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class SwiftWalk:
    """The GETs of one account, under the retry policy."""

    def __init__(
        self,
        adapter: Any,
        url: str,
        *,
        policy: RetryPolicy,
        observer: PageObserver | None = None,
        what: str = "object-store containers",
    ) -> None:
        self.adapter = adapter
        self.url = url
        self.policy = policy
        self.observer = observer
        self.what = what
        self.pages = 0

    def get(self, url: str, params: Mapping[str, str]) -> tuple[list[JSON], Mapping[str, str]]:
        """One page: (its items, its headers in lower case)."""

        def attempt() -> tuple[list[JSON], Mapping[str, str]]:
            kwargs = get_options(self.adapter, self.policy, params)
            response: requests.Response = self.adapter.get(url, **kwargs)
            status = response.status_code
            if status == 429 or status >= 500:
                raise Retryable(status, retry_after(response))
            if status == 401:
                raise _Unauthorized
            if status >= 300:
                reason = printable(response.reason or "", limit=40)
                hint = FORBIDDEN_HINT if status == 403 else ""
                where = printable(urlsplit(url).path, limit=120)
                raise ListingError(f"{self.what}: HTTP {status} {reason} on {where}{hint}")
            headers = {k.lower(): v for k, v in response.headers.items()}
            if status == 204 or not response.content:
                return [], headers
            try:
                body = response.json()
            except ValueError:
                raise ListingError(f"{self.what}: HTTP {status} answered with non-JSON") from None
            if not isinstance(body, list):
                raise ListingError(f"{self.what}: the listing is no JSON list")
            return body, headers

        for _ in range(MAX_REAUTHS):
            try:
                result: tuple[list[JSON], Mapping[str, str]] = call_with_retries(
                    attempt, self.policy, self.what
                )
            except _Unauthorized:
                continue  # keystoneauth renewed the token: ask again with it
            self.pages += 1
            if self.observer is not None:
                self.observer.on_page(self.what, len(result[0]))
            return result
        raise ListingError(f"{self.what}: HTTP 401 Unauthorized, even with a fresh token")

    def pages_of(
        self, url: str, first: tuple[list[JSON], Mapping[str, str]] | None = None
    ) -> Iterator[list[JSON]]:
        """Every page of a listing, in name order (``first``: its first page, already
        fetched)."""
        page = first[0] if first is not None else self.get(url, _query(None))[0]
        while True:
            for index, item in enumerate(page):
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    raise ListingError(f"{self.what}: item {index} of a page has no name")
            yield page
            if len(page) < LISTING_LIMIT:
                return
            page = self.get(url, _query(page[-1]["name"]))[0]

    def containers(self, objects: bool) -> Listed:
        """The account's containers, each with its headers (and objects)."""
        listed = Listed()
        first = self.get(self.url, _query(None))
        announced = _int(first[1].get("x-account-container-count"))
        shapes = {"name": (str,), "count": (int,), "bytes": (int,)}
        for page in self.pages_of(self.url, first):
            for raw in page:
                wrong = type_error(raw, shapes)
                if wrong is not None:
                    raise ListingError(f"{self.what}: {wrong}")
                listed.items.append(self.container(raw, objects))
        if announced is not None and len(listed.items) < announced:
            listed.truncated = True
            listed.reason = (
                f"{self.what}: the account says {announced} containers, {len(listed.items)} listed"
            )
        listed.pages = self.pages
        return listed

    def container(self, raw: JSON, objects: bool) -> JSON:
        try:
            return self._container(raw, objects)
        except (KeyError, TypeError, ValueError) as exc:
            raise ListingError(f"{self.what}: unexpected object shape ({exc!r})") from exc

    def _container(self, raw: JSON, objects: bool) -> JSON:
        url = f"{self.url}/{quote(raw['name'], safe='')}"
        if objects:
            first = self.get(url, _query(None))
            summary = ObjectsSummary()
            for page in self.pages_of(url, first):
                for obj in page:
                    summary.add(row_of(obj))
            headers = first[1]
        else:
            summary = None
            headers = self.get(url, {"format": "json", "limit": "0"})[1]
        item: JSON = {
            "name": raw["name"],
            "count": raw.get("count"),
            "bytes": raw.get("bytes"),
            "headers": {k: v for k, v in headers.items() if k.startswith(CONTAINER_HEADERS)},
        }
        if summary is not None:
            item["objects"] = summary.value()
        return item


def object_listing(
    conn: Any, project_id: str, container: str, policy: RetryPolicy
) -> Iterator[JSON]:
    """A container's objects as the summaries keep them, in name order, page by page."""
    adapter = conn.object_store
    account = account_url(adapter.get_endpoint(), conn.current_project_id, project_id)
    url = f"{account}/{quote(container, safe='')}"
    walk = SwiftWalk(adapter, url, policy=policy, what="object-store objects")
    for page in walk.pages_of(url):
        for obj in page:
            try:
                yield row_of(obj)
            except (KeyError, TypeError, ValueError) as exc:
                raise ListingError(f"{walk.what}: unexpected object shape ({exc!r})") from exc


def name_differences(
    source_conn: Any,
    target_conn: Any,
    pairs: Iterable[tuple[JSON, JSON]],
    policy: RetryPolicy,
) -> dict[tuple[str, str], tuple[JSON, JSON]]:
    """For each matched pair of containers (source item, target item) whose objects'
    digests differ and of which a side kept no object (too many): both sides listed
    again, at once, merged as two name-ordered streams, each side's summary then
    keeping only the objects that differ (at most ``ROWS_KEPT`` pairs). By (source id,
    target id); a pair whose listing fails keeps its digests (the failure is logged)."""
    out: dict[tuple[str, str], tuple[JSON, JSON]] = {}
    for s_item, t_item in pairs:
        was, now = s_item.get("objects"), t_item.get("objects")
        if not isinstance(was, dict) or not isinstance(now, dict):
            continue
        if was.get("digest") == now.get("digest") or not (unnamed(was) or unnamed(now)):
            continue
        try:
            s_rows, t_rows, cut = differing(
                object_listing(source_conn, str(s_item["project_id"]), s_item["name"], policy),
                object_listing(target_conn, str(t_item["project_id"]), t_item["name"], policy),
            )
        except ListingError as exc:
            log.warning("objects not named", container=t_item.get("id"), reason=str(exc))
            continue
        out[str(s_item["id"]), str(t_item["id"])] = (
            only_differing(was, s_rows, cut),
            only_differing(now, t_rows, cut),
        )
    return out


def _query(marker: str | None) -> dict[str, str]:
    query = {"format": "json", "limit": str(LISTING_LIMIT)}
    if marker is not None:
        query["marker"] = marker
    return query


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
