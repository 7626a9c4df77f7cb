"""A small threaded WSGI server with HTTP/1.1 keep-alive, for the integration services.

Run with the *services* venv's interpreter (stdlib only)::

    python wsgi_server.py --fd N --app keystone.wsgi.api:application \\
        --access-log FILE [--name NAME] [-- APP ARGV...]

``--fd`` is a listening socket the parent bound to 127.0.0.1 on a free port and
passed down (so the port is known before the service starts and no other
process can take it meanwhile). Keep-alive matters: keystoneauth pools
connections, and a server that closes them without saying so makes pooled
requests fail at random. Every request is appended to ``--access-log`` as one
JSON line (method, path, query, status, user agent, microversion), which is
how the tests prove that the auditor only reads.

``sys.argv`` is set to ``[NAME, *APP ARGV]`` before the application module is
imported: Nova and Cinder parse their command line (``--config-file``...) from
it when they build their application.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
_NO_BODY = {204, 304}


class AccessLog:
    """One JSON line per request, flushed at once (the tests read it while we run)."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the server
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()


class Handler(BaseHTTPRequestHandler):
    """Every method goes to the WSGI application; responses are buffered and sized."""

    protocol_version = "HTTP/1.1"
    timeout = 120  # idle keep-alive connections are closed after this
    app: WSGIApp
    access_log: AccessLog

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        host, port = self.connection.getsockname()[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, encoding="iso-8859-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)) if body else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def _call_app(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        state: dict[str, Any] = {}
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            if exc_info is not None and state:
                raise exc_info[1].with_traceback(exc_info[2])
            state["status"], state["headers"] = status, headers
            return written.append

        result = self.app(environ, start_response)
        try:
            for chunk in result:
                written.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return state["status"], state["headers"], b"".join(written)

    def _serve(self) -> None:
        started = time.monotonic()
        body = self._read_body()
        try:
            status, headers, payload = self._call_app(self._environ(body))
        except Exception:
            traceback.print_exc()
            status, headers = "500 Internal Server Error", [("Content-Type", "text/plain")]
            payload = b"internal error in the WSGI application\n"
            self.close_connection = True
        code = int(status.split(" ", 1)[0])
        out = [f"HTTP/1.1 {status}\r\n"]
        out += [f"{k}: {v}\r\n" for k, v in headers if k.lower() not in _HOP_BY_HOP]
        if code not in _NO_BODY and code >= 200:
            out.append(f"Content-Length: {len(payload)}\r\n")
        out.append(f"Connection: {'close' if self.close_connection else 'keep-alive'}\r\n\r\n")
        self.wfile.write("".join(out).encode("iso-8859-1"))
        if self.command != "HEAD" and code not in _NO_BODY:
            self.wfile.write(payload)
        self.wfile.flush()
        path, _, query = self.path.partition("?")
        self.access_log.write(
            {
                "method": self.command,
                "path": path,
                "query": query,
                "status": code,
                "user_agent": self.headers.get("User-Agent", ""),
                "microversion": self.headers.get("OpenStack-API-Version"),
                "ms": round((time.monotonic() - started) * 1000, 1),
            }
        )

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the access log says it all, in JSON


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def load_app(spec: str) -> WSGIApp:
    module_name, _, attr = spec.partition(":")
    module = importlib.import_module(module_name)
    app: WSGIApp = getattr(module, attr or "application")
    return app


def _exit_with_parent(parent: int) -> None:
    """End this server when the process that started it is gone (never an orphan)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fd", type=int, required=True, help="inherited listening socket")
    parser.add_argument("--app", required=True, help="module:attribute of the WSGI app")
    parser.add_argument("--access-log", required=True)
    parser.add_argument("--name", default="wsgi", help="argv[0] the application sees")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    parser.add_argument("app_argv", nargs="*", help="argv the application sees (after --)")
    args = parser.parse_args()

    if args.parent_pid:
        _exit_with_parent(args.parent_pid)
    sys.argv = [args.name, *args.app_argv]
    Handler.app = staticmethod(load_app(args.app))
    Handler.access_log = AccessLog(args.access_log)

    sock = socket.socket(fileno=args.fd)
    host, port = sock.getsockname()[:2]
    server = Server((host, port), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.server_address = (host, port)
    print(f"serving {args.app} on http://{host}:{port}")
    sys.stdout.flush()
    server.serve_forever(poll_interval=0.5)


if __name__ == "__main__":
    main()
