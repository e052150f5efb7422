"""The reuse rule: may a wheel built by one interpreter serve another? A pure function.

A built wheel serves a target when its tags fit the target **and** the source cannot build
differently there (Gentoo's rule, bug 931689, with ``DISTUTILS_EXT`` detected by
:mod:`graft.build.evidence` instead of declared):

1. its tags must fit the target (one of its tags is among the target's);
2. the same interpreter (implementation, ``major.minor``, free-threading) always may;
3. an ``abi3`` wheel serves only GIL CPython at or above the version in its tag;
4. any other wheel serves another interpreter only if the source is pure (it cannot
   build differently: no compiled part, no implementation check, no opt-out variable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import parse_wheel_filename

if TYPE_CHECKING:
    from packaging.tags import Tag

    from graft.model.target import Target


@dataclass(frozen=True, slots=True)
class Builder:
    """The interpreter that built a wheel, as far as the reuse rule cares."""

    implementation: str  # "cpython", "pypy"
    version: str  # "3.12"
    gil_disabled: bool = False

    @classmethod
    def of(cls, target: Target) -> Builder:
        """The builder facts of *target*."""
        return cls(target.implementation, target.version_short, target.gil_disabled)

    def __str__(self) -> str:
        return f"{self.implementation} {self.version}{'t' if self.gil_disabled else ''}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer of :func:`may_serve`, with the reason printed by ``graft build``."""

    reuse: bool
    why: str
    fits: bool = True  # its tags fit the target (False: never a candidate, not even to verify)


def wheel_tags(filename: str) -> frozenset[Tag]:
    """The tags a wheel filename expands to."""
    return frozenset(parse_wheel_filename(filename)[3])


def _abi3_floor(tags: frozenset[Tag]) -> tuple[int, int] | None:
    """For an abi3 wheel, the lowest CPython ``(3, N)`` its interpreter tags allow."""
    floors = []
    for tag in tags:
        if tag.abi == "abi3" and tag.interpreter.startswith("cp") and tag.interpreter[2:].isdigit():
            digits = tag.interpreter[2:]
            floors.append((int(digits[0]), int(digits[1:] or 0)))
    return min(floors) if floors else None


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor.split(".")[0] or 0)


def is_pure(tags: frozenset[Tag]) -> bool:
    """Every tag is ``*-none-any``: no compiled code, no ABI."""
    return all(t.abi == "none" and t.platform == "any" for t in tags)


def may_serve(  # noqa: PLR0911 - one return per clause of the rule
    filename: str, may_differ: bool, built_by: Builder, target: Target
) -> Verdict:
    """May the wheel *filename* serve *target*?

    It was built by *built_by* from a source :mod:`graft.build.evidence` assessed
    (*may_differ*: it may build differently for another interpreter).
    """
    tags = wheel_tags(filename)
    if not {str(t) for t in tags} & set(target.tags):
        why = f"its tags ({_tag_text(tags)}) do not fit {_who(target)}"
        return Verdict(False, why, fits=False)
    here = Builder.of(target)
    if here == built_by:
        return Verdict(True, f"built by the same interpreter ({built_by})")
    floor = _abi3_floor(tags)
    if floor is not None and not is_pure(tags):
        if target.implementation != "cpython" or target.gil_disabled:
            return Verdict(False, f"abi3 serves only GIL CPython, not {here}")
        if _version(target.version_short) < floor:
            return Verdict(False, f"abi3 for CPython {floor[0]}.{floor[1]}+ only")
        return Verdict(
            True, f"abi3 wheel built by {built_by} serves CPython {floor[0]}.{floor[1]}+"
        )
    if may_differ:
        kind = "pure" if is_pure(tags) else "platform"
        return Verdict(
            False,
            f"{kind} wheel built by {built_by}, and the source may build differently for {here}",
        )
    return Verdict(True, f"pure source, wheel built by {built_by} fits {here}")


def _tag_text(tags: frozenset[Tag]) -> str:
    return ".".join(sorted(str(t) for t in tags)[:3])


def _who(target: Target) -> str:
    return f"{target.implementation} {target.version_short}"
