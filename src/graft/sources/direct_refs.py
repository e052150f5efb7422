"""Requirements that name their files: a wheel or a source by path or URL.

PEP 508's direct references (``name @ https://…/x.whl``, ``name @ file:///…``, an sdist by
URL) and paths, as pip and uv take them (``./dist/x.whl[socks]``, a project directory, an
sdist file, ``-e DIR``): each becomes a :class:`~graft.model.requirements.Wanted` naming its
file (``path``, ``url``) or its source to build (``source``), with the ``direct_url.json``
pip would write (PEP 610). Which spec is which is :mod:`graft.sources.requirements`' part.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.errors import SourceError, UsageError
from graft.model.requirements import Wanted

if TYPE_CHECKING:
    from packaging.utils import NormalizedName


def named_by_file(url: str, where: str) -> str:
    """The project a bare wheel or sdist URL names by its filename (pip and uv take them)."""
    import urllib.parse  # noqa: PLC0415

    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
    )

    from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415 - (PEP 825 labels)

    filename = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rpartition("/")[2])
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename).name
        return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        raise UsageError(
            f"cannot tell the project of {url!r} from its filename",
            where=where,
            hint="name it: NAME @ URL",
        ) from None


def split_extras(text: str, where: str) -> tuple[str, frozenset[NormalizedName]]:
    """A path and the extras it ends in (``.[cli,docs]``), canonical; none if it ends in none.

    pip's rule: a path whose last part is ``[...]`` names extras of the project there.
    """
    head, bracket, tail = text.rpartition("[")
    if not bracket or not head or not tail.endswith("]") or "/" in tail:
        return text, frozenset()
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    try:
        extras = Requirement(f"project[{tail}").extras
    except InvalidRequirement:
        raise UsageError(
            f"cannot parse the extras of {text!r}", where=where, hint="write PATH[extra1,extra2]"
        ) from None
    return head, frozenset(canonicalize_name(e) for e in extras)


def wheel_file(
    text: str, where: str, hashes: frozenset[str], extras: frozenset[NormalizedName] = frozenset()
) -> Wanted:
    """A wheel named by its path (and the extras asked of it)."""
    from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename  # noqa: PLC0415

    try:
        name, version = parse_wheel_filename(os.path.basename(text))[:2]
    except InvalidWheelFilename as exc:
        raise SourceError(
            f"invalid wheel filename ({exc})",
            where=text,
            hint="a wheel is named name-version(-build)?-python-abi-platform.whl",
        ) from None
    if not os.path.isfile(text):
        raise UsageError("no such wheel file", where=f"{where}: {text}")  # (as -r FILE's: 2)
    return Wanted(name, str(version), extras, hashes, where, path=os.path.abspath(text))


def url_requirement(
    url: str,
    name: NormalizedName,
    *,
    extras: frozenset[str],
    marker: str | None,
    where: str,
    hashes: frozenset[str],
) -> Wanted:
    """``name @ URL`` (PEP 508 direct reference): a wheel by URL or by ``file:`` path."""
    import urllib.parse  # noqa: PLC0415

    from graft.model.wheelname import InvalidWheelFilename, parse_wheel_filename  # noqa: PLC0415

    parts = urllib.parse.urlsplit(url)
    filename = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
    if not filename.endswith(".whl"):
        return _source_url(url, name, extras=extras, marker=marker, where=where, hashes=hashes)
    try:
        wheel_name, version = parse_wheel_filename(filename)[:2]
    except InvalidWheelFilename as exc:
        raise SourceError(f"invalid wheel filename ({exc})", where=f"{where}: {url}") from None
    if wheel_name != name:
        raise SourceError(
            f"the wheel {filename} is not a distribution of {name}",
            where=where,
            hint=f"write {wheel_name} @ {url}",
        )
    fragment = dict(urllib.parse.parse_qsl(parts.fragment))
    url_hash_only = not hashes and "sha256" in fragment
    if "sha256" in fragment:
        hashes = hashes | {f"sha256:{fragment['sha256'].lower()}"}
    path = remote = None
    if parts.scheme == "file":
        path = urllib.parse.unquote(parts.path)
        if not os.path.isfile(path):
            raise SourceError("no such wheel file", where=f"{where}: {url}")
    elif parts.scheme in {"http", "https"}:
        remote = urllib.parse.urlunsplit(parts._replace(fragment=""))
    else:
        raise SourceError(f"unsupported URL scheme {parts.scheme!r}", where=f"{where}: {url}")
    return Wanted(
        name,
        str(version),
        extras,
        hashes,
        where,
        path=path,
        marker=marker,
        url=remote,
        filename=filename,
        # PEP 610, as pip writes it for a URL: the hash the URL names, if any (a file: URL's
        # is written from the file, as for any wheel by path)
        direct_url=None if remote is None else remote_direct_url(remote, fragment),
        url_hash_only=url_hash_only,
    )


def remote_direct_url(url: str, fragment: dict[str, str]) -> str:
    """``direct_url.json`` for a wheel installed from *url* (PEP 610), keys sorted."""
    import json  # noqa: PLC0415

    archive: dict[str, object] = {}
    if "sha256" in fragment:
        digest = fragment["sha256"].lower()
        archive = {"hash": f"sha256={digest}", "hashes": {"sha256": digest}}
    return json.dumps({"archive_info": archive, "url": url}, sort_keys=True)


def is_sdist_name(text: str) -> bool:
    """Whether *text* ends as an sdist's filename does (``.tar.gz``, ``.zip``)."""
    return text.endswith((".tar.gz", ".zip"))


