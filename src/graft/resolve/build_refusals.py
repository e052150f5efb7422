"""The refusal of a named source's build, in one line naming it.

A build is refused where the request allows none (``--no-build``, ``--only-binary`` for its
project or ``:all:``; :func:`refuse_builds`) or nothing builds here, and where the source
states a Requires-Python that excludes the target, before anything is built
(:func:`refuse_excluded`: a directory's ``[project].requires-python``, decision 175; an
sdist's PKG-INFO, decision 205). Named sources (:mod:`graft.resolve.named_sources`) and a
lock's sources in a dry run (:mod:`graft.resolve.unbuilt`) are refused by it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.errors import SourceError, UsageError

if TYPE_CHECKING:
    from graft.model.request import SourceBuilder
    from graft.model.requirements import Wanted
    from graft.model.target import Target


def refuse_builds(
    what: str,
    builder: SourceBuilder | None,
    *,
    no_build: bool = False,
    only_binary: frozenset[str] = frozenset(),
    no_binary: frozenset[str] = frozenset(),
    name: str | None = None,
) -> None:
    """A build is needed for *what* (of project *name*, if known): refused when builds are off.

    *only_binary*, *no_binary*: every ``--only-binary`` and ``--no-binary`` value given, the
    command line's and the requirement files', as canonical names or ``:all:``; a project
    they limit to wheels is not built (``graft.resolve.policy.format_limit``, as for
    candidates from an index). A source whose name is not known before its build is refused
    by ``--only-binary :all:``.
    """
    if no_build:
        raise UsageError(f"{what} needs a build, and --no-build was given")
    refuse_binary_only(what, name, only_binary, no_binary)
    if builder is None:
        raise UsageError(
            f"{what} needs a build, and nothing builds here",
            hint="graft sync builds sources; this command installs wheels only",
        )


def refuse_binary_only(
    what: str, name: str | None, only: frozenset[str], no: frozenset[str]
) -> None:
    """Refuse the build of *what* (project *name*, if known) that the formats limit to wheels."""
    from graft.resolve.policy import format_limit  # noqa: PLC0415 - sources only

    if name is not None and name in only:
        raise UsageError(f"{what} needs a build, and --only-binary names {name}")
    if ":all:" in only and (name is None or format_limit(name, only, no) == "binary"):
        raise UsageError(f"{what} needs a build, and --only-binary :all: was given")


def refuse_excluded(w: Wanted, local: str, target: Target, builder: SourceBuilder) -> None:
    """Refuse the source at *local* whose static Requires-Python excludes *target*.

    A directory's ``[project].requires-python`` (decision 175); an sdist's PKG-INFO, unless
    a recorded build or kept metadata answers for it (decision 205).
    """
    if os.path.isdir(local):
        _refuse_excluded_python(local, target)
    elif builder.known_metadata(local, target) is None:
        _refuse_excluded_sdist(local, w.source or local, target)  # (a build would run)


def _refuse_excluded_python(directory: str, target: Target) -> None:
    """Refuse the project in *directory* when its static ``requires-python`` excludes *target*.

    An invalid specifier set is left to the backend, which says what is wrong with it.
    """
    from graft.sources.pyproject import static_requires_python  # noqa: PLC0415

    found = static_requires_python(directory)
    if found is None:
        return
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    value, path = found
    try:
        allowed = SpecifierSet(value).contains(target.version, prereleases=True)
    except InvalidSpecifier:
        return
    if not allowed:
        raise SourceError(
            f"[project].requires-python is {value!r}, which excludes the target's Python"
            f" {target.version}; nothing was built",
            where=path,
            hint="pass --python for an interpreter it admits",
        )


def _refuse_excluded_sdist(sdist: str, given: str, target: Target) -> None:
    """Refuse the sdist when the Requires-Python its PKG-INFO states excludes *target*.

    *given*: the path or URL as the request names it, which the error names.
    """
    from graft.build.sdist import excluded_python  # noqa: PLC0415

    said = excluded_python(sdist, target.version)
    if said is not None:
        raise SourceError(
            f"its PKG-INFO's Requires-Python is {said.requires_python!r}, which excludes the"
            f" target's Python {target.version}; nothing was built",
            where=given,
            hint="pass --python for an interpreter it admits",
        )
