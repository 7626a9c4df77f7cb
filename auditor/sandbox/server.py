"""The HTTP layer: a threaded HTTP/1.1 server with keep-alive, faults and a request log.

One thread per connection (keystoneauth pools and reuses connections), bodies
with an exact Content-Length, Nagle off. The server tracks its connections so
that stopping it closes idle keep-alive connections too and joins their
threads: a stopped sandbox leaves no thread and no socket behind.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from auditor import __version__
from auditor.sandbox.faults import FaultRules
from auditor.sandbox.record import RecordedRequest, RequestLog
from auditor.sandbox.router import Router
from auditor.sandbox.wire import ErrorStyle, Response, error_response

MAX_BODY = 1 << 20
"""Largest request body read (a token request is a few hundred bytes)."""
IDLE_TIMEOUT = 120.0
"""Seconds an idle keep-alive connection is kept open."""


class Exchange:
    """Decides the answer to one request: fault rules first, then the router; logs it."""

    def __init__(self, router: Router, faults: FaultRules, log: RequestLog) -> None:
        self.router = router
        self.faults = faults
        self.log = log
        self.errors: list[str] = []
        """Unexpected exceptions of the sandbox itself (answered 500), for tests to assert on."""

    def record(self, method: str, target: str, status: int | None, injected: bool) -> None:
        path, _, query = target.partition("?")
        cloud = self.router.cloud_of(path)
        self.log.append(RecordedRequest(method, path, query, status, cloud, injected))

    def answer(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        stopping: threading.Event,
    ) -> Response | None:
        """The response to send, or None to hang up without answering."""
        path, _, raw_query = target.partition("?")
        fault = self.faults.match(method, target)
        if fault is not None:
            if fault.action is not None:
                fault.action()
            if fault.delay:
                stopping.wait(fault.delay)
            if fault.drop:
                self.record(method, target, None, True)
                return None
            if fault.status is not None:
                extra = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                if fault.location is not None:
                    extra["Location"] = fault.location
                if fault.body is not None:
                    body = fault.body(target) if callable(fault.body) else fault.body
                    response = Response(fault.status, body, extra, fault.content_type, fault.repeat)
                else:
                    response = error_response(
                        self.router.style_of(path), fault.status, "Injected fault.", extra
                    )
                response.reason = fault.reason
                self.record(method, target, response.status, True)
                return response
        try:
            response = self.router.route(method, path, raw_query, headers, body)
        except Exception as exc:
            # A bug of the sandbox: answer like a broken service, keep it for the tests.
            self.errors.append(f"{method} {path}: {exc!r}")
            response = error_response(ErrorStyle.KEYSTONE, 500, "Sandbox internal error.")
        self.record(method, target, response.status, False)
        return response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"auditor-sandbox/{__version__}"
    sys_version = ""
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    timeout = IDLE_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        return None

    @property
    def _server(self) -> SandboxHttpServer:
        return cast(SandboxHttpServer, self.server)

    def do_GET(self) -> None:
        self._exchange()

    do_HEAD = do_GET
    do_POST = do_GET
    do_PUT = do_GET
    do_PATCH = do_GET
    do_DELETE = do_GET
    do_OPTIONS = do_GET

    def _read_body(self) -> bytes | None:
        exchange = self._server.exchange
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            exchange.record(self.command, self.path, 411, False)
            self.close_connection = True
            self._send(error_response(ErrorStyle.KEYSTONE, 411, "Length required."))
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            exchange.record(self.command, self.path, 413, False)
            self.close_connection = True
            self._send(error_response(ErrorStyle.KEYSTONE, 413, "Request body too large."))
            return None
        return self.rfile.read(length) if length else b""

    def _exchange(self) -> None:
        body = self._read_body()
        if body is None:
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        server = self._server
        response = server.exchange.answer(self.command, self.path, headers, body, server.stopping)
        if response is None:
            self.close_connection = True
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status, response.reason)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body) * response.repeat))
        self.send_header("X-Openstack-Request-Id", f"req-{uuid.uuid4()}")
        self.end_headers()
        if self.command != "HEAD" and response.body:
            for _ in range(response.repeat):
                self.wfile.write(response.body)


class SandboxHttpServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its connections, to close them all on stop."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], exchange: Exchange) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.exchange = exchange
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="sandbox-connection",
            daemon=True,
        )
        with self._lock:
            self._connections.add(request)
            self._workers.add(worker)
        worker.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._lock:
                self._connections.discard(request)
                self._workers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer is not the sandbox's problem; stay quiet.
        return None

    def close_connections(self, timeout: float = 5.0) -> None:
        """Wake delayed answers, close every open connection and join their threads."""
        self.stopping.set()
        with self._lock:
            connections = list(self._connections)
            workers = list(self._workers)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(timeout)
