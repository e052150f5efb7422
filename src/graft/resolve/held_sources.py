"""A dependency the venv holds from a directory, editable, a git commit or an sdist, kept (461).

A monorepo: ``lib/`` and ``app/`` are local projects, app requires ``lib>=1``, and lib is on
no index (or the index has another release). ``graft sync V -e ./lib``, then ``graft sync V
-e ./app``: uv 0.13.9's and pip 26.3's installs keep the installed editable lib, where its
version meets app's requirement, and take the index's where it does not. graft does so too.

:func:`offered` gives the resolver, for each project the venv holds from a source (its
``direct_url.json``: ``dir_info``, editable or not, or ``vcs_info``) that no requirement
names and nothing leaves to the index (``-P``, a constraint, override or exclude; ``-U`` and
``--reinstall`` read nothing: :func:`graft.resolve.held_urls.left_to_index`), a *stand-in*
wheel holding the venv's own ``METADATA`` (its version and Requires-Dist, read without a
build), offered first among its release's files as a wheel held by URL is (decision 448).
Where the resolution takes one, the source is built as it is now, as a kept named source is
(decision 450: one rule for both), and :func:`built_as_now` installs the build in the stand-in's
place. A build whose ``METADATA`` is the venv's is the same resolution; another (an edited
version or dependency) is resolved again with the build offered instead, and a build the
requirements no longer admit is refused in one line (:func:`refuse_unkept`), as
:func:`graft.resolve.named_sources.check_built` refuses a kept named one.

An sdist the venv holds by URL (``archive_info`` of a ``.tar.gz`` or ``.zip``, ``file:`` or
not) is such a source too, as uv and pip keep it (decision 472): built again from its URL
where taken, with the sha256 its ``direct_url.json`` names (graft writes it; uv does not),
so the download cache and the build cache answer, and nothing is fetched or built.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.resolve.resolve_wanted import Resolved
    from graft.sources.candidates import Candidate


@dataclass(frozen=True, slots=True)
class Held:
    """A project the venv holds from a source: its stand-in wheel and the source to build."""

    stand_in: Wanted  # the venv's METADATA as a wheel given by path, never installed
    source: Wanted  # the directory (editable or not) or the commit, as a named source
    metadata: bytes  # the venv's METADATA: a build that gives it needs no new resolution


def offered(  # noqa: PLR0917 - the request, what it names, where the venv is
    request: ResolveRequest,
    wanted: Sequence[Wanted],
    inputs: Inputs,
    held: dict[str, tuple[str, str]],
    target: Target,
    cache_dir: str,
    buildable: Callable[[Wanted], bool],
) -> dict[NormalizedName, Held]:
    """``{name: Held}`` of the sources the venv holds that no requirement of *wanted* names.

    *held*: what the venv holds by URL (``request_policy.held_by_url``); *buildable*: whether
    the request allows a source's build (``--no-build``, ``--only-binary`` leave it to the
    index). Nothing in hash-checking mode, for a foreign target, or for a directory gone;
    nothing under ``--no-sources``, nor NAME under ``--no-sources-package NAME`` (462).
    """
    if request.venv is None or request.foreign is not None or request.no_sources:
        return {}  # (--no-sources: the user's word that sources are not taken, decision 462)
    from packaging.metadata import parse_email  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.errors import GraftError  # noqa: PLC0415
    from graft.model.requirements import Wanted  # noqa: PLC0415
    from graft.resolve.held_urls import gone, left_to_index, source_requirement  # noqa: PLC0415
    from graft.resolve.inputs import hash_checking  # noqa: PLC0415
    from graft.resolve.named_reads import stand_in  # noqa: PLC0415
    from graft.venv.holdings import held_metadata  # noqa: PLC0415

    if hash_checking(inputs, list(wanted)):
        return {}
    left = left_to_index(request, inputs, list(wanted))
    left |= {canonicalize_name(n) for n in request.no_sources_packages}  # (decision 462)
    prefix = os.path.abspath(request.venv)
    sites = (target.scheme["purelib"], target.scheme["platlib"])
    out: dict[NormalizedName, Held] = {}
    for held_name, (_, url) in held.items():
        name = canonicalize_name(held_name)
        if name in left or not _a_source(url) or gone(url):
            continue
        where = f"the venv's {name} (installed from {url})"
        try:
            source = source_requirement(url, Wanted(name, None, frozenset(), frozenset(), where))
        except GraftError:  # (a URL graft would not take: the index's)
            continue
        data = held_metadata(prefix, sites, name)
        raw = parse_email(data)[0] if data else {}
        version = raw.get("version")
        if data is None or canonicalize_name(raw.get("name") or "") != name or not version:
            continue  # (METADATA unread: the index's)
        if not buildable(source):
            continue
        if source.url is not None:  # an sdist's: its sha256, where its install kept it (472)
            source = _with_sha256(source, held_metadata(prefix, sites, name, "direct_url.json"))
        path, _ = stand_in(url, name, version, data, cache_dir)
        shown = Wanted(
            name, None, frozenset(), frozenset(), where, path=path,
            filename=os.path.basename(path), requested=False,
        )  # fmt: skip
        out[name] = Held(shown, dataclasses.replace(source, requested=False), data)
    return out


def _with_sha256(source: Wanted, stated: bytes | None) -> Wanted:
    """*source* (an sdist's URL) checked by the sha256 its ``direct_url.json`` names, if any.

    As a URL's own ``#sha256=`` (no hash-checking mode): the download cache answers by it,
    and the build cache by the sdist's sha256, so nothing is downloaded or built again.
    """
    import json  # noqa: PLC0415

    try:
        info = json.loads(stated or b"null")["archive_info"]
        sha = info.get("hashes", {}).get("sha256") or info["hash"].removeprefix("sha256=")
    except (ValueError, TypeError, KeyError, AttributeError):
        return source  # (uv writes no hash: the URL is downloaded, as it was installed)
    if not isinstance(sha, str) or len(sha) != 64 or source.hashes:  # noqa: PLR2004
        return source
    return dataclasses.replace(source, hashes=frozenset({f"sha256:{sha}"}), url_hash_only=True)


def _a_source(url: str) -> bool:
    """Whether *url* (as ``held_urls`` gives it) is a source's: a directory, a commit, an sdist."""
    if url.startswith("-e ") or "+" in url.partition(":")[0]:
        return True
    from graft.resolve.held_urls import local_path  # noqa: PLC0415
    from graft.sources.direct_refs import is_sdist_name  # noqa: PLC0415

    if is_sdist_name(url.partition("#")[0]):
        return True
    return url.startswith("file:") and os.path.isdir(local_path(url))


def taken(
    resolved: Sequence[tuple[Wanted, Candidate]], offers: dict[NormalizedName, Held]
) -> list[NormalizedName]:
    """The projects whose stand-in the resolution took."""
    return [
        w.name for w, _ in resolved if w.name in offers and w.path == offers[w.name].stand_in.path
    ]


def same_metadata(built: Wanted, held: Held) -> bool:
    """Whether the wheel *built* says of itself what the venv's install said (its METADATA)."""
    import zipfile  # noqa: PLC0415

    assert built.path is not None  # noqa: S101 - a built source is a wheel by path
    try:
        with zipfile.ZipFile(built.path) as archive:
            found = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
            return len(found) == 1 and archive.read(found[0]) == held.metadata
    except (OSError, zipfile.BadZipFile):
        return False


def installed(
    resolved: list[tuple[Wanted, Candidate]], builds: dict[NormalizedName, Wanted]
) -> list[tuple[Wanted, Candidate]]:
    """*resolved*, each stand-in of *builds* replaced by the wheel its source built."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.sources.candidates import Candidate  # noqa: PLC0415

    out: list[tuple[Wanted, Candidate]] = []
    for w, c in resolved:
        wheel = builds.get(w.name)
        if wheel is None or wheel.path is None:
            out.append((w, c))
            continue
        with open(wheel.path, "rb") as fh:
            sha = sha256_hex(fh.read())
        kept = dataclasses.replace(
            w, path=wheel.path, filename=wheel.filename, direct_url=wheel.direct_url
        )
        out.append((kept, Candidate(wheel.filename or "", wheel.path, sha, True, origin=w.where)))
    return out


def refuse_unkept(
    resolved: Sequence[tuple[Wanted, Candidate]], builds: dict[NormalizedName, Wanted]
) -> None:
    """Refuse a build of *builds* the resolution did not take: the requirements exclude it."""
    for w, _ in resolved:
        wheel = builds.get(w.name)
        if wheel is None or w.path == wheel.path:
            continue
        raise SourceError(  # (a directory edited since the venv took it: as decision 450's)
            f"the venv's {w.name} came from {wheel.source}, which now builds {wheel.version},"
            f" which the request does not admit ({w.where})",
            hint=f"name the source to install what it builds, or -P {w.name} to take the index's",
        )


def refused(
    exc: SourceError, builds: dict[NormalizedName, Wanted], held: dict[NormalizedName, Held]
) -> SourceError:
    """*exc* (the resolution again, with *builds*), said as the edit it most likely is.

    The first build at another version than the venv's is named; else *exc* as it is.
    """
    for name, wheel in builds.items():
        was = held[name].stand_in.filename or ""
        if wheel.filename is None or wheel.filename.split("-")[1] == was.split("-")[1]:
            continue
        reason = (exc.what or "").splitlines()[0]
        return SourceError(
            f"the venv's {name} came from {wheel.source}, which now builds {wheel.version}:"
            f" with it, {reason}",
            hint=f"name the source to install what it builds, or -P {name} to take the index's",
        )
    return exc


__all__ = ["Held", "installed", "offered", "refuse_unkept", "refused", "same_metadata", "taken"]


def built_as_now(  # noqa: PLR0917 - the resolution and what makes it again
    found: Resolved,
    dropped: str | None,
    sources: dict[NormalizedName, Held],
    by_venv: dict[NormalizedName, Wanted],
    have: dict[str, str],
    build: Callable[[list[Wanted]], tuple[list[Wanted], list[str]]],
    anew: Callable[[], tuple[Resolved, str | None]],
) -> tuple[Resolved, str | None]:
    """*found* with each source the venv holds that it took built as it is now (decision 461).

    A build whose METADATA is the venv's stands in the resolution as it is; another is
    resolved again (*anew*), offered in the stand-in's place (*by_venv*) at its own version
    (*have*), and refused in one line where the resolution takes another file.
    """
    names = taken(found[0], sources)
    for name in set(sources) - set(names):  # (not taken: offered no more)
        by_venv.pop(name, None)
    if not names:
        return found, dropped
    builds, built_notes = build([sources[name].source for name in names])
    wheels = {w.name: w for w in builds}
    notes = (*built_notes, *found[1])
    if all(same_metadata(wheels[name], sources[name]) for name in names):
        return (installed(found[0], wheels), notes, *found[2:]), dropped
    for name in names:  # (an edited version or dependency: resolved again with the build)
        by_venv[name] = dataclasses.replace(wheels[name], where=sources[name].stand_in.where)
        have[name] = wheels[name].version or have.get(name, "")
    try:
        found, dropped = anew()
    except SourceError as exc:  # (said as the edit it most likely is)
        raise refused(exc, wheels, sources) from None
    refuse_unkept(found[0], wheels)
    return (found[0], (*built_notes, *found[1]), *found[2:]), dropped
