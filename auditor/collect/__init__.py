"""Inventory a cloud: every declared listing fetched once, concurrently, then normalised.

Data flows one way: the connection (already built by :mod:`auditor.connect`)
goes in, a :class:`~auditor.model.Snapshot` comes out. Nothing here prints or
exits; progress goes to an observer.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Protocol
from urllib.parse import quote

import keystoneauth1.exceptions as ks_exc
import openstack.exceptions
import openstack.utils

from auditor.collect import block_storage, compute, identity, image, network, quotas
from auditor.collect.pager import (
    DiscoveryIncomplete,
    Listed,
    PageObserver,
    Pager,
    Retryable,
    RetryPolicy,
    call_with_retries,
)
from auditor.collect.shapes import SHAPES
from auditor.collect.spec import FAN_OUT_KEY, JSON, Collection, Listing, Lookups
from auditor.connect import CloudTarget, auth_url, authenticate, region_name
from auditor.errors import BadInputError, ListingError
from auditor.gcpause import paused_gc
from auditor.logsetup import get_logger
from auditor.model import CollectionResult, Snapshot, Status

log = get_logger(__name__)

LISTINGS: dict[str, Listing] = {
    listing.key: listing
    for module in (identity, compute, block_storage, image, network, quotas)
    for listing in module.LISTINGS
}
COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for module in (identity, compute, block_storage, image, network, quotas)
    for c in module.COLLECTIONS
}
CORE_COLLECTIONS = ("projects", "servers", "volumes", "endpoints")

FAN_OUT_WORKERS = 4
"""Concurrent requests of one fan-out listing (one request per project, user...)."""

CLIENT_MICROVERSIONS = {
    "compute": ("compute", compute.CLIENT_MAX_MICROVERSION),
    "block-storage": ("block_storage", block_storage.CLIENT_MAX_MICROVERSION),
}
"""Service type -> (connection proxy attribute, highest microversion the auditor knows)."""


class InventoryObserver(PageObserver, Protocol):
    """Progress of an inventory: pages as they arrive, collections as they finish."""

    def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None: ...


def parse_collections(text: str | None) -> tuple[str, ...]:
    """``--collections a,b`` -> validated names (default: the core collections; ``all``:
    every collection the auditor knows, core first)."""
    if not text:
        return CORE_COLLECTIONS
    if text.strip() == "all":
        return (*CORE_COLLECTIONS, *sorted(set(COLLECTIONS) - set(CORE_COLLECTIONS)))
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in COLLECTIONS]
    if unknown or not names:
        known = ", ".join(sorted(COLLECTIONS))
        raise BadInputError(
            f"--collections: unknown collection {unknown[0]!r} (known: {known})"
            if unknown
            else "--collections: no collection named"
        )
    return names


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Run:
    """One inventory run over one connection."""

    def __init__(
        self,
        conn: Any,
        target: CloudTarget,
        policy: RetryPolicy,
        observer: InventoryObserver | None,
        max_workers: int,
    ) -> None:
        self.conn = conn
        self.target = target
        self.policy = policy
        self.observer = observer
        self.max_workers = max_workers

    def negotiate(self, service_type: str) -> str | None:
        proxy_attr, client_max = CLIENT_MICROVERSIONS[service_type]
        adapter = getattr(self.conn, proxy_attr)

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
            discover, self.policy, f"{service_type}: version discovery"
        )
        return result

    def fetch(
        self,
        listing: Listing,
        microversion: str | None,
        convert: Callable[[list[JSON]], list[JSON]] | None = None,
    ) -> Listed:
        pager = Pager(getattr(self.conn, listing.proxy), policy=self.policy, observer=self.observer)
        try:
            if listing.walker is not None:
                return listing.walker(pager, listing)
            return pager.list(
                listing.label,
                listing.path,
                listing.item_key,
                listing.params,
                microversion if listing.microversioned else None,
                # A normaliser reads what it needs from each page: no trimming first.
                listing.fields if convert is None else None,
                convert,
                types=SHAPES.get(listing.key),
            )
        except (ks_exc.ClientException, openstack.exceptions.SDKException) as exc:
            raise ListingError(f"{listing.label}: {_describe(exc)}") from exc

    def fetch_fan_out(
        self, listing: Listing, microversion: str | None, over: Future[Listed]
    ) -> Listed:
        """A fan-out listing: one walk per item of the listing it fans out over, a few
        at a time. One walk that fails (after its retries) fails the whole listing."""
        fan = listing.fan_out
        assert fan is not None
        try:
            parent = over.result()
        except ListingError as exc:
            raise ListingError(
                f"{listing.label}: needs {LISTINGS[fan.over].label}, which failed"
            ) from exc
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
                pool.submit(self.fetch, _for_item(listing, subject), microversion)
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
        c: Collection,
        microversion: str | None,
        lookups: Mapping[str, Future[Listed]],
        microversions: Mapping[str, str | None],
    ) -> Listed:
        """The primary listing of ``c``, normalised page by page once its lookups are in.

        The raw items of a big listing (servers, volumes) then never pile up:
        only one page of them at a time. When a required lookup failed, the
        collection fails anyway: the items are kept raw, as :func:`_build` expects.
        """
        listing = LISTINGS[c.primary]
        required = c.requires(microversions)
        raw: dict[str, list[JSON]] = {}
        for key, future in lookups.items():
            try:
                raw[key] = future.result().items
            except ListingError:
                if key in required:
                    return self.fetch(listing, microversion)
        index = Lookups(raw, microversions)
        try:
            return self.fetch(listing, microversion, lambda page: c.normalise(page, index))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ListingError(_shape_error(c, exc)) from exc


def _fan_out_depth(key: str) -> int:
    """How many fan-outs deep a listing is (keypairs over users over domains: 2)."""
    depth = 0
    fan = LISTINGS[key].fan_out
    while fan is not None:
        depth += 1
        fan = LISTINGS[fan.over].fan_out
    return depth


def _for_item(listing: Listing, subject: str) -> Listing:
    """The request of a fan-out listing for one item: ``{id}`` replaced by its id."""
    ident = quote(subject, safe="")
    return dataclasses.replace(
        listing,
        path=listing.path.replace("{id}", ident),
        params={k: v.replace("{id}", subject) for k, v in listing.params.items()},
        fan_out=None,
    )


def _authenticate(conn: Any, target: CloudTarget) -> None:
    """:func:`~auditor.connect.authenticate`, with Keystone's 5xx/429 made retryable."""
    try:
        authenticate(conn, target)
    except ks_exc.HttpError as exc:
        retry_after = float(exc.retry_after) if exc.retry_after else None
        raise Retryable(exc.http_status or 0, retry_after) from exc


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ks_exc.EndpointNotFound):
        return "no endpoint in the catalog"
    if isinstance(exc, ks_exc.DiscoveryFailure):
        return "version discovery failed"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@paused_gc()
