"""paused_gc: nesting, overlap across threads, and what it leaves behind."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from auditor.gcpause import paused_gc


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    if not was:
        gc.disable()


def test_the_collector_is_paused_inside_and_back_after() -> None:
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_enable_once_the_last_ends() -> None:
    inside, release = threading.Event(), threading.Event()

    def worker() -> None:
        with paused_gc():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    with paused_gc():
        pass
    # The other thread's pause is still on.
    assert not gc.isenabled()
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_what_the_pause_built_is_still_freed_when_dropped() -> None:
    class Item(dict[str, object]):
        pass

    with paused_gc():
        item = Item(id="x", nested={"a": [1, 2]})
    ref = weakref.ref(item)
    del item
    assert ref() is None


def test_also_a_decorator() -> None:
    @paused_gc()
    def build() -> bool:
        return gc.isenabled()

    assert build() is False
    assert gc.isenabled()


def _collector_seen_by(command: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[bool, int]:
    """(whether the collector ran while ``command``'s handler ran, the exit code)."""
    import io

    from auditor.app import cli

    seen: list[bool] = []

    def handler(*_args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(cli, "_handler", lambda _command: handler)
    code = cli.main(command, stdout=io.StringIO())
    return seen[0], code


def test_the_cli_runs_a_command_with_the_collector_paused_then_enables_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _collector_seen_by(["schema", "report"], monkeypatch) == (False, 0)
    assert gc.isenabled()


def test_a_serving_command_runs_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _collector_seen_by(["sandbox", "a.json"], monkeypatch) == (True, 0)
    assert gc.isenabled()


def test_the_collector_is_on_again_after_help_and_bad_input() -> None:
    import io

    from auditor.app import cli

    with pytest.raises(SystemExit):
        cli.main(["--help"], stdout=io.StringIO())
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"], stdout=io.StringIO())
    assert gc.isenabled()
