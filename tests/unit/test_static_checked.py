"""A built wheel compared with the static metadata its sdist stated (decision 308)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graft.resolve.sdist_static import static_path
from graft.resolve.static_checked import contradicted
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path


def _stated(
    tmp_path: Path, requires: tuple[str, ...], python: str | None = None
) -> tuple[str, Path]:
    """An sdist file with its static metadata kept (as the resolution keeps it): path, file."""
    sdist = tmp_path / "demo-1.0.tar.gz"
    sdist.write_bytes(b"an sdist")
    lines = ["Metadata-Version: 2.2", "Name: demo", "Version: 1.0"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    lines += [f"Requires-Python: {python}"] if python else []
    kept = static_path(str(tmp_path / "cache"), hashlib.sha256(b"an sdist").hexdigest())
    (tmp_path / "cache" / "metadata").mkdir(parents=True, exist_ok=True)
    with open(kept, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return str(sdist), tmp_path / kept


def _check(tmp_path: Path, sdist: str, wheel: Path) -> list[str]:
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return contradicted([(sdist, None, str(wheel), sha)], str(tmp_path / "cache"))


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["idna>=3", "idna >= 3", "IDNA>=3"]),
    st.sampled_from(["rich ; extra == 'cli'", 'rich; extra=="cli"', "rich ;extra == 'cli'"]),
)
def test_the_same_requirements_spelt_otherwise_agree(
    tmp_path_factory: pytest.TempPathFactory, plain: str, marked: str
) -> None:
    """Spaces and quotes are packaging's to normalize: no contradiction, the file kept, and
    the agreement noted so that the next comparison reads no METADATA."""
    tmp_path = tmp_path_factory.mktemp("agree")
    sdist, kept = _stated(tmp_path, ("idna>=3", "rich; extra == 'cli'"), ">=3.8")
    wheel = make_wheel(tmp_path, "demo", "1.0", requires=(plain, marked), requires_python=">=3.8")
    before = kept.read_bytes()
    assert _check(tmp_path, sdist, wheel) == []
    assert kept.read_bytes() == before
    agrees = list(kept.parent.glob(f"{kept.name}.agrees-*"))
    assert len(agrees) == 1


@pytest.mark.parametrize(
    ("wheel_requires", "wheel_python", "said"),
    [
        (("idna>=3", "rich"), ">=3.8", "adds rich"),
        ((), ">=3.8", "drops idna>=3"),
        (("idna>=3",), ">=3.9", "Requires-Python >=3.9 for >=3.8"),
        (("idna>=3",), None, "Requires-Python none for >=3.8"),
    ],
)
def test_other_requirements_contradict_and_the_static_metadata_is_forgotten(
    tmp_path: Path, wheel_requires: tuple[str, ...], wheel_python: str | None, said: str
) -> None:
    sdist, kept = _stated(tmp_path, ("idna>=3",), ">=3.8")
    wheel = make_wheel(
        tmp_path, "demo", "1.0", requires=wheel_requires, requires_python=wheel_python
    )
    notes = _check(tmp_path, sdist, wheel)
    assert len(notes) == 1
    assert notes[0].startswith("demo-1.0.tar.gz: its wheel demo-1.0-py3-none-any.whl states")
    assert said in notes[0]
    assert kept.read_bytes() == b""  # forgotten: the backend is asked from now on
    assert _check(tmp_path, sdist, wheel) == []  # nothing static left to contradict


def test_an_sdist_the_resolution_read_no_static_metadata_of_is_not_compared(
    tmp_path: Path,
) -> None:
    sdist, kept = _stated(tmp_path, ("idna>=3",))
    kept.write_bytes(b"")  # (it states none: the backend answered)
    wheel = make_wheel(tmp_path, "demo", "1.0", requires=("rich",))
    assert _check(tmp_path, sdist, wheel) == []
    kept.unlink()  # (never read)
    assert _check(tmp_path, sdist, wheel) == []
