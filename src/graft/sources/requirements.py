"""Requirements: one spec at a time, from the command line or a line of a requirements file.

A spec is any PEP 508 requirement (``requests``, ``flask>=3``, ``requests[socks]``, with
markers, or ``name @ https://…/x.whl``), a path to a wheel file, a project directory or an
sdist, or a version-control URL; each becomes a :class:`~graft.model.requirements.Wanted`.
Requirements files are read by :mod:`graft.sources.reqfile`.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from graft.errors import PlanError, SourceError, UsageError, first_line
from graft.model.requirements import Wanted

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

#: pip's ``${NAME}`` in a requirements file (:mod:`graft.sources.reqfile` expands it).
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")


def parse_spec(text: str, where: str, hashes: frozenset[str] = frozenset()) -> Wanted:
    """A PEP 508 requirement, a path to a ``.whl`` file, a project directory or an sdist.

    A path may end in extras, as pip and uv take them: ``.[cli]``, ``./dist/x.whl[socks]``.
    """
    text = _bare_url(text, where) or text
    if "@" not in text:
        path, extras = split_extras(text, where) if _local_looking(text) else (text, frozenset())
        if path.endswith(".whl") and ("/" in path or os.path.exists(path)):
            return _wheel_file(path, where, hashes, extras)
        if _is_sdist_name(path) or path.startswith((".", "/", "~")) or "/" in path:
            local = os.path.expanduser(path)
            if os.path.isdir(local) or (os.path.isfile(local) and _is_sdist_name(local)):
                return source_path(local, where, hashes=hashes, extras=extras)
        if _path_like(path) and not os.path.lexists(os.path.expanduser(path)):
            raise SourceError(  # (pip: "It looks like a path. File ... does not exist.")
                "no such file or directory",
                where=f"{where}: {path}",
                hint="paths are read from the current directory; a project name has no '/'",
            )
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    vcs = _vcs_spec(text, where, hashes)
    if vcs is not None:
        return vcs
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        unset = [m.group(0) for m in VARIABLE.finditer(text) if m.group(1) not in os.environ]
        raise UsageError(
            f"cannot parse requirement {text!r} ({first_line(exc)})",
            where=where,
            hint=f"{unset[0]} is not set in the environment: set it, or write its value"
            if unset
            else "write a PEP 508 requirement (name, name>=1.0, name[extra]) or a .whl path",
        ) from None
    name, marker = canonicalize_name(req.name), str(req.marker) if req.marker else None
    extras = frozenset(canonicalize_name(e) for e in req.extras)
    if req.url:
        return _direct_url(req.url, name, extras=extras, marker=marker, where=where, hashes=hashes)
    specs = list(req.specifier)
    pinned = (
        specs[0].version
        if len(specs) == 1 and specs[0].operator in {"==", "==="} and "*" not in specs[0].version
        else None
    )
    return Wanted(
        name,
        pinned,
        extras,
        hashes,
        where,
        marker=marker,
        specifier=str(req.specifier),
    )


#: What a file of requirements is called; a command-line requirement naming such a file here
#: was meant for ``-r`` (:func:`refuse_a_file_of_requirements`).
_FILES_OF_REQUIREMENTS = (".txt", ".in", ".toml")


def refuse_a_file_of_requirements(text: str, where: str) -> None:
    """Refuse a command-line requirement that names a file of requirements here (``-r`` left out).

    ``graft sync V requirements.txt`` would otherwise ask the index for a project
    ``requirements-txt`` (pip does, then hints at ``-r``; some such names are squatted on
    PyPI). A lock is read by its PEP 751 name only (``pylock.toml``, ``pylock.NAME.toml``).
    """
    if not text.endswith(_FILES_OF_REQUIREMENTS) or not os.path.isfile(text):
        return
    # (sources.pyproject's is_pyproject asks the same; it imports this module)
    listed = not text.endswith(".toml") or os.path.basename(text) == "pyproject.toml"
    raise UsageError(
        "a file here, not a requirement",
        where=f"{where}: {text}",
        hint=f"to install what it lists, give it with -r {text}"
        if listed
        else f"name a PEP 751 lock pylock.toml or pylock.NAME.toml; a file of requirements"
        f" goes after -r {text}",
    )


def _bare_url(text: str, where: str) -> str | None:
    """A bare URL as pip and uv take it; None for anything else.

    A wheel or sdist URL is named by its file (``NAME @ URL``), a ``file:`` URL is the path
    it names (``file:///abs/project``).
    """
    if "@" not in text and text.startswith(("http://", "https://")):
        return f"{_named_by_file(text, where)} @ {text}"
    if text.startswith("file:") and " " not in text:
        return file_url_path(text)
    return None


def _named_by_file(url: str, where: str) -> str:
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


def _path_like(text: str) -> bool:
    """Whether *text* can only be a path: no PEP 508 requirement or URL looks like it."""
    if "://" in text:
        return False
    if any(c in text for c in " ;<>=!~,") and not text.startswith(("~", ".", "/")):
        return False
    return (
        text.startswith((".", "/", "~"))
        or "/" in text
        or _is_sdist_name(text)
        or (text.endswith(".whl"))
    )


def _local_looking(text: str) -> bool:
    """Whether *text* (no ``@``) may be a path with extras, not ``name[extra]``."""
    head = text.partition("[")[0]
    return (
        head.startswith((".", "/", "~"))
        or "/" in head
        or head.endswith((".whl", ".tar.gz", ".zip"))
    )


#: Version-control URL schemes pip knows (only git is supported: ``sources.vcs``).
VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")


def _vcs_spec(text: str, where: str, hashes: frozenset[str]) -> Wanted | None:
    """``name @ git+URL`` or a bare ``git+URL`` (pip's ``#egg=NAME``): a source to check out.

    None when *text* names no repository. The name of a bare URL without ``#egg`` is the
    one its build gives.
    """
    named = "@" in text.split("://", maxsplit=1)[0]  # name @ URL, not user@host in a URL
    head, _, url = text.partition("@") if named else ("", "", text)
    url, _, marker = url.strip().partition(" ;")
    if not url.lower().startswith(VCS_SCHEMES):
        return None
    from graft.sources.vcs import parse_vcs  # noqa: PLC0415 - a repository is named

    if hashes:
        raise UsageError(
            "a version-control requirement cannot be hashed (a repository is not a file)",
            where=where,
            hint="pin a commit after @ instead, or install a hashed release",
        )
    vcs = parse_vcs(url, where)
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import NormalizedName as Normalized  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    label = head.strip() or vcs.egg
    try:
        req = Requirement(f"{label or 'x'} ; {marker}" if marker.strip() else label or "x")
    except InvalidRequirement as exc:
        why = first_line(exc)
        raise UsageError(f"cannot parse requirement {text!r} ({why})", where=where) from None
    name = canonicalize_name(req.name) if label else Normalized("")
    return Wanted(
        name,
        None,
        frozenset(canonicalize_name(e) for e in req.extras),
        frozenset(),
        where,
        marker=str(req.marker) if req.marker else None,
        source="git+" + url[len("git+") :],  # one spelling of the scheme (GIT+ too)
    )


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


def _wheel_file(
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
        raise SourceError("no such wheel file", where=f"{where}: {text}")
    return Wanted(name, str(version), extras, hashes, where, path=os.path.abspath(text))


def _direct_url(
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


def _is_sdist_name(text: str) -> bool:
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
    if not os.path.isdir(path) and not (os.path.isfile(path) and _is_sdist_name(path)):
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
    if parts.scheme not in {"http", "https"} or not _is_sdist_name(filename):
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


def check_one_version_each(wanted: list[Wanted]) -> None:
    """Refuse two requirements that pin one distribution to different versions or files.

    Two different versions, or two different files for it (a pin and a file of the same
    version may go together).

    Each side is named with where it came from, so that the user sees the conflict itself
    rather than what it breaks downstream (a dependency "missing" at the other version).
    """
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    def version(w: Wanted) -> object:
        try:
            return Version(w.version or "")
        except InvalidVersion:
            return w.version

    def location(w: Wanted) -> str | None:
        return w.path or w.url

    first: dict[str, Wanted] = {}
    for w in wanted:
        if w.version is None:
            continue  # a range: the resolver intersects ranges and explains a conflict
        seen = first.setdefault(w.name, w)
        if version(seen) != version(w) or (
            location(seen) and location(w) and location(seen) != location(w)
        ):
            raise PlanError(
                f"conflicting requirements: {_shown(seen)} ({seen.where})"
                f" and {_shown(w)} ({w.where})",
                where=w.name,
                hint=f"ask for one version of {w.name}",
            )


def _shown(w: Wanted) -> str:
    if w.path is not None or w.url is not None:
        return w.filename or os.path.basename(w.path or w.url or "")
    return f"{w.name}=={w.version}"
