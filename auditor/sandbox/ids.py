"""Synthetic identifiers: stable across runs, so a rehearsal sees the same ids twice.

A snapshot records what the auditor compares, not everything the APIs answer:
flavor ids (from compute 2.47), service ids, attachment and port ids are not in
it. The sandbox makes them up from what they identify, deterministically.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
import zlib

_NAMESPACE = uuid.UUID("6f1c3f5e-4b1d-5c1a-9d8e-0a5b7c2d9e41").bytes


def _uuid5_hex(parts: tuple[object, ...]) -> str:
    # uuid.uuid5() without the UUID object: 4x faster, same value (version 5, RFC variant).
    digest = hashlib.sha1(_NAMESPACE + "\x1f".join(str(p) for p in parts).encode()).hexdigest()
    variant = "89ab"[int(digest[16], 16) & 3]
    return f"{digest[:12]}5{digest[13:16]}{variant}{digest[17:32]}"


def synthetic_uuid(*parts: object) -> str:
    """A dashed UUID (Nova, Cinder, Glance, Neutron style) named by ``parts``."""
    h = _uuid5_hex(parts)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def synthetic_hex(*parts: object) -> str:
    """A 32-hex-digit id (Keystone style) named by ``parts``."""
    return _uuid5_hex(parts)


@functools.lru_cache(maxsize=4096)
def shared_hex(*parts: object) -> str:
    """:func:`synthetic_hex` for ids many items share (a project's user, a host): cached."""
    return _uuid5_hex(parts)


@functools.lru_cache(maxsize=4096)
def shared_uuid(*parts: object) -> str:
    """:func:`synthetic_uuid` for ids many items share (a volume type): cached."""
    return synthetic_uuid(*parts)


def synthetic_mac(*parts: object) -> str:
    """A MAC address in OpenStack's fa:16:3e range named by ``parts``."""
    digest = zlib.crc32("\x1f".join(str(p) for p in parts).encode())
    octets = ((digest >> 16) & 0xFF, (digest >> 8) & 0xFF, digest & 0xFF)
    return "fa:16:3e:" + ":".join(f"{o:02x}" for o in octets)


def bucket(text: str, size: int) -> int:
    """A stable small number in ``range(size)`` for ``text`` (host names and the like)."""
    return zlib.crc32(text.encode()) % size
