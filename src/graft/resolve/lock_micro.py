"""What resolving a lock environment for its series' first release passed over (decision 113).

A lock environment stands for every release of its minor series (its marker says
``python_version``), so it is resolved for the first, ``X.Y.0`` (or the one
``--python-version X.Y.Z`` names, from which on it is locked: decision 120): each version it locks
admits every release of the series. Where a project's newer releases exclude only the
series' first releases (cryptography 44 and later: ``!=3.9.0,!=3.9.1``; soupsieve 4.1:
``>=3.11.5``), the lock holds an older one there, and a flat install on a later release of
the series takes the newer one. :func:`passed_over` says so, once per project and series,
so that the user can pin the project, lock without that series, or lock it from the
first release the newer one admits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.model.target import LATER_MICRO

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from packaging.version import Version

    from graft.resolve.artifacts import ProjectSource
    from graft.resolve.environments import Environment
    from graft.resolve.resolver import Resolution


def passed_over(
    results: Sequence[tuple[Environment, Resolution]],
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
) -> list[str]:
    """One line per (project, series) whose newest release only the series' first exclude.

    *seen*: each environment's view and the index each project is kept to there: a project
    a ``[tool.uv.sources]`` entry keeps to an index in some environments is judged by that
    index's releases there, and its line names the index (decision 385).
    """
    from graft.resolve.listing import stated  # noqa: PLC0415

    locked: dict[tuple[str, str, str, str], set[Version]] = {}
    views: dict[tuple[str, str], ProjectSource] = {}
    for env, resolution in results:
        # (the series' first release: X.Y.0, or --python-version's; its ranges alike when the
        # lock forked it, decision 153: a range from a later release locked the newer one)
        first = env.series_first or env.target.version
        view, kept = seen(env)
        for pin in resolution.pins:
            index = kept.get(pin.name, "")
            key = (str(pin.name), env.python, first, index)
            locked.setdefault(key, set()).add(pin.version)
            views.setdefault((str(pin.name), index), view)
    verdicts: dict[tuple[str, str], bool] = {}
    out = []
    for (name, minor, first, index), versions in sorted(locked.items()):
        newest: tuple[Version, str] | None = None
        for filename, spec in stated(views[name, index].files(name)):  # type: ignore[arg-type]
            if not spec or f"{minor}." not in spec:  # (names no micro release of the series)
                continue
            if (spec, first) not in verdicts:
                verdicts[spec, first] = _excludes_first_only(spec, minor, first)
            version = release_version(filename) if verdicts[spec, first] else None
            if version is not None and (newest is None or version > newest[0]):
                newest = (version, spec)
        if newest is not None and newest[0] > max(versions):
            since = "" if first == f"{minor}.0" else f" from {first}"
            later = _admitted(newest[1], minor)
            on = f" (on {index})" if index else ""
            out.append(
                f"{name} {newest[0]}{on} needs a later Python {minor} than {first}"
                f" (Requires-Python {newest[1]}): locked {max(versions)} for {minor}, which"
                f" every {minor} release{since} installs (decision 113; {name}>={newest[0]}"
                f" would leave {minor} out instead; --python-version {later} would lock it for"
                f" {later} and later)"
            )
    return out


def _admitted(spec: str, minor: str) -> str:
    """The first release of the series *minor* that *spec* admits (one does: checked)."""
    from packaging.specifiers import SpecifierSet  # noqa: PLC0415

    parsed = SpecifierSet(spec)
    return next(
        f"{minor}.{m}" for m in range(1, LATER_MICRO + 1) if parsed.contains(f"{minor}.{m}")
    )


def _excludes_first_only(spec: str, minor: str, first: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    try:
        parsed = SpecifierSet(spec)
    except InvalidSpecifier:
        return False
    return not parsed.contains(first) and parsed.contains(f"{minor}.{LATER_MICRO}")


def release_version(filename: str) -> Version | None:
    """The final release a wheel's or sdist's filename names; None for another or a bad name."""
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if filename.endswith(".whl"):
            version = parse_wheel_filename(filename)[1]
        else:
            version = parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None if version.is_prerelease or version.is_devrelease else version


__all__ = ["passed_over", "release_version"]
