"""A tiny Neutron stand-in: just what Nova's server views ask of Neutron.

Nova API builds every server's ``security_groups`` from Neutron (ports by
``device_id``, then security groups by ``id``); with no Neutron it answers 500.
This WSGI app answers those two queries from a JSON file (``NEUTRON_STUB_DATA``:
``{"ports": [...], "security_groups": [...]}`` in Neutron's shapes), the
version document at ``/``, and an empty list for any other ``/v2.0`` listing.
Served by ``wsgi_server.py`` with the services venv's interpreter; it is not
one of the services under test (the auditor's core collections do not list
networks).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

JSON = dict[str, Any]


def _load() -> JSON:
    with open(os.environ["NEUTRON_STUB_DATA"], encoding="utf-8") as f:
        data: JSON = json.load(f)
    return data


def _filtered(items: list[JSON], query: dict[str, list[str]]) -> list[JSON]:
    fields = query.get("fields")
    out = []
    for item in items:
        if all(
            str(item.get(key)) in values
            for key, values in query.items()
            if key not in ("fields", "limit", "marker") and key in item
        ):
            out.append({k: v for k, v in item.items() if not fields or k in fields})
    return out


def application(environ: JSON, start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/").rstrip("/")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    host = environ.get("HTTP_HOST", "127.0.0.1")
    status = "200 OK"
    body: JSON
    if environ["REQUEST_METHOD"] != "GET":
        status, body = "405 Method Not Allowed", {"NeutronError": {"message": "read-only stub"}}
    elif path == "":
        link = {"href": f"http://{host}/v2.0/", "rel": "self"}
        body = {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [link]}]}
    elif path == "/v2.0":
        body = {"resources": []}
    elif path.startswith("/v2.0/"):
        resource = path[len("/v2.0/") :].split("/")[0].removesuffix(".json")
        key = resource.replace("-", "_")
        body = {key: _filtered(_load().get(key, []), query)}
    else:
        status, body = "404 Not Found", {"NeutronError": {"message": f"no {path}"}}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json")])
    return [payload]
