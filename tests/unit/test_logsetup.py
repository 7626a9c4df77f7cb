"""Logging: JSON lines for cron, and secrets redacted from ours and the libraries' logs."""

from __future__ import annotations

import io
import json
import logging

from auditor.app.console import configure_logging
from auditor.logsetup import get_logger
from auditor.secrets import Redactor

PASSWORD = "s3cr3t-Pa55word!"


def configured(verbosity: int, log_format: str = "json") -> io.StringIO:
    stream = io.StringIO()
    redactor = Redactor()
    redactor.add([PASSWORD])
    configure_logging(log_format=log_format, verbosity=verbosity, redactor=redactor, stream=stream)
    return stream


def test_our_logs_are_json_lines_with_secrets_redacted() -> None:
    stream = configured(verbosity=1)

    get_logger("auditor.test").info("connecting", password=PASSWORD, note=f"with {PASSWORD}")

    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["event"] == "connecting"
    assert record["password"] == "***"
    assert record["note"] == "with ***"
    assert PASSWORD not in line


def test_library_debug_logs_are_redacted_at_double_verbosity() -> None:
    stream = configured(verbosity=2)

    logging.getLogger("keystoneauth.session").debug(
        'REQ: curl -X POST -H "X-Auth-Token: gAAAAAB-live-token" -d \'{"password": "%s"}\'',
        PASSWORD,
    )

    output = stream.getvalue()
    assert "REQ: curl" in output
    assert PASSWORD not in output
    assert "gAAAAAB-live-token" not in output


def test_library_debug_logs_are_silent_below_double_verbosity() -> None:
    stream = configured(verbosity=1)

    logging.getLogger("keystoneauth.session").debug("REQ: curl -X GET http://x")
    get_logger("auditor.test").info("kept")

    assert [json.loads(line)["event"] for line in stream.getvalue().splitlines()] == ["kept"]


def test_quiet_keeps_only_errors() -> None:
    stream = configured(verbosity=-1, log_format="console")

    get_logger("auditor.test").warning("dropped")
    get_logger("auditor.test").error("kept")

    assert "dropped" not in stream.getvalue()
    assert "kept" in stream.getvalue()
