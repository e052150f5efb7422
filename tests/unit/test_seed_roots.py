"""``graft.venv.seeds.seed_roots``: which venvs are seeded, and what finding out costs."""

from __future__ import annotations

from pathlib import Path

import pytest

from graft.venv import seeds


def _venv(path: Path, config: str, *held: str) -> str:
    """A venv's pyvenv.cfg (*config*'s lines) and a site-packages holding *held* dist-infos."""
    site = path / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.1\n" + config)
    for name in held:
        (site / f"{name}-1.0.dist-info").mkdir()
        (site / f"{name}-1.0.dist-info" / "METADATA").write_text(f"Name: {name}\nVersion: 1.0\n")
    return str(path)


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The venvs whose site-packages ``seed_roots`` lists."""
    listed: list[str] = []
    real = seeds.held_seeds

    def held_seeds(venv: str) -> tuple[str, ...]:
        listed.append(venv)
        return real(venv)

    monkeypatch.setattr(seeds, "held_seeds", held_seeds)
    return listed


def test_a_graft_or_uv_venv_that_is_not_seeded_is_not_listed(
    tmp_path: Path, listings: list[str]
) -> None:
    graft = _venv(tmp_path / "graft", "graft = 0.1.0\n", "pip")
    uv = _venv(tmp_path / "uv", "uv = 0.13.9\n", "pip")
    assert seeds.seed_roots(graft, flag=False) == ((), False)
    assert seeds.seed_roots(uv, flag=False) == ((), False)
    assert listings == [], "the answer cannot depend on what they hold"


def test_seeded_venvs_are_listed_for_their_roots(tmp_path: Path, listings: list[str]) -> None:
    flagged = _venv(tmp_path / "flagged", "graft = 0.1.0\n", "wheel")
    assert seeds.seed_roots(flagged, flag=True) == (
        ("wheel", "pip", "setuptools; python_version < '3.12'"),
        True,
    )
    said = _venv(tmp_path / "said", "Seed = TRUE\ngraft = 0.1.0\n", "setuptools", "pip")
    assert seeds.seed_roots(said, flag=False) == (("pip", "setuptools"), True)
    taken = _venv(tmp_path / "taken", "", "pip")  # python -m venv: no graft = line
    assert seeds.seed_roots(taken, flag=False) == (("pip",), True)
    bare = _venv(tmp_path / "bare", "")  # python -m venv --without-pip
    assert seeds.seed_roots(bare, flag=False) == ((), False)
    assert listings == [flagged, said, taken, bare]
    assert seeds.seed_roots(str(tmp_path / "none"), flag=True)[1], "a new venv with --seed"
