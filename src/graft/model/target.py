"""The target: the facts of an interpreter that venvs are built for.

Learnt by running it (:mod:`graft.venv.interpreter`) or, for planning only, built from
pip-download-style flags; either way a frozen value the other stages read.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Target:
    """An interpreter that venvs are built for."""

    executable: str  # as reported by the interpreter (sys.executable)
    real_executable: str
    version: str  # "3.11.7"
    implementation: str  # "cpython", "pypy"
    cache_tag: str | None  # "cpython-311"; None disables bytecode
    tags: tuple[str, ...]  # most preferred first
    markers: dict[str, str] = field(hash=False, compare=False)
    scheme: dict[str, str] = field(hash=False, compare=False)  # venv-relative paths
    include_site: str = "include/site/python3"
    gil_disabled: bool = False

    @property
    def version_short(self) -> str:
        """``major.minor``, e.g. ``3.12``."""
        return ".".join(self.version.split(".")[:2])

    def tag_rank(self) -> dict[str, int]:
        """Each supported tag's rank, 0 for the most preferred."""
        return {tag: i for i, tag in enumerate(self.tags)}
