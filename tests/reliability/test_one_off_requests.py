"""The requests an audit makes before its listings: each one once (issue 19).

openstacksdk makes a service's proxy on its first use, with a GET of the version
document when the catalog's endpoint is unversioned (Glance's). The two image
listings (``visibility=all``, and the hidden images) start together: each used to
make its own proxy, so each sent that GET.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from auditor.sandbox import Sandbox
from tests.reliability.world import audit


def test_the_image_version_document_is_asked_once_per_cloud(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Late enough for both image listings to be waiting for it.
    late = sandbox.faults.delay(r"^/\w+/image/?$", 0.3, times=None)

    result = audit(tmp_path, capsys, "--collections", "images")

    assert result.run.code in (0, 1), result.run.stderr
    assert result.source["collections"]["images"]["status"] == "ok"
    asked = Counter(
        r.path.rstrip("/") for r in sandbox.requests if r.path.rstrip("/").endswith("/image")
    )
    assert asked and set(asked.values()) == {1}, asked
    assert len(asked) == 2, asked  # the source's and the target's
    assert sandbox.faults.applied(late) == 2
    methods = {(r.method, r.path.endswith("/auth/tokens")) for r in sandbox.requests}
    assert methods <= {("GET", False), ("POST", True)}
