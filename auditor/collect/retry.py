"""Bounded retries of one request: backoff, the server's Retry-After, the run's deadline.

Every request of an inventory (a page, a version document, a token) is tried
under a :class:`RetryPolicy`: 5xx and 429 answers and connection failures are
tried again after a full-jitter exponential backoff (or the ``Retry-After``
the server asked for), until the attempts or the deadline run out.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import keystoneauth1.exceptions as ks_exc
import requests

from auditor.clouds import Deadline, RetryPolicy
from auditor.errors import ListingError
from auditor.hostguard import TransportRefusal

if TYPE_CHECKING:
    import tenacity

__all__ = [
    "MAX_RETRY_AFTER",
    "Deadline",
    "DeadlineReached",
    "DiscoveryIncomplete",
    "RetryPolicy",
    "Retryable",
    "call_with_retries",
    "describe_failure",
    "retry_after",
]
"""Besides the retries, the policy they follow (:mod:`auditor.clouds`)."""

MAX_RETRY_AFTER = 120.0


class Retryable(Exception):
    """A response worth trying again (5xx, 429)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class DiscoveryIncomplete(Exception):
    """A service's version document gave no microversion range (discovery failed)."""


class DeadlineReached(ListingError):
    """The run's deadline passed before the listing (or request) was done."""

    def __init__(
        self,
        what: str,
        deadline: Deadline,
        *,
        pages: int | None = None,
        failure: str | None = None,
    ) -> None:
        text = f"{what}: {deadline} reached"
        if pages is not None:
            text += f" after {pages} page{'s' if pages != 1 else ''}"
        if failure:
            text += f" ({failure})"
        super().__init__(text)
        self.deadline = deadline
        self.failure = failure


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when.timestamp() - time.time(), 0.0), MAX_RETRY_AFTER)


class _Wait:
    """Full-jitter exponential backoff, or the server's Retry-After when it gave one."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            wait = exc.retry_after
        else:
            ceiling = min(
                self.policy.max_wait,
                self.policy.initial_wait * (2 ** (retry_state.attempt_number - 1)),
            )
            wait = random.uniform(ceiling / 2, ceiling)
        if self.policy.deadline is not None:
            wait = min(wait, self.policy.deadline.remaining())
        return wait


def _stop(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], bool]:
    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= policy.attempts:
            return True
        # No retry that would start at or after the deadline (tenacity 8.3+
        # computes the wait first and tells it; older ones wait until the deadline).
        upcoming = getattr(state, "upcoming_sleep", 0.0)
        return policy.deadline is not None and policy.deadline.remaining() <= upcoming

    return stop


_RETRIABLE = (
    DiscoveryIncomplete,
    Retryable,
    ks_exc.ConnectFailure,
    ks_exc.ConnectTimeout,
    ks_exc.UnknownConnectionError,
)


def describe_failure(exc: BaseException) -> str:
    """One line for a failure, without URLs' query strings or secrets."""
    if isinstance(exc, Retryable):
        return f"HTTP {exc.status}"
    if isinstance(exc, DiscoveryIncomplete):
        return "no microversion range announced"
    if isinstance(exc, ks_exc.ConnectTimeout):
        return "timed out"
    if isinstance(exc, ks_exc.ConnectFailure):
        return "connection failed"
    if isinstance(exc, ks_exc.EndpointNotFound):
        return "no endpoint in the catalog"
    return type(exc).__name__


def call_with_retries(func: Callable[[], Any], policy: RetryPolicy, what: str) -> Any:
    """Run ``func`` under the retry policy; a final failure is a :class:`ListingError`.

    Past the policy's deadline no attempt starts: :class:`DeadlineReached`.
    """
    deadline = policy.deadline

    def attempt() -> Any:
        if deadline is not None and deadline.reached():
            raise DeadlineReached(what, deadline)
        return func()

    # Imported on the first request: the CLI's start (--help) does without it.
    import tenacity

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(_RETRIABLE),
        wait=_Wait(policy),
        stop=_stop(policy),
        reraise=True,
    )
    try:
        return retrying(attempt)
    except TransportRefusal as exc:
        # The host guard refused a redirect, a host or a body: never retried.
        raise ListingError(f"{what}: {exc}") from exc
    except _RETRIABLE as exc:
        attempts = retrying.statistics.get("attempt_number", policy.attempts)
        plural = "s" if attempts != 1 else ""
        failure = f"{describe_failure(exc)} after {attempts} attempt{plural}"
        if deadline is not None and attempts < policy.attempts:
            raise DeadlineReached(what, deadline, failure=failure) from exc
        raise ListingError(f"{what}: {failure}") from exc
