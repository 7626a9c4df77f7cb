"""Inventory a cloud as an admin: every listing fetched once, concurrently, then normalised.

Data flows one way: the connection (already built by :mod:`auditor.connect`)
goes in, a :class:`~auditor.model.Snapshot` comes out. Nothing here prints or
exits; progress goes to an observer.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from typing import Any

from auditor.catalog import registry
from auditor.catalog.lookups import Lookups
from auditor.catalog.quotas import counters_spec
from auditor.catalog.spec import CollectionSpec, Request
from auditor.collect.normalise import normalise
from auditor.collect.pager import Listed
from auditor.collect.retry import RetryPolicy
from auditor.collect.run import (
    SHAPE_ERRORS,
    InventoryObserver,
    Runner,
    fan_out_depth,
    shape_error,
)
from auditor.connect import CloudTarget, auth_url, region_name
from auditor.errors import ListingError
from auditor.gcpause import paused_gc
from auditor.logsetup import get_logger
from auditor.model import CollectionResult, Snapshot, Status
from auditor.model.flux import ListingWindow

log = get_logger(__name__)

JSON = dict[str, Any]


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wanted(
    specs: Sequence[CollectionSpec],
    microversions: Mapping[str, str | None],
    mv_errors: Mapping[str, str],
) -> dict[str, Request]:
    """Every request the collections need (and those their fan-outs fan out over)."""
    wanted: dict[str, Request] = {}
    for spec in specs:
        if spec.service in mv_errors:
            continue
        for request in (
            *spec.requests,
            *spec.needs(microversions),
            *spec.enriched_by,
            *spec.checks,
        ):
            fan = request.fan_out
            while fan is not None:
                wanted[fan.over.key] = fan.over
                fan = fan.over.fan_out
            wanted[request.key] = request
    return wanted


@paused_gc()
def take_inventory(
    conn: Any,
    target: CloudTarget,
    *,
    collections: Sequence[str] = registry.core(),
    policy: RetryPolicy | None = None,
    observer: InventoryObserver | None = None,
    max_workers: int = 8,
    objects: bool = False,
    counters: Sequence[str] = (),
) -> Snapshot:
    """Inventory the cloud behind ``conn`` (``objects``: Swift containers' objects too);
    with ``counters`` (services), also their usage counters for the count cross-check
    (the snapshot's ``counters``).

    Raises :class:`~auditor.errors.AuthError` when the credentials are rejected.
    An optional collection whose service the catalog lacks is ``not_offered``
    (nothing is asked of it).
    A listing that fails after retries makes its collections ``error`` (with the
    reason); every other collection is still listed. Past ``policy.deadline``
    no page or retry starts: unfinished listings fail with the deadline as
    their reason.
    """
    policy = policy or RetryPolicy()
    run = Runner(conn, target, policy, observer, max_workers, objects=objects)
    started = time.monotonic()
    taken_at = utc_now()
    cloud_name = str(target)
    counted = {counters_spec(service).name: service for service in counters}
    specs = [registry.spec(name) for name in collections]
    specs += [counters_spec(service) for service in counters]

    def finish(
        everything: Mapping[str, CollectionResult], microversions: Mapping[str, str | None]
    ) -> Snapshot:
        results = {name: r for name, r in everything.items() if name not in counted}
        usage = {counted[name]: r for name, r in everything.items() if name in counted}
        return Snapshot(
            cloud=target.cloud or cloud_name,
            region=target.region or region_name(conn),
            auth_url=auth_url(conn),
            taken_at=taken_at,
            duration_s=time.monotonic() - started,
            collections=results,
            microversions=dict(microversions),
            counters=usage,
        )

    try:
        run.authenticate()
    except ListingError as exc:
        reason = str(exc)
        log.error("authentication failed", cloud=cloud_name, reason=reason)
        failed = {c.name: CollectionResult(Status.ERROR, error=reason) for c in specs}
        return finish(failed, {})

    absent = run.not_offered(specs)
    if absent:
        log.info("services not offered", cloud=cloud_name, collections=absent)
    offered = [c for c in specs if c.name not in absent]
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="auditor") as pool:
        microversions, mv_errors = _negotiate(run, pool, offered, cloud_name)
        wanted = _wanted(offered, microversions, mv_errors)
        # A per-page collection whose listing is no other collection's lookup
        # is normalised page by page as it arrives (Runner.fetch_normalised); the
        # lookups it waits for are submitted first, so they never wait behind it.
        lookup_keys = {
            r.key
            for c in offered
            if c.service not in mv_errors
            for r in (*c.needs(microversions), *c.enriched_by)
        }
        streamed = {
            c.primary.key: c
            for c in offered
            if c.per_page
            and c.service not in mv_errors
            and c.primary.key not in lookup_keys
            and c.primary.fan_out is None
            and len(c.requests) == 1
        }
        futures: dict[str, Future[Listed]] = {}
        clock = _Clock()
        # Fan-out listings wait for the listing they fan out over, and a listing for those
        # it comes after: submitted after them (the pool takes its work in order).
        order = sorted(
            wanted,
            key=lambda k: (bool(wanted[k].after), k in streamed, fan_out_depth(wanted[k])),
        )
        for key in order:
            request = wanted[key]
            mv = microversions.get(request.service)
            fetch: Callable[..., Listed]
            args: tuple[Any, ...]
            if request.fan_out is not None:
                fetch, args = run.fetch_fan_out, (request, mv, futures[request.fan_out.over.key])
            elif key in streamed:
                c = streamed[key]
                needs = {r.key: futures[r.key] for r in (*c.needs(microversions), *c.enriched_by)}
                fetch, args = run.fetch_normalised, (c, mv, needs, microversions)
            else:
                fetch, args = run.fetch, (request, mv)
            fetch = clock.timed(key, fetch)
            before = [futures[k] for k in request.after if k in futures]
            futures[key] = pool.submit(_after(before, fetch) if before else fetch, *args)
        raw, failures, truncated = _collected(futures, cloud_name)

    lookups = Lookups(raw, microversions)
    results: dict[str, CollectionResult] = {}
    for c in specs:
        result = (
            CollectionResult(Status.NOT_OFFERED)
            if c.name in absent
            else _build(
                c, lookups, failures, truncated, mv_errors, normalised=c.primary.key in streamed
            )
        )
        window = clock.window(r.key for r in (c.primary, *c.requests, *c.needs(microversions)))
        if window is not None:
            result = dataclasses.replace(result, listed=window)
        results[c.name] = result
        if observer is not None and c.name not in counted:
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


def _after(
    listings: Sequence[Future[Listed]], fetch: Callable[..., Listed]
) -> Callable[..., Listed]:
    """``fetch``, started once ``listings`` are done (failed or not)."""

    def run(*args: Any) -> Listed:
        wait(listings)
        return fetch(*args)

    return run


class _Clock:
    """When each listing ran (its first request sent, its last answer in)."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple[float, float]] = {}

    def timed(self, key: str, fetch: Callable[..., Listed]) -> Callable[..., Listed]:
        def run(*args: Any) -> Listed:
            began = time.time()
            try:
                return fetch(*args)
            finally:
                self.spans[key] = (began, time.time())

        return run

    def window(self, keys: Iterable[str]) -> ListingWindow | None:
        """The window of the listings ``keys`` (None: none of them ran)."""
        spans = [self.spans[k] for k in keys if k in self.spans]
        if not spans:
            return None
        began = math.floor(min(s[0] for s in spans))
        ended = math.ceil(max(s[1] for s in spans))
        return ListingWindow(_stamp(began), _stamp(ended))


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _negotiate(
    run: Runner, pool: ThreadPoolExecutor, specs: Sequence[CollectionSpec], cloud_name: str
) -> tuple[dict[str, str | None], dict[str, str]]:
    """Microversions first (one discovery request per service, concurrently): they
    decide which lookups are needed (flavors before compute 2.47)."""
    services = sorted({c.service for c in specs if c.service})
    mv_futures = {service: pool.submit(run.negotiate, service) for service in services}
    microversions: dict[str, str | None] = {}
    mv_errors: dict[str, str] = {}
    for service, mv_fut in mv_futures.items():
        try:
            microversions[service] = mv_fut.result()
        except ListingError as exc:
            mv_errors[service] = str(exc)
            log.error(
                "version discovery failed",
                cloud=cloud_name,
                service=service,
                reason=str(exc),
                collections=[c.name for c in specs if c.service == service],
            )
    for service, mv in microversions.items():
        log.info("microversion negotiated", cloud=cloud_name, service=service, microversion=mv)
    return microversions, mv_errors


def _collected(
    futures: Mapping[str, Future[Listed]], cloud_name: str
) -> tuple[dict[str, list[JSON]], dict[str, str], dict[str, str | None]]:
    """(raw items, failures, truncation reasons) of every listing, as they finish."""
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
    return raw, failures, truncated


def _build(
    c: CollectionSpec,
    lookups: Lookups,
    failures: Mapping[str, str],
    truncated: Mapping[str, str | None],
    mv_errors: Mapping[str, str],
    *,
    normalised: bool = False,
) -> CollectionResult:
    if c.service in mv_errors:
        return CollectionResult(Status.ERROR, error=mv_errors[c.service or ""])
    if c.primary.key in failures:
        return CollectionResult(Status.ERROR, error=failures[c.primary.key])
    required = c.needs(lookups.microversions)
    for request in required:
        if request.key in failures:
            why = failures[request.key]
            return CollectionResult(
                Status.ERROR, error=f"needs {request.label}, which failed: {why}"
            )
    try:
        items = (
            lookups.listing(c.primary.key)
            if normalised
            else normalise(c, [(r, lookups.listing(r.key)) for r in c.requests], lookups)
        )
    except SHAPE_ERRORS as exc:
        return CollectionResult(Status.ERROR, error=shape_error(c.primary, exc))
    items.sort(key=lambda item: str(item["id"]))
    reasons: list[str] = []
    cut = [r for r in (c.primary, *required) if r.key in truncated]
    plain = [r.label for r in cut if truncated[r.key] is None]
    if plain:
        reasons.append(f"the service truncated {', '.join(plain)} (Keystone list_limit?)")
    reasons.extend(str(truncated[r.key]) for r in cut if truncated[r.key] is not None)
    if c.assess is not None:
        assessed = c.assess(items, lookups)
        if assessed:
            reasons.append(assessed)
    if reasons:
        return CollectionResult(Status.INCOMPLETE, tuple(items), error="; ".join(reasons))
    return CollectionResult(Status.OK, tuple(items))
