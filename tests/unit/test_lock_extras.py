"""Lock environments left out for a release without an extra asked of it (decision 233)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from packaging.utils import NormalizedName
from packaging.version import Version

from graft.resolve.artifacts import ArtifactFile
from graft.resolve.environments import Environment, matrix
from graft.resolve.lock_envs import Outcome
from graft.resolve.lock_extras import without_extras
from graft.resolve.lock_ranges import part
from graft.resolve.resolver import Pin, Resolution

X = NormalizedName("x")
FAST = NormalizedName("fast")


def _outcome(version: str, extras: tuple[NormalizedName, ...] = (FAST,)) -> Outcome:
    file = ArtifactFile(f"x-{version}-py3-none-any.whl", f"https://files.invalid/x-{version}.whl")
    pin = Pin(X, Version(version), file, extras, ())
    return Outcome([], Resolution((pin,), 0, 0, 0, (), ()))


def _provides(*versions: str) -> dict[str, tuple[str, ...]]:
    return {f"x-{v}-py3-none-any.whl": ("fast",) for v in versions}


def _left(
    envs: Sequence[Environment], outcomes: list[Outcome], provided: Mapping[str, Sequence[str]]
) -> dict[int, str]:
    found = without_extras(envs, outcomes, lambda f: provided.get(f.filename, ()))
    return {at: str(why) for at, why in found.items()}


def test_an_older_release_without_the_extra_is_left_out_where_a_newer_provides_it() -> None:
    envs = matrix(["3.12"], ["linux", "windows"])
    outcomes = [_outcome("2.0"), _outcome("2.0"), _outcome("2.0"), _outcome("1.0")]
    left = _left(envs, outcomes, _provides("2.0"))
    assert left == {
        3: "x 1.0, the release that resolves here, does not provide the extra 'fast'"
        " (x 2.0, locked for other environments, does)"
    }


def test_what_no_newer_locked_release_provides_is_kept() -> None:
    envs = matrix(["3.12"], ["linux", "windows"])
    # the same release, whose Windows wheel lacks the extra: pip's warning, locked
    same = [_outcome("2.0"), _outcome("2.0"), _outcome("2.0"), _outcome("2.0")]
    files = {"x-2.0-py3-none-any.whl": ("fast",)}
    assert _left(envs, same, files) == {}
    # an extra the newer release dropped (1.0 has it, 2.0 not): 2.0 kept
    dropped = [_outcome("1.0"), _outcome("1.0"), _outcome("2.0"), _outcome("2.0")]
    assert _left(envs, dropped, _provides("1.0")) == {}
    # an extra no release provides (misspelt): kept everywhere
    assert _left(envs, [_outcome("2.0"), *same[1:3], _outcome("1.0")], {}) == {}
    # no extra asked of the pin: nothing to compare
    plain = [_outcome("2.0", ()), _outcome("2.0", ()), _outcome("2.0", ()), _outcome("1.0", ())]
    assert _left(envs, plain, _provides("2.0")) == {}


def test_every_range_of_the_series_is_left_out_with_it() -> None:
    linux, windows = matrix(["3.12"], ["linux"])[0], matrix(["3.12"], ["windows"])[0]
    early, late = part(windows, 0, 5), part(windows, 5, None)
    envs = [linux, early, late]
    outcomes = [_outcome("2.0"), _outcome("2.0"), _outcome("1.0")]
    left = _left(envs, outcomes, _provides("2.0"))
    assert sorted(left) == [1, 2]
    assert left[1] == left[2]
    # a series with no resolution stays as its failure says (nothing to leave out)
    failed = [_outcome("2.0"), Outcome([], None), _outcome("1.0")]
    assert sorted(_left(envs, failed, _provides("2.0"))) == [2]
