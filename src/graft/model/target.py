"""The target: the facts of an interpreter that venvs are built for.

Learnt by running it (:mod:`graft.venv.interpreter`) or, for planning only, built from
pip-download-style flags; either way a frozen value the other stages read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import TypeVar

    from packaging.markers import Marker

    T = TypeVar("T")

#: A micro release after every one a series has had: a lock environment's later releases.
LATER_MICRO = 99


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
    # a lock environment: every release of its minor series, resolved for the first (its
    # ``version``, ``X.Y.0``) and needing what any release needs (decision 113); up to the
    # micro release ``last_micro`` when the lock forked the series there (decision 153)
    series: bool = False
    last_micro: int = LATER_MICRO

    @property
    def version_short(self) -> str:
        """``major.minor``, e.g. ``3.12``."""
        return ".".join(self.version.split(".")[:2])

    def later_release_markers(self) -> dict[str, str] | None:
        """For a whole minor series, its markers at a later release (``X.Y.99``); else None.

        What a series needs is what its first release needs and, of a project nothing names
        there, what a later release needs (:func:`applying`). A range of a forked series
        (decision 153) stands for its releases up to ``last_micro``: its last one.
        """
        if not self.series:
            return None
        later = f"{self.version_short}.{self.last_micro}"
        return {**self.markers, "python_full_version": later, "implementation_version": later}

    def tag_rank(self) -> dict[str, int]:
        """Each supported tag's rank, 0 for the most preferred."""
        return {tag: i for i, tag in enumerate(self.tags)}


def holds(
    marker: Marker, env: Mapping[str, str], other: Mapping[str, str] | None, extra: str = ""
) -> bool:
    """Whether *marker* holds in *env*, or in *other* (:meth:`Target.later_release_markers`)."""
    if marker.evaluate({**env, "extra": extra}):
        return True
    return other is not None and marker.evaluate({**other, "extra": extra})


def applying(
    items: Sequence[T],
    marker_of: Callable[[T], Marker | None],
    name_of: Callable[[T], str],
    *,
    env: Mapping[str, str],
    other: Mapping[str, str] | None,
    extra: str = "",
) -> list[T]:
    """The *items* whose marker holds in *env* (no marker: always), in their order.

    For a whole minor series (*other*: :meth:`Target.later_release_markers`), also the items
    naming a project that no item holding in *env* names, whose marker holds in *other*: a
    dependency only the later releases need (``numpy; python_full_version >= "3.10.1"``) is
    kept, as a flat install there has it, while two lines pinning one project either side of
    a micro boundary (uv's universal output) keep the first release's, not both.
    """
    env = {**env, "extra": extra}
    now = [
        (item, marker is None or marker.evaluate(env))
        for item, marker in ((item, marker_of(item)) for item in items)
    ]
    if other is None:
        return [item for item, ok in now if ok]
    named = {name_of(item) for item, ok in now if ok}
    later = {**other, "extra": extra}
    out = []
    for item, ok in now:
        marker = marker_of(item)
        if ok or (name_of(item) not in named and marker is not None and marker.evaluate(later)):
            out.append(item)
    return out
