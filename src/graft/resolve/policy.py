"""What the user allows or prefers of a project's files: the resolution's :class:`Policy`.

Made once per target (:func:`graft.resolve.request_policy.resolver_policy`) and read by the
screening (:func:`graft.resolve.screen.screen`), the provider, the memos' keys and the
explanations: prereleases (:class:`Prereleases`), ``--exclude-newer``, the preferred versions
of an existing venv or lock and what ``--upgrade`` frees of them (not the prereleases the
venv holds), ``--resolution lowest``, the ``--hash`` values, ``-c`` constraints, the variant
chooser (PEP 825), and which formats a project may take, as pip's ``FormatControl`` decides
it from ``--only-binary`` and ``--no-binary`` (:func:`format_sets`, :func:`format_limit`).
Split from
:mod:`graft.resolve.screen` (decision 358): the policy is what the screening is given, not
how it screens.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping

    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.model.requirements import Format
    from graft.resolve.overrides import Overrides
    from graft.resolve.variants import VariantChooser


class Prereleases(enum.Enum):
    """When prerelease versions are candidates."""

    ALLOW = "allow"
    IF_NECESSARY = "if-necessary"
    DISALLOW = "disallow"


@dataclass(frozen=True)
class Policy:
    """What the user allows or prefers; the defaults are pip's."""

    prereleases: Prereleases = Prereleases.IF_NECESSARY
    # --prerelease-package NAME=MODE: a project's own mode, over prereleases (decision 389)
    prerelease_packages: Mapping[NormalizedName, Prereleases] = field(
        default_factory=dict, hash=False
    )
    exclude_newer: dt.datetime | None = None  # aware; files uploaded later are left out
    # --exclude-newer-package: a project's own cutoff, over exclude_newer's (decision 389)
    exclude_newer_packages: Mapping[NormalizedName, dt.datetime] = field(
        default_factory=dict, hash=False
    )
    preferred: Mapping[NormalizedName, Version] = field(default_factory=dict, hash=False)
    upgrade: bool | frozenset[NormalizedName] = False  # True: every name; a set: those
    # the prereleases the venv holds: PEP 440's "already installed pre-releases", admissible
    # under if-necessary whatever -U or -P says (screen.held_prerelease, decision 426)
    installed_prereleases: Mapping[NormalizedName, Version] = field(
        default_factory=dict, hash=False
    )
    # --resolution lowest (True: every name) or lowest-direct (the request's names): the
    # oldest version first (uv's strategies), else the newest
    lowest: bool | frozenset[NormalizedName] = False
    # newest first whatever ``lowest`` says: the venv's seed packages (pip, ...), which are no
    # part of the request's dependencies (uv seeds a venv apart from its resolution)
    newest: frozenset[NormalizedName] = frozenset()
    same_version_fallback: bool = False  # offer a version's other wheels too
    # hash-checking: "sha256:<hex>" values allowed per project (a file whose sha256 the
    # index does not announce stays a candidate; the download is checked as before)
    hashes: Mapping[NormalizedName, frozenset[str]] = field(default_factory=dict, hash=False)
    # where each project's hashes were given ("reqs.txt:3"), for a failure to say (decision 430)
    hashes_where: Mapping[NormalizedName, str] = field(
        default_factory=dict, hash=False, compare=False
    )
    # -c constraints: versions a project may take if anything asks for it (adds nothing)
    constraints: Mapping[NormalizedName, SpecifierSet] = field(default_factory=dict, hash=False)
    # PEP 825: orders each release's variant wheels for the machine; None: variant-unaware
    variants: VariantChooser | None = field(default=None, hash=False, compare=False)
    sdists: bool = False  # sdists may be built (a builder is at hand, no --no-build)
    no_binary: frozenset[str] = frozenset()  # canonical names, or {":all:"}: sdists only
    only_binary: frozenset[str] = frozenset()  # canonical names, or {":all:"}: never build
    # projects the request installs from a location of its own (a named source, a wheel
    # file): a URL requirement on one of them is met there (resolve.url_deps)
    direct: frozenset[NormalizedName] = field(default=frozenset(), hash=False, compare=False)
    # (project, dependency): a requirement of a named project its [tool.uv.sources] lowered
    # to a path, git or url source: any version of that source meets it, as uv lowers it
    # (the specifier dropped: decision 373)
    lowered: frozenset[tuple[str, str]] = field(default=frozenset(), hash=False, compare=False)
    # --overrides and --excludes: what replaces or drops a requirement on a project wherever it
    # is stated (decisions 388, 389); None: neither given
    overrides: Overrides | None = field(default=None, hash=False)

    def prereleases_for(self, name: NormalizedName) -> Prereleases:
        """When *name*'s prereleases are candidates: its own mode, else the request's."""
        return self.prerelease_packages.get(name, self.prereleases)

    def cutoff(self, name: NormalizedName) -> dt.datetime | None:
        """The instant after which *name*'s files are left out: its own, else the request's."""
        return self.exclude_newer_packages.get(name, self.exclude_newer)

    def builds(self, name: NormalizedName) -> bool:
        """Whether an sdist of *name* may be a candidate (built for the target)."""
        return self.sdists and self._format(name) != "binary"

    def wheels(self, name: NormalizedName) -> bool:
        """Whether wheels of *name* are candidates (not ``--no-binary``)."""
        return self._format(name) != "source"

    def _format(self, name: NormalizedName) -> str | None:
        return format_limit(name, self.only_binary, self.no_binary)

    def oldest_first(self, name: NormalizedName) -> bool:
        """Whether *name*'s versions are offered oldest first (``--resolution lowest``)."""
        if name in self.newest:
            return False
        return self.lowest is True or (isinstance(self.lowest, frozenset) and name in self.lowest)

    def prefers(self, name: NormalizedName) -> Version | None:
        """The version to keep for *name*, unless it is being upgraded."""
        if self.upgrade is True or (isinstance(self.upgrade, frozenset) and name in self.upgrade):
            return None
        return self.preferred.get(name)


