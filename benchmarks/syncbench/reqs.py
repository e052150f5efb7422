"""Requirement sets as lists of pins, and the edits the benchmark's paths make to them (pure).

A set file is pinned, fully resolved and comment-free (`name==version` per line). The paths
need variants of it: one pin changed to another version, one distribution left out (to remove
it from a venv, or add it back), and the unpinned roots for resolving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


def parse_set(text: str) -> list[str]:
    """The requirement lines of a set file: comments and blank lines dropped."""
    reqs = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            reqs.append(line)
    return reqs


def pinned(line: str) -> tuple[NormalizedName, str]:
    """The normalized name and version of a `name==version` line; ValueError otherwise."""
    req = Requirement(line)
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
        raise ValueError(f"not a pin: {line!r}")
    return canonicalize_name(req.name), specs[0].version


def version_of(lines: Sequence[str], name: str) -> str:
    """The version a set pins for `name`; KeyError when it has no such pin."""
    want = canonicalize_name(name)
    for line in lines:
        got, version = pinned(line)
        if got == want:
            return version
    raise KeyError(name)


def edit_pin(lines: Sequence[str], name: str, version: str) -> list[str]:
    """The set with `name` pinned to `version` instead; KeyError if it is not in the set."""
    want = canonicalize_name(name)
    out = []
    found = False
    for line in lines:
        got, _ = pinned(line)
        if got == want:
            line = f"{got}=={version}"  # noqa: PLW2901
            found = True
        out.append(line)
    if not found:
        raise KeyError(name)
    return out


def drop_pin(lines: Sequence[str], name: str) -> list[str]:
    """The set without `name`; KeyError if it is not in the set."""
    want = canonicalize_name(name)
    out = [line for line in lines if pinned(line)[0] != want]
    if len(out) == len(lines):
        raise KeyError(name)
    return out


def render(lines: Iterable[str]) -> str:
    """A requirements file's text."""
    return "".join(f"{line}\n" for line in lines)


def required_names(requires_dist: Iterable[str]) -> set[NormalizedName]:
    """Every name a wheel's Requires-Dist mentions, under any marker or extra (conservative)."""
    names = set()
    for text in requires_dist:
        try:
            names.add(canonicalize_name(Requirement(text).name))
        except ValueError:
            continue
    return names


def roots(requires: Mapping[NormalizedName, Iterable[str]]) -> list[NormalizedName]:
    """Distributions of a set that no other distribution of it requires, sorted.

    `requires` maps each distribution to its Requires-Dist. Leaving a root out keeps the rest
    of the set complete, so a sync with dependency checks still succeeds without it.
    """
    needed: set[NormalizedName] = set()
    for name, deps in requires.items():
        needed |= required_names(deps) - {name}
    return sorted(set(requires) - needed)


def choose_removable(
    requires: Mapping[NormalizedName, Iterable[str]], avoid: Iterable[str] = ()
) -> NormalizedName | None:
    """The root to remove and add back in the add/remove paths: the first root, by name.

    A root that the pin path edits (`avoid`) is skipped so the two paths stay independent.
    """
    skip = {canonicalize_name(n) for n in avoid}
    for name in roots(requires):
        if name not in skip:
            return name
    return None


def unpinned_roots(requires: Mapping[NormalizedName, Iterable[str]]) -> list[str]:
    """The input of a resolve: the set's roots without versions (`X.in`)."""
    return [str(name) for name in roots(requires)]
