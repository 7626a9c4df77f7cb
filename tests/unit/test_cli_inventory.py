"""``auditor inventory`` end to end against the mocked cloud: output, exit codes, secrets."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import dataset
from tests.fakecloud import PASSWORD, TOKEN, FakeCloud
from tests.harness import Cli, CliResult

SECRETS = (PASSWORD, TOKEN, dataset.DB_PASSWORD, "open-sesame")
"""The cloud password, the token and secret metadata values of the example cloud."""


def assert_one_error_line(result: CliResult, *fragments: str) -> None:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("auditor: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_snapshot_goes_to_stdout(cli: Cli) -> None:
    result = cli("inventory", "--cloud", "cw")

    assert result.code == 0
    doc = result.snapshot()
    assert doc["schema"] == "auditor.inventory/v1"
    assert (doc["cloud"], doc["region"]) == ("cw", "fr1")
    assert doc["auth_url"] == "http://keystone.test:5000/v3"
    assert doc["microversions"] == {"compute": "2.96", "block-storage": "3.70"}
    assert {name: c["status"] for name, c in doc["collections"].items()} == {
        "endpoints": "ok",
        "projects": "ok",
        "servers": "ok",
        "volumes": "ok",
    }
    assert {name: c["count"] for name, c in doc["collections"].items()} == {
        "endpoints": 2,
        "projects": 2,
        "servers": 2,
        "volumes": 2,
    }


def test_the_output_file_is_private_and_holds_the_snapshot(cli: Cli, tmp_path: Path) -> None:
    output = tmp_path / "cw.json"

    result = cli("inventory", "--cloud", "cw", "--output", str(output))

    assert result.code == 0
    assert result.stdout == ""
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert '"schema": "auditor.inventory/v1"' in output.read_text(encoding="utf-8")


def test_only_the_named_collections_are_listed(cli: Cli, cloud: FakeCloud) -> None:
    result = cli("inventory", "--cloud", "cw", "--collections", "projects")

    assert result.code == 0
    assert list(result.snapshot()["collections"]) == ["projects"]
    assert cloud.requests_to("/servers/detail") == []
    assert cloud.requests_to("/volumes/detail") == []


@pytest.mark.parametrize(
    "make_output",
    [
        pytest.param(lambda tmp: tmp / "missing-dir" / "cw.json", id="missing-directory"),
        pytest.param(lambda tmp: tmp, id="a-directory"),
    ],
)
def test_an_unwritable_output_is_bad_input_and_leaves_no_file(
    cli: Cli, tmp_path: Path, make_output: Callable[[Path], Path]
) -> None:
    output = make_output(tmp_path)
    before = sorted(os.listdir(tmp_path))

    result = cli("inventory", "--cloud", "cw", "--output", str(output))

    assert result.code == 2
    assert_one_error_line(result, f"{output}: cannot write")
    assert sorted(os.listdir(tmp_path)) == before


def test_a_collection_that_keeps_failing_makes_the_inventory_incomplete(
    cli: Cli, cloud: FakeCloud
) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 503)

    result = cli("inventory", "--cloud", "cw")

    assert result.code == 3
    collections = result.snapshot()["collections"]
    # When the failed listing was tried is recorded like any other's.
    assert set(collections["volumes"].pop("listed")) == {"started", "ended"}
    assert collections["volumes"] == {
        "status": "error",
        "count": 0,
        "error": "block-storage volumes: HTTP 503 after 5 attempts",
        "items": [],
    }
    assert [collections[n]["status"] for n in ("projects", "servers", "endpoints")] == [
        "ok",
        "ok",
        "ok",
    ]


def test_retries_sets_the_attempts_per_page(cli: Cli, cloud: FakeCloud) -> None:
    cloud.overrides["/volumes/detail"] = lambda _request: FakeCloud.reply({}, 503)

    result = cli("inventory", "--cloud", "cw", "--retries", "1")

    assert result.code == 3
    error = result.snapshot()["collections"]["volumes"]["error"]
    assert error == "block-storage volumes: HTTP 503 after 2 attempts"
    assert len(cloud.requests_to("/volumes/detail")) == 2


def test_a_listing_that_recovers_gives_a_complete_inventory(cli: Cli, cloud: FakeCloud) -> None:
    cloud.answer_first("/volumes/detail", FakeCloud.reply({}, 503), FakeCloud.reply({}, 503))

    result = cli("inventory", "--cloud", "cw")

    assert result.code == 0
    assert result.snapshot()["collections"]["volumes"]["count"] == 2


def test_a_keystone_hiccup_at_authentication_is_retried(cli: Cli, cloud: FakeCloud) -> None:
    cloud.answer_first("/v3/auth/tokens", FakeCloud.reply({}, 503))

    result = cli("inventory", "--cloud", "cw")

    assert result.code == 0
    assert len(cloud.requests_to("/v3/auth/tokens", "POST")) == 2


def test_keystone_down_makes_every_collection_an_error(cli: Cli, cloud: FakeCloud) -> None:
    cloud.overrides["/v3/auth/tokens"] = lambda _request: FakeCloud.reply({}, 503)

    result = cli("inventory", "--cloud", "cw")

    assert result.code == 3
    errors = {n: c["error"] for n, c in result.snapshot()["collections"].items()}
    assert set(errors.values()) == {"identity: authentication: HTTP 503 after 5 attempts"}
    assert len(errors) == 4


def test_a_truncated_keystone_list_makes_the_inventory_incomplete(
    cli: Cli, cloud: FakeCloud
) -> None:
    cloud.keystone_list_limit = 1

    result = cli("inventory", "--cloud", "cw")

    assert result.code == 3
    assert result.snapshot()["collections"]["projects"]["status"] == "incomplete"


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_no_secret_reaches_the_snapshot_or_the_debug_logs(
    cli: Cli, tmp_path: Path, log_format: str
) -> None:
    output = tmp_path / "cw.json"

    result = cli(
        "--log-format", log_format, "-vv", "inventory", "--cloud", "cw", "--output", str(output)
    )

    assert result.code == 0
    snapshot = output.read_text(encoding="utf-8")
    assert "REQ: curl" in result.stderr  # the HTTP traces were logged, and captured
    for secret in SECRETS:
        assert secret not in snapshot
        assert secret not in result.stderr


def test_secret_metadata_is_masked_in_the_snapshot(cli: Cli) -> None:
    collections = cli("inventory", "--cloud", "cw").snapshot()["collections"]

    servers = {s["id"]: s for s in collections["servers"]["items"]}
    volumes = {v["id"]: v for v in collections["volumes"]["items"]}
    assert servers["s-1"]["metadata"] == {"role": "web", "db_password": "***"}
    assert volumes["v-1"]["metadata"] == {"backup": "daily", "luks_passphrase": "***"}


def test_an_unknown_cloud_is_bad_input(cli: Cli, clouds_file: Path) -> None:
    result = cli("inventory", "--cloud", "nope")

    assert result.code == 2
    assert_one_error_line(result, str(clouds_file), "nope")


def test_os_cloud_names_the_profile_when_no_cloud_is_given(
    cli: Cli, clouds_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OS_CLOUD", "cw")

    result = cli("inventory")

    assert result.code == 0, result.stderr
    assert result.snapshot()["cloud"] == "cw"

    monkeypatch.setenv("OS_CLOUD", "nope")
    unknown = cli("inventory")
    assert unknown.code == 2
    assert_one_error_line(unknown, str(clouds_file), "cloud nope: not found")


def test_a_missing_clouds_yaml_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"

    result = cli("inventory", "--os-client-config-file", str(missing), "--cloud", "cw")

    assert result.code == 2
    assert_one_error_line(result, str(missing))


def test_a_malformed_clouds_yaml_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    malformed = tmp_path / "broken.yaml"
    malformed.write_text("clouds:\n  cw:\n    auth: {auth_url: 'http://k\n", encoding="utf-8")

    result = cli("inventory", "--os-client-config-file", str(malformed), "--cloud", "cw")

    assert result.code == 2
    assert_one_error_line(result, str(malformed), "not valid YAML")


def test_rejected_credentials_are_bad_input(cli: Cli, cloud: FakeCloud) -> None:
    cloud.overrides["/v3/auth/tokens"] = lambda _request: FakeCloud.reply(
        {"error": {"code": 401, "title": "Unauthorized"}}, 401
    )

    result = cli("inventory", "--cloud", "cw")

    assert result.code == 2
    assert_one_error_line(result, "cloud cw", "credentials rejected", "HTTP 401")
    assert len(cloud.requests_to("/v3/auth/tokens", "POST")) == 1


def test_an_unknown_collection_is_bad_input(cli: Cli, cloud: FakeCloud) -> None:
    result = cli("inventory", "--cloud", "cw", "--collections", "servers,bogus")

    assert result.code == 2
    assert_one_error_line(result, "--collections", "'bogus'")
    assert len(cloud.rsps.calls) == 0


def test_collections_all_names_every_known_collection() -> None:
    from auditor.collect import COLLECTIONS, CORE_COLLECTIONS, parse_collections

    names = parse_collections("all")
    assert names[: len(CORE_COLLECTIONS)] == CORE_COLLECTIONS
    assert sorted(names) == sorted(COLLECTIONS)


def test_bad_input_with_json_logs_is_one_json_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from auditor.cli import main

    missing = tmp_path / "nowhere.yaml"
    code = main(["--log-format", "json", "--os-client-config-file", str(missing), "inventory"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    line = json.loads(err[0])
    assert (line["level"], line["exit_code"]) == ("error", 2)
    assert str(missing) in line["event"]
