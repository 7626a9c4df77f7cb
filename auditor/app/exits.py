"""The exit codes (SPEC): what cron, CI and the playbooks act on."""

from __future__ import annotations

EXIT_OK = 0
"""Verified; or the command did what it was asked."""
EXIT_DISCREPANCIES = 1
"""The report has findings at or above ``--fail-on``."""
EXIT_BAD_INPUT = 2
"""Bad input: a file, an option, a profile, credentials; one line names it."""
EXIT_INCOMPLETE = 3
"""Something could not be listed completely (or another failure outside the input)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (or SIGTERM where the command handles it)."""
