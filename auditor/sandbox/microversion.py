"""Microversion negotiation as Nova and Cinder do it, from the request headers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from auditor.sandbox.wire import JSON, ApiError, Response

Version = tuple[int, int]

_VERSION = re.compile(r"^([1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def parse_version(text: str) -> Version:
    """``"2.47"`` -> (2, 47); ValueError for anything else."""
    match = _VERSION.match(text.strip())
    if match is None:
        raise ValueError(f"invalid version string {text!r}")
    return int(match.group(1)), int(match.group(2))


def format_version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


class MicroversionError(Exception):
    """The requested microversion is malformed (400) or out of range (406)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class VersionRange:
    """The microversions one service accepts, and the headers that carry them."""

    service: str
    """Service name of the ``OpenStack-API-Version`` header (``compute``, ``volume``)."""
    minimum: Version
    maximum: Version
    legacy_header: str | None = None
    """Pre-standard header also honoured (Nova's ``X-OpenStack-Nova-API-Version``)."""

    def requested(self, headers: Mapping[str, str]) -> str | None:
        """The version text the request asks for, or None (the minimum)."""
        value = headers.get("openstack-api-version")
        if value:
            for part in value.split(","):
                service, _, version = part.strip().partition(" ")
                if service.strip().lower() == self.service:
                    return version.strip()
        if self.legacy_header is not None:
            legacy = headers.get(self.legacy_header.lower())
            if legacy:
                return legacy.strip()
        return None

    def negotiate(self, headers: Mapping[str, str]) -> Version:
        """The microversion to answer with; raises :class:`MicroversionError`."""
        text = self.requested(headers)
        if text is None:
            return self.minimum
        if text.lower() == "latest":
            return self.maximum
        try:
            version = parse_version(text)
        except ValueError:
            raise MicroversionError(400, f"Invalid API version request: {text}") from None
        if not self.minimum <= version <= self.maximum:
            raise MicroversionError(
                406,
                f"Version {text} is not supported by the API. Minimum is"
                f" {format_version(self.minimum)} and maximum is"
                f" {format_version(self.maximum)}.",
            )
        return version

    def response_headers(self, version: Version) -> dict[str, str]:
        """The headers that tell the client which microversion answered."""
        text = format_version(version)
        headers = {"OpenStack-API-Version": f"{self.service} {text}"}
        vary = "OpenStack-API-Version"
        if self.legacy_header is not None:
            headers[self.legacy_header] = text
            vary += f", {self.legacy_header}"
        headers["Vary"] = vary
        return headers


def band(version: Version, thresholds: tuple[Version, ...]) -> Version:
    """The highest threshold at or below ``version``: versions of one band share a shape."""
    chosen = thresholds[0]
    for threshold in thresholds:
        if threshold <= version:
            chosen = threshold
    return chosen


def at_microversion(
    versions: VersionRange, headers: Mapping[str, str], answer: Callable[[Version], Response]
) -> Response:
    """``answer`` at the microversion the request headers negotiate, its answer (or its
    error) carrying the headers that say which; a bad request's error does not."""
    try:
        mv = versions.negotiate(headers)
    except MicroversionError as exc:
        raise ApiError(exc.status, exc.message) from None
    said = versions.response_headers(mv)
    try:
        response = answer(mv)
    except ApiError as exc:
        exc.headers.update(said)
        raise
    response.headers.update(said)
    return response


def version_document(
    version_id: str,
    versions: VersionRange,
    updated: str,
    links: list[JSON],
    media_type: str,
) -> JSON:
    """A microversioned service's version document (``GET /`` and ``GET /v<N>``)."""
    return {
        "id": version_id,
        "status": "CURRENT",
        "version": format_version(versions.maximum),
        "min_version": format_version(versions.minimum),
        "updated": updated,
        "links": links,
        "media-types": [{"base": "application/json", "type": media_type}],
    }
