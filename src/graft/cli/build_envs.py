"""Build environments made once per ``graft sync`` and shared by every build they can serve.

Apart from :mod:`graft.cli.sync_builds`, whose builder asks for them (decision 254 moved
them here when that module grew a kept failure's rule).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from graft.build.run import BuildEnvironment
    from graft.model.request import SourceBuilder
    from graft.model.target import Target


class SharedEnvs:
    """Build environments made once per sync and shared by every build they can serve.

    Builds ask for their environment by their declared requirements (one venv per set of
    requirement strings). Within one sync, an environment already made for the same
    interpreter from requirements naming the same projects serves another build when its
    distributions meet that build's specifiers (``flit_core>=3.4,<4`` and
    ``flit_core>=3.2,<4`` resolve alike); it holds nothing else, so isolation is kept. One
    asked again is not synced again. Builds run in threads: environments for requirements
    naming the same projects are made one at a time (so the second finds the first and
    shares it), others side by side (a setuptools environment, its bytecode compiled, while
    a flit_core one is made and used). The builds of build requirements inside a making run
    on its thread, so those locks are re-entrant.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._made: list[tuple[str, tuple[str, ...], BuildEnvironment]] = []
        self._lock = threading.Lock()  # guards _made and _making
        # one lock per interpreter and projects named (a build requirement's own build env:
        # the same thread, hence re-entrant)
        self._making: dict[tuple[str, object], threading.RLock] = {}

    def get(
        self, target: Target, requires: tuple[str, ...], venv: str, builder: SourceBuilder
    ) -> BuildEnvironment:
        """An environment meeting *requires* for *target*: one made already, or *venv* made.

        *builder* builds the requirements only an sdist provides.
        """
        from graft.build.project import satisfied_by  # noqa: PLC0415
        from graft.cli.build_venv import _make_env  # noqa: PLC0415

        names = _names(requires)
        with self._lock:
            making = self._making.setdefault(
                (target.executable, requires if names is None else names), threading.RLock()
            )
        with making:
            with self._lock:
                made = list(self._made)
            for executable, asked, env in made:
                if executable != target.executable:
                    continue
                if asked == requires or (
                    _names(asked) == names
                    and satisfied_by(requires, env.distributions, target.markers)
                ):
                    return env
            env = _make_env(self.args, target, requires, venv, builder)
            with self._lock:
                self._made.append((target.executable, requires, env))
            return env


def _names(requires: tuple[str, ...]) -> frozenset[str] | None:
    """The projects *requires* name (None if one cannot be read: never shared)."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    try:
        return frozenset(canonicalize_name(Requirement(r).name) for r in requires)
    except InvalidRequirement:
        return None
