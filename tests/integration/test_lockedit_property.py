"""Property: when the edit proof answers a lock (graft.cli.lockedit), a full resolution agrees.

A find-links set where versions, platforms and Requires-Python make resolutions differ per
environment (and leave some out), and a newer release's Requires-Python and a marker that
bound micro releases fork series (decision 153); random roots are locked, then edited at
random (specifiers changed, added, dropped; markers kept). Whenever
:func:`graft.cli.lockstamp.answer` takes the edit to leave the lock as it is, a full ``graft
lock`` of the edited roots, preferring the versions of the previous lock (its output in
place), writes the same bytes.
"""

from __future__ import annotations

import shutil
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from graft.cli import lockstamp
from graft.cli.main import main
from tests.integration.test_warm import aged
from tests.support.wheelmaker import make_wheel

LINUX = "py3-none-manylinux_2_17_x86_64.manylinux_2_17_aarch64"
WINDOWS = "py3-none-win_amd64.win_arm64"
MATRIX: tuple[str, ...] = ("--python-version", "3.12", "--python-version", "3.13")
MATRIX += ("--platform", "linux", "--platform", "windows")
SPECS = ["", ">=1", "<2", "!=1.0", ">=2", "==1.0", "==2.0", "!=0.0.0", "<3", ">=1,<3", "~=1.0"]
SPECS += [">=3.0b1", "!=0.0.0,>=3.0b1", ">1", ">=1.5", "<=2.0", ">1,<=2.0"]
ROOTS = [("alpha",), ("alpha", "delta"), ("alpha", "beta"), ("beta", "delta"), ("gamma", "beta")]
ROOTS += [("gamma",), ("gamma", "alpha")]
MARKER = " ; python_version >= '3.13'"


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("links")
    make_wheel(directory, "alpha", "1.0", {"a.py": ""}, requires=("beta>=1",))
    make_wheel(directory, "alpha", "2.0", {"a.py": ""}, requires=("beta>=2", "gamma"))
    # (3.13 forked at 3.13.2, 3.12 at 3.12.4: decision 153)
    make_wheel(
        directory, "alpha", "3.0", {"a.py": ""}, requires=("beta",), requires_python=">=3.13.2"
    )
    make_wheel(directory, "beta", "1.0", {"b.py": ""})
    make_wheel(directory, "beta", "2.0", {"b.py": ""})
    make_wheel(
        directory,
        "beta",
        "3.0",
        {"b.py": ""},
        requires=('gamma<2; python_full_version < "3.12.4"',),
    )
    make_wheel(directory, "gamma", "1.0", {"g.py": ""})
    make_wheel(directory, "gamma", "2.0", {"g.py": ""}, tag=WINDOWS)  # Linux keeps 1.0
    make_wheel(directory, "gamma", "3.0b1", {"g.py": ""})  # only when named, or necessary
    make_wheel(directory, "delta", "1.0", {"d.py": ""}, tag=LINUX)  # Windows is left out
    aged(*directory.iterdir(), directory)
    return directory


@st.composite
def edits(draw: st.DrawFn) -> list[list[str]]:
    """Roots, then two edits of their specifiers (names, extras and markers kept)."""
    names = draw(st.sampled_from(ROOTS))
    markers = [draw(st.sampled_from(["", "", MARKER])) for _ in names]
    return [
        [f"{n}{draw(st.sampled_from(SPECS))}{m}" for n, m in zip(names, markers, strict=True)]
        for _ in range(3)
    ]


def _lock(roots: Path, links: Path, out: Path) -> int:
    args = ["lock", "-r", str(roots), "--no-index", "--find-links", str(links)]
    return main([*args, "-o", str(out), "-q", *MATRIX])


_EXAMPLE = count()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chain=edits())
def test_an_answered_edit_is_what_a_full_resolution_preferring_the_lock_gives(
    tmp_path: Path, links: Path, monkeypatch: pytest.MonkeyPatch, chain: list[list[str]]
) -> None:
    """Each edit of the chain: answered by the stamps only if a full lock agrees.

    An edit not answered is locked in full into the output, as a user's run would, so the
    next edit starts from the stamps that run left (chains exercise the stamps an answer
    keeps: the roots known to give the lock, the environments left out).
    """
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    here = tmp_path / f"example-{next(_EXAMPLE)}"
    here.mkdir()
    out = here / "pylock.toml"
    files = [here / f"roots-{i}.in" for i in range(len(chain))]
    for path, lines in zip(files, chain, strict=True):
        path.write_text(f"# {path.name}\n" + "\n".join(lines) + "\n")
    aged(*files)
    if _lock(files[0], links, out) != 0:
        event("the first roots do not resolve")
        return
    for step, edited in enumerate(files[1:], 1):
        before = out.read_bytes()
        argv = ["lock", "-r", str(edited), "--no-index", "--find-links", str(links)]
        answered = lockstamp.answer([*argv, "-o", str(out), "-q", *MATRIX]) == 0
        event(f"edit {step} answered: {answered}")
        reference = here / f"pylock.reference-{step}.toml"  # the full path, the lock preferred
        shutil.copyfile(out, reference)
        resolved = _lock(edited, links, reference)
        if answered:
            assert out.read_bytes() == before
            assert resolved == 0
            assert reference.read_bytes() == before, chain[: step + 1]
        elif _lock(edited, links, out) != 0:
            return  # the edited roots do not resolve: the chain ends
