"""The floor: what listing the clouds costs with nothing but HTTP and a JSON decoder.

One ``requests.Session``, one cloud after the other, one listing after the
other, each page decoded with ``response.json()`` and thrown away: the same
listings, pages, page size and microversions as the auditor's inventory
(``tests/benchmarks`` checks that :data:`LISTINGS` matches
``auditor.collect.LISTINGS``), and no concurrency, no normalisation, no diff.
Nothing faster can list the same data over the same API one request at a time.

    python benchmarks/floor.py --clouds-yaml FILE CLOUD [CLOUD...]

Prints one JSON line: items and pages per listing, requests, seconds.
It imports nothing heavier than requests and PyYAML, on purpose.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import yaml

PAGE = "1000"

LISTINGS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("identity", "/domains", "domains", {"limit": PAGE}),
    ("identity", "/projects", "projects", {"limit": PAGE}),
    ("identity", "/services", "services", {}),
    ("identity", "/endpoints", "endpoints", {}),
    # No limit on the first page (Nova pages at max_limit): down cells' partial records.
    ("compute", "/servers/detail", "servers", {"all_tenants": "True"}),
    ("block-storage", "/volumes/detail", "volumes", {"all_tenants": "True", "limit": PAGE}),
    ("image", "/images", "images", {"visibility": "all", "limit": PAGE}),
    ("image", "/images", "images", {"visibility": "all", "os_hidden": "true", "limit": PAGE}),
)
"""(catalog service type, path, item key, first page's query): the auditor's core listings."""

MICROVERSIONS = {"compute": "compute 2.96", "block-storage": "volume 3.70"}
"""The microversions the auditor negotiates with a current release."""

VERSION_SUFFIX = {"identity": "", "compute": "", "block-storage": "", "image": "/v2"}
"""What the SDK's version discovery appends to the catalog URL."""


def _token(session: requests.Session, auth: dict[str, Any]) -> tuple[str, list[Any]]:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": auth["username"],
                        "password": auth["password"],
                        "domain": {"name": auth["user_domain_name"]},
                    }
                },
            },
            "scope": {
                "project": {
                    "name": auth["project_name"],
                    "domain": {"name": auth["project_domain_name"]},
                }
            },
        }
    }
    response = session.post(f"{auth['auth_url']}/auth/tokens", json=body, timeout=60)
    response.raise_for_status()
    return response.headers["X-Subject-Token"], response.json()["token"]["catalog"]


def _endpoint(catalog: list[Any], service_type: str, region: str | None) -> str:
    for service in catalog:
        if service["type"] != service_type:
            continue
        for endpoint in service["endpoints"]:
            if endpoint["interface"] == "public" and region in (None, endpoint.get("region_id")):
                return str(endpoint["url"]).rstrip("/")
    raise LookupError(f"no public {service_type} endpoint")


def _next_query(body: dict[str, Any], item_key: str) -> dict[str, str] | None:
    href = None
    for link in body.get(f"{item_key}_links") or []:
        if link.get("rel") == "next":
            href = link.get("href")
    if href is None and isinstance(body.get("links"), dict):
        href = body["links"].get("next")
    if href is None and isinstance(body.get("next"), str):
        href = body["next"]
    return dict(parse_qsl(urlsplit(href).query, keep_blank_values=True)) if href else None


def list_cloud(session: requests.Session, profile: dict[str, Any]) -> dict[str, Any]:
    """Every listing of one cloud, page by page; items and pages per listing."""
    token, catalog = _token(session, profile["auth"])
    headers = {"X-Auth-Token": token, "Accept": "application/json"}
    region = profile.get("region_name")
    out: dict[str, Any] = {"requests": 1, "listings": []}
    for service_type, path, item_key, params in LISTINGS:
        base = _endpoint(catalog, service_type, region) + VERSION_SUFFIX[service_type] + path
        page_headers = dict(headers)
        if service_type in MICROVERSIONS:
            page_headers["OpenStack-API-Version"] = MICROVERSIONS[service_type]
        query = dict(params)
        items = pages = 0
        while True:
            response = session.get(base, params=query, headers=page_headers, timeout=60)
            response.raise_for_status()
            body = response.json()
            pages += 1
            page = body[item_key]
            items += len(page)
            following = _next_query(body, item_key)
            if following is None or not page:
                break
            query = {**params, **following}
        out["requests"] += pages
        out["listings"].append(
            {"service": service_type, "path": path, "key": item_key, "items": items, "pages": pages}
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clouds-yaml", required=True)
    parser.add_argument("clouds", nargs="+")
    args = parser.parse_args(argv)
    with open(args.clouds_yaml, encoding="utf-8") as handle:
        profiles = yaml.safe_load(handle)["clouds"]
    started = time.perf_counter()
    results = {}
    with requests.Session() as session:
        for cloud in args.clouds:
            results[cloud] = list_cloud(session, profiles[cloud])
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "clouds": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
