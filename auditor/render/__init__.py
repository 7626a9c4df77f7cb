"""Renderers: pure functions from a Report to text. Only the CLI writes it anywhere.

A format's module is imported when a report is first rendered in it, so the command
line can name the formats (:class:`Format`) without loading Jinja2 or rich.
"""

from __future__ import annotations

import enum
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.model import Report


class Format(str, enum.Enum):
    """Report output formats (``--format``)."""

    JSON = "json"
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JUNIT = "junit"
    CSV = "csv"
    SARIF = "sarif"


_MODULES = {
    Format.JSON: "json_format",
    Format.TEXT: "text",
    Format.MARKDOWN: "markdown",
    Format.HTML: "html",
    Format.JUNIT: "junit",
    Format.CSV: "csv_format",
    Format.SARIF: "sarif",
}
"""Each format's module in this package: ``render(report) -> str``."""


def render(report: Report, fmt: Format) -> str:
    """The report in format ``fmt``."""
    module = importlib.import_module(f"auditor.render.{_MODULES[Format(fmt)]}")
    text: str = module.render(report)
    return text
