"""How the host guard reads a body over real HTTP on loopback: whole, in one read when
its length is announced and it is not compressed, with requests' own exceptions for a
body cut short, decompressed when it is, and never past the bound."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator

import pytest
import requests
from requests.adapters import HTTPAdapter

from auditor.hostguard import AllowedOrigins, HostGuard, ResponseTooLarge


def _serve(answer: bytes) -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def run() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(answer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/v2.1/servers"
    thread.join(timeout=5)


def _head(length: int, *extra: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json", f"Content-Length: {length}"]
    return ("\r\n".join([*lines, *extra, "Connection: close"]) + "\r\n\r\n").encode()


def _get(url: str, limit: int = 1 << 20) -> requests.Response:
    session = requests.Session()
    guard = HostGuard(HTTPAdapter(), AllowedOrigins(url))
    guard.max_bytes = limit
    session.mount("http://", guard)
    try:
        return session.get(url, timeout=5)
    finally:
        session.close()


def test_an_announced_body_is_read_whole() -> None:
    body = b'{"servers": [' + b",".join(b'{"id": "%d"}' % i for i in range(20000)) + b"]}"
    for url in _serve(_head(len(body)) + body):
        response = _get(url)
        assert response.content == body
        assert response.json()["servers"][-1] == {"id": "19999"}


def test_a_body_cut_short_is_requests_chunked_encoding_error() -> None:
    for url in _serve(_head(1000) + b'{"servers": ['):
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _get(url)


def test_a_compressed_body_is_decompressed_and_bounded_after_decompression() -> None:
    body = b'{"servers": []}' + b" " * 5000
    packed = gzip.compress(body)
    for url in _serve(_head(len(packed), "Content-Encoding: gzip") + packed):
        assert _get(url).content == body
    for url in _serve(_head(len(packed), "Content-Encoding: gzip") + packed):
        with pytest.raises(ResponseTooLarge, match="more sent"):
            _get(url, limit=1000)


def test_an_announced_body_over_the_bound_is_not_read() -> None:
    for url in _serve(_head(5000) + b" " * 5000):
        with pytest.raises(ResponseTooLarge, match="5000 bytes announced"):
            _get(url, limit=1000)


def test_a_chunked_body_is_bounded_whatever_length_it_announces() -> None:
    # Transfer-Encoding wins over Content-Length (RFC 9112, 6.3): http.client reads the
    # chunks and ignores the length, so a small announced length bounds nothing.
    chunk = b" " * 4096
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)) + b"0\r\n\r\n"
    for url in _serve(_head(10, "Transfer-Encoding: chunked") + body):
        with pytest.raises(ResponseTooLarge, match="more sent"):
            _get(url, limit=1000)
