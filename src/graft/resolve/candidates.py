"""What the resolver resolves: requirements on identifiers, and the candidates that meet them.

An identifier is a project, ``project[extra]`` (an extra is its own identifier, as in pip:
it depends on its project pinned to the same wheel file) or :data:`PYTHON`, the target's
Python, whose only candidate is that interpreter (a wheel's Requires-Python is a
requirement on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet

if TYPE_CHECKING:
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.screen import Screen

#: The identifier of the target's Python: a wheel's Requires-Python is a dependency on it.
PYTHON = "<python>"
#: What a wheel whose METADATA has an unparsable Requires-Dist requires of :data:`PYTHON`:
#: no version at all, so no resolution pins it, as pip >= 24.1 ignores such a version and
#: the completeness check refuses it (decision 136).
UNREADABLE = SpecifierSet("<0")
#: What no Python meets either: the need on :data:`PYTHON` of an sdist left for a target of
#: another system, its dependencies stated only by a build that failed on this machine
#: (decision 134). Spelled unlike :data:`UNREADABLE`, so that an explanation tells them apart.
UNBUILT = SpecifierSet("<0,>0")
#: What no Python meets either: the need on :data:`PYTHON` of an sdist whose metadata hook (or
#: build) states another release than its own, passed over as uv passes over a version whose
#: metadata is inconsistent (decision 423). Spelled unlike the two above.
WRONG_RELEASE = SpecifierSet("<0,>1")


@dataclass(frozen=True, slots=True)
class Need:
    """A requirement on one identifier (a project, ``project[extra]``, or ``<python>``)."""

    name: str  # canonical project name, or PYTHON
    extra: NormalizedName | None = None
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    filename: str | None = None  # only this wheel file (an extra follows its base's wheel)
    text: str = ""  # the requirement as its source wrote it, for messages

    @property
    def identifier(self) -> str:
        """``name`` or ``name[extra]``."""
        return f"{self.name}[{self.extra}]" if self.extra else self.name


@dataclass(frozen=True, slots=True)
class WheelCandidate:
    """One wheel file offered for a project (or for one of its extras)."""

    name: NormalizedName
    version: Version
    file: ArtifactFile
    extra: NormalizedName | None = None

    @property
    def identifier(self) -> str:
        """``name`` or ``name[extra]``."""
        return f"{self.name}[{self.extra}]" if self.extra else self.name

    @property
    def label(self) -> str:
        """``name==version (filename)``, for messages."""
        return f"{self.name}=={self.version} ({self.file.filename})"


@dataclass(frozen=True, slots=True)
class PythonCandidate:
    """The target's Python, the only candidate for :data:`PYTHON`."""

    version: Version
    identifier: str = PYTHON


Candidate = WheelCandidate | PythonCandidate


def candidate_key(candidate: WheelCandidate) -> tuple[str, str, str | None]:
    """A wheel candidate's identity: its file (by URL and name) and extra."""
    return (candidate.file.url, candidate.file.filename, candidate.extra)


def unreadable(line: str) -> Need:
    """The requirement that rules out a wheel whose Requires-Dist *line* cannot be parsed."""
    return Need(PYTHON, None, UNREADABLE, text=f"a Requires-Dist that parses, not {line!r}")


def offer(
    found: Screen,
    name: NormalizedName,
    extra: NormalizedName | None,
    only: set[str],
    bad: set[Candidate],
    *,
    fallback: bool = False,
) -> list[Candidate]:
    """The screening's files as candidates: one per version, less *bad* and other files.

    *only*: the file names a requirement names (none: any). A version one of whose files
    resolvelib gave up (*bad*) is given up whole, as pip and uv give up a version: its next
    wheel or its sdist is not offered in its place (an sdist's metadata build cost the web
    roots' Windows arm64 lock a build per celery release backtracked through), unless
    *fallback* (``Policy.same_version_fallback``), which also offers a version's other files.
    """
    out: list[Candidate] = []
    versions: set[Version] = set()
    given_up = {c.version for c in bad if isinstance(c, WheelCandidate) and not fallback}
    for version, file in found.offered:
        if only and file.filename not in only:
            continue
        if version in versions and not fallback:
            continue
        if version in given_up:
            continue
        candidate = WheelCandidate(name, version, file, extra)
        if bad and candidate in bad:  # (hashing a candidate hashes its file: not free)
            continue
        versions.add(version)
        out.append(candidate)
    return out


__all__ = [
    "PYTHON",
    "UNREADABLE",
    "Candidate",
    "Need",
    "PythonCandidate",
    "WheelCandidate",
    "candidate_key",
    "offer",
    "unreadable",
]
