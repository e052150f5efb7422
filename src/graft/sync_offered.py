"""What a dry run says of each file chosen: how a sync would get it (decision 149).

:class:`Offered` is one distribution a sync would install, the file chosen and how the sync
would get it: ``download``, ``cached``, ``stored``, ``local``, ``built`` (also an sdist's
recorded build, decisions 328, 330) or ``build``. :func:`chosen_offered` works it out for
each file :mod:`graft.sync_dry` resolved without a download, and :func:`unplannable` says
why no plan can be made from them without a download or a build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft._counted import counted

if TYPE_CHECKING:
    from collections.abc import Callable

    from graft.model.built import BuiltWheel
    from graft.model.requirements import Wanted
    from graft.model.sync_request import SyncRequest
    from graft.model.target import Target
    from graft.sources.candidates import Candidate
    from graft.store.entries import Store


@dataclass(frozen=True)
class Offered:
    """One distribution a sync would install: the file chosen, and how the sync would get it."""

    name: str  # canonical
    version: str
    filename: str  # the wheel, or the sdist (directory, repository) the sync would build
    sha256: str | None  # as known without a download: the index's, the lock's, a local file's
    requested: bool
    size: int | None  # bytes, as the index or the lock says (a local file's own)
    # "download" (a wheel neither in the download cache nor in the store), "cached" (one in
    # the download cache), "stored" (one whose entry the store holds, by the sha256 known
    # before download: decision 154), "local" (a wheel file given or found: a path,
    # find-links, a lock's), "built" (the wheel a named source built, or a recorded build of
    # it), "build" (an sdist the sync would build)
    fetch: str

    @property
    def label(self) -> str:
        """``name==version``."""
        return f"{self.name}=={self.version}"


def recorded_builds(request: SyncRequest, target: Target) -> Callable[[str], BuiltWheel | None]:
    """The recorded build a sync would install for an sdist file at hand, if any.

    None for a foreign target: its sync builds on that machine, where no build of this one's
    is recorded (decision 420).
    """
    builder = request.builder
    if builder is None or request.foreign is not None:
        return lambda _: None
    return lambda path: builder.recorded(path, target)


def chosen_offered(
    chosen: tuple[tuple[Wanted, Candidate], ...],
    cache_dir: str,
    store: Store,
    recorded: Callable[[str], BuiltWheel | None],
) -> tuple[list[Offered], list[Wanted]]:
    """Each chosen file, and how a sync would get it (local wheels hashed, as a sync does).

    An sdist the resolver picked whose file is at hand (find-links, or the download cache),
    or a lock's sdist, is the wheel of its recorded build where the sync would reuse one
    (*recorded*), so that a venv in sync is said to be, and planned from the store
    (decisions 328, 330). Also returned: each requirement as the sync would install it (a
    lock's sdist as the wheel it builds).
    """
    from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415
    from graft.resolve.fetched import check_given, local_paths, stored  # noqa: PLC0415
    from graft.sources.fetch import cached_path  # noqa: PLC0415

    at_hand = local_paths(
        [c for _, c in chosen if c.local and c.filename.endswith(".whl")], cache_dir
    )
    out, held_as = [], []
    for w, c in chosen:
        if not c.filename.endswith(".whl"):  # an sdist picked, or a lock's source
            offered, installed_as = _source_offered(w, c, cache_dir, recorded)
            out.append(offered)
            held_as.append(installed_as)
            continue
        held_as.append(w)
        name, version = parse_wheel_filename(c.filename)[:2]
        size: int | None
        if c.local:
            sha, size = at_hand[c.url][1], os.path.getsize(c.url)
            check_given(w, c.filename, sha, c.url)  # (a lock's hash and size, as fetch checks)
            fetch = "built" if w.source else "local"
        else:
            sha, size = c.sha256, c.size if c.size is not None else w.size
            fetch = "cached" if cached_path(c, cache_dir) is not None else "download"
            fetch = "stored" if fetch == "download" and stored(w, c, store) else fetch
        out.append(Offered(name, str(version), c.filename, sha, w.requested, size, fetch))
    return out, held_as


def _source_offered(
    w: Wanted, c: Candidate, cache_dir: str, recorded: Callable[[str], BuiltWheel | None]
) -> tuple[Offered, Wanted]:
    """A chosen sdist (or a lock's source): the wheel of its recorded build, else to build."""
    from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415
    from graft.resolve.sdists import is_sdist_file  # noqa: PLC0415
    from graft.sources.fetch import cached_path  # noqa: PLC0415

    built, installed_as = None, w
    if w.source is None:
        sdist = c.url if c.local else cached_path(c, cache_dir)
        built = None if sdist is None else recorded(sdist)
    elif w.indexed and is_sdist_file(w.source):  # a lock's sdist (not a named one: 427)
        built, installed_as = _locked_build(w, cache_dir, recorded)
    if built is None:
        to_build = Offered(
            w.name, w.version or "", c.filename, c.sha256, w.requested, c.size, "build"
        )
        return to_build, w
    filename = os.path.basename(built.path)
    version = str(parse_wheel_filename(filename)[1])
    size = os.path.getsize(built.path)
    built_one = Offered(w.name, version, filename, built.sha256, w.requested, size, "built")
    return built_one, installed_as


def _locked_build(
    w: Wanted, cache_dir: str, recorded: Callable[[str], BuiltWheel | None]
) -> tuple[BuiltWheel | None, Wanted]:
    """A lock's sdist's recorded build, and the requirement as the sync would install it.

    Its file is at hand (the dry run read its metadata, :mod:`graft.resolve.unbuilt`);
    where it is not, or no recorded build serves, the sync would build it.
    """
    from graft.errors import GraftError  # noqa: PLC0415
    from graft.resolve.named_sources import as_wheel, source_at_hand  # noqa: PLC0415

    try:
        local, direct = source_at_hand(w, cache_dir, offline=True)
    except GraftError:
        return None, w
    built = recorded(local)
    if built is None:
        return None, w
    return built, as_wheel(w, built, direct)


def unplannable(offered: list[Offered]) -> str:
    """Why no plan can be made without a download or a build ("" when one may be)."""
    from graft.resolve.sdists import is_sdist_file  # noqa: PLC0415

    builds = [o for o in offered if o.fetch == "build"]
    if builds:  # sdists, and directories and repositories: source trees (decision 443)
        sdists = sum(1 for o in builds if is_sdist_file(o.filename))
        trees = len(builds) - sdists
        said = [counted(sdists, "sdist")] if sdists else []
        said += [counted(trees, "source tree")] if trees else []
        return f"{' and '.join(said)} to build"
    unhashed = sum(1 for o in offered if o.sha256 is None)
    if unhashed:
        return f"{counted(unhashed, 'wheel')} without a sha256 before its download"
    return ""


__all__ = ["Offered", "chosen_offered", "recorded_builds", "unplannable"]
