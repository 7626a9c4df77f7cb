"""The loggers of the package's modules (structlog).

Where log lines go, in which format and with which secrets redacted is set by the
application layer (:func:`auditor.app.console.configure_logging`); the modules below
it only log events.

structlog is imported at the first event that will be written, not before: its
package imports rich (tracebacks, pretty-printing), about a twentieth of a
5k-server audit's CPU, and a run whose events all fall below the level (``-q``,
or the default level and no warning) never needs it. Until then an event below
the standard library logger's level is dropped here, as structlog's chain would
drop it: the application routes structlog to the standard library's logging,
whose level decides.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}
"""structlog's level methods and the standard library level each one logs at."""


class _Waiting:
    """The application's structlog set-up, waiting for structlog's import."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.configure: Callable[[], None] | None = None
        """None: none waits (structlog is configured, or the application set nothing)."""


_waiting = _Waiting()


def configure_with_structlog(configure: Callable[[], None]) -> None:
    """Run ``configure`` (which imports and configures structlog) once structlog is
    needed: now when it is imported already, else at the first event written.

    ``configure`` must route structlog's events to the standard library's logging:
    until it runs, an event below its logger's level is dropped without structlog.
    """
    with _waiting.lock:
        if "structlog" in sys.modules:
            _waiting.configure = None
            configure()
        else:
            _waiting.configure = configure


def load_structlog() -> ModuleType:
    """structlog, imported and configured as the application asked."""
    with _waiting.lock:
        configure, _waiting.configure = _waiting.configure, None
        if configure is not None:
            configure()
        import structlog

        return structlog


def _drop(*_args: Any, **_kwargs: Any) -> None:
    return None


class _Logger:
    """A module's structlog logger, fetched at its first event that is written."""

    __slots__ = ("_logger", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if _waiting.configure is not None:
            level = _LEVELS.get(attribute)
            if level is not None and not logging.getLogger(self._name).isEnabledFor(level):
                return _drop
        logger = self._logger
        if logger is None:
            logger = self._logger = load_structlog().get_logger(self._name)
        return getattr(logger, attribute)


def get_logger(name: str) -> Any:
    """A structlog logger for module ``name``."""
    return _Logger(name)
