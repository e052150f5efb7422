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

#: ``--no-binary`` and ``--only-binary``, as a :data:`Format` step names its flag
NO_BINARY, ONLY_BINARY = "no-binary", "only-binary"
#: one ``--no-binary``/``--only-binary`` value as given (names, ``:all:``, ``:none:``), with
#: its flag: read in order, as pip reads them (``graft.resolve.policy.format_sets``)
Format = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Wanted:
    """One distribution asked for: by a PEP 508 requirement, or by a wheel file."""

    name: NormalizedName  # canonical (packaging.utils.canonicalize_name)
    version: str | None  # the one version pinned (``==``), else None (a wheel file names its own)
    extras: frozenset[str]
    hashes: frozenset[str]  # "sha256:<hex>" allowed digests; empty = any
    where: str  # "reqs.txt:3" or "command line"
    path: str | None = None  # a local wheel file
    marker: str | None = None  # environment marker, evaluated against the target
    url: str | None = None  # a wheel's URL, from a lock file
    filename: str | None = None  # the wheel's filename when url or path is given by a lock
    size: int | None = None  # the wheel's size in bytes, when a lock file gives it
    specifier: str = ""  # the PEP 440 specifier set as written ("" for any version)
    requested: bool = True  # asked for by the user (False: only a dependency brought it)
    # a source to build first: a project directory, an sdist file or an sdist URL; once
    # built, ``path`` is the wheel and ``direct_url`` the PEP 610 text naming the source
    source: str | None = None
    editable: bool = False  # -e: a PEP 660 editable build of the directory ``source``
    direct_url: str | None = None  # direct_url.json for a wheel built from ``source``
    # a lock's ``requested-revision`` for a repository ``source`` pinned to its commit
    requested_revision: str | None = None
    # a lock's ``[[packages.wheels]]`` or ``[packages.sdist]`` file (by URL or path): an index's
    # file, installed without ``direct_url.json`` as pip and uv install it (decision 114)
    indexed: bool = False
    # its hashes are only its URL's ``#sha256=``: they check its file and, as pip and uv read
    # them, ask no hash of the other distributions (a ``--hash`` does: hash-checking mode)
    url_hash_only: bool = False
    # the one index its project is taken from: the URL of the ``[[tool.uv.index]]`` a
    # ``[tool.uv.sources]`` ``index`` entry names (decision 372)
    index: str | None = None
    # that entry's own ``marker`` (None: it has none): where a lock keeps the project to
    # ``index``; the requirement's own marker does not narrow it, as uv locks it (decision 376)
    index_marker: str | None = None
    # the specifier of a requirement graft kept at the source the venv holds its project from
    # (a directory, editable or not, or a repository: decision 450), which that source's
    # build must still meet (None: not kept so)
    held_for: str | None = None

    @property
    def hash_checking(self) -> bool:
        """Whether it puts the request in hash-checking mode: a ``--hash`` (or a lock's hash)."""
        return bool(self.hashes) and not self.url_hash_only

    @property
    def requirement(self) -> str:
        """The PEP 508 requirement the resolver is given (markers already evaluated)."""
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}{self.specifier}"


@dataclass
class Inputs:
    """Everything the inputs name: requirements, indexes, find-links and lock files."""

    wanted: list[Wanted] = field(default_factory=list)
    constraints: list[Wanted] = field(default_factory=list)  # -c: limit versions, add nothing
    require_hashes: bool = False  # --require-hashes in a requirements file
    prereleases: bool = False  # --pre in a requirements file
    index_url: str | None = None  # --index-url (None: PyPI)
    extra_index_urls: list[str] = field(default_factory=list)  # in the order given
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    pylocks: list[str] = field(default_factory=list)  # PEP 751 lock files, read per target
    # pip 26.3's spellings of one lock's extras and groups, ``-r 'pylock.toml[x]'`` and
    # ``--group pylock.toml:g``, by the lock's absolute path: (extras, groups, whether a -r
    # names the lock too), ``sources.pylock_spellings.LockPick``s (no class made here: a
    # sync without them never creates one, decision 51; decision 498)
    pylock_picks: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = field(
        default_factory=dict
    )
    files_read: list[str] = field(default_factory=list)  # requirement files, nested ones too
    remote_files: list[str] = field(default_factory=list)  # by URL or stdin (not watched)
    # the sha256 (hex) of the bytes each requirements file was parsed from, by path
    digests: dict[str, str] = field(default_factory=dict)
    # ${NAME}s the requirements files expanded (pip's rule): their values are inputs too
    variables: list[str] = field(default_factory=list)
    # --no-binary and --only-binary in the requirements files, in the order read
    formats: list[Format] = field(default_factory=list)
    # -r pyproject.toml of a project without [project] (setup.py, poetry-core 1): its
    # directory, that file and the extras asked; its backend's metadata says its dependencies
    prepared: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    # the requirements ``[tool.uv.sources]`` ``index`` entries keep to one index
    # (``Wanted.index``), the named projects' own included; markers not yet evaluated
    pinned: list[Wanted] = field(default_factory=list)
    # (project, dependency): a named project's requirement its ``[tool.uv.sources]`` lowered
    # to a path, git or url source, whose specifier the source's version need not meet
    lowered: set[tuple[str, str]] = field(default_factory=set)
    # --overrides: requirements that replace every requirement on their project (decision
    # 388); --excludes: projects left out of the resolution (decision 389)
    overrides: list[Wanted] = field(default_factory=list)
    excludes: list[NormalizedName] = field(default_factory=list)
    # --trusted-host in the requirements files (pip's): hosts reached without checking their
    # certificates, beside the command line's --allow-insecure-host (decision 419)
    insecure_hosts: list[str] = field(default_factory=list)
    # PEP 723 scripts read (decision 432): each block's FILE:LINE and requires-python,
    # checked against the target by a sync and kept by a lock (decision 433)
    scripts: list[tuple[str, str | None]] = field(default_factory=list)
    # what reading the inputs noticed and ignored (a script's [tool.uv])
    warnings: list[str] = field(default_factory=list)
