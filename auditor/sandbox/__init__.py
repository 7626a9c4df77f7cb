"""A loopback OpenStack API that serves snapshots: for the demo, rehearsals and tests.

``Sandbox([snapshot, ...])`` serves Keystone v3, Nova, Cinder v3, Glance v2 and
(derived) Neutron v2.0 for each snapshot, on 127.0.0.1, from the standard
library's HTTP server; :mod:`auditor.sandbox.serve` starts it for ``auditor sandbox``.
See :mod:`auditor.sandbox.app` for the URL layout.
"""

from __future__ import annotations

from auditor.sandbox.app import Sandbox
from auditor.sandbox.faults import Fault, FaultRules
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.record import RecordedRequest

__all__ = ["Fault", "FaultRules", "RecordedRequest", "Sandbox", "SandboxOptions"]
