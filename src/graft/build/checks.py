"""The wheel (or prepared metadata) a backend gives must be the source's release.

A backend that builds another name or version than the sdist's filename (or the project's
static ``[project]`` table) says is refused in one line, its output kept for the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.errors import BuildError, WrongReleaseError

if TYPE_CHECKING:
    from packaging.version import Version


def check_wheel(
    filename: str, label: str, name: str | None, version: str | None, log: list[str]
) -> None:
    """The built wheel must be the source's release: same name and version."""
    from packaging.utils import (  # noqa: PLC0415
        InvalidWheelFilename,
        parse_wheel_filename,
    )

    try:
        built_name, built_version, _, _ = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        raise BuildError(
            f"the backend built {filename!r}, not a valid wheel name ({exc}); nothing was kept",
            where=label,
            log="".join(log),
        ) from None
    _same_release(filename, (built_name, built_version), (name, version), label, log, sdist=False)


def check_metadata(
    data: bytes, label: str, name: str | None, version: str | None, log: list[str]
) -> None:
    """Prepared METADATA must name the source's release, as a built wheel must."""
    from graft.build.sdist import parse_pkg_info  # noqa: PLC0415
    from graft.errors import SourceError  # noqa: PLC0415

    try:
        said = parse_pkg_info(data.decode("utf-8", "surrogateescape"), label)
    except SourceError as exc:
        raise BuildError(
            f"prepare_metadata_for_build_wheel wrote unreadable METADATA ({exc.what})",
            where=label,
            log="".join(log),
        ) from None
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import Version  # noqa: PLC0415

    wrong_name = name is not None and canonicalize_name(name) != said.name
    wrong_version = version is not None and Version(version) != said.version
    if wrong_name or wrong_version:
        raise WrongReleaseError(
            f"prepare_metadata_for_build_wheel says {said.name} {said.version},"
            f" but the source is {name} {version}",
            where=label,
            hint="the metadata's name and version must be the sdist's",
            log="".join(log),
        )


def check_sdist(
    filename: str,
    pkg_info: bytes | None,
    label: str,
    expected: tuple[str | None, str | None],
    log: list[str],
) -> str | None:
    """A built sdist must be the project's release; a name PEP 625 spells otherwise is said.

    Its filename must parse and name the project's release (*expected*: the name and version
    ``[project]`` states, each None where it does not), and its ``{top}/PKG-INFO`` must be
    there and say the same release, as pypa/build checks an sdist before building from it;
    else an error, as for a wheel. The same release under another spelling than PEP 625's
    ``{normalized_name}-{version}.tar.gz`` (an old setuptools' ``Foo.Bar-1.0.tar.gz``, a
    ``.zip``) is kept, and the returned warning names the file PEP 625 asks for.
    """
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        parse_sdist_filename,
    )
    from packaging.version import InvalidVersion  # noqa: PLC0415

    from graft.build.sdist import parse_pkg_info  # noqa: PLC0415
    from graft.errors import SourceError  # noqa: PLC0415

    try:
        built_name, built_version = parse_sdist_filename(filename)
    except (InvalidSdistFilename, InvalidVersion) as exc:
        raise BuildError(
            f"the backend built {filename!r}, not a valid sdist name ({exc}); nothing was kept",
            where=label,
            hint="an sdist is {name}-{version}.tar.gz (PEP 625)",
            log="".join(log),
        ) from None
    _same_release(filename, (built_name, built_version), expected, label, log, sdist=True)
    try:
        said = None if pkg_info is None else parse_pkg_info(pkg_info.decode("utf-8", "replace"), "")
    except SourceError as exc:
        said, why = None, exc.what
    else:
        why = "it holds no PKG-INFO in its top directory"
    if said is None or (said.name, said.version) != (built_name, built_version):
        if said is not None:
            why = f"its PKG-INFO says {said.name} {said.version}"
        raise BuildError(
            f"the backend built {filename}, but {why}; nothing was kept",
            where=label,
            hint="an sdist is one {name}-{version}/ directory holding PKG-INFO (PEP 517)",
            log="".join(log),
        )
    spelled = f"{built_name.replace('-', '_')}-{built_version}.tar.gz"
    if filename == spelled:
        return None
    return f"the backend named its sdist {filename}, where PEP 625 wants {spelled}"


def _same_release(
    filename: str,
    built: tuple[str, Version],
    expected: tuple[str | None, str | None],
    label: str,
    log: list[str],
    *,
    sdist: bool,
) -> None:
    """A built wheel or sdist must name the release it was built of (where that is known)."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import Version  # noqa: PLC0415

    (built_name, built_version), (name, version) = built, expected
    wrong_name = name is not None and canonicalize_name(name) != built_name
    wrong_version = version is not None and Version(version) != built_version
    if wrong_name or wrong_version:
        of = "project" if sdist else "source"
        raise WrongReleaseError(
            f"the backend built {filename}, but the {of} is {name} {version}; nothing was kept",
            where=label,
            hint="the sdist's name and version must be the project's"
            if sdist
            else "the wheel's name and version must be the sdist's",
            log="".join(log),
        )
