"""The console: logging on stderr, progress on a terminal, the standard output, the one
error line that ends a failed run, and SIGTERM. Only the application layer writes here."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from auditor.app.fileio import write_private
from auditor.logsetup import configure_with_structlog, load_structlog
from auditor.model import CollectionResult, Status
from auditor.secrets import Redactor
from auditor.textsafe import printable, utf8

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from structlog.typing import EventDict, Processor, WrappedLogger

STDOUT = "-"
"""``-o -``: standard output, as if no ``-o`` were given."""


# -- outputs ----------------------------------------------------------------------------


def to_file(output: str | None) -> bool:
    """True when ``output`` names a file (not absent, not ``-``)."""
    return output is not None and output != STDOUT


def emit(text: str, output: str | None, stdout: TextIO) -> None:
    """``text`` to the file ``output`` names (mode 0600, atomically), else to ``stdout``."""
    if to_file(output):
        assert output is not None
        write_private(output, text)
    else:
        stdout.write(utf8(text))
        stdout.flush()


def error_line(log_format: str, message: str, code: int) -> None:
    """The one line on stderr that ends a failed run: plain, or JSON like the logs."""
    if log_format == "json":
        line = json.dumps(
            {"level": "error", "event": message, "exit_code": code, "logger": "auditor.cli"}
        )
    else:
        line = (
            f"auditor: error: {printable(message, limit=None)}"
            if code != 130
            else "auditor: interrupted"
        )
    print(line, file=sys.stderr)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """In the main thread, SIGTERM stops a long run like Ctrl-C (cron, systemd, Ansible)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- progress ---------------------------------------------------------------------------


class CountingObserver:
    """Counts pages and items per listing; the base of every observer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: dict[str, int] = {}
        self.items: dict[str, int] = {}

    def on_page(self, listing: str, items: int) -> None:
        with self.lock:
            self.pages[listing] = self.pages.get(listing, 0) + 1
            self.items[listing] = self.items.get(listing, 0) + items

    def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None:
        return None

    @property
    def requests(self) -> int:
        """Pages fetched in all (the listing requests sent, retries excluded)."""
        return sum(self.pages.values())


class RichProgress(CountingObserver):
    """Live per-listing lines on stderr: ``compute servers  12 pages  11,532 items``."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        # rich only when a terminal shows progress: the other runs never import it.
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress: Progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.fields[pages]:>5} pages {task.fields[items]:>9,} items"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()

    def on_page(self, listing: str, items: int) -> None:
        super().on_page(listing, items)
        with self.lock:
            task = self.tasks.get(listing)
            if task is None:
                task = self.progress.add_task(listing, total=None, pages=0, items=0)
                self.tasks[listing] = task
            self.progress.update(task, pages=self.pages[listing], items=self.items[listing])

    def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None:
        if result.status is Status.NOT_OFFERED:
            self.progress.console.print(f"{cloud}: {name}: not offered by the cloud")
            return
        mark = "ok" if result.complete else result.status.value.upper()
        self.progress.console.print(f"{cloud}: {name}: {len(result.items)} items, {mark}")


@contextlib.contextmanager
def observer(*, quiet: bool, no_progress: bool) -> Iterator[CountingObserver]:
    """Rich progress on stderr when it is a terminal (and neither ``-q`` nor
    ``--no-progress``); else a silent counter."""
    stream = sys.stderr
    if no_progress or quiet or not stream.isatty():
        yield CountingObserver()
        return
    with RichProgress(stream) as progress:
        yield progress


# -- logging ----------------------------------------------------------------------------


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


class _FormatterAtFirstRecord(logging.Formatter):
    """Stands for structlog's formatter until a record is written: then structlog is
    imported and configured (:func:`auditor.logsetup.load_structlog`), which puts the
    real formatter on the handler, and the record goes through it."""

    def __init__(self, handler: logging.Handler) -> None:
        super().__init__()
        self.handler = handler

    def format(self, record: logging.LogRecord) -> str:
        load_structlog()
        formatter = self.handler.formatter
        if formatter is None or formatter is self:  # a handler another set-up replaced
            return super().format(record)
        return formatter.format(record)


def configure_logging(
    *,
    log_format: str,
    verbosity: int,
    redactor: Redactor,
    stream: TextIO | None = None,
) -> None:
    """Configure structlog and the standard library's logging, on ``stream`` (stderr).

    The libraries' own logging (keystoneauth's HTTP debug output, openstacksdk)
    goes through the same processors, so a token or password printed by a library
    at debug level is scrubbed like ours. ``verbosity``: -1 quiet (errors only),
    0 warnings, 1 info (-v), 2 debug including the libraries' HTTP traces (-vv).
    structlog itself is imported and configured at the first record written
    (:mod:`auditor.logsetup`): a run that writes none never imports it, nor rich.
    """
    stream = stream or sys.stderr
    level = _level_for(verbosity)
    colors = log_format != "json" and stream.isatty()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_FormatterAtFirstRecord(handler))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Library chatter only when asked for twice.
    library_level = logging.DEBUG if verbosity >= 2 else max(level, logging.WARNING)
    for name in ("keystoneauth", "openstack", "urllib3", "stevedore"):
        logging.getLogger(name).setLevel(library_level)

    def with_structlog() -> None:
        import structlog

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
            renderer = structlog.dev.ConsoleRenderer(colors=colors)
        # Set without the handler's lock: a record being formatted holds it.
        handler.formatter = structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _redacting(redactor),
                *(() if log_format == "json" else (_printable,)),
                renderer,
            ],
        )
        structlog.configure(
            processors=[
                *shared,
                structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
            ],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=False,
        )

    configure_with_structlog(with_structlog)
