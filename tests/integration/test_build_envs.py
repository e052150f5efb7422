"""Build environments: a bare one (no build requirements) asked for by two at once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from graft.cli.build_venv import _make_env
from graft.venv.interpreter import find_interpreter, introspect


def test_a_bare_build_environment_asked_for_at_once_is_made_once(tmp_path: Path) -> None:
    """Decision 255: a build with no build requirements runs in a bare venv; two lock workers
    making it at once ran ``python -m venv`` into one directory, and one failed with a
    traceback. Four threads (each its own lock file descriptor) ask at once."""
    target = introspect(find_interpreter(None))
    venv = str(tmp_path / "build-envs" / "bare")
    (tmp_path / "build-envs").mkdir()
    start = threading.Barrier(4)
    made: list[object] = []

    def make() -> None:
        start.wait()
        try:
            made.append(_make_env(None, target, (), venv))  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - what a thread met, asserted below
            made.append(exc)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [type(m).__name__ for m in made] == ["BuildEnvironment"] * 4, made
    assert os.path.isfile(os.path.join(venv, "bin", "python"))
    assert sorted(os.listdir(tmp_path / "build-envs")) == ["bare"]  # (no lock file left)