def take_inventory(
    conn: Any,
    target: CloudTarget,
    *,
    collections: Sequence[str] = CORE_COLLECTIONS,
    policy: RetryPolicy | None = None,
    observer: InventoryObserver | None = None,
    max_workers: int = 8,
) -> Snapshot:
    """Inventory the cloud behind ``conn``.

    Raises :class:`~auditor.errors.AuthError` when the credentials are rejected.
    A listing that fails after retries makes its collections ``error`` (with the
    reason); every other collection is still listed. Past ``policy.deadline``
    no page or retry starts: unfinished listings fail with the deadline as
    their reason.
    """
    policy = policy or RetryPolicy()
    run = _Run(conn, target, policy, observer, max_workers)
    started = time.monotonic()
    taken_at = _utc_now()
    cloud_name = str(target)
    specs = [COLLECTIONS[name] for name in collections]

    def finish(
        results: Mapping[str, CollectionResult], microversions: Mapping[str, str | None]
    ) -> Snapshot:
        return Snapshot(
            cloud=target.cloud or cloud_name,
            region=target.region or region_name(conn),
            auth_url=auth_url(conn),
            taken_at=taken_at,
            duration_s=time.monotonic() - started,
            collections=dict(results),
            microversions=dict(microversions),
        )

    try:
        call_with_retries(lambda: _authenticate(conn, target), policy, "identity: authentication")
    except ListingError as exc:
        reason = str(exc)
        log.error("authentication failed", cloud=cloud_name, reason=reason)
        failed = {c.name: CollectionResult(Status.ERROR, error=reason) for c in specs}
        return finish(failed, {})

    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="auditor") as pool:
        # Microversions first (one discovery request per service, concurrently):
        # they decide which lookups are needed (flavors before compute 2.47).
        service_types = sorted({c.microversion_service for c in specs if c.microversion_service})
        mv_futures = {st: pool.submit(run.negotiate, st) for st in service_types}
        microversions: dict[str, str | None] = {}
        mv_errors: dict[str, str] = {}
        for st, mv_fut in mv_futures.items():
            try:
                microversions[st] = mv_fut.result()
            except ListingError as exc:
                mv_errors[st] = str(exc)
                log.error(
                    "version discovery failed",
                    cloud=cloud_name,
                    service=st,
                    reason=str(exc),
                    collections=[c.name for c in specs if c.microversion_service == st],
                )
        for st, mv in microversions.items():
            log.info("microversion negotiated", cloud=cloud_name, service=st, microversion=mv)

        wanted: dict[str, None] = {}
        for c in specs:
            if c.microversion_service in mv_errors:
                continue
            for key in (c.primary, *c.requires(microversions), *c.optional, *c.checks):
                fan = LISTINGS[key].fan_out
                while fan is not None:
                    wanted[fan.over] = None
                    fan = LISTINGS[fan.over].fan_out
                wanted[key] = None
        # A per-page collection whose listing is no other collection's lookup
        # is normalised page by page as it arrives (see _Run.fetch_normalised); the lookups it
        # waits for are submitted first, so they never wait behind it.
        lookup_keys = {
            key
            for c in specs
            if c.microversion_service not in mv_errors
            for key in (*c.requires(microversions), *c.optional)
        }
        streamed = {
            c.primary: c
            for c in specs
            if c.per_page
            and c.microversion_service not in mv_errors
            and c.primary not in lookup_keys
            and LISTINGS[c.primary].fan_out is None
        }
        futures: dict[str, Future[Listed]] = {}
        # Fan-out listings wait for the listing they fan out over: submitted after it.
        order = sorted(wanted, key=lambda k: (k in streamed, _fan_out_depth(k)))
        for key in order:
            listing = LISTINGS[key]
            mv = microversions.get(listing.service_type)
            if listing.fan_out is not None:
                over = futures[listing.fan_out.over]
                futures[key] = pool.submit(run.fetch_fan_out, listing, mv, over)
            elif key in streamed:
                c = streamed[key]
                needs = {k: futures[k] for k in (*c.requires(microversions), *c.optional)}
                futures[key] = pool.submit(run.fetch_normalised, c, mv, needs, microversions)
            else:
                futures[key] = pool.submit(run.fetch, listing, mv)

        raw: dict[str, list[JSON]] = {}
        failures: dict[str, str] = {}
        truncated: dict[str, str | None] = {}
        for key, fut in futures.items():
            try:
                listed = fut.result()
            except ListingError as exc:
                failures[key] = str(exc)
                log.error("listing failed", cloud=cloud_name, listing=key, reason=str(exc))
                continue
            raw[key] = listed.items
            if listed.duplicates:
                log.warning(
                    "the service listed items twice; each counted once",
                    cloud=cloud_name,
                    listing=key,
                    duplicates=listed.duplicates,
                )
            if listed.truncated:
                truncated[key] = listed.reason
                log.warning(
                    "listing truncated by the service",
                    cloud=cloud_name,
                    listing=key,
                    reason=listed.reason,
                )
            log.info(
                "listed",
                cloud=cloud_name,
                listing=key,
                items=len(listed.items),
                pages=listed.pages,
                restarts=listed.restarts,
            )

    lookups = Lookups(raw, microversions)
    results: dict[str, CollectionResult] = {}
    for c in specs:
        result = _build(
            c, lookups, failures, truncated, mv_errors, normalised=c.primary in streamed
        )
        results[c.name] = result
        if observer is not None:
            observer.on_collection(cloud_name, c.name, result)
    if policy.deadline is not None and policy.deadline.reached():
        unfinished = [name for name, result in results.items() if not result.complete]
        if unfinished:
            log.warning(
                "deadline reached",
                cloud=cloud_name,
                deadline_s=policy.deadline.seconds,
                unfinished=unfinished,
            )
    return finish(results, microversions)


