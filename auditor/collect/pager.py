"""One pager for every paged OpenStack listing.

Requests are those of the SDK's service proxies (keystoneauth adapters): the
token, its renewal, the catalog's endpoint, version discovery and the microversion
headers are keystoneauth's, sent as keystoneauth would send them but without its
per-request bookkeeping (:mod:`auditor.collect.http`); responses are consumed as
raw JSON, because building openstacksdk ``Resource`` objects costs 20-50x the HTTP
time for thousands of items. Each page is asked under the retry policy of
:mod:`auditor.collect.retry`.

Paging follows each service's own ``next`` link, in every shape the services
use: Nova and Cinder ``<key>_links`` lists, Keystone's ``links`` dict (which
openstacksdk does not follow), Glance's top-level ``next``. Only the link's
query (marker, limit...) is taken: the request goes to the catalog endpoint,
so a service that advertises an internal host or plain http in its links is
still reached the way the catalog says. A listing that pages by offset (no
link) is asked page after page until an empty one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import requests

from auditor.catalog.spec import Paging
from auditor.collect.decode import Layout, NotJSON, PageDecoder, decode_any, page_decoder
from auditor.collect.http import bulk_get
from auditor.collect.retry import (
    MAX_RETRY_AFTER,
    Deadline,
    DeadlineReached,
    Retryable,
    RetryPolicy,
    call_with_retries,
    retry_after,
)
from auditor.collect.walk import Walk, kept, kept_typed
from auditor.errors import ItemNotFound, ListingError
from auditor.textsafe import printable

__all__ = [
    "MAX_RETRY_AFTER",
    "Deadline",
    "Listed",
    "PageObserver",
    "Pager",
    "RetryPolicy",
    "call_with_retries",
    "next_query",
]
"""Besides the pager, the retry policy it walks under (imported from here by the CLI)."""

JSON = dict[str, Any]

MAX_PAGES = 100_000
MAX_RESTARTS = 3
MAX_REAUTHS = 3
MIN_TIMEOUT = 0.01
"""Shortest request timeout when capped by the deadline (0 would mean no timeout)."""


class PageObserver(Protocol):
    """Told about every page fetched, for progress displays and request counts."""

    def on_page(self, listing: str, items: int) -> None: ...


class TokenRejected(Exception):
    """HTTP 401 on a listing: the token expired or was revoked mid-walk."""


class MarkerGone(Exception):
    """The service no longer knows the marker we paged from (deleted mid-walk)."""


@dataclass
class Listed:
    """What one listing produced."""

    items: list[JSON] = field(default_factory=list)
    truncated: bool = False
    """The service said the list was cut (Keystone ``truncated``)."""
    reason: str | None = None
    """Why it is cut, when more is known than the service's flag."""
    pages: int = 0
    restarts: int = 0
    duplicates: int = 0
    """Items the service listed twice (same id) outside restarts: kept once, reported."""


def next_query(body: JSON, item_key: str, links_key: str | None = None) -> dict[str, str] | None:
    """The query of the page after ``body``, from whichever next link the service uses
    (``links_key``: the key of its links, default ``<item_key>_links``)."""
    href: str | None = None
    links = body.get(links_key or f"{item_key}_links")
    if isinstance(links, list):
        for link in links:
            if isinstance(link, dict) and link.get("rel") == "next":
                href = link.get("href")
                break
    if href is None:
        keystone_links = body.get("links")
        if isinstance(keystone_links, dict):
            href = keystone_links.get("next")
    if href is None and isinstance(body.get("next"), str):
        href = body["next"]
    if not href:
        return None
    return dict(parse_qsl(urlsplit(href).query, keep_blank_values=True))


def get_options(
    adapter: Any,
    policy: RetryPolicy,
    params: Mapping[str, str],
    headers: Mapping[str, str] | None = None,
    microversion: str | None = None,
) -> dict[str, Any]:
    """The keyword arguments of one bulk GET through a keystoneauth adapter."""
    kwargs: dict[str, Any] = {
        "params": dict(params),
        "raise_exc": False,
        # Tenacity is the only retry layer: openstacksdk configures
        # keystoneauth to retry some services by itself (Glance 503s
        # five times, with real sleeps), which would multiply attempts.
        "connect_retries": 0,
        "status_code_retries": 0,
        "headers": {"Accept": "application/json", **(headers or {})},
    }
    if microversion is not None:
        kwargs["microversion"] = microversion
    deadline = policy.deadline
    if deadline is not None:
        # A page under way when the deadline passes is cut there.
        timeout = getattr(adapter.session, "timeout", None)
        left = max(deadline.remaining(), MIN_TIMEOUT)
        kwargs["timeout"] = left if timeout is None else min(float(timeout), left)
    return kwargs


