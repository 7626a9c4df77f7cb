"""call_with_retries: what is retried, how long it waits, when it stops, what it says."""

from __future__ import annotations

import time
from collections.abc import Callable

import keystoneauth1.exceptions as ks_exc
import pytest

from auditor.clouds import Deadline, RetryPolicy
from auditor.collect.retry import DeadlineReached, Retryable, call_with_retries
from auditor.errors import ListingError
from auditor.hostguard import RedirectRefused


def failing(
    *errors: BaseException, then: object = "done"
) -> tuple[list[int], Callable[[], object]]:
    """A request that raises ``errors`` one per attempt, then answers ``then``."""
    calls: list[int] = []

    def request() -> object:
        calls.append(len(calls) + 1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return then

    return calls, request


def test_retried_errors_wait_a_jittered_doubling_backoff_then_answer(sleeps: list[float]) -> None:
    calls, request = failing(
        Retryable(503, None), ks_exc.ConnectFailure(), ks_exc.ConnectTimeout(), Retryable(500, None)
    )
    assert call_with_retries(request, RetryPolicy(attempts=5, initial_wait=0.5), "x") == "done"
    assert calls == [1, 2, 3, 4, 5]
    assert len(sleeps) == 4
    for wait, ceiling in zip(sleeps, [0.5, 1.0, 2.0, 4.0], strict=True):
        assert ceiling / 2 <= wait <= ceiling


def test_the_backoff_is_capped_and_retry_after_is_honoured(sleeps: list[float]) -> None:
    _calls, request = failing(Retryable(503, None), Retryable(503, None), Retryable(429, 7.0))
    policy = RetryPolicy(attempts=4, initial_wait=4.0, max_wait=5.0)
    assert call_with_retries(request, policy, "x") == "done"
    assert 2.0 <= sleeps[0] <= 4.0 and 2.5 <= sleeps[1] <= 5.0 and sleeps[2] == 7.0


def test_the_last_attempt_fails_the_request_naming_the_failure_and_attempts(
    sleeps: list[float],
) -> None:
    calls, request = failing(*[Retryable(503, None)] * 3)
    with pytest.raises(ListingError, match=r"^servers: HTTP 503 after 3 attempts$") as caught:
        call_with_retries(request, RetryPolicy(attempts=3), "servers")
    assert type(caught.value) is ListingError
    assert calls == [1, 2, 3] and len(sleeps) == 2
    calls, request = failing(ks_exc.ConnectFailure())
    with pytest.raises(ListingError, match=r"^token: connection failed after 1 attempt$"):
        call_with_retries(request, RetryPolicy(attempts=1), "token")


def test_other_errors_are_not_retried(sleeps: list[float]) -> None:
    calls, request = failing(KeyError("id"))
    with pytest.raises(KeyError):
        call_with_retries(request, RetryPolicy(), "x")
    calls, request = failing(RedirectRefused("a redirect to another origin"))
    with pytest.raises(ListingError, match=r"^images: a redirect to another origin$") as caught:
        call_with_retries(request, RetryPolicy(), "images")
    assert isinstance(caught.value.__cause__, RedirectRefused)
    assert calls == [1] and sleeps == []


def test_no_attempt_starts_past_the_deadline(sleeps: list[float]) -> None:
    calls, request = failing()
    reached = Deadline(5, time.monotonic() - 1)
    with pytest.raises(DeadlineReached, match=r"^x: deadline of 5 s reached$"):
        call_with_retries(request, RetryPolicy(deadline=reached), "x")
    assert calls == [] and sleeps == []


def test_no_retry_whose_wait_would_reach_the_deadline(sleeps: list[float]) -> None:
    calls, request = failing(Retryable(503, 30.0), Retryable(503, None))
    policy = RetryPolicy(attempts=5, deadline=Deadline.after(10))
    with pytest.raises(DeadlineReached) as caught:
        call_with_retries(request, policy, "volumes")
    assert str(caught.value) == "volumes: deadline of 10 s reached (HTTP 503 after 1 attempt)"
    assert calls == [1] and sleeps == []
    calls, request = failing(Retryable(503, 1.0), then="late")
    assert call_with_retries(request, policy, "volumes") == "late"
    assert sleeps == [1.0]
