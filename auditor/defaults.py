"""Defaults the command line's help texts show, importable without openstacksdk."""

DEFAULT_TIMEOUT = 60.0
"""Seconds a single request may take (connect and read) before it counts as failed."""