class Pager:
    """Walks one listing to its end: retries, next links, restarts, de-duplication."""

    def __init__(
        self,
        adapter: Any,
        *,
        policy: RetryPolicy,
        observer: PageObserver | None = None,
    ) -> None:
        self.adapter = adapter
        self.policy = policy
        self.observer = observer

    def _get(
        self,
        path: str,
        params: Mapping[str, str],
        microversion: str | None,
        what: str,
        headers: Mapping[str, str] | None = None,
        decoder: PageDecoder | None = None,
    ) -> tuple[JSON, bool]:
        """The page's body, and whether ``decoder`` kept only its fields of each item."""

        def attempt() -> tuple[JSON, bool]:
            kwargs = get_options(self.adapter, self.policy, params, headers, microversion)
            # Looked up at the request: a service the SDK disabled (not in the catalog)
            # fails the listing there, as its proxy's own get would.
            response: requests.Response = bulk_get(self.adapter).get(path, **kwargs)
            status = response.status_code
            if status == 429 or status >= 500:
                raise Retryable(status, retry_after(response))
            if status == 401:
                raise TokenRejected
            if 300 <= status < 400:
                # keystoneauth follows a few same-host redirects; more, or one
                # without a Location, ends here.
                raise ListingError(f"{what}: HTTP {status} redirect not followed")
            if status in (400, 404) and "marker" in params:
                raise MarkerGone(f"HTTP {status}")
            if status == 404:
                raise ItemNotFound(f"{what}: HTTP 404")
            if status >= 400:
                # The reason phrase is the server's: printable, short.
                reason = printable(response.reason or "", limit=40)
                hint = " (admin role needed?)" if status == 403 else ""
                raise ListingError(f"{what}: HTTP {status} {reason}{hint}".rstrip())
            try:
                body, trimmed = _decode(response, decoder)
            except NotJSON:
                raise ListingError(f"{what}: HTTP {status} answered with non-JSON") from None
            if not isinstance(body, dict):
                raise ListingError(f"{what}: unexpected response shape")
            return body, trimmed

        for _ in range(MAX_REAUTHS):
            try:
                result: tuple[JSON, bool] = call_with_retries(attempt, self.policy, what)
            except TokenRejected:
                # keystoneauth renews an expired token once per request, but with
                # listings running concurrently only one request renews it and
                # the others get their 401 passed on: ask again with the fresh one.
                continue
            return result
        raise ListingError(f"{what}: HTTP 401 Unauthorized, even with a fresh token")

    def page(
        self, what: str, path: str, params: Mapping[str, str], microversion: str | None = None
    ) -> JSON:
        """One page (or one item), with the retries and token renewal, its next link not
        followed; a 404 raises :class:`~auditor.errors.ItemNotFound`."""
        return self._get(path, params, microversion, what)[0]

    def list(
        self,
        what: str,
        path: str,
        item_key: str,
        params: Mapping[str, str],
        microversion: str | None = None,
        fields: Collection[str] | None = None,
        convert: Callable[[list[JSON]], list[JSON]] | None = None,
        *,
        types: Mapping[str, tuple[type, ...]] | None = None,
        paging: Paging = Paging.LINKS,
        links: str | None = None,
        headers: Mapping[str, str] | None = None,
        layout: Layout | None = None,
    ) -> Listed:
        """Every item of the listing, de-duplicated by id, in the service's order.

        ``fields`` are what is read of each item: pages are decoded keeping
        only those (:mod:`auditor.collect.decode`). With ``convert``, what is
        kept of each page is what ``convert`` makes of its items (a normaliser,
        which reads no other field): page by page, so that the listing never
        holds every raw item at once; without, each item keeps only ``fields``.
        Exceptions of ``convert`` propagate. With ``types``, an item whose field
        has another JSON type fails the listing.
        With ``Paging.OFFSET``, pages are asked by ``offset`` until an empty one.
        ``headers`` go with every page (Designate's all-projects header).
        With ``layout`` and ``convert``, the items ``convert`` gets are ``Struct``s
        where a page could be decoded so (:mod:`auditor.collect.decode`), else dicts.
        """
        listed = Listed()
        seen: set[Any] = set()
        query: dict[str, str] = dict(params)
        previous_markers: set[str] = set()
        walk = Walk(what)
        # Structs only for a converter (the raw items a listing keeps are dicts).
        decoder = page_decoder(item_key, links, fields, types, layout if convert else None)
        structs = decoder is not None and decoder.structs
        exact = decoder is not None and fields is not None and decoder.fields == set(fields)
        # What a page decoded typed still needs checked: the types msgspec could not.
        typed = decoder.typed if decoder is not None else frozenset()
        rest = {n: t for n, t in (types or {}).items() if n not in typed} or None
        while True:
            if listed.pages >= MAX_PAGES:
                raise ListingError(f"{what}: more than {MAX_PAGES} pages, giving up")
            walk.asking(query, listed.pages)
            try:
                body, trimmed = self._get(
                    path, query, microversion, what, headers=headers, decoder=decoder
                )
            except DeadlineReached as exc:
                raise DeadlineReached(
                    what, exc.deadline, pages=listed.pages, failure=exc.failure
                ) from None
            except MarkerGone:
                # The item we paged from was deleted (Cinder 404) or archived
                # (Nova 400): walk again from the start; de-duplication by id
                # drops what we already have.
                if listed.restarts >= MAX_RESTARTS:
                    raise ListingError(
                        f"{what}: marker vanished {listed.restarts + 1} times, giving up"
                    ) from None
                listed.restarts += 1
                query = dict(params)
                previous_markers.clear()
                walk.restart()
                continue
            listed.pages += 1
            page = body.get(item_key) if item_key else body
            if not item_key:
                # The answer is the one object itself (Cinder's type encryption), {}: none.
                page = [page] if page else []
            elif isinstance(page, dict):
                # One object where a list could be (a project's quota set): one item.
                page = [page]
            if not isinstance(page, list):
                raise ListingError(f"{what}: response has no {item_key!r} list")
            # Trimmed already when decoded to exactly ``fields``; a normaliser needs no trim.
            trim = None if convert is not None or (trimmed and exact) else fields
            if trimmed and structs:
                fresh_items = kept_typed(what, page, listed, seen, None, None, structs=True)
            elif trimmed and "id" in typed:
                fresh_items = kept_typed(what, page, listed, seen, trim, rest)
            else:
                fresh_items = kept(what, page, listed, seen, trim, types)
            fresh = len(fresh_items)
            walk.got(len(page), fresh, listed.pages)
            listed.items.extend(fresh_items if convert is None else convert(fresh_items))
            if self.observer is not None:
                self.observer.on_page(what, fresh)
            following = (
                {"offset": str(int(query.get("offset") or 0) + len(page))}
                if paging is Paging.OFFSET
                else next_query(body, item_key, links)
            )
            if following is None or not page:
                # Keystone (2025.1+) says "truncated": true on every full page
                # it also links a next page from; only a cut list with no next
                # page to follow (list_limit, no paging) is really short.
                if body.get("truncated") is True:
                    listed.truncated = True
                return listed
            marker = following.get("marker")
            if marker is not None:
                if marker in previous_markers:
                    # A service handing back a marker it already gave would loop forever.
                    raise ListingError(f"{what}: the service repeated page marker {marker!r}")
                previous_markers.add(marker)
            query = {**params, **following}


def _decode(response: requests.Response, decoder: PageDecoder | None) -> tuple[Any, bool]:
    """A response's JSON body (``decoder``'s fields only where it could), and whether so."""
    encoding = (response.encoding or "utf-8").lower().replace("-", "").replace("_", "")
    if encoding != "utf8":
        # A charset other than UTF-8 announced: decoded as requests decodes it.
        try:
            return response.json(), False
        except ValueError:
            raise NotJSON from None
    if decoder is None:
        return decode_any(response.content), False
    return decoder.decode(response.content)
