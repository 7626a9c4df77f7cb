"""clouds.yaml profile -> read-only connection: the guard, timeouts, one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from requests.adapters import BaseAdapter

from auditor.app.files import read_clouds_config
from auditor.authn import authenticate
from auditor.collect import take_inventory
from auditor.connect import (
    CloudTarget,
    ReadOnlyAdapter,
    ReadOnlyViolation,
    auth_url,
    connect,
)
from auditor.errors import AuthError, ConfigError
from auditor.secrets import Redactor
from tests.fakecloud import PASSWORD, FakeCloud
from tests.harness import Inventory


class RecordingAdapter(BaseAdapter):
    """A transport that records what reaches it and answers 200."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **_kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        return response

    def close(self) -> None:
        return None


def prepared(method: str, url: str) -> requests.PreparedRequest:
    return requests.Request(method, url).prepare()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("DELETE", "http://nova.test:8774/v2.1/servers/s-1"),
        ("PUT", "http://cinder.test:8776/v3/p/volumes/v-1"),
        ("PATCH", "http://keystone.test:5000/v3/projects/p-1"),
        ("POST", "http://nova.test:8774/v2.1/servers/s-1/action"),
        ("POST", "http://keystone.test:5000/v3/projects"),
        ("POST", "http://keystone.test:5000/v3/auth/tokens/extra"),
    ],
)
def test_the_guard_refuses_writes_before_they_are_sent(method: str, url: str) -> None:
    inner = RecordingAdapter()

    with pytest.raises(ReadOnlyViolation):
        ReadOnlyAdapter(inner).send(prepared(method, url))

    assert inner.sent == []


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "http://nova.test:8774/v2.1/servers/detail?all_tenants=True"),
        ("HEAD", "http://glance.test:9292/v2/images/img-1"),
        ("POST", "http://keystone.test:5000/v3/auth/tokens"),
        ("POST", "http://keystone.test:5000/v2.0/tokens"),
    ],
)
def test_the_guard_lets_reads_and_the_token_request_through(method: str, url: str) -> None:
    inner = RecordingAdapter()

    ReadOnlyAdapter(inner).send(prepared(method, url))

    assert [r.method for r in inner.sent] == [method]


@pytest.mark.parametrize("method", ["DELETE", "PUT", "POST"])
def test_a_connection_cannot_send_a_write(cloud: FakeCloud, connection: Any, method: str) -> None:
    with pytest.raises(ReadOnlyViolation):
        connection.compute.request("/servers/s-1", method, json={})

    assert [c.request.method for c in cloud.rsps.calls if c.request.method != "GET"] == ["POST"]
    assert cloud.requests_to("/servers/s-1", method) == []


def test_an_inventory_sends_only_gets_and_one_token_request(
    cloud: FakeCloud, inventory: Inventory
) -> None:
    cloud.compute_max = "2.1"

    inventory()

    methods = [(method, urlsplit(url).path) for method, url in cloud.sent()]
    writes = [m for m in methods if m[0] != "GET"]
    assert writes == [("POST", "/v3/auth/tokens")]
    assert len(methods) > 10


def test_every_request_has_the_timeout(cloud: FakeCloud, clouds_file: Path) -> None:
    target = CloudTarget(cloud.name)
    conn = connect(target, config=read_clouds_config(str(clouds_file)), timeout=12.5)

    take_inventory(conn, target)

    # responses keeps the keyword arguments requests gave the transport.
    timeouts = {c.request.req_kwargs.get("timeout") for c in cloud.rsps.calls}  # type: ignore[attr-defined]
    assert timeouts == {12.5}


def test_the_redactor_learns_the_profile_password(cloud: FakeCloud, clouds_file: Path) -> None:
    redactor = Redactor()

    connect(
        CloudTarget(cloud.name),
        config=read_clouds_config(str(clouds_file)),
        redactor=redactor,
    )

    assert redactor.redact(f"auth with {PASSWORD} failed") == "auth with *** failed"


