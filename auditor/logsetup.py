"""structlog configuration: console on a TTY, JSON for cron; secrets always redacted.

The libraries' own logging (keystoneauth's HTTP debug output, openstacksdk)
goes through the same processors, so a token or password printed by a library
at debug level is scrubbed like ours.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from auditor.secrets import Redactor
from auditor.textsafe import printable


def _redacting(redactor: Redactor) -> Processor:
    def processor(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
        return {key: redactor.redact_value(value) for key, value in event_dict.items()}

    return processor


def _printable(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """Console lines: no control or bidirectional character from a value (a server's
    answer, a name) reaches the terminal. JSON lines escape them already."""
    return {
        key: printable(value, limit=None) if isinstance(value, str) else value
        for key, value in event_dict.items()
    }


def _level_for(verbosity: int) -> int:
    if verbosity <= -1:
        return logging.ERROR
    if verbosity == 0:
        return logging.WARNING
    if verbosity == 1:
        return logging.INFO
    return logging.DEBUG


def configure(
    *,
    log_format: str,
    verbosity: int,
    redactor: Redactor,
    stream: TextIO | None = None,
) -> None:
    """Configure structlog and the standard library's logging.

    ``verbosity``: -1 quiet (errors only), 0 warnings, 1 info (-v), 2 debug
    including the libraries' HTTP traces (-vv).
    """
    stream = stream or sys.stderr
    level = _level_for(verbosity)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
    ]
    renderer: Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer(sort_keys=True)
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=stream.isatty())
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _redacting(redactor),
            *(() if log_format == "json" else (_printable,)),
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Library chatter only when asked for twice.
    library_level = logging.DEBUG if verbosity >= 2 else max(level, logging.WARNING)
    for name in ("keystoneauth", "openstack", "urllib3", "stevedore"):
        logging.getLogger(name).setLevel(library_level)
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    """A structlog logger for module ``name``."""
    return structlog.get_logger(name)
