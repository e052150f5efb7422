"""A lock's proofs that a root has no resolution, shared where the environments read alike."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from graft.resolve import provider as provider_module
from graft.resolve.environments import DEFAULT_PYTHONS, matrix
from graft.resolve.resolution_error import ResolutionError
from graft.resolve.resolver import Resolution, resolve
from graft.resolve.screenmemo import ScreenMemo
from graft.resolve.shared import SharedSource
from tests.unit.fakeindex import FakeIndex

ENVS = matrix(DEFAULT_PYTHONS, ["linux", "windows"])
VERSIONS = ("3.0", "3.1", "3.2", "3.3")


def _index(
    binary: str,
    also: Sequence[str] = (),
    python: str | None = None,
    oldest: Sequence[str] | None = None,
) -> FakeIndex:
    """``app`` (psycopg-like): its extra ``binary`` needs ``app-binary`` (marker *binary*),
    whose wheels are for Linux x86_64 only; *also*: more of app's lines; *python*: the
    oldest release's own Requires-Python; *oldest*: its lines on app-binary instead."""
    index = FakeIndex()
    for version in VERSIONS:
        lines = [f"app-binary=={version}; {binary}"]
        if version == VERSIONS[0] and oldest is not None:
            lines = list(oldest)
        requires = [
            *lines,
            'typing-extensions; python_version < "3.13"',
            'app-c; extra == "c"',
            *also,
        ]
        own = python if version == VERSIONS[0] else None
        index.add("app", version, requires, extras=["binary", "c"], python=own)
        for series in DEFAULT_PYTHONS:
            tag = "cp{0}-cp{0}-manylinux_2_17_x86_64".format(series.replace(".", ""))
            index.add("app-binary", version, tag=tag)
    index.add("typing-extensions", "4.0")
    index.add("app-c", "1.0")
    index.add("app-win", "1.0", tag="py3-none-win_amd64")
    return index


def _outcome(result: Resolution | ResolutionError) -> object:
    if isinstance(result, ResolutionError):
        return (result.kind, result.lines, result.hint)
    return sorted((str(p.name), str(p.version)) for p in result.pins)


def _each(index: FakeIndex, root: str, memo: ScreenMemo | None) -> list[object]:
    """Each environment's outcome, over one shared source (and *memo*, as a lock's)."""
    source = SharedSource(index)
    out: list[object] = []
    for env in ENVS:
        try:
            out.append(_outcome(resolve([root], env.target, source, screens=memo)))
        except ResolutionError as exc:
            out.append(_outcome(exc))
    return out


def _worked_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The candidates whose requirements a provider works out, as they are."""
    done: list[str] = []
    whole = provider_module.Provider._dependencies_of

    def counted(self: provider_module.Provider, candidate: object) -> object:
        done.append(f"{candidate.identifier}=={candidate.version}")  # type: ignore[attr-defined]
        return whole(self, candidate)  # type: ignore[arg-type]

    monkeypatch.setattr(provider_module.Provider, "_dependencies_of", counted)
    return done


def test_a_proof_is_made_once_for_the_environments_that_read_it_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (the web roots' psycopg[binary] on Windows arm64: one proof per series, each reading
    # all of psycopg's releases, was a third of the lock)
    index = _index('extra == "binary"')
    alone = _each(index, "app[binary]", None)
    worked = _worked_out(monkeypatch)
    shared = _each(index, "app[binary]", ScreenMemo())
    assert shared == alone
    failed = [env for env, out in zip(ENVS, alone, strict=True) if not isinstance(out, list)]
    assert len(failed) == 3 * len(DEFAULT_PYTHONS)  # (Linux arm64 and Windows: no app-binary)
    # the older releases of app[binary] are worked out in two environments: the first (its
    # search reads them: no key is made without a read) and the second (its proof is kept);
    # every other environment takes that proof, as each series and machine reads alike the
    # one marker and the screenings it depends on (it was 18 times each: once per failure)
    for version in VERSIONS[:-1]:
        assert worked.count(f"app[binary]=={version}") == 2, version


@pytest.mark.parametrize(
    ("binary", "also", "python", "oldest"),
    [
        # the extra's line holds in some series only
        ('extra == "binary" and python_version < "3.12"', (), None, None),
        # the oldest release's line does (3.12 and later take app 3.0: no proof there)
        (
            'extra == "binary"',
            (),
            None,
            ['app-binary; extra == "binary" and python_version < "3.12"'],
        ),
        # and on some machines only
        ('extra == "binary" and platform_machine == "ARM64"', (), None, None),
        # a line on the same project without "extra", held back where the extra's holds
        ('extra == "binary"', ['app-binary>=0; python_version >= "3.13"'], None, None),
        # the same in the oldest release, with a micro release's marker (the series' later
        # releases, decision 113): on 3.11 ARM64 the extra's line is not held back
        (
            'extra == "binary"',
            (),
            None,
            [
                'app-binary; extra == "binary" and python_full_version >= "3.11.4"',
                'app-binary; platform_machine == "AMD64"',
            ],
        ),
        # a micro release's marker (the series' later releases: decision 113)
        ('extra == "binary" and python_full_version >= "3.11.4"', (), None, None),
        # the oldest release's needs a project with wheels for Windows x86_64 alone
        ('extra == "binary"', (), None, ['app-win; extra == "binary"']),
        # the oldest release's own Requires-Python (a base candidate's need on Python)
        ('python_version >= "3"', (), ">=3.12", []),
    ],
)
def test_a_shared_proof_answers_what_each_environment_answers_alone(
    binary: str, also: Sequence[str], python: str | None, oldest: Sequence[str] | None
) -> None:
    index = _index(binary, also, python, oldest)
    for root in ("app[binary]", "app"):
        memo = ScreenMemo()
        assert _each(index, root, memo) == _each(index, root, None), root
        if root == "app[binary]" or python:
            assert memo.proofs_shared  # (some environments still read a proof alike)
