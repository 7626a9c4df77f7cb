"""The sandbox: a loopback OpenStack API serving one or more snapshots.

One server, one port, every cloud under its own path prefix::

    http://127.0.0.1:PORT/<cloud>/identity/v3        Keystone (auth_url)
    http://127.0.0.1:PORT/<cloud>/compute/v2.1       Nova
    http://127.0.0.1:PORT/<cloud>/volume/v3/<project> Cinder
    http://127.0.0.1:PORT/<cloud>/image              Glance (v2)
    http://127.0.0.1:PORT/<cloud>/network            Neutron (v2.0)

``<cloud>`` is the snapshot's cloud name (characters outside ``[A-Za-z0-9._~-]``
become ``-``). Each cloud has its own generated credentials and tokens; a
token of one cloud is refused by the others.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from types import TracebackType

from auditor.catalog.registry import CATALOG
from auditor.catalog.spec import CollectionSpec
from auditor.model import Snapshot
from auditor.sandbox.cloud import CloudSite, slug
from auditor.sandbox.faults import FaultRules
from auditor.sandbox.options import SandboxOptions
from auditor.sandbox.record import RecordedRequest, RequestLog
from auditor.sandbox.router import Router
from auditor.sandbox.server import Exchange, SandboxHttpServer
from auditor.sandbox.wire import JSON

_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


class Sandbox:
    """Serves ``snapshots`` over HTTP on ``host:port`` (0: a free port) while entered.

    ``with Sandbox([snapshot]) as sandbox:`` starts the server in a background
    thread; leaving the block (normally or by an exception) stops it, closes
    every connection and releases the port.
    """

    def __init__(
        self,
        snapshots: Sequence[Snapshot],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        options: SandboxOptions | None = None,
        catalog: Sequence[CollectionSpec] = CATALOG,
    ) -> None:
        """``catalog``: the collections served (the auditor's); those no view of the
        sandbox serves are served from their declarations."""
        if not snapshots:
            raise ValueError("a sandbox serves at least one snapshot")
        self.host = host
        self.port = port
        self.options = options or SandboxOptions()
        self.sites: dict[str, CloudSite] = {}
        """URL path segment -> cloud."""
        names: set[str] = set()
        for snapshot in snapshots:
            if snapshot.cloud in names:
                raise ValueError(
                    f"two snapshots of cloud {snapshot.cloud!r}: a sandbox serves each cloud once"
                )
            names.add(snapshot.cloud)
            path = base = slug(snapshot.cloud)
            n = 1
            while path in self.sites:
                n += 1
                path = f"{base}-{n}"
            self.sites[path] = CloudSite(snapshot, path, self.options, catalog)
        self.faults = FaultRules()
        """Fault injection rules (see :class:`~auditor.sandbox.faults.Fault`)."""
        self._log = RequestLog()
        self._exchange = Exchange(Router(self.sites), self.faults, self._log)
        self._server: SandboxHttpServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind, build every cloud's listings, and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        server = SandboxHttpServer((self.host, self.port), self._exchange)
        try:
            self.port = int(server.server_address[1])
            for site in self.sites.values():
                site.open(self.url_for_port(self.port))
        except BaseException:
            server.server_close()
            raise
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection, release the port. Idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(5.0)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- where things are ----------------------------------------------------------

    def url_for_port(self, port: int) -> str:
        host = _WILDCARDS.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the root of the sandbox."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return self.url_for_port(self.port)

    def site(self, cloud: str) -> CloudSite:
        """The served cloud named ``cloud`` (KeyError if none)."""
        for site in self.sites.values():
            if site.name == cloud:
                return site
        raise KeyError(cloud)

    def auth_url(self, cloud: str) -> str:
        """Keystone's URL for ``cloud``: ``http://127.0.0.1:PORT/<cloud>/identity/v3``."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return self.site(cloud).auth_url

    def clouds_yaml(self) -> JSON:
        """A clouds.yaml mapping: one profile per snapshot, named after its cloud (the
        admin), and one per project member, ``<cloud>-<username>``."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        clouds: JSON = {}
        for site in self.sites.values():
            clouds[site.name] = site.clouds_yaml_entry()
            clouds.update(site.member_entries())
        return {"clouds": clouds}

    # -- what happened ------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request answered so far, in order (a copy)."""
        return self._log.entries()

    def clear_requests(self) -> None:
        self._log.clear()

    @property
    def errors(self) -> list[str]:
        """Unexpected exceptions of the sandbox itself (each answered 500); empty when sound."""
        return list(self._exchange.errors)

    def expire_tokens(self) -> None:
        """Invalidate every issued token (clients must re-authenticate)."""
        for site in self.sites.values():
            site.tokens.revoke_all()
