"""pip 26.3's spellings of a lock's selection, split as pip splits them (decision 498)."""

from __future__ import annotations

import pytest

from graft.errors import UsageError
from graft.sources.pylock_spellings import lock_extras, lock_group


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pylock.toml[x]", ("pylock.toml", ("x",))),
        ("sub/pylock.dev.toml[a, b]", ("sub/pylock.dev.toml", ("a", "b"))),
        ("pylock.toml", None),  # a lock without extras: read as it is
        ("requirements.txt[x]", None),  # not a lock's name: a file of that name, as pip
        ("pylock.toml[x", None),
    ],
)
def test_a_lock_s_extras_are_split_off_its_name_as_pip_splits_them(
    text: str, expected: tuple[str, tuple[str, ...]] | None
) -> None:
    assert lock_extras(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pylock.toml:docs", ("pylock.toml", "docs")),
        ("/a/b/pylock.ci.toml:dev", ("/a/b/pylock.ci.toml", "dev")),
        ("pyproject.toml:dev", None),  # a pyproject's group
        ("dev", None),
    ],
)
def test_a_lock_s_group_is_split_off_its_path(text: str, expected: tuple[str, str] | None) -> None:
    assert lock_group(text) == expected


def test_an_empty_extra_or_group_is_refused() -> None:
    with pytest.raises(UsageError, match="an empty extra"):
        lock_extras("pylock.toml[a,]")
    with pytest.raises(UsageError, match="no group named"):
        lock_group("pylock.toml:")
