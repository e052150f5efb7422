"""A lock that cannot be selected for the request says what it declares, in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graft.errors import SourceError
from graft.sources.pylock import read_pylock
from graft.venv.foreign import foreign_target

if TYPE_CHECKING:
    from pathlib import Path

TARGET = foreign_target("3.11", ["manylinux_2_17_x86_64"])
LOCK = """\
lock-version = "1.0"
created-by = "test"
extras = ["fast"]
dependency-groups = ["dev"]
default-groups = []
requires-python = ">=3.12"

[[packages]]
name = "app"
version = "1.0"
wheels = [{ url = "https://example.invalid/app-1.0-py3-none-any.whl", hashes = { sha256 = "%s" } }]
""" % ("a" * 64)


@pytest.mark.parametrize(
    ("extras", "groups", "said", "hint"),
    [
        (("slow",), None, "Undeclared extras: slow", "the lock declares extras fast; graft lock"),
        (
            (),
            ("docs",),
            "Undeclared dependency groups: docs",
            "the lock declares dependency groups dev;",
        ),
    ],
)
def test_an_extra_or_group_the_lock_lacks_names_those_it_declares(
    tmp_path: Path, extras: tuple[str, ...], groups: tuple[str, ...] | None, said: str, hint: str
) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(LOCK.replace(">=3.12", ">=3.11"))
    with pytest.raises(SourceError) as caught:
        read_pylock(str(path), TARGET, extras, groups)
    assert caught.value.what == said
    assert caught.value.hint is not None
    assert caught.value.hint.startswith(hint)


def test_a_lock_for_another_python_names_the_target(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(LOCK)
    with pytest.raises(SourceError) as caught:
        read_pylock(str(path), TARGET)
    assert caught.value.what == (
        "the lock's requires-python >=3.12 excludes the target's Python 3.11.0"
    )  # (packaging's "python_full_version '3.11.0' in provided environment ..."; decision 431)
    assert caught.value.hint == (
        "sync with a --python the lock allows (>=3.12), or relock for this one"
        " (graft lock --python-version 3.11)"
    )