def _shape_error(c: Collection, exc: Exception) -> str:
    return f"{LISTINGS[c.primary].label}: unexpected item shape ({exc!r})"


def _build(
    c: Collection,
    lookups: Lookups,
    failures: Mapping[str, str],
    truncated: Mapping[str, str | None],
    mv_errors: Mapping[str, str],
    *,
    normalised: bool = False,
) -> CollectionResult:
    if c.microversion_service in mv_errors:
        return CollectionResult(Status.ERROR, error=mv_errors[c.microversion_service or ""])
    if c.primary in failures:
        return CollectionResult(Status.ERROR, error=failures[c.primary])
    required = c.requires(lookups.microversions)
    for key in required:
        if key in failures:
            return CollectionResult(
                Status.ERROR, error=f"needs {LISTINGS[key].label}, which failed: {failures[key]}"
            )
    try:
        items = (
            lookups.listing(c.primary)
            if normalised
            else c.normalise(lookups.listing(c.primary), lookups)
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return CollectionResult(Status.ERROR, error=_shape_error(c, exc))
    items.sort(key=lambda item: str(item["id"]))
    reasons: list[str] = []
    cut = [key for key in (c.primary, *required) if key in truncated]
    plain = [LISTINGS[k].label for k in cut if truncated[k] is None]
    if plain:
        reasons.append(f"the service truncated {', '.join(plain)} (Keystone list_limit?)")
    reasons.extend(str(truncated[k]) for k in cut if truncated[k] is not None)
    if c.assess is not None:
        assessed = c.assess(items, lookups)
        if assessed:
            reasons.append(assessed)
    if reasons:
        return CollectionResult(Status.INCOMPLETE, tuple(items), error="; ".join(reasons))
    return CollectionResult(Status.OK, tuple(items))