def format_sets(given: Iterable[Format]) -> tuple[frozenset[str], frozenset[str]]:
    """``(only_binary, no_binary)`` after every ``--no-binary``/``--only-binary`` value in turn.

    As pip's ``FormatControl.handle_mutual_excludes`` keeps them (decision 326): a value is
    a comma-separated list; ``:all:`` empties both sets and stands alone in its flag's; a
    name enters its flag's set and leaves the other's; ``:none:`` empties its flag's set of
    what came before it, not after (``--no-binary six,:none:,idna`` is idna alone). So the
    last word on a project wins (``--only-binary six --no-binary six`` builds six), and the
    command line comes before the requirements files, in the order each is read. uv agrees
    on ``:none:`` and ``:all:`` and refuses a name given to both flags. The sets hold
    canonical names or ``:all:``, as :func:`format_limit` reads them.
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.model.requirements import NO_BINARY, ONLY_BINARY  # noqa: PLC0415

    sets: dict[str, set[str]] = {NO_BINARY: set(), ONLY_BINARY: set()}
    for flag, value in given:
        target, other = sets[flag], sets[ONLY_BINARY if flag == NO_BINARY else NO_BINARY]
        names = [item.strip() for item in value.split(",") if item.strip()]
        while ":all:" in names:
            other.clear()
            target.clear()
            target.add(":all:")
            del names[: names.index(":all:") + 1]
            if ":none:" not in names:  # (:all: covers the names after it, unless a :none: does)
                names = []
        for name in names:
            if name == ":none:":
                target.clear()
            else:
                other.discard(canonicalize_name(name))
                target.add(canonicalize_name(name))
    return frozenset(sets[ONLY_BINARY]), frozenset(sets[NO_BINARY])


def format_limit(name: str, only_binary: frozenset[str], no_binary: frozenset[str]) -> str | None:
    """The one format project *name* is limited to, as pip's ``FormatControl`` decides it.

    ``"binary"``, ``"source"`` or None (either). A name given to either flag beats ``:all:``
    in the other (``--only-binary :all: --no-binary psycopg2`` builds psycopg2 alone, as pip
    and uv do); ``--only-binary`` is asked first. The sets hold canonical names or ``:all:``.
    """
    if name in only_binary:
        return "binary"
    if name in no_binary:
        return "source"
    if ":all:" in only_binary:
        return "binary"
    return "source" if ":all:" in no_binary else None
