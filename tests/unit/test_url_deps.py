"""A named source's URL requirements: which of them hold, and where a dependency is from."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest

from graft.errors import SourceError
from graft.model.requirements import Wanted
from graft.resolve.url_deps import follow
from graft.venv.foreign import foreign_target
from tests.support.wheelmaker import make_wheel

if TYPE_CHECKING:
    from pathlib import Path


TARGET = foreign_target("3.12", ["manylinux_2_17_x86_64"])  # sys_platform == "linux"


def built(path: Path, name: str, extras: frozenset[str] = frozenset()) -> Wanted:
    """A named source as build_named leaves it: its wheel at *path*."""
    return Wanted(
        name,  # type: ignore[arg-type]
        "1.0",
        extras,
        frozenset(),
        "command line",
        path=str(path),
        source=str(path.parent),
    )


def test_the_url_requirements_that_hold_are_followed_with_the_extras_asked(
    tmp_path: Path,
) -> None:
    """Markers for the target; an extra naming the project itself counts; others do not."""
    for name in ("one", "two", "off", "other"):
        (tmp_path / name).mkdir()
    wheel = make_wheel(
        tmp_path,
        "app",
        "1.0",
        {"app.py": ""},
        requires=(
            f"one @ {(tmp_path / 'one').as_uri()}",
            'app[b] ; extra == "all"',
            f'two @ {(tmp_path / "two").as_uri()} ; extra == "b"',
            f"off @ {(tmp_path / 'off').as_uri()} ; sys_platform == 'win32'",
            f'other @ {(tmp_path / "other").as_uri()} ; extra == "c"',
            "six",
        ),
        provides_extra=("all", "b", "c"),
    )
    asked: list[list[str]] = []

    def build(found: list[Wanted]) -> list[Wanted]:  # each a wheel without requirements
        asked.append([str(w.name) for w in found])
        (tmp_path / "built").mkdir(exist_ok=True)
        return [
            dataclasses.replace(
                w, version="1.0", path=str(make_wheel(tmp_path / "built", w.name, "1.0"))
            )
            for w in found
        ]

    out = follow([built(wheel, "app", frozenset({"all"}))], TARGET, build)
    assert asked == [["one", "two"], []]
    assert [(w.name, w.requested, w.source) for w in out[1:]] == [
        ("one", False, str(tmp_path / "one")),
        ("two", False, str(tmp_path / "two")),
    ]


def test_a_relative_file_url_is_refused_naming_its_requirer(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "app", "1.0", {"app.py": ""}, requires=("lib @ file:../lib",))
    with pytest.raises(SourceError, match=r"requires lib @ file:\.\./lib, a relative file: URL"):
        follow([built(wheel, "app")], TARGET, lambda found: found)
