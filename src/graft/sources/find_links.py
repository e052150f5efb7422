"""Find-links directories (``--find-links``): their wheels and sdists, by canonical name."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.errors import UsageError
from graft.sources.candidates import Candidate, _version_matches

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from graft.model.requirements import Wanted


def _sdist_project(filename: str) -> str | None:
    """The canonical project name of an sdist filename, or None when it is none."""
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename  # noqa: PLC0415
    from packaging.version import InvalidVersion  # noqa: PLC0415

    try:
        return str(parse_sdist_filename(filename)[0])
    except (InvalidSdistFilename, InvalidVersion):
        return None


class FindLinks:
    """Wheels in ``--find-links`` directories, listed once and grouped by canonical name.

    A project in *kept* (kept to one index by a ``[tool.uv.sources]`` ``index`` entry) has
    no file here, as ``uv pip install`` 0.13.9 offers it none (decision 372).
    """

    def __init__(self, directories: Sequence[str], kept: Collection[str] = ()) -> None:
        self.directories = list(directories)
        self.kept = frozenset(kept)
        self._by_name: dict[str, list[tuple[str, str]]] | None = None
        self._sdists: dict[str, list[tuple[str, str]]] = {}
        self._index()  # list once, before any worker thread asks

    def _index(self) -> dict[str, list[tuple[str, str]]]:
        if self._by_name is None:
            by_name: dict[str, list[tuple[str, str]]] = {}
            for directory in self.directories:
                try:
                    names = os.listdir(directory)
                except OSError as exc:
                    raise UsageError(  # (a path named that is not there, as -r FILE's: exit 2)
                        f"cannot list find-links directory ({exc.strerror})", where=directory
                    ) from None
                for name in names:
                    # wheels, and each release's variant metadata (PEP 825), read only when
                    # that release has variant wheels; sdists apart (built only if allowed)
                    if name.endswith((".whl", "-variants.json")):
                        # the name part of a wheel filename never contains "-"
                        key = name.split("-", 1)[0].replace("_", "-").replace(".", "-").lower()
                        if key in self.kept:
                            continue
                        by_name.setdefault(key, []).append((name, os.path.join(directory, name)))
                    elif name.endswith((".tar.gz", ".zip")):
                        sdist = _sdist_project(name)
                        if sdist is not None and sdist not in self.kept:
                            path = os.path.join(directory, name)
                            self._sdists.setdefault(sdist, []).append((name, path))
            self._by_name = by_name
        return self._by_name

    def files(self, name: str) -> list[tuple[str, str]]:
        """``(filename, path)`` of every wheel (and ``-variants.json``) of project *name*."""
        return list(self._index().get(name, []))

    def sdists(self, name: str) -> list[tuple[str, str]]:
        """``(filename, path)`` of every sdist of the project *name* (canonical)."""
        return list(self._sdists.get(name, []))

    def names(self) -> list[str]:
        """The canonical names of every project in the directories, sorted."""
        return sorted(self._index())

    def candidates(self, wanted: Wanted) -> list[Candidate]:
        """The wheels of *wanted* in the directories, at its pinned version."""
        files = self._index().get(wanted.name, [])
        return [
            Candidate(name, path, None, local=True)
            for name, path in files
            if _version_matches(name, wanted.name, wanted.version or "")[0]
        ]
