"""Reliability tests run isolated: no OS_* variable or ./clouds.yaml, no real retry waits."""

from tests.isolation import _isolated, sleeps

__all__ = ["_isolated", "sleeps"]
