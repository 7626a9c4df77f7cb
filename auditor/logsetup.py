"""The loggers of the package's modules (structlog).

Where log lines go, in which format and with which secrets redacted is set by the
application layer (:func:`auditor.app.console.configure_logging`); the modules below
it only log events.
"""

from __future__ import annotations

from typing import Any

import structlog


def get_logger(name: str) -> Any:
    """A structlog logger for module ``name``."""
    return structlog.get_logger(name)
