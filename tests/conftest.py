"""Shared fixtures: a mocked cloud, its clouds.yaml, and ways to inventory it.

Nothing here reaches the network: ``responses`` answers every request and
refuses any URL it does not know.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
import yaml

from auditor.app.files import read_clouds_config
from auditor.connect import CloudTarget, connect
from tests import dataset
from tests.fakecloud import FakeCloud
from tests.harness import Cli, Inventory, inventory_of, run_cli


def pytest_configure(config: pytest.Config) -> None:
    # Deprecations openstacksdk raises against its own internals, whatever the caller does.
    for message in ("The 'service_type' parameter is unnecesary", "Support for InfluxDB"):
        config.addinivalue_line("filterwarnings", f"ignore:{message}")


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def cloud(rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch) -> FakeCloud:
    """The example cloud (compute 2.96, volume 3.70), registered and ready to list.

    Its attributes (payloads, microversions, page sizes, overrides) are read at
    request time: a test may change them before it lists. While it is up,
    nothing may sleep for real: a library retrying behind the pager's back
    (keystoneauth does for some services) would make tests slow and request
    counts wrong, so it fails the test instead.
    """

    def real_sleep(seconds: float) -> None:
        raise AssertionError(f"unexpected time.sleep({seconds}) while listing the mocked cloud")

    monkeypatch.setattr(time, "sleep", real_sleep)
    return dataset.populate(FakeCloud(rsps)).register()


@pytest.fixture
def clouds_file(cloud: FakeCloud, tmp_path: Path) -> Path:
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(cloud.clouds_yaml()), encoding="utf-8")
    return path


@pytest.fixture
def connection(cloud: FakeCloud, clouds_file: Path) -> Any:
    """A read-only connection to the example cloud, as the CLI makes it."""
    return connect(CloudTarget(cloud.name), config=read_clouds_config(str(clouds_file)))


@pytest.fixture
def inventory(cloud: FakeCloud, clouds_file: Path) -> Inventory:
    """Inventory the example cloud through ``take_inventory``: a Snapshot."""
    return inventory_of(cloud.name, clouds_file)


@pytest.fixture
def cli(clouds_file: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run ``auditor`` with the example cloud's clouds.yaml; capture its output."""
    return lambda *argv: run_cli(clouds_file, argv, capsys.readouterr)