def test_the_auth_url_is_recorded_without_userinfo(cloud: FakeCloud, tmp_path: Path) -> None:
    path = tmp_path / "userinfo.yaml"
    doc = cloud.clouds_yaml(auth_url="http://admin:pw@keystone.test:5000/v3")
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")

    conn = connect(CloudTarget(cloud.name), config=read_clouds_config(str(path)))

    assert auth_url(conn) == "http://keystone.test:5000/v3"


def connect_refusal(clouds_yaml: Path, cloud: str = "cw") -> str:
    """Why :func:`connect` refused ``cloud`` of ``clouds_yaml`` (a ConfigError must be raised)."""
    with pytest.raises(ConfigError) as failure:
        connect(CloudTarget(cloud), config=read_clouds_config(str(clouds_yaml)))
    return str(failure.value)


def test_an_unknown_cloud_is_named_with_its_file(clouds_file: Path) -> None:
    assert connect_refusal(clouds_file, "nope").startswith(f"{clouds_file}: cloud nope: ")


def test_a_missing_clouds_yaml_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"

    assert connect_refusal(missing) == f"{missing}: no such clouds.yaml file"


def test_a_malformed_clouds_yaml_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text("clouds:\n  cw:\n    auth: {auth_url: [\n", encoding="utf-8")

    assert connect_refusal(path) == f"{path}: line 4 is not valid YAML"


def test_a_clouds_yaml_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")

    assert connect_refusal(path).startswith(f"{path}: ")


def test_rejected_credentials_are_an_auth_error(cloud: FakeCloud, connection: Any) -> None:
    unauthorized = {"error": {"code": 401, "title": "Unauthorized", "message": "nope"}}
    cloud.overrides["/v3/auth/tokens"] = lambda _request: FakeCloud.reply(unauthorized, 401)

    with pytest.raises(AuthError) as failure:
        authenticate(connection, CloudTarget(cloud.name))

    assert str(failure.value) == (
        "cloud cw: credentials rejected by http://keystone.test:5000/v3 (HTTP 401)"
    )


def test_a_profile_without_password_is_a_config_error(cloud: FakeCloud, tmp_path: Path) -> None:
    doc = cloud.clouds_yaml()
    del doc["clouds"][cloud.name]["auth"]["password"]
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    conn = connect(CloudTarget(cloud.name), config=read_clouds_config(str(path)))

    with pytest.raises(ConfigError) as failure:
        authenticate(conn, CloudTarget(cloud.name))

    assert str(failure.value) == "cloud cw: cannot authenticate (password is a required attribute)"
    assert cloud.requests_to("/v3/auth/tokens", "POST") == []


def test_cloud_target_parses_name_and_region() -> None:
    assert CloudTarget.parse("cw@fr1") == CloudTarget("cw", "fr1")
    assert CloudTarget.parse("cw") == CloudTarget("cw", None)
    with pytest.raises(ConfigError):
        CloudTarget.parse("@fr1")


def test_connection_pools_fit_the_concurrent_listings(connection: Any) -> None:
    # 8 listing workers and fan-outs of 4: requests' default pool of 10 would make
    # urllib3 drop and reopen connections ("Connection pool is full").
    from requests.adapters import HTTPAdapter

    from auditor.connect import POOL_SIZE, ReadOnlyAdapter
    from auditor.hostguard import HostGuard

    adapters = connection.session.session.adapters
    assert set(adapters) >= {"http://", "https://"}
    for adapter in adapters.values():
        # read-only guard -> host guard -> the pooled transport
        assert isinstance(adapter, ReadOnlyAdapter)
        assert isinstance(adapter.inner, HostGuard)
        transport = adapter.inner.inner
        assert isinstance(transport, HTTPAdapter)
        assert transport.poolmanager.connection_pool_kw["maxsize"] == POOL_SIZE
