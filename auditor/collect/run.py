"""The runner of one inventory over one connection: authentication, microversions, and
each request of the catalog walked (page by page, fan-out by fan-out, normalised as
it arrives when it can be).

:func:`auditor.collect.take_inventory` (every project, as an admin) and
:mod:`auditor.collect.scoped` (project by project) both run their requests
through a :class:`Runner`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol
from urllib.parse import quote

import keystoneauth1.exceptions as ks_exc
import openstack.exceptions
import openstack.utils

from auditor.authn import authenticate
from auditor.catalog import registry
from auditor.catalog.lookups import Lookups, Reading
from auditor.catalog.spec import FAN_OUT_KEY, CollectionSpec, Paging, Request
from auditor.collect.decode import Layout
from auditor.collect.list_limit import list_whole
from auditor.collect.normalise import normalise_items
from auditor.collect.pager import Listed, PageObserver, Pager
from auditor.collect.retry import DiscoveryIncomplete, Retryable, RetryPolicy, call_with_retries
from auditor.collect.structs import struct_layout
from auditor.collect.swift import SwiftWalk, account_url
from auditor.connect import CloudTarget
from auditor.errors import ListingError
from auditor.model import CollectionResult

JSON = dict[str, Any]

FAN_OUT_WORKERS = 4
"""Concurrent requests of one fan-out listing (one request per project, user...)."""

SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
"""What reading a raw item of an unexpected shape raises."""


class InventoryObserver(PageObserver, Protocol):
    """Progress of an inventory: pages as they arrive, collections as they finish."""

    def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None: ...


def authenticate_with_retries(
    conn: Any, target: CloudTarget, policy: RetryPolicy, what: str = "identity: authentication"
) -> None:
    """:func:`~auditor.authn.authenticate` under the retry policy, Keystone's 5xx/429
    retried; a final failure is a :class:`~auditor.errors.ListingError`."""

    def attempt() -> None:
        try:
            authenticate(conn, target)
        except ks_exc.HttpError as exc:
            retry_after = float(exc.retry_after) if exc.retry_after else None
            raise Retryable(exc.http_status or 0, retry_after) from exc

    call_with_retries(attempt, policy, what)


def describe(exc: BaseException) -> str:
    """One line for a failed request."""
    if isinstance(exc, ks_exc.EndpointNotFound):
        return "no endpoint in the catalog"
    if isinstance(exc, ks_exc.DiscoveryFailure):
        return "version discovery failed"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def shape_error(request: Request, exc: Exception) -> str:
    return f"{request.label}: unexpected item shape ({exc!r})"


def fan_out_depth(request: Request) -> int:
    """How many fan-outs deep a listing is (keypairs over users over domains: 2)."""
    depth = 0
    fan = request.fan_out
    while fan is not None:
        depth += 1
        fan = fan.over.fan_out
    return depth


def for_item(request: Request, subject: str) -> Request:
    """The request of a fan-out listing for one item: ``{id}`` replaced by its id."""
    return dataclasses.replace(
        request,
        path=request.path.replace("{id}", quote(subject, safe="")),
        query={k: v.replace("{id}", subject) for k, v in request.query.items()},
        fan_out=None,
    )


def without_all_projects(request: Request) -> Request:
    """The request a project-scoped user may make: without its all-projects parameter
    (or header)."""
    return dataclasses.replace(request, all_projects=None, all_projects_header=None)


class Runner:
    """Runs requests of the catalog over one connection."""

    def __init__(
        self,
        conn: Any,
        target: CloudTarget,
        policy: RetryPolicy,
        observer: InventoryObserver | None = None,
        max_workers: int = 8,
        *,
        objects: bool = False,
    ) -> None:
        self.conn = conn
        self.target = target
        self.policy = policy
        self.observer = observer
        self.max_workers = max_workers
        self.objects = objects
        """``--objects``: Swift containers' objects are listed too."""
        self._proxies: set[str] = set()
        self._making = threading.Lock()

    def proxy(self, name: str) -> Any:
        """The connection's service proxy ``name`` (``image``, ``block_storage``...).

        openstacksdk makes a proxy on first use, with a version discovery when the
        catalog's endpoint is unversioned (Glance's); listings that start together
        over one service (the two image listings) would each make one, and each send
        that GET. So the first use is made under a lock, once.
        """
        if name in self._proxies:
            return getattr(self.conn, name)
        with self._making:
            made = getattr(self.conn, name)
            self._proxies.add(name)
        return made

    def over(self, conn: Any, max_workers: int = 1) -> Runner:
        """A runner like this one over another connection (a project-scoped one)."""
        return Runner(
            conn, self.target, self.policy, self.observer, max_workers, objects=self.objects
        )

    def authenticate(self, what: str = "identity: authentication") -> None:
        """The token request, under the retry policy (``what`` names it in errors)."""
        authenticate_with_retries(self.conn, self.target, self.policy, what)

    def offers(self, service: str) -> bool:
        """True when the cloud's catalog (for the connection's region and interface) has
        an endpoint of ``service``, or the profile overrides its endpoint. Read from the
        token already fetched: no request."""
        try:
            return self.conn.endpoint_for(service) is not None
        except (ks_exc.ClientException, openstack.exceptions.SDKException):
            # Undecided: the listing is made, and its failure says why.
            return True

    def not_offered(self, specs: Iterable[CollectionSpec]) -> dict[str, str]:
        """The optional collections among ``specs`` whose service the cloud does not
        offer -> that service (a required collection's absent service stays a failure)."""
        offered: dict[str, bool] = {}
        out: dict[str, str] = {}
        for spec in specs:
            if not spec.optional:
                continue
            for service in dict.fromkeys(r.service for r in spec.requests):
                if service not in offered:
                    offered[service] = self.offers(service)
                if not offered[service]:
                    out[spec.name] = service
                    break
        return out

    def negotiate(self, service: str) -> str | None:
        """The microversion to list ``service`` with: the highest both sides know."""
        _baseline, client_max = registry.MICROVERSIONS[service]
        adapter = self.proxy(service.replace("-", "_"))

        def discover() -> str | None:
            # openstacksdk falls back to no microversion when discovery fails,
            # silently: Nova would then drop down-cell servers and embed no
            # flavor. Every Nova and Cinder v3 since 2015 announces a range, so
            # a missing one is a failed discovery, retried like a page.
            data = adapter.get_endpoint_data()
            if data is None or not data.max_microversion:
                raise DiscoveryIncomplete
            mv: str | None = openstack.utils.maximum_supported_microversion(adapter, client_max)
            return mv

        result: str | None = call_with_retries(
            discover, self.policy, f"{service}: version discovery"
        )
        return result

    def fetch(
        self,
        request: Request,
        microversion: str | None,
        convert: Callable[[list[JSON]], list[JSON]] | None = None,
        *,
        also: Collection[str] = (),
        layout: Layout | None = None,
    ) -> Listed:
        """Every item of one request (raw, trimmed to what the catalog reads and ``also``,
        or what ``convert`` makes of each page, of ``Struct``s with ``layout``)."""
        kept = registry.kept_fields(request.key)
        if kept is not None and also:
            kept = kept | frozenset(also)
        pager = Pager(self.proxy(request.proxy), policy=self.policy, observer=self.observer)
        try:
            if request.paging is Paging.SWIFT:
                return self.fetch_account(request)
            if request.paging is Paging.UNPAGED:
                return list_whole(pager, request)
            return pager.list(
                request.label,
                request.path,
                request.items,
                request.params,
                microversion if request.microversioned else None,
                # Decoded to these fields only; a normaliser reads no other.
                kept,
                convert,
                types=request.shapes or None,
                paging=request.paging,
                links=request.links,
                headers=request.headers,
                layout=layout,
            )
        except (ks_exc.ClientException, openstack.exceptions.SDKException) as exc:
            raise ListingError(f"{request.label}: {describe(exc)}") from exc

    def fetch_account(self, request: Request) -> Listed:
        """A Swift account's listing: the account of project ``request.path``."""
        adapter = self.proxy(request.proxy)
        url = account_url(adapter.get_endpoint(), self.conn.current_project_id, request.path)
        walk = SwiftWalk(
            adapter, url, policy=self.policy, observer=self.observer, what=request.label
        )
        return walk.containers(self.objects)

    def fetch_fan_out(
        self, request: Request, microversion: str | None, over: Future[Listed]
    ) -> Listed:
        """A fan-out listing: one walk per item of the listing it fans out over, a few
        at a time. One walk that fails (after its retries) fails the whole listing."""
        fan = request.fan_out
        assert fan is not None
        try:
            parent = over.result()
        except ListingError as exc:
            raise ListingError(f"{request.label}: needs {fan.over.label}, which failed") from exc
        subjects = [
            str(item["id"])
            for item in parent.items
            if item.get("id") is not None and (fan.select is None or fan.select(item))
        ]
        # A cut parent listing means requests were not made for every item.
        merged = Listed(truncated=parent.truncated)
        if not subjects:
            return merged
        workers = min(FAN_OUT_WORKERS, self.max_workers, len(subjects))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="auditor-fan-out")
        try:
            futures = [
                pool.submit(self.fetch, for_item(request, subject), microversion)
                for subject in subjects
            ]
            for subject, future in zip(subjects, futures, strict=True):
                listed = future.result()
                for item in listed.items:
                    item[FAN_OUT_KEY] = subject
                merged.items.extend(listed.items)
                merged.pages += listed.pages
                merged.restarts += listed.restarts
                merged.duplicates += listed.duplicates
                merged.truncated = merged.truncated or listed.truncated
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return merged

    def fetch_normalised(
        self,
        spec: CollectionSpec,
        microversion: str | None,
        lookups: Mapping[str, Future[Listed]],
        microversions: Mapping[str, str | None],
    ) -> Listed:
        """The (one) request of ``spec``, normalised page by page once its lookups are in.

        The raw items of a big listing (servers, volumes) then never pile up:
        only one page of them at a time. When a required lookup failed, the
        collection fails anyway: the items are kept raw, as the inventory expects.
        """
        request = spec.primary
        required = {r.key for r in spec.needs(microversions)}
        raw: dict[str, list[JSON]] = {}
        for key, future in lookups.items():
            try:
                raw[key] = future.result().items
            except ListingError:
                if key in required:
                    return self.fetch(request, microversion)
        reading = Reading(Lookups(raw, microversions), microversion, tag=request.tag)
        try:
            return self.fetch(
                request,
                microversion,
                lambda page: normalise_items(spec, page, reading),
                layout=struct_layout(spec),
            )
        except SHAPE_ERRORS as exc:
            raise ListingError(shape_error(request, exc)) from exc
