"""Fault injection: rules that make the sandbox fail, slow down or hang up on purpose.

A rule matches requests by method and by a regular expression searched in the
request target (``/<cloud>/<service>/<path>?<query>``, as sent). Rules are
tried in the order they were added; the first that matches and still has
uses left applies. Reliability tests build on this: a 503 three times, a 429
with ``Retry-After``, a slow page, a connection dropped mid-listing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour."""

    path: str
    """Regular expression searched in the request target (path and query)."""
    status: int | None = None
    """Answer this HTTP status (with a service-shaped error body) instead of the real answer."""
    times: int | None = 1
    """How many matching requests the rule applies to; None: every one."""
    skip: int = 0
    """Let this many matching requests through before applying (fail the third page...)."""
    delay: float = 0.0
    """Seconds to wait before answering (alone: a slow but correct answer)."""
    retry_after: float | str | None = None
    """``Retry-After`` header of the injected answer (seconds or an HTTP date)."""
    drop: bool = False
    """Close the connection without answering (after ``delay``)."""
    method: str | None = None
    """Only requests with this method (GET, POST...); None: any."""
    location: str | None = None
    """With a 3xx ``status``: the ``Location`` header (a redirect, absolute or relative)."""
    body: bytes | Callable[[str], bytes] | None = None
    """Answer exactly this body with ``status`` (malformed answers: not JSON, HTML...);
    a function of the request target makes each answer (pages that never end...)."""
    content_type: str = "application/json"
    """Content type of ``body``."""
    repeat: int = 1
    """Send ``body`` this many times in a row (a huge answer, streamed, never held whole)."""
    reason: str | None = None
    """The status line's reason phrase instead of the standard one (latin-1)."""
    action: Callable[[], object] | None = None
    """Run before answering (alone: then the real answer); a test hook that changes the
    cloud between two pages (:class:`~auditor.sandbox.flux.Mutations`)."""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.path))
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"status {self.status} is not an HTTP status")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for always)")
        if self.skip < 0 or self.delay < 0:
            raise ValueError("skip and delay must not be negative")
        if self.status is None and not self.drop and self.delay == 0 and self.action is None:
            raise ValueError("a fault needs a status, a delay, an action or drop=True")
        if self.status is not None and self.drop:
            raise ValueError("a fault either answers a status or drops the connection")
        if (self.location is not None or self.body is not None) and self.status is None:
            raise ValueError("a location or a body needs a status")
        if self.repeat < 1:
            raise ValueError("repeat must be at least 1")


@dataclass
class _Rule:
    fault: Fault
    seen: int = 0
    applied: int = 0


class FaultRules:
    """The sandbox's fault rules; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []

    def add(self, fault: Fault) -> Fault:
        """Append a rule; returns it (for :meth:`remove` and :meth:`applied`)."""
        with self._lock:
            self._rules.append(_Rule(fault))
        return fault

    def fail(
        self,
        path: str,
        status: int,
        *,
        times: int | None = 1,
        retry_after: float | str | None = None,
        reason: str | None = None,
    ) -> Fault:
        """Answer ``status`` to the next ``times`` requests whose target matches ``path``."""
        return self.add(
            Fault(path, status=status, times=times, retry_after=retry_after, reason=reason)
        )

    def redirect(self, path: str, status: int, location: str, *, times: int | None = None) -> Fault:
        """Answer requests matching ``path`` with a ``status`` redirect to ``location``."""
        return self.add(Fault(path, status=status, location=location, times=times))

    def answer(
        self,
        path: str,
        body: bytes | Callable[[str], bytes],
        *,
        status: int = 200,
        content_type: str = "application/json",
        times: int | None = None,
        repeat: int = 1,
    ) -> Fault:
        """Answer requests matching ``path`` with this raw body (``repeat`` times over)."""
        return self.add(
            Fault(
                path,
                status=status,
                body=body,
                content_type=content_type,
                times=times,
                repeat=repeat,
            )
        )

    def before(
        self,
        path: str,
        action: Callable[[], object],
        *,
        skip: int = 0,
        times: int | None = 1,
        method: str | None = "GET",
    ) -> Fault:
        """Run ``action`` before answering requests matching ``path`` (after ``skip`` of
        them; ``times`` at most), then answer them as usual."""
        return self.add(Fault(path, action=action, skip=skip, times=times, method=method))

    def delay(self, path: str, seconds: float, *, times: int | None = None) -> Fault:
        """Answer requests matching ``path`` correctly, ``seconds`` late."""
        return self.add(Fault(path, delay=seconds, times=times))

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if r.fault is not fault]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def applied(self, fault: Fault) -> int:
        """How many requests the rule has applied to so far."""
        with self._lock:
            return sum(r.applied for r in self._rules if r.fault is fault)

    def match(self, method: str, target: str) -> Fault | None:
        """The rule that applies to this request, counting it as used."""
        with self._lock:
            for rule in self._rules:
                fault = rule.fault
                if fault.method is not None and fault.method.upper() != method:
                    continue
                if fault.times is not None and rule.applied >= fault.times:
                    continue
                if not fault.pattern.search(target):
                    continue
                rule.seen += 1
                if rule.seen <= fault.skip:
                    continue
                rule.applied += 1
                return fault
        return None
