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


LAZY_PROBE = r"""
import io, json, logging, sys
from auditor.app.console import configure_logging
from auditor.logsetup import get_logger
from auditor.secrets import Redactor

redactor = Redactor()
redactor.add([%(password)r])
out = {}
for log_format in ("json", "console"):
    stream = io.StringIO()
    configure_logging(log_format=log_format, verbosity=0, redactor=redactor, stream=stream)
    get_logger("auditor.test").info("below the level")
    logging.getLogger("keystoneauth.session").info("below the level too")
    out[log_format + " loaded before a line"] = "structlog" in sys.modules or "rich" in sys.modules
    get_logger("auditor.test").warning("kept", password=%(password)r, note="a\x1bb")
    logging.getLogger("keystoneauth.session").warning("library %%s", %(password)r)
    out[log_format] = stream.getvalue().splitlines()
print(json.dumps(out))
"""


def test_structlog_loads_at_the_first_line_written_and_formats_it_as_before() -> None:
    """A fresh process (the CLI's case: structlog not imported yet): events below the
    level import nothing; the first line written loads structlog, configured as
    configure_logging asked (JSON or console, secrets redacted, control characters
    escaped on the console), for our loggers and the libraries' alike."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE % {"password": PASSWORD}],
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(done.stdout)
    assert out["json loaded before a line"] is False
    first, library = (json.loads(line) for line in out["json"])
    assert (first["event"], first["password"], first["level"]) == ("kept", "***", "warning")
    assert first["logger"] == "auditor.test"
    assert (library["event"], library["logger"]) == ("library ***", "keystoneauth.session")
    # structlog is loaded by then: the console set-up is applied at once, as before.
    assert out["console loaded before a line"] is True
    line, library_line = out["console"]
    assert "kept" in line and "password=***" in line and "\x1b" not in line
    assert "library ***" in library_line
    assert PASSWORD not in "".join(out["console"])
