"""Every file the auditor reads, and the documents it writes: only here.

The modules below the application layer parse text and build text; this one opens
the files (UTF-8), names them in every error (one line, exit code 2) and writes
outputs atomically (:mod:`auditor.app.fileio`).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from auditor.app.fileio import ensure_writable_dir, locked, write_atomic, write_private
from auditor.errors import (
    BadInputError,
    ConfigError,
    OutputError,
    RulesError,
    SnapshotError,
    WaiversError,
)
from auditor.logsetup import get_logger
from auditor.model import Report, Snapshot, TrendPoint
from auditor.render import json_format
from auditor.rules import Rules, parse_rules
from auditor.shapecheck import load_snapshot
from auditor.yamldoc import MAX_DOCUMENT_CHARS

log = get_logger("auditor.cli")

if TYPE_CHECKING:
    from auditor.audit import ConfigSource
    from auditor.history import Previous
    from auditor.waivers import Waivers


def read_utf8(path: str, limit: int = -1) -> str:
    """The text of ``path`` (at most ``limit`` characters); OSError and UnicodeDecodeError
    go to the caller, who names the file."""
    with open(path, encoding="utf-8") as fh:
        return fh.read(limit)


def read_snapshot(path: str) -> Snapshot:
    """A snapshot file (``auditor.inventory/v1``), its core items' shapes checked; every
    failure is a one-line :class:`SnapshotError`."""
    try:
        with open(path, "rb") as fh:
            # Bytes: msgspec reads UTF-8 itself (text only if it refuses them).
            return load_snapshot(fh.read(), path)
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SnapshotError(f"{path}: is a directory, not a snapshot file") from None
    except PermissionError:
        raise SnapshotError(f"{path}: permission denied") from None
    except UnicodeDecodeError:
        raise SnapshotError(f"{path}: not UTF-8 text, not a snapshot") from None


def read_rules(path: str | None) -> Rules:
    """A rules file and the id map it names; None gives the defaults (match by id, then
    name). Every failure is a one-line :class:`RulesError` naming the file, line and key."""
    if path is None:
        return Rules()
    text = _read_document(path, "rules", RulesError)
    # The id map is read relative to the rules file, not to the working directory.
    base = os.path.dirname(os.path.abspath(path))
    return parse_rules(text, path, base_dir=base, read=read_utf8)


def read_waivers(path: str) -> Waivers:
    """A waivers file; every failure is a one-line :class:`WaiversError`."""
    from auditor.waivers import parse_waivers  # only with --waivers

    return parse_waivers(_read_document(path, "waivers", WaiversError), path)


def _read_document(path: str, what: str, error: type[BadInputError]) -> str:
    """The text of a YAML document the user wrote (rules, waivers), or ``error`` naming it."""
    try:
        # One character more than a document may have: a huge file is refused unread.
        return read_utf8(path, MAX_DOCUMENT_CHARS + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {what} file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: unreadable ({exc})") from None


def read_report(path: str) -> Report:
    """A JSON report (``auditor.report/v1``); failures are one :class:`HistoryError` line."""
    from auditor import history  # only with --history, and render, compare

    try:
        text = read_utf8(path)
    except FileNotFoundError:
        raise history.HistoryError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise history.HistoryError(f"{path}: cannot read report ({exc})") from None
    return history.parse_report(text, path)


def read_clouds_config(path: str | None, env_file: str | None = None) -> ConfigSource:
    """The clouds.yaml named by ``--os-client-config-file`` (None: openstacksdk's lookup,
    which ``env_file``, ``OS_CLIENT_CONFIG_FILE``, leads), with its text for the checks
    :func:`auditor.connect.connect` makes before openstacksdk reads it."""
    # Through the use cases' module, when needed: reading snapshots, rules or reports
    # does not load the collection layer (openstacksdk).
    from auditor.audit import ConfigSource

    if path is None:
        return ConfigSource(env_file=env_file)
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such clouds.yaml file")
    try:
        text = read_utf8(path)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text, not a clouds.yaml") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return ConfigSource(path, text, env_file)


# -- --history DIR ----------------------------------------------------------------------


def latest_report(directory: str) -> Previous | None:
    """The newest report kept in ``directory``, None when there is none yet."""
    from auditor import history

    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise history.HistoryError(f"{directory}: cannot list ({exc.strerror or exc})") from None
    name = history.newest(names)
    if name is None:
        return None
    return history.Previous(name, read_report(os.path.join(directory, name)))


def _older_points(directory: str, previous: Previous) -> list[TrendPoint]:
    """The trend points of the reports kept before ``previous``, read from the directory
    only when ``previous`` carries no trend (it was kept by a version without one); an
    unreadable one is left out of the trend, with a warning."""
    from auditor import history

    if previous.report.history is not None and previous.report.history.trend:
        return []
    names = sorted(n for n in os.listdir(directory) if history.REPORT_NAME.match(n))
    older = [n for n in names if n < previous.name][-(history.MAX_TREND_POINTS - 2) :]
    points = []
    for name in older:
        try:
            points.append(history.trend_point(read_report(os.path.join(directory, name))))
        except history.HistoryError as exc:
            log.warning("left out of the trend", reason=str(exc))
    return points


def prepare_history(directory: str) -> Previous | None:
    """Check ``directory`` can take reports (creating it, mode 0700) and read the newest one.

    Called before any cloud is touched, so a bad directory fails fast.
    """
    ensure_writable_dir(directory)
    return latest_report(directory)


def record_history(
    directory: str, report: Report, previous: Previous | None, now: datetime
) -> Report:
    """``report`` with its history against the newest report kept in ``directory``, kept
    there too (mode 0600).

    Runs sharing the directory take turns (a lock): each compares with the report
    the run before it kept, even one kept since ``previous`` was read, and no
    two reports get the same name.
    """
    from auditor import history

    with locked(directory):
        newest = latest_report(directory)
        if newest is not None and (previous is None or newest.name != previous.name):
            previous = newest
        if previous is not None:
            older = _older_points(directory, previous)
            report = replace(report, history=history.compare(previous, report, older))
        name = history.report_name(now)
        while os.path.exists(os.path.join(directory, name)):
            now += timedelta(microseconds=1)
            name = history.report_name(now)
        write_private(os.path.join(directory, name), json_format.render(report))
    return report


# -- --metrics-file FILE ----------------------------------------------------------------


def previous_metrics(path: str) -> float | None:
    """Check the metrics file can be written later and read the last complete run's time
    from the one already there (None: no file yet, or no such sample)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputError(f"{path}: cannot write (no directory {directory})")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: directory {directory} is not writable")
    try:
        text = read_utf8(path)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"{path}: cannot read ({exc})") from None
    from auditor import metrics  # only with --metrics-file

    return metrics.previous_last_complete(text)


def write_metrics(path: str, text: str) -> None:
    """The metrics file, atomically, mode 0644: not write_private, node_exporter reads it as
    another user. It holds counts and cloud names only, never an item."""
    write_atomic(path, text, mode=0o644)
