"""Which sources build without isolation: ``--no-build-isolation`` and its per-project form.

uv's ``--no-build-isolation-package NAME`` (decision 395) runs the hooks of NAME's sources
where ``--no-build-isolation`` runs every build's (the venv's own interpreter in a sync, the
one running graft in a lock), the others in their isolated build environments. Shared by
``graft sync``'s and ``graft lock``'s builder (:mod:`graft.cli.sync_builds`) and ``graft
build`` (:mod:`graft.cli.build_cmd`).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def unisolated(args: argparse.Namespace) -> tuple[str, ...]:
    """The projects ``--no-build-isolation-package`` names, normalized and sorted (decision 395).

    A value that is not a project's name is one line, as ``--upgrade-package``'s.
    """
    given = tuple(getattr(args, "no_build_isolation_package", None) or ())
    if not given:
        return ()
    from graft.resolve.request_policy import project_names  # noqa: PLC0415

    option = "--no-build-isolation-package"
    return tuple(sorted(project_names(given, option, option)))


def isolated(args: argparse.Namespace, source: str) -> bool:
    """Whether *source* builds in an isolated build environment (decision 395).

    Not under ``--no-build-isolation``, nor where ``--no-build-isolation-package`` names its
    project: an sdist's by its filename, a directory's by its ``pyproject.toml``'s static
    ``[project] name`` (one without is isolated: its name is known only from its backend).
    """
    if args.no_build_isolation:
        return False
    names = unisolated(args)
    return not names or source_name(source) not in names


def source_name(source: str) -> str | None:
    """The project an sdist's filename names, or a directory's static ``[project] name``."""
    if not os.path.isdir(source):
        project = sdist_project(source)
        return None if project == os.path.abspath(source) else project
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft._fs import load_toml  # noqa: PLC0415
    from graft.errors import GraftError  # noqa: PLC0415

    try:
        name = load_toml(os.path.join(source, "pyproject.toml")).get("project", {}).get("name")
    except (GraftError, OSError, AttributeError):
        return None
    return canonicalize_name(name) if isinstance(name, str) else None


def sdist_project(source: str) -> str:
    """The project an sdist's filename names, else the source's absolute path."""
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        canonicalize_name,
        parse_sdist_filename,
    )
    from packaging.version import InvalidVersion  # noqa: PLC0415

    try:
        return canonicalize_name(parse_sdist_filename(os.path.basename(source))[0])
    except (InvalidSdistFilename, InvalidVersion):
        return os.path.abspath(source)


__all__ = ["isolated", "sdist_project", "source_name", "unisolated"]
