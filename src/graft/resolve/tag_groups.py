"""A listing's wheel files grouped by the tag set their names state, for the screening.

A project may list thousands of wheels, of which a target accepts a few, and a lock screens
every listing once per environment: :mod:`graft.resolve.screen` checks a tag set at a time,
each set read from the names (:func:`~graft.resolve.artifacts.stated_tags`) or from the
page's digest (:mod:`graft.resolve.page_digest`), and kept per listing
(:func:`grouped_by_tags`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.resolve.artifacts import stated_tags
from graft.resolve.listing import digested, filenames

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graft.resolve.artifacts import ArtifactFile


@dataclass(frozen=True, slots=True)
class _Grouped:
    """A listing's wheel files grouped by the tag set their names state; the rest apart."""

    by_tags: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...]  # (tag set, file positions)
    others: tuple[int, ...]  # positions of every other file (screened one by one)


#: Per listing, kept alive beside it so that its identity is not reused: a lock screens the
#: same listings once per environment.
_GROUPED: dict[int, tuple[Sequence[ArtifactFile], _Grouped]] = {}
_GROUPED_MAX = 1024


def tag_groups(
    names: Sequence[str],
) -> tuple[list[tuple[tuple[str, ...], list[int]]], list[int]]:
    """The tag sets the wheel filenames *names* state, each with their positions; the others.

    In the order first seen (:func:`~graft.resolve.artifacts.stated_tags`: a variant wheel,
    and anything not named as a wheel, is among the others).
    """
    by_tags: dict[tuple[str, ...], list[int]] = {}
    others: list[int] = []
    for i, filename in enumerate(names):
        tags = stated_tags(filename)
        if tags is None:
            others.append(i)
        else:
            by_tags.setdefault(tags, []).append(i)
    return list(by_tags.items()), others


def grouped_by_tags(files: Sequence[ArtifactFile]) -> _Grouped:
    """*files*' wheels by the tag set their names state, the rest apart; per listing."""
    hit = _GROUPED.get(id(files))
    if hit is not None and hit[0] is files:
        return hit[1]
    made = digested(files, "tags") or tag_groups(filenames(files))  # (no file made for this)
    by_tags, others = made
    grouped = _Grouped(tuple((tuple(t), tuple(at)) for t, at in by_tags), tuple(others))
    if len(_GROUPED) >= _GROUPED_MAX:
        _GROUPED.clear()
    _GROUPED[id(files)] = (files, grouped)
    return grouped


__all__ = ["grouped_by_tags", "tag_groups"]
