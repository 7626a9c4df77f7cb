"""DNS names under the rules' ``rename.dns``: a rebranded domain suffix.

``rename.dns: {cloudwatt.com: orange-business.com}`` says that every DNS name
equal to or under ``cloudwatt.com`` now lives under ``orange-business.com``:
a zone ``acme.cloudwatt.com.`` is expected as ``acme.orange-business.com.``,
its record set ``www.acme.cloudwatt.com.`` likewise, and a record's data
(a CNAME, MX, NS, SRV or PTR target, a TXT string) naming one is expected to
name the renamed one. Names compare case-insensitively, with or without their
final dot; the longest matching suffix wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LABEL = "A-Za-z0-9_-"


def canonical(name: str) -> str:
    """``Acme.Example.COM.`` -> ``acme.example.com``: how suffixes are compared."""
    return name.strip().rstrip(".").lower()


def suffixes(mapping: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The rules' ``rename.dns`` as (source suffix, target suffix), canonical, longest
    first."""
    pairs = {canonical(k): canonical(v) for k, v in mapping.items()}
    return tuple(sorted(pairs.items(), key=lambda kv: (-len(kv[0]), kv[0])))


def rename_name(pairs: tuple[tuple[str, str], ...], name: str | None) -> str | None:
    """``name`` under its renamed suffix (its final dot kept as it was); unchanged when no
    suffix of the rules holds it."""
    if not name or not pairs:
        return name
    dotted = name.endswith(".")
    bare = name.rstrip(".")
    lowered = bare.lower()
    for source, target in pairs:
        if lowered == source:
            head = ""
        elif lowered.endswith("." + source):
            head = bare[: len(bare) - len(source)]
        else:
            continue
        return head + target + ("." if dotted else "")
    return name


def rename_text(pairs: tuple[tuple[str, str], ...], text: str | None) -> str | None:
    """Every DNS name under a source suffix inside ``text`` (a record's data:
    ``10 mail.cloudwatt.com.``, ``"v=spf1 include:_spf.cloudwatt.com ~all"``) renamed."""
    if not text or not pairs:
        return text
    for source, target in pairs:
        text = re.sub(
            rf"(?<![{LABEL}]){re.escape(source)}(?![{LABEL}])",
            target,
            text,
            flags=re.IGNORECASE,
        )
    return text
