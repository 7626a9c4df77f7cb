"""Renderers: pure functions from a Report to text. Only the CLI writes it anywhere."""

from __future__ import annotations

import enum
import sys

from auditor.model import Report
from auditor.render import csv_format, html, json_format, junit, markdown, sarif, text

if sys.version_info >= (3, 11):
    from typing import assert_never
else:  # pragma: no cover - Python 3.10
    from typing_extensions import assert_never


class Format(str, enum.Enum):
    """Report output formats (``--format``)."""

    JSON = "json"
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JUNIT = "junit"
    CSV = "csv"
    SARIF = "sarif"


def render(report: Report, fmt: Format) -> str:
    """The report in format ``fmt``."""
    if fmt is Format.JSON:
        return json_format.render(report)
    if fmt is Format.TEXT:
        return text.render(report)
    if fmt is Format.MARKDOWN:
        return markdown.render(report)
    if fmt is Format.HTML:
        return html.render(report)
    if fmt is Format.JUNIT:
        return junit.render(report)
    if fmt is Format.CSV:
        return csv_format.render(report)
    if fmt is Format.SARIF:
        return sarif.render(report)
    assert_never(fmt)