def file_url_path(url: str) -> str:
    """The local path a ``file:`` URL names (``file:///abs/dir``), as pip and uv read it."""
    import urllib.parse  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    return urllib.request.url2pathname(urllib.parse.urlsplit(url).path)


def editable_path(text: str, where: str) -> str:
    """The directory ``-e`` names: a path, or a ``file:`` URL's path (pip and uv take both).

    ``-e git+URL`` (pip's editable checkout) is refused with what to write instead, as uv
    does: graft installs a VCS source as ``name @ git+URL`` (built from a checkout it keeps,
    not editable); an editable install needs a directory the user owns.
    """
    if text.startswith("file:"):
        return file_url_path(text)
    if "://" in text or text.startswith(("git+", "hg+", "svn+", "bzr+")):
        raise UsageError(
            "-e takes a project directory, not a URL (an editable VCS checkout)",
            where=f"{where}: {text}",
            hint="write NAME @ git+URL for a non-editable install, or clone it and use -e ./dir",
        )
    return text


def source_path(
    text: str,
    where: str,
    *,
    editable: bool = False,
    hashes: frozenset[str] = frozenset(),
    name: NormalizedName | None = None,
    extras: frozenset[str] = frozenset(),
    marker: str | None = None,
) -> Wanted:
    """A project directory or an sdist file to build (``-e``: a directory, editable).

    Its name is known once it is built (the resolution stage fills it in), unless given.
    """
    from packaging.utils import NormalizedName as Normalized  # noqa: PLC0415

    path = os.path.abspath(text)
    if editable and not os.path.isdir(path):
        gone = not os.path.lexists(path)  # (a project moved or deleted since the last sync)
        raise UsageError(
            "no such directory" if gone else "-e needs a project directory",
            where=f"{where}: {text}",
            hint="-e takes a project directory, read from the current directory"
            if gone
            else "-e ./project",
        )
    if not os.path.isdir(path) and not (os.path.isfile(path) and is_sdist_name(path)):
        raise SourceError("no such project directory or sdist file", where=f"{where}: {text}")
    return Wanted(
        name or Normalized(""),
        None,
        extras,
        hashes,
        where,
        marker=marker,
        source=path,
        editable=editable,
    )


def _source_url(
    url: str,
    name: NormalizedName,
    *,
    extras: frozenset[str],
    marker: str | None,
    where: str,
    hashes: frozenset[str],
) -> Wanted:
    """``name @ URL`` naming a source: ``file:`` a directory or sdist, or an sdist by URL."""
    import urllib.parse  # noqa: PLC0415

    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        path = urllib.parse.unquote(parts.path)
        return source_path(path, where, hashes=hashes, name=name, extras=extras, marker=marker)
    filename = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
    if parts.scheme not in {"http", "https"} or not is_sdist_name(filename):
        raise SourceError(
            f"{name} @ {url} is neither a wheel nor an sdist (.tar.gz, .zip)",
            where=where,
            hint="point at a .whl or an sdist, or ask for the project by name from an index",
        )
    fragment = dict(urllib.parse.parse_qsl(parts.fragment))
    url_hash_only = not hashes and "sha256" in fragment
    if "sha256" in fragment:
        hashes = hashes | {f"sha256:{fragment['sha256'].lower()}"}
    remote = urllib.parse.urlunsplit(parts._replace(fragment=""))
    return Wanted(
        name,
        None,
        extras,
        hashes,
        where,
        marker=marker,
        url=remote,
        filename=filename,
        source=remote,
        url_hash_only=url_hash_only,
    )


__all__ = [
    "editable_path",
    "file_url_path",
    "is_sdist_name",
    "named_by_file",
    "remote_direct_url",
    "source_path",
    "split_extras",
    "url_requirement",
    "wheel_file",
]
