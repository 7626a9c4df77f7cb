"""Point 1 of the security round: redirects never carry a token or a password elsewhere.

keystoneauth follows redirects itself and re-sends ``X-Auth-Token`` and the
body; these tests make the sandbox answer 301, 302, 303, 307 and 308 towards
another server on loopback (:class:`~tests.reliability.elsewhere.Elsewhere`,
another port: another origin) and check, on that server's own record, that
nothing reached it, and what the auditor says instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from auditor.app.files import read_clouds_config
from auditor.hostguard import RedirectRefused, check_redirect
from auditor.sandbox import Sandbox
from tests.reliability.elsewhere import Elsewhere
from tests.reliability.world import (
    SOURCE,
    audit,
    inventory,
)

REDIRECTS = (301, 302, 303, 307, 308)
SERVERS = r"^/cw/compute/v2\.1/servers/detail"
TOKENS = r"^/cw/identity/v3/auth/tokens"


@pytest.fixture
def elsewhere() -> Iterator[Elsewhere]:
    with Elsewhere() as other:
        yield other


def _password(tmp_path: Path) -> str:
    clouds = yaml.safe_load((tmp_path / "clouds.yaml").read_text(encoding="utf-8"))
    return str(clouds["clouds"][SOURCE]["auth"]["password"])


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_redirected_listing_sends_no_token_elsewhere_and_is_incomplete(
    status: int,
    sandbox: Sandbox,
    elsewhere: Elsewhere,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox.faults.redirect(SERVERS, status, f"{elsewhere.url}/steal/servers/detail")

    result = audit(tmp_path, capsys)

    assert elsewhere.received == [], "a request (with the token) reached the other host"
    assert result.run.code == 3
    servers = result.source["collections"]["servers"]
    assert servers["status"] == "error"
    assert elsewhere.host in servers["error"]
    assert "not followed" in servers["error"]
    assert servers["error"].startswith("compute servers: ")
    (finding,) = result.findings("incomplete", "servers")
    assert elsewhere.host in finding["message"]
    # The other collections are untouched, nothing else is reported.
    assert {f["kind"] for f in result.report["findings"]} == {"incomplete"}
    # One line on stderr names the host.
    named = [line for line in result.run.error_lines if elsewhere.host in line]
    assert len(named) == 1, result.run.stderr


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_redirected_token_request_never_reposts_the_password(
    status: int,
    sandbox: Sandbox,
    elsewhere: Elsewhere,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox.faults.redirect(TOKENS, status, f"{elsewhere.url}/v3/auth/tokens")
    out = tmp_path / "inventory.json"

    run = inventory(tmp_path, capsys, output=str(out))

    assert elsewhere.received == [], "the token request (the password) reached the other host"
    assert run.code == 2
    assert len(run.error_lines) == 1, run.stderr
    assert elsewhere.host in run.error_lines[0]
    assert "token request" in run.error_lines[0]
    assert _password(tmp_path) not in run.stderr
    assert not out.exists()
    posts = [r for r in sandbox.requests if r.method == "POST"]
    assert len(posts) == 1, "the token request was sent again"


def test_the_token_request_refuses_even_a_same_host_redirect(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 307 to the very same URL: keystoneauth would post the password a second time.
    sandbox.faults.redirect(TOKENS, 307, "/cw/identity/v3/auth/tokens", times=1)

    run = inventory(tmp_path, capsys)

    assert run.code == 2
    assert "redirected" in run.error_lines[-1]
    assert [r.method for r in sandbox.requests].count("POST") == 1


@pytest.mark.parametrize("status", (301, 308))
def test_a_redirected_identity_version_document_is_not_followed(
    status: int,
    sandbox: Sandbox,
    elsewhere: Elsewhere,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox.faults.redirect(r"^/cw/identity/v3/?$", status, f"{elsewhere.url}/v3")

    run = inventory(tmp_path, capsys)

    assert elsewhere.received == []
    assert run.code in (2, 3)
    assert elsewhere.host in run.stderr
    assert "Traceback" not in run.stderr


def test_an_identity_version_document_pointing_elsewhere_gets_no_password(
    sandbox: Sandbox, elsewhere: Elsewhere, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # keystoneauth's generic password plugin, given an unversioned auth_url (as
    # most clouds.yaml files have it), posts the password where the versions
    # document's "self" link says: a hostile or misconfigured Keystone could
    # so send it to another host.
    clouds = yaml.safe_load((tmp_path / "clouds.yaml").read_text(encoding="utf-8"))
    auth = clouds["clouds"][SOURCE]["auth"]
    auth["auth_url"] = auth["auth_url"].removesuffix("/v3")
    (tmp_path / "clouds.yaml").write_text(yaml.safe_dump(clouds), encoding="utf-8")
    versions = requests.get(auth["auth_url"], timeout=10).json()
    for version in versions["versions"]["values"]:
        for link in version["links"]:
            link["href"] = f"{elsewhere.url}/v3/"
    sandbox.faults.answer(r"^/cw/identity/?$", json.dumps(versions).encode(), status=300)

    run = inventory(tmp_path, capsys)

    assert elsewhere.received == [], "the password reached the other host"
    # (keystoneauth 5.x keeps the auth_url's host for the token; were it to take
    # the link, the host guard refuses it: bad input naming the host.)
    assert [r.method for r in sandbox.requests].count("POST") <= 1
    if run.code != 0:
        assert run.code == 2
        assert elsewhere.host in run.error_lines[-1]


def test_a_compute_version_document_pointing_elsewhere_gets_no_token(
    sandbox: Sandbox, elsewhere: Elsewhere, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same for a service: its version document's links must not carry listings away.
    real = requests.get(f"{sandbox.url}/cw/compute/v2.1", timeout=10).json()
    for link in real["version"]["links"]:
        link["href"] = f"{elsewhere.url}/v2.1/"
    sandbox.faults.answer(r"^/cw/compute/v2\.1/?$", json.dumps(real).encode())

    result = audit(tmp_path, capsys)

    assert elsewhere.received == []
    servers = result.source["collections"]["servers"]
    # Either the SDK kept the catalog's URL (complete) or the guard refused the link.
    if servers["status"] == "ok":
        assert servers["count"] == 30
    else:
        assert elsewhere.host in servers["error"]


def test_a_same_host_redirect_is_followed_and_nothing_is_lost(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A relative Location on the service's own host (a proxy adding a slash,
    # say) is followed, with the token, and the listing is complete.
    sandbox.faults.redirect(
        SERVERS, 302, "/cw/compute/v2.1/servers/detail?all_tenants=True", times=1
    )

    result = audit(tmp_path, capsys)

    assert result.run.code == 0, result.report["findings"]
    assert result.source["collections"]["servers"]["status"] == "ok"
    assert result.source["collections"]["servers"]["count"] == 30


def test_a_redirect_loop_on_the_same_host_ends(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = sandbox.faults.redirect(SERVERS, 307, "/cw/compute/v2.1/servers/detail", times=None)

    result = audit(tmp_path, capsys)

    assert result.run.code == 3
    servers = result.source["collections"]["servers"]
    assert servers["status"] == "error"
    assert "redirect" in servers["error"]
    # Bounded: a few hops per attempt, never keystoneauth's default of 30.
    assert sandbox.faults.applied(fault) <= 2 * 4


def _redirect(url: str, location: str, status: int = 302) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.url = url
    response.headers["location"] = location
    response._content = b""
    response._content_consumed = True  # type: ignore[attr-defined]
    return response


def test_a_redirect_from_https_to_http_is_refused_even_on_the_same_host() -> None:
    url = "https://cloud.example:443/compute/v2.1/servers/detail"
    response = _redirect(url, "http://cloud.example/compute/v2.1/servers/detail")

    with pytest.raises(RedirectRefused, match=r"http://cloud.example:80.*https to http"):
        check_redirect(response, url, ("https", "cloud.example", 443), token_request=False)


def test_a_redirect_to_another_port_or_scheme_is_refused() -> None:
    url = "https://cloud.example/compute/v2.1/servers/detail"
    for location in ("https://cloud.example:8443/x", "http://cloud.example:443/x"):
        with pytest.raises(RedirectRefused):
            check_redirect(
                _redirect(url, location), url, ("https", "cloud.example", 443), token_request=False
            )
    # The same origin, relative or absolute, passes, made absolute for keystoneauth.
    same = _redirect(url, "/compute/v2.1/servers/detail/")
    check_redirect(same, url, ("https", "cloud.example", 443), token_request=False)
    assert same.headers["location"] == "https://cloud.example/compute/v2.1/servers/detail/"


def test_no_request_leaves_for_a_host_outside_the_cloud(
    sandbox: Sandbox, elsewhere: Elsewhere, tmp_path: Path
) -> None:
    # Whatever code asks (the SDK, keystoneauth, the auditor), the session the
    # CLI builds sends nothing, token or not, to a host the cloud did not name.
    from auditor.connect import CloudTarget, connect
    from auditor.hostguard import HostRefused

    conn = connect(CloudTarget(SOURCE), config=read_clouds_config(str(tmp_path / "clouds.yaml")))
    conn.session.get_token()
    with pytest.raises(HostRefused, match=elsewhere.host):
        conn.session.get(f"{elsewhere.url}/anything")
    with pytest.raises(HostRefused, match="token request"):
        conn.session.post(f"{elsewhere.url}/v3/auth/tokens", json={"auth": {}})
    assert elsewhere.received == []
    # The catalog's hosts are reachable as before.
    assert conn.compute.get("/servers/detail", params={"limit": 1}).status_code == 200


def test_an_unparsable_location_is_refused_not_a_crash(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.faults.redirect(SERVERS, 302, "http://[evil\x1b[2J/servers", times=None)

    result = audit(tmp_path, capsys)

    assert result.run.code == 3
    servers = result.source["collections"]["servers"]
    assert servers["status"] == "error"
    assert "redirected to an unusable URL; not followed" in servers["error"]
