"""Requirements: one spec at a time, from the command line or a line of a requirements file.

A spec is any PEP 508 requirement (``requests``, ``flask>=3``, ``requests[socks]``, with
markers, or ``name @ https://…/x.whl``), a path to a wheel file, a project directory or an
sdist, or a version-control URL; each becomes a :class:`~graft.model.requirements.Wanted`.
A spec that names its file or directory becomes its ``Wanted`` in
:mod:`graft.sources.direct_refs`; requirements files are read by :mod:`graft.sources.reqfile`.
"""

from __future__ import annotations

import os
import re

from graft.errors import PlanError, SourceError, UsageError, first_line
from graft.model.requirements import Wanted
from graft.sources.direct_refs import (
    editable_path,
    file_url_path,
    is_sdist_name,
    named_by_file,
    remote_direct_url,
    source_path,
    split_extras,
    url_requirement,
    wheel_file,
)

#: pip's ``${NAME}`` in a requirements file (:mod:`graft.sources.reqfile` expands it).
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")


def parse_spec(
    text: str, where: str, hashes: frozenset[str] = frozenset(), *, base: str | None = ""
) -> Wanted:
    """A PEP 508 requirement, a path to a ``.whl`` file, a project directory or an sdist.

    A path may end in extras, as pip and uv take them: ``.[cli]``, ``./dist/x.whl[socks]``.
    ``name @ PATH`` (a path where PEP 508 has a URL: ``app @ ./app``, ``x @ /abs/x.whl``) is
    the ``file:`` URL of that path, as uv takes it, relative to *base* (``""``: the current
    directory, as for a path on its own); refused where *base* is None (a wheel's
    METADATA, which has no directory to be relative to). Decision 309.
    """
    text = _bare_url(text, where) or text
    if "@" not in text:
        path, extras = split_extras(text, where) if _local_looking(text) else (text, frozenset())
        if path.endswith(".whl") and ("/" in path or os.path.exists(path)):
            return wheel_file(path, where, hashes, extras)
        if is_sdist_name(path) or path.startswith((".", "/", "~")) or "/" in path:
            local = os.path.expanduser(path)
            if os.path.isdir(local) or (os.path.isfile(local) and is_sdist_name(local)):
                return source_path(local, where, hashes=hashes, extras=extras)
        if _path_like(path) and not os.path.lexists(os.path.expanduser(path)):
            raise UsageError(  # (pip: "It looks like a path. File ... does not exist.")
                "no such file or directory",  # (a path named that is not there: exit 2)
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
        from graft.sources.spec_hints import malformed  # noqa: PLC0415 - refused already

        why, hint = malformed(text) or (
            first_line(exc),
            "write a PEP 508 requirement (name, name>=1.0, name[extra]) or a .whl path",
        )
        raise UsageError(
            f"cannot parse requirement {text!r} ({why})",
            where=where,
            hint=f"{unset[0]} is not set in the environment: set it, or write its value"
            if unset
            else hint,
        ) from None
    name, marker = canonicalize_name(req.name), str(req.marker) if req.marker else None
    extras = frozenset(canonicalize_name(e) for e in req.extras)
    if req.url:
        url = _path_as_url(req.url, name, where, base)
        return url_requirement(url, name, extras=extras, marker=marker, where=where, hashes=hashes)
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


def parse_line(text: str, where: str, hashes: frozenset[str] = frozenset()) -> Wanted:
    """A requirement as pip reads one from the command line or a requirements file.

    As :func:`parse_spec`, after pip's split of its marker (:func:`split_marker`), so that a
    path or a URL takes a marker too (``./dist/x.whl ; python_version < "3.12"``, ``name @
    URL;marker``), as pip and uv read it. (A ``pyproject.toml``'s or a wheel's requirement
    is PEP 508's alone.)
    """
    head, marker = split_marker(text, where)
    if marker is None:
        return parse_spec(head, where, hashes)
    import dataclasses  # noqa: PLC0415

    return dataclasses.replace(parse_spec(head, where, hashes), marker=marker)


def split_marker(text: str, where: str) -> tuple[str, str | None]:
    """*text* and its marker (normalized; None if it has none), split as pip splits them.

    pip's ``install_req_from_line``: at the first ``"; "`` of a URL, else at the first
    ``;``. A marker that does not parse is one line naming it.
    """
    scheme = text.partition(":")[0].lower() if ":" in text else ""
    is_url = scheme in {"http", "https", "file", "ftp"} or scheme.startswith(VCS_SCHEMES)
    head, split, marker = text.partition("; " if is_url else ";")
    if not split:
        return text, None
    if not marker.strip():
        return head.strip(), None
    from packaging.markers import InvalidMarker, Marker  # noqa: PLC0415

    try:
        return head.strip(), str(Marker(marker.strip()))
    except InvalidMarker as exc:
        raise UsageError(
            f"cannot parse the marker {marker.strip()!r} ({first_line(exc)})",
            where=where,
            hint='write a PEP 508 marker: python_version < "3.12", sys_platform == "linux"',
        ) from None


#: What a file of requirements is called; a command-line requirement naming such a file here
#: was meant for ``-r`` (:func:`refuse_a_file_of_requirements`).
_FILES_OF_REQUIREMENTS = (".txt", ".in", ".toml", ".py", ".pyw")


def refuse_a_file_of_requirements(text: str, where: str) -> None:
    """Refuse a command-line requirement that names a file of requirements here (``-r`` left out).

    ``graft sync V requirements.txt`` would otherwise ask the index for a project
    ``requirements-txt`` (pip does, then hints at ``-r``; some such names are squatted on
    PyPI). A lock is read by its PEP 751 name only (``pylock.toml``, ``pylock.NAME.toml``).
    """
    if text == "-":  # (uv pip compile's SRC_FILE: standard input; graft's is -r -)
        raise UsageError(
            "'-' is no requirement",
            where=where,
            hint="to read requirements from standard input, give -r -",
        )
    if not text.endswith(_FILES_OF_REQUIREMENTS) or not os.path.isfile(text):
        return
    # (sources.pyproject's is_pyproject asks the same; it imports this module)
    listed = not text.endswith(".toml") or os.path.basename(text) == "pyproject.toml"
    script = text.endswith((".py", ".pyw"))  # (a PEP 723 script's: decision 432)
    raise UsageError(
        "a file here, not a requirement",
        where=f"{where}: {text}",
        hint=f"to install the dependencies its inline script metadata lists, give it with -r {text}"
        if script
        else f"to install what it lists, give it with -r {text}"
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
        return f"{named_by_file(text, where)} @ {text}"
    if text.startswith("file:") and " " not in text:
        return file_url_path(text)
    return None


def _path_as_url(url: str, name: str, where: str, base: str | None) -> str:
    """*url* as given, or the ``file:`` URL of the path written in its place (uv's reading)."""
    if "://" in url or url.startswith(("file:", "git+", "hg+", "svn+", "bzr+")):
        return url
    import urllib.parse  # noqa: PLC0415

    if urllib.parse.urlsplit(url).scheme or not url.startswith((".", "/", "~")):
        return url  # (another scheme, or no path: url_requirement says which)
    if base is None:
        raise SourceError(
            f"{name} @ {url} is a path, which names no directory it is relative to",
            where=where,
            hint=f"write an absolute file:/// URL, or name the directory yourself: {url}",
        )
    import pathlib  # noqa: PLC0415

    path, _, fragment = url.partition("#")
    local = os.path.abspath(os.path.join(base, os.path.expanduser(path)))
    return pathlib.Path(local).as_uri() + (f"#{fragment}" if fragment else "")


def _path_like(text: str) -> bool:
    """Whether *text* can only be a path: no PEP 508 requirement or URL looks like it."""
    if "://" in text:
        return False
    if any(c in text for c in " ;<>=!~,") and not text.startswith(("~", ".", "/")):
        return False
    return (
        text.startswith((".", "/", "~"))
        or "/" in text
        or is_sdist_name(text)
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


#: (``editable_path``, ``file_url_path``, ``remote_direct_url``, ``source_path`` and
#: ``split_extras`` are :mod:`graft.sources.direct_refs`', named here too for their importers)
__all__ = [
    "VARIABLE",
    "VCS_SCHEMES",
    "check_one_version_each",
    "editable_path",
    "file_url_path",
    "parse_line",
    "parse_spec",
    "refuse_a_file_of_requirements",
    "remote_direct_url",
    "source_path",
    "split_extras",
    "split_marker",
]
