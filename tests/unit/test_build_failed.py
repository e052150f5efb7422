"""Kept failures of metadata hooks (decision 254): what is kept, what answers, how it is said."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from graft import _home
from graft.build import failed
from graft.build.assessment import Assessment
from graft.build.cache import BuiltWheels, KnownSource
from graft.build.failed import KEPT_S, Asked, Failure, keepable, raised
from graft.build.project import BuildSystem
from graft.build.source_key import sdist_key
from graft.errors import BuildError
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    import pytest

SHA = "ab" * 32
SDIST = "dyn-1.0.tar.gz"


def _asked(tmp_path: Path, *, constraints: tuple[str, ...] = (), minor: int = 12) -> Asked:
    cache = BuiltWheels(str(tmp_path / "cache"))
    system = BuildSystem((), "dynback", ("_backend",), legacy=False)
    cache.keep_source(sdist_key(SHA), KnownSource(system, Assessment(True, (), ()), "dyn", "1.0"))
    target = foreign_target(f"3.{minor}", ["linux_x86_64"], "cp")
    return Asked(cache, str(tmp_path / SDIST), SHA, target, (), constraints, "run-1")


def _failure(*, tree: str = "/nowhere") -> BuildError:
    return BuildError(
        "prepare_metadata_for_build_wheel of dynback failed (exit status 1)",
        where=SDIST,
        hint="its whole output is above; rerun it by hand with the command shown",
        log="dyn cannot be built here\n",
        rerun=f"cd {tree} && python -c 'print(1)'",
        status=1,
        build_env=("helper==1.0",),
    )


def test_only_a_hook_that_ran_and_failed_by_itself_is_kept() -> None:
    assert keepable(_failure())
    assert keepable(BuildError("backend unavailable", rerun="cd x && y", status=0))
    assert not keepable(BuildError("killed", rerun="cd x && y", status=-9))  # ^C, OOM
    assert not keepable(BuildError("no build environment"))  # no hook ran
    assert not keepable(BuildError("wrong METADATA", status=None, rerun=None))


def test_a_kept_failure_answers_while_nothing_it_depends_on_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    environ = {"PATH": f"{tools}{os.pathsep}{tmp_path / 'missing'}"}
    monkeypatch.setenv("PATH", environ["PATH"])
    asked = _asked(tmp_path)
    assert asked.kept(0.0, environ) == (None, None)  # nothing kept
    asked.keep(_failure())
    found, why = asked.kept(_kept_at(asked) + 60, environ)
    assert why is None
    assert found is not None
    assert (found.status, found.build_env, found.run) == (1, ("helper==1.0",), "run-1")
    at = found.at
    assert asked.kept(at + KEPT_S, environ)[0] is None  # a day later: run again
    assert "more than a day old" in str(asked.kept(at + KEPT_S, environ)[1])
    assert asked.kept(at - 1, environ)[0] is None  # (a clock set back)
    (tools / "qmake").write_text("")  # a program installed on PATH: run again
    assert "PATH or a directory on it changed" in str(asked.kept(at, environ)[1])
    asked.keep(_failure())
    at = _kept_at(asked)
    assert asked.kept(at, environ)[0] is not None
    assert asked.kept(at, {"PATH": str(tools)})[0] is None  # PATH itself changed
    # another interpreter, other build constraints: kept apart
    assert _asked(tmp_path, minor=11).kept(at, environ) == (None, None)
    assert _asked(tmp_path, constraints=("helper==2.0",)).kept(at, environ) == (None, None)
    monkeypatch.setattr(_home, "_CODE_STAMP", [_home.code_stamp() + 1])  # another graft
    assert "another graft's" in str(asked.kept(at, environ)[1])


def _kept_file(asked: Asked) -> Path:
    (path,) = Path(asked.cache.source_dir(sdist_key(SHA))).glob(f"*/*{failed.SUFFIX}")
    return path


def _kept_at(asked: Asked) -> float:
    return Failure.from_json(_kept_file(asked).read_text()).at


def test_a_kept_failure_is_forgotten_and_a_bad_file_answers_nothing(tmp_path: Path) -> None:
    asked = _asked(tmp_path)
    environ = dict(os.environ)
    asked.keep(_failure())
    at = _kept_at(asked)
    assert asked.kept(at, environ)[0] is not None
    asked.forget()
    assert asked.kept(at, environ) == (None, None)
    asked.keep(_failure())
    kept = _kept_file(asked)
    for bad in ("{", '{"format": 2}', '{"format": 1}', "[]"):
        kept.write_text(bad)
        assert asked.kept(at, environ) == (None, None), bad


def test_an_sdist_never_unpacked_has_no_failure_kept(tmp_path: Path) -> None:
    asked = _asked(tmp_path)
    unknown = Asked(asked.cache, asked.source, "cd" * 32, asked.target, (), (), "run-1")
    unknown.keep(_failure())  # (nothing to key it by: not kept)
    assert unknown.kept(0.0, {}) == (None, None)


def test_a_kept_failure_is_said_as_first_said_in_its_run_and_remembered_in_another(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "work-x" / "src-y"
    tree.mkdir(parents=True)
    asked = _asked(tmp_path)
    asked.keep(_failure(tree=str(tree)))
    found, _ = asked.kept(_kept_at(asked), dict(os.environ))
    assert found is not None
    first = _failure(tree=str(tree))
    same = raised(found, "here/dyn-1.0.tar.gz", "run-1")  # a worker of the same lock
    assert (same.what, same.hint, same.rerun, same.log) == (
        first.what,
        first.hint,
        first.rerun,
        first.log,
    )
    assert same.where == "here/dyn-1.0.tar.gz"
    assert same.kept_at == found.at
    later = raised(found, SDIST, "run-2")
    assert later.what.startswith(first.what + "; remembered from ")
    assert later.what.endswith(" UTC (--refresh runs it again)")
    assert "\n" not in later.what
    assert (later.rerun, later.hint, later.log) == (first.rerun, first.hint, first.log)
    tree.rmdir()  # the unpacked sdist swept: no command to rerun in it
    gone = raised(found, SDIST, "run-2")
    assert gone.rerun is None
    assert gone.hint is not None
    assert "gone" in gone.hint
    assert gone.log == first.log


@given(
    what=st.text(),
    log=st.text(),
    hint=st.none() | st.text(),
    rerun=st.none() | st.text(),
    status=st.integers(0, 255),
    env=st.lists(st.text()).map(tuple),
    path=st.lists(st.tuples(st.text(), st.text())).map(tuple),
)
def test_a_failure_reads_back_as_kept(
    what: str,
    log: str,
    hint: str | None,
    rerun: str | None,
    status: int,
    env: tuple[str, ...],
    path: tuple[tuple[str, str], ...],
) -> None:
    failure = Failure(what, hint, log, rerun, status, env, 1.5, "r", 7, path)
    assert Failure.from_json(failure.to_json()) == failure


def test_only_the_end_of_a_long_output_is_kept(tmp_path: Path) -> None:
    asked = _asked(tmp_path)
    long = _failure()
    long.log = "x" * failed.LOG_KEPT + "the error\n"
    asked.keep(long)
    found, _ = asked.kept(_kept_at(asked), dict(os.environ))
    assert found is not None
    assert found.log.endswith("the error\n")
    assert found.log.startswith("(the first 10 characters of its output not kept)\n")


def test_a_retry_runs_the_hook_again_once_per_run(tmp_path: Path) -> None:
    """``--refresh`` and ``--reuse-builds never`` run the hook again, but a lock's other
    worker takes the failure that run met, as without them."""
    asked = _asked(tmp_path)
    ran: list[str] = []

    def prepare(who: Asked) -> tuple[bytes, str]:
        ran.append(who.run)
        raise _failure()

    def once(who: Asked, *, retry: bool) -> BuildError:
        try:
            failed.metadata_once(who, retry=retry, known=lambda: None, prepare=lambda: prepare(who))
        except BuildError as exc:
            return exc
        raise AssertionError("no failure")

    assert once(asked, retry=False).kept_at is None  # ran, and kept
    assert once(asked, retry=False).kept_at is not None  # kept: not run
    assert len(ran) == 1
    later = dataclasses.replace(asked, run="run-2")  # a later graft lock --refresh
    assert once(later, retry=True).kept_at is None  # run again
    assert once(later, retry=True).kept_at is not None  # its other worker: this run's failure
    assert ran == ["run-1", "run-2"]


def test_a_hook_that_succeeds_forgets_the_failure_kept(tmp_path: Path) -> None:
    asked = _asked(tmp_path)
    asked.keep(_failure())
    later = dataclasses.replace(asked, run="run-2")  # --refresh
    data, note = failed.metadata_once(
        later, retry=True, known=lambda: None, prepare=lambda: (b"METADATA", "prepared")
    )
    assert (data, note) == (b"METADATA", "prepared")
    assert not list(Path(asked.cache.source_dir(sdist_key(SHA))).glob(f"*/*{failed.SUFFIX}"))
