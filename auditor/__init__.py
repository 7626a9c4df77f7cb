"""auditor: prove that an OpenStack migration, merger or rebranding lost nothing."""

__version__ = "0.1.0"
