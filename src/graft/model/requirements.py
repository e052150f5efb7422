"""What a request asks for.

Each requirement as given (:class:`Wanted`) and everything the inputs name (:class:`Inputs`).
Parsed by :mod:`graft.sources.requirements` and :mod:`graft.sources.pylock`; resolved by
:mod:`graft.resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.utils import NormalizedName


@dataclass(frozen=True, slots=True)
class Wanted:
    """One distribution asked for: by pin, or by a wheel file."""

    name: NormalizedName  # canonical (packaging.utils.canonicalize_name)
    version: str | None  # the pinned version (None for a wheel file: taken from it)
    extras: frozenset[str]
    hashes: frozenset[str]  # "sha256:<hex>" allowed digests; empty = any
    where: str  # "reqs.txt:3" or "command line"
    path: str | None = None  # a local wheel file
    marker: str | None = None  # environment marker, evaluated against the target
    url: str | None = None  # a wheel's URL, from a lock file
    filename: str | None = None  # the wheel's filename when url or path is given by a lock
    size: int | None = None  # the wheel's size in bytes, when a lock file gives it


@dataclass
class Inputs:
    """Everything the inputs name: requirements, indexes, find-links and lock files."""

    wanted: list[Wanted] = field(default_factory=list)
    index_url: str | None = None  # --index-url (None: PyPI)
    extra_index_urls: list[str] = field(default_factory=list)  # in the order given
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    pylocks: list[str] = field(default_factory=list)  # PEP 751 lock files, read per target
    files_read: list[str] = field(default_factory=list)  # requirement files, nested ones too
