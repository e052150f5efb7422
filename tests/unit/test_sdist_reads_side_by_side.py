"""Sdists' metadata read side by side, each sdist once (decision 492).

:class:`SdistBuilds` held one lock across every read: the threads of a lock's environments
that asked for two different sdists waited for each other's hook. Now each sdist has its
own: different sdists' hooks run at once (at most :func:`hooks_at_once`), one sdist's
second asker waits for the first and takes its answer or its failure.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from graft.errors import BuildError
from graft.resolve import sdists
from graft.resolve.artifacts import ArtifactFile
from graft.resolve.sdists import SdistBuilds
from graft.venv.foreign import foreign_target
from tests.support.sdistmaker import write_sdist

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from graft.model.target import Target

TARGET = foreign_target("3.12", ["linux_x86_64"], "cp")
#: seconds a hook waits for the others before it fails (a loaded machine; never a hang)
WAIT = 30


class Hooks:
    """A builder whose metadata hook waits until *together* hooks are running at once."""

    def __init__(self, together: int, *, fail: bool = False) -> None:
        self.together = together
        self.fail = fail
        self.asked: list[str] = []
        self.inside = 0
        self.most = 0
        self._changed = threading.Condition()

    def known_metadata(self, path: str, target: Target) -> None:
        del path, target  # (nothing kept)

    def metadata(self, path: str, target: Target) -> tuple[bytes, str]:
        del target
        name = path.rpartition("/")[2].partition("-")[0]
        with self._changed:
            self.asked.append(name)
            self.inside += 1
            self.most = max(self.most, self.inside)
            self._changed.notify_all()
            met = self._changed.wait_for(lambda: self.most >= self.together, WAIT)
            self.inside -= 1
        if not met:
            raise BuildError(f"{name}'s hook ran alone", where=path, status=1)
        if self.fail:
            raise BuildError(f"{name}'s hook failed", where=path, status=1)
        return f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode(), f"hook {name}"


def _sdist(folder: Path, name: str) -> ArtifactFile:
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"  # (not static)
    path = write_sdist(folder / f"{name}-1.0.tar.gz", {f"{name}-1.0/PKG-INFO": pkg_info})
    return ArtifactFile(path.name, f"file://{path}")


def _asked_at_once(builds: SdistBuilds, files: list[ArtifactFile]) -> list[bytes | Exception]:
    def read(file: ArtifactFile) -> bytes | Exception:
        try:
            return builds.metadata(file)
        except BuildError as exc:
            return exc

    with ThreadPoolExecutor(len(files)) as pool:
        return list(pool.map(read, files))


def test_different_sdists_hooks_run_side_by_side_within_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three sdists asked at once, two hooks at a time: each hook waits until two run.
    On the code before, the first waited alone and failed."""
    monkeypatch.setattr(sdists, "hooks_at_once", lambda: 2, raising=False)
    hooks = Hooks(together=2)
    builds = SdistBuilds(hooks, TARGET, str(tmp_path / "cache"), offline=True)  # type: ignore[arg-type]
    files = [_sdist(tmp_path, name) for name in ("x", "y", "z")]
    answers = _asked_at_once(builds, files)
    assert all(isinstance(a, bytes) for a in answers), answers
    assert sorted(hooks.asked) == ["x", "y", "z"]
    assert hooks.most == 2  # (the bound)
    assert builds.dynamic == {"x-1.0.tar.gz", "y-1.0.tar.gz", "z-1.0.tar.gz"}
    assert sorted(builds.notes) == ["hook x", "hook y", "hook z"]


def test_one_sdist_asked_for_at_once_is_read_once(tmp_path: Path) -> None:
    """Four threads ask for one sdist: its hook runs once and answers all four (the code
    before asked the builder again for each, after the first)."""
    hooks = Hooks(together=1)
    builds = SdistBuilds(hooks, TARGET, str(tmp_path / "cache"), offline=True)  # type: ignore[arg-type]
    file = _sdist(tmp_path, "x")
    answers = _asked_at_once(builds, [file] * 4)
    assert hooks.asked == ["x"]
    assert len(set(answers)) == 1, answers
    assert isinstance(answers[0], bytes)
    assert builds.metadata(file) == answers[0]
    assert hooks.asked == ["x"]


def test_one_sdist_s_failure_is_every_asker_s_and_counted_once(tmp_path: Path) -> None:
    """Its hook fails once: each asker gets that failure, ``-v`` counts one (decision 254;
    a guard: the code before kept it so too)."""
    hooks = Hooks(together=1, fail=True)
    builds = SdistBuilds(hooks, TARGET, str(tmp_path / "cache"), offline=True)  # type: ignore[arg-type]
    file = _sdist(tmp_path, "x")
    answers = _asked_at_once(builds, [file] * 3)
    assert hooks.asked == ["x"]
    assert all(isinstance(a, BuildError) and a.what == "x's hook failed" for a in answers)
    assert builds.failed_hooks == 1
    assert builds.notes == ["x-1.0.tar.gz: x's hook failed"]
