"""A download progress bar on a terminal (rich is imported only here)."""

from __future__ import annotations

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn


class DownloadProgress:
    """A download progress bar: bytes received across all wheels, transient."""

    def __init__(self, items: int) -> None:
        self._progress = Progress(
            TextColumn(f"downloading {items} wheels"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            transient=True,
        )
        self._task = self._progress.add_task("download", total=None)
        self._progress.start()

    def advance(self, nbytes: int) -> None:
        """Count *nbytes* more received."""
        self._progress.update(self._task, advance=nbytes)

    def close(self) -> None:
        """Stop and remove the bar."""
        self._progress.stop()
