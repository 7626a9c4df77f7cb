"""The responses fake routes a collection from its declaration alone.

``FakeCloud`` registers every listing of the catalog it is given: a collection
declared only in this test (server-group-like, ``tests/declared.py``) is
listed by the real collector from the raw items the test hands the fake,
page by page as Nova pages (``test_groups_links`` on full pages, limit and
marker), with its all-projects parameter.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
import yaml

from auditor.catalog import registry
from auditor.collect.pager import RetryPolicy
from tests.declared import GROUPS_SPEC, register
from tests.fakecloud import FakeCloud
from tests.harness import inventory_of

RAW = [
    {
        "id": f"g-{n}",
        "name": f"group-{n}",
        "project_id": "p-acme",
        "user_id": "u-1",
        "members": [f"s-{n}"],
        "policy": "anti-affinity",
        "rules": {},
    }
    for n in range(5)
]


def test_a_declared_collection_is_routed_by_the_fake(
    rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    register(monkeypatch, GROUPS_SPEC)
    cloud = FakeCloud(
        rsps,
        collections=(*registry.CATALOG, GROUPS_SPEC),
        lists={"test_groups": RAW},
        nova_max_limit=2,
    ).register()
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(yaml.safe_dump(cloud.clouds_yaml()), encoding="utf-8")
    got = inventory_of(cloud.name, clouds)(["test_groups"], RetryPolicy(attempts=1))
    groups = got.collections["test_groups"]
    assert groups.status.value == "ok", groups.error
    assert [g["id"] for g in groups.items] == [f"g-{n}" for n in range(5)]
    assert groups.items[0]["policy"] == "anti-affinity" and groups.items[0]["rules"] == {}
    pages = cloud.requests_to("/os-test-groups")
    assert len(pages) == 3
    queries = [parse_qs(urlsplit(str(p.url)).query) for p in pages]
    assert all(q["all_projects"] == ["True"] for q in queries)
    assert [q.get("marker") for q in queries] == [None, ["g-1"], ["g-3"]]
