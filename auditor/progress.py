"""Progress on a TTY while inventories run: pages and items per listing (rich)."""

from __future__ import annotations

import threading
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from auditor.model import CollectionResult


class CountingObserver:
    """Counts pages and items per listing; the base of every observer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: dict[str, int] = {}
        self.items: dict[str, int] = {}

    def on_page(self, listing: str, items: int) -> None:
        with self.lock:
            self.pages[listing] = self.pages.get(listing, 0) + 1
            self.items[listing] = self.items.get(listing, 0) + items

    def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None:
        return None

    @property
    def requests(self) -> int:
        """Pages fetched in all (the listing requests sent, retries excluded)."""
        return sum(self.pages.values())


class RichProgress(CountingObserver):
    """Live per-listing lines on stderr: ``compute servers  12 pages  11,532 items``."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.fields[pages]:>5} pages {task.fields[items]:>9,} items"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()

    def on_page(self, listing: str, items: int) -> None:
        super().on_page(listing, items)
        with self.lock:
            task = self.tasks.get(listing)
            if task is None:
                task = self.progress.add_task(listing, total=None, pages=0, items=0)
                self.tasks[listing] = task
            self.progress.update(task, pages=self.pages[listing], items=self.items[listing])

    def on_collection(self, cloud: str, name: str, result: CollectionResult) -> None:
        mark = "ok" if result.complete else result.status.value.upper()
        self.progress.console.print(f"{cloud}: {name}: {len(result.items)} items, {mark}")
