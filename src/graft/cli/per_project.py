"""Build options given for one project: uv's ``--no-build-isolation-package`` and its kin.

uv's ``--no-build-isolation-package NAME`` (decision 395) runs the hooks of NAME's sources
where ``--no-build-isolation`` runs every build's (the venv's own interpreter in a sync, the
one running graft in a lock), the others in their isolated build environments. uv's
``--config-settings-package NAME:KEY=VALUE`` (decision 402) gives NAME's builds those
settings before ``-C``'s. A source's project is its sdist's filename's, or its directory's
static ``[project] name`` (:func:`source_name`). Shared by ``graft sync``'s and ``graft
lock``'s builder (:mod:`graft.cli.sync_builds`) and ``graft build``
(:mod:`graft.cli.build_cmd`).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    Settings = tuple[tuple[str, str], ...]  # (key, value) pairs, in the order given


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


def package_settings(args: argparse.Namespace) -> tuple[tuple[str, Settings], ...]:
    """``--config-settings-package NAME:KEY=VALUE``'s pairs by project (decision 402).

    Each project normalized, its pairs in the order given; the projects sorted. The name
    ends at the first ``:``, the key at the next ``=`` (the value may hold either), as uv
    0.13.9 splits it; anything else is one line naming the option and its form.
    """
    given = tuple(getattr(args, "config_settings_package", None) or ())
    if not given:
        return ()
    from packaging.utils import InvalidName, canonicalize_name  # noqa: PLC0415

    from graft.errors import UsageError  # noqa: PLC0415

    out: dict[str, list[tuple[str, str]]] = {}
    for text in given:
        name, colon, pair = text.partition(":")
        key, equals, value = pair.partition("=")
        try:
            project = canonicalize_name(name, validate=True)
        except InvalidName:
            project = None
        if not colon or not equals or not key or project is None:
            raise UsageError(
                f"--config-settings-package takes PACKAGE:KEY=VALUE, not {text!r}",
                hint="a project's name, a colon, then a setting as -C takes it:"
                " numpy:setup-args=-Dblas=none",
            )
        out.setdefault(project, []).append((key, value))
    return tuple((name, tuple(pairs)) for name, pairs in sorted(out.items()))


def settings_for(
    source: str, common: Settings, given: tuple[tuple[str, Settings], ...]
) -> Settings:
    """The config settings *source* builds with: its project's in *given*, then *common*.

    uv 0.13.9 gives a project's own settings first and ``-C``'s after them, each key given
    more than once a list of its values in that order (:func:`graft.build.hooks.config_dict`).
    """
    if not given:
        return common
    mine = dict(given).get(source_name(source) or "")
    return (*mine, *common) if mine else common


def source_name(source: str) -> str | None:
    """The project an sdist's filename names, or a directory's static ``[project] name``."""
    if not os.path.isdir(source):
        project = sdist_project(source)
        return None if project == os.path.abspath(source) else project
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft._toml import load_toml  # noqa: PLC0415
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


__all__ = [
    "isolated",
    "package_settings",
    "sdist_project",
    "settings_for",
    "source_name",
    "unisolated",
]
