"""What an audit asks of a cloud before connecting to it: which cloud and region
(:class:`CloudTarget`), where its clouds.yaml profile comes from
(:class:`ConfigSource`), and how hard each request may be tried
(:class:`RetryPolicy`, :class:`Deadline`).

Plain values, apart from the modules that connect and list
(:mod:`auditor.connect`, :mod:`auditor.collect.retry`, which use them and name
them too): the options of a ``diff``, which touches no cloud, are built without
importing openstacksdk, keystoneauth or requests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from auditor.errors import ConfigError


@dataclass(frozen=True)
class CloudTarget:
    """A cloud to inventory: a clouds.yaml profile name and an optional region."""

    cloud: str | None
    region: str | None = None

    @classmethod
    def parse(cls, text: str) -> CloudTarget:
        """``NAME[@REGION]`` as the CLI accepts it."""
        name, _, region = text.partition("@")
        if not name:
            raise ConfigError(f"{text!r}: expected NAME or NAME@REGION")
        return cls(cloud=name, region=region or None)

    def __str__(self) -> str:
        # No cloud: openstacksdk's own choice, the OS_* variables in practice (the
        # application layer has put OS_CLOUD in ``cloud`` already).
        name = self.cloud or "envvars"
        return f"{name}@{self.region}" if self.region else name


@dataclass(frozen=True)
class ConfigSource:
    """Where the clouds.yaml profiles come from, as the application layer found them."""

    path: str | None = None
    """``--os-client-config-file``; None: openstacksdk's lookup (``./clouds.yaml``...)."""
    text: str | None = None
    """That file's text (None: not checked), checked here before openstacksdk reads it."""
    env_file: str | None = None
    """``OS_CLIENT_CONFIG_FILE``, named in the error when no clouds.yaml is found."""


@dataclass(frozen=True)
class Deadline:
    """An overall time budget (``--deadline``): no page, retry or request starts after it."""

    seconds: float
    """The budget as given, for messages."""
    at: float
    """``time.monotonic()`` at which it is reached."""

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now."""
        return cls(seconds, time.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left, 0 once reached."""
        return max(self.at - time.monotonic(), 0.0)

    def reached(self) -> bool:
        return time.monotonic() >= self.at

    def __str__(self) -> str:
        return f"deadline of {self.seconds:g} s"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one page before the listing is declared failed."""

    attempts: int = 5
    """Total attempts per page (1 = no retry)."""
    initial_wait: float = 0.5
    """First backoff in seconds; doubled each attempt, with full jitter."""
    max_wait: float = 30.0
    """Cap on one backoff (a Retry-After is honoured up to MAX_RETRY_AFTER)."""
    deadline: Deadline | None = None
    """The run's overall deadline: no attempt starts after it, and a request
    under way when it passes is cut (its timeout is capped to the time left)."""
