"""The project's error hierarchy.

Every error the CLI maps to an exit code derives from :class:`AuditorError`.
Messages are one line and name the file, cloud or key at fault; they never
carry a secret.
"""

from __future__ import annotations


class AuditorError(Exception):
    """Base of every error the auditor raises on purpose."""


class BadInputError(AuditorError):
    """Bad invocation or bad input: exit code 2, one line, no report."""


class ConfigError(BadInputError):
    """A clouds.yaml profile is unknown or unusable."""


class AuthError(BadInputError):
    """The cloud rejected the credentials."""


class RulesError(BadInputError):
    """The rules file is unreadable or invalid."""


class WaiversError(BadInputError):
    """The waivers file is unreadable or invalid."""


class SnapshotError(BadInputError):
    """A snapshot file is unreadable, corrupt or of another schema."""


class OutputError(BadInputError):
    """An output file cannot be written."""


class ListingError(AuditorError):
    """A listing failed for good (after retries); the collection is incomplete."""


class ItemNotFound(ListingError):
    """A GET of one item answered 404: the item is gone."""
