"""Text chosen by a cloud's users, made harmless for the place it is shown.

Names, descriptions and metadata come from the clouds' tenants (and a
hostile server may send anything). JSON carries them verbatim (its escaping
is enough); every human format shows them through these functions:

- :func:`printable`: control characters (ANSI escapes, NUL, carriage
  returns, newlines), bidirectional overrides and isolates (which reorder
  what a terminal or a browser shows), line separators and lone surrogates
  become visible escapes (``\\x1b``, ``\\u202e``), and very long text is cut;
- :func:`markdown_text`: the same, plus Markdown and inline-HTML syntax
  escaped (a name cannot become a link, an image, a heading or a table cell);
- :func:`utf8`: text that can always be written as UTF-8 (a lone surrogate,
  which JSON allows, becomes its ``\\udxxx`` escape).
"""

from __future__ import annotations

import re

UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
"""Characters never shown as they are: C0 and C1 controls, DEL, bidirectional
marks, embeddings, overrides and isolates, line and paragraph separators, lone
surrogates, and the two noncharacters XML refuses."""

TEXT_LIMIT = 500
"""Characters of one name or message shown in a human format before it is cut."""

_MARKDOWN = re.compile(r"([\\`*\[\]|!~])")
"""What could make a link, an image, code, emphasis, inline HTML or a table cell
(``>`` opens nothing, and a ``_`` inside a word is no emphasis)."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, limit: int | None = TEXT_LIMIT, keep: str = "") -> str:
    """``text`` with every unsafe character shown as an escape, cut after ``limit``
    characters (None: never); characters of ``keep`` (``"\\n"``) are left alone."""
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}... ({len(text) - limit} more characters)"
    if keep:
        return UNSAFE.sub(lambda m: m.group() if m.group() in keep else _visible(m), text)
    return UNSAFE.sub(_visible, text)


def markdown_text(text: str, *, limit: int | None = TEXT_LIMIT) -> str:
    """``text`` for Markdown: printable, with Markdown and HTML syntax escaped."""
    escaped = printable(text, limit=limit).replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN.sub(r"\\\1", escaped)


def utf8(text: str) -> str:
    """``text`` that encodes to UTF-8: lone surrogates as their escapes (in a JSON
    string, ``\\ud800`` is the same character)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
