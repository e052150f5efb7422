"""The wheel file for each pin as a local path: chosen, checked, downloaded if need be.

A resolution's pins become what is fetched by :func:`chosen_for_fetch` (each with the
request that asked for it, or the projects that required it, and the hashes it must have).

Selection is by the target's own tag order (``sources.select``); metadata files (PEP 658/714)
are checked before anything is downloaded (``coremeta``); the hashes given (``--hash``, a
lock's, an index page's) must match the files, and in hash-checking mode every distribution
needs one. A remote wheel whose entry the store holds (by the sha256 known before download)
is not downloaded: it has no local path (decision 154). The thread pool and the download
client are imported only when something must be downloaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from graft.errors import SourceError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from packaging.utils import NormalizedName

    from graft.model.request import Reporter
    from graft.model.requirements import Wanted
    from graft.model.target import Target
    from graft.resolve.resolver import Resolution
    from graft.sources.candidates import Candidate
    from graft.sources.coremeta import CoreMetadata
    from graft.sources.find_links import FindLinks
    from graft.sources.indexes import Indexes
    from graft.store.entries import Store


def choose(
    wanted: Wanted, find_links: FindLinks, target: Target, index: Indexes | None
) -> Candidate:
    """The best wheel for one pin, from find-links and the index."""
    from graft.sources.candidates import Candidate, select  # noqa: PLC0415

    if wanted.path is not None:
        return Candidate(wanted.filename or os.path.basename(wanted.path), wanted.path, None, True)
    if wanted.url is not None:
        sha = next(iter(wanted.hashes)).removeprefix("sha256:") if wanted.hashes else None
        filename = wanted.filename or wanted.url.rsplit("/", 1)[-1]
        return Candidate(filename, wanted.url, sha, local=False, origin=wanted.where)
    candidates = find_links.candidates(wanted)
    if index is not None:
        candidates += [c for c in index.files(wanted.name) if _matches(c.filename, wanted)]
    if wanted.hashes:
        candidates = [c for c in candidates if _hash_allowed(c, wanted.hashes)]
    best = select(candidates, target)
    if best is None:
        seen = ", ".join(sorted(c.filename for c in candidates)[:6]) or "no wheels at all"
        raise SourceError(
            f"no wheel of {wanted.name}=={wanted.version} fits {target.implementation}"
            f" {target.version} ({target.tags[0]}); found: {seen}",
            where=wanted.where,
            hint="pin a version that ships a compatible wheel, or add --find-links",
        )
    return best


def _matches(filename: str, wanted: Wanted) -> bool:
    from graft.sources.candidates import _version_matches  # noqa: PLC0415

    return _version_matches(filename, wanted.name, wanted.version or "")[0]


def _hash_allowed(candidate: Candidate, hashes: frozenset[str]) -> bool:
    if candidate.sha256 is None and candidate.local:
        from graft._fs import file_sha256  # noqa: PLC0415

        return f"sha256:{file_sha256(candidate.url)}" in hashes
    return candidate.sha256 is None or f"sha256:{candidate.sha256}" in hashes


def local_paths(local: list[Candidate], cache_dir: str) -> dict[str, tuple[str, str | None]]:
    """Each local wheel's path and sha256; one a local index or a lock lists must match it."""
    from graft.sources.index import local_sha256  # noqa: PLC0415

    paths: dict[str, tuple[str, str | None]] = {}
    for c in local:
        sha = local_sha256(c.url, cache_dir)
        if c.sha256 is not None and c.sha256 != sha and c.origin:  # the user's hash
            raise SourceError(
                f"{c.filename} has sha256 {sha}, not the hash given here",
                where=c.origin,
                hint="the file changed, or the hash is wrong; nothing was installed",
            )
        if c.sha256 is not None and c.sha256 != sha:
            raise SourceError(
                f"{c.filename} has sha256 {sha}, not the {c.sha256} listed for it",
                where=c.url,
                hint="the file changed after it was listed; nothing was installed",
            )
        paths[c.url] = (c.url, sha)
    return paths


def fetch(
    chosen: list[tuple[Wanted, Candidate]],
    cache_dir: str,
    reporter: Reporter,
    precheck: Callable[[list[tuple[Wanted, Candidate]]], Mapping[str, CoreMetadata]] | None = None,
    *,
    offline: bool = False,
    on_fetched: Callable[[Wanted, str, str | None], None] | None = None,
    store: Store | None = None,
) -> list[Fetched]:
    """Local paths for every chosen wheel; remote ones are downloaded in parallel.

    When something must be downloaded, *precheck* runs first (the Requires-Dist check on the
    index's metadata files); each wheel whose metadata file it used must then agree with it.
    A remote wheel neither in the download cache nor, by its sha256, in *store* (see
    :func:`stored`) must be downloaded: with *offline*, that is an error. *on_fetched* gets
    each wheel's local path as soon as it is known (after *precheck*; a download as soon as
    it completes), so that ingest need not wait for the slowest download; a stored one has
    none (its entry is there).
    """
    remote = [(w, c) for w, c in chosen if not c.local]
    paths = local_paths([c for _, c in chosen if c.local], cache_dir)
    cached = {
        c.url: os.path.join(cache_dir, "wheels", c.sha256, c.filename)
        for _, c in remote
        if c.sha256
    }
    todo = [(w, c) for w, c in remote if not (c.url in cached and os.path.isfile(cached[c.url]))]
    for _, c in remote:
        hit = cached.get(c.url)
        if hit is not None and os.path.isfile(hit):
            paths[c.url] = (hit, c.sha256)
    in_store: set[str] = set()
    if todo and store is not None:
        store.pin()  # (no gc takes an entry between this look and the venv's root)
        in_store = {c.url for w, c in todo if stored(w, c, store)}
        todo = [(w, c) for w, c in todo if c.url not in in_store]
    used = precheck(chosen) if todo and precheck is not None else {}
    if todo and offline:  # (after the check on cached metadata files: its error says more)
        w, c = todo[0]
        more = f" (and {len(todo) - 1} more)" if len(todo) > 1 else ""
        raise SourceError(
            f"{c.filename} is neither in the download cache nor in the store, and --offline"
            f" was given{more}",
            where=w.where,
            hint="run once without --offline, or add --find-links with the wheel",
        )
    if on_fetched is not None:
        for w, c in chosen:
            if c.url in paths:
                on_fetched(w, *paths[c.url])
    if todo:
        from concurrent.futures import ThreadPoolExecutor, as_completed  # noqa: PLC0415

        from graft.sources.fetch import download  # noqa: PLC0415

        progress = reporter.downloads(len(todo))
        advance = getattr(progress, "advance", None)
        with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
            futures = {pool.submit(download, c, cache_dir, advance): (w, c) for w, c in todo}
            for future in as_completed(futures):
                w, c = futures[future]
                paths[c.url] = future.result()
                if on_fetched is not None:
                    on_fetched(w, *paths[c.url])
        close = getattr(progress, "close", None)
        if close is not None:
            close()
    if used:
        from graft.sources.coremeta import check_wheels_agree  # noqa: PLC0415

        check_wheels_agree([(c, paths[c.url][0]) for _, c in remote if c.url in paths], used)
    out: list[Fetched] = []
    for w, c in chosen:
        local, sha = paths[c.url] if c.url not in in_store else (None, c.sha256)
        check_given(w, c.filename, sha, local)
        out.append(Fetched(w, local, sha, c.filename))
    return out


def sdist_file(candidate: object, cache_dir: str, *, offline: bool, where: str) -> tuple[str, str]:
    """An sdist *candidate* as a file in the download cache, and its sha256.

    Downloaded unless *offline* (then only the cache answers, or a :class:`SourceError` at
    *where*); for the sdists picked (``sdists``) and the sources named by URL
    (``named_sources``).
    """
    from graft.sources.candidates import Candidate  # noqa: PLC0415
    from graft.sources.fetch import cached_path, download  # noqa: PLC0415

    assert isinstance(candidate, Candidate)  # noqa: S101
    if offline:
        hit = cached_path(candidate, cache_dir)
        if hit is None or not candidate.sha256:
            raise SourceError(
                f"{candidate.filename} is not in the download cache and --offline was given",
                where=where,
            )
        return hit, candidate.sha256
    path, sha = download(candidate, cache_dir)
    if not sha:
        from graft._fs import file_sha256  # noqa: PLC0415

        sha = file_sha256(path)
    return path, sha


def check_given(wanted: Wanted, filename: str, sha: str | None, local: str | None) -> None:
    """The file chosen for *wanted* has the hash and (at *local*) the size it was given.

    A ``--hash`` or a lock's sha256 and size; an error naming where they were given, else.
    """
    if wanted.hashes and sha is not None and f"sha256:{sha}" not in wanted.hashes:
        raise SourceError(
            f"{filename} has sha256 {sha}, not the hash given here",
            where=wanted.where,
            hint="the file changed, or the hash is wrong; nothing was installed",
        )
    if local is not None and wanted.size is not None and os.path.getsize(local) != wanted.size:
        raise _not_the_size(wanted, filename)


def stored(wanted: Wanted, candidate: Candidate, store: Store) -> bool:
    """Whether *store* holds the entry of the remote wheel *candidate*: no download needed.

    Known by the sha256 known before download (the index's, a lock's, a ``--hash`` of a URL):
    the store's key, trusted only with its verified marker, and only for an entry of the
    wheel's own name and version. A size given (a lock's) is checked
    against the size the store recorded at ingest (an error when it differs, as after a
    download); an entry ingested without one (before decision 154) is downloaded as before.
    The caller pins the store while it needs the entry.
    """
    sha = candidate.sha256
    if candidate.local or sha is None or not candidate.filename.endswith(".whl"):
        return False
    if store.dist_info_of(sha, candidate.filename) is None:  # (of its release: decision 294)
        return False
    if wanted.size is None:
        return True
    from graft.store.verified import read  # noqa: PLC0415

    marker = read(store.root, sha)
    size = None if marker is None else marker.size
    if size is not None and size != wanted.size:
        raise _not_the_size(wanted, candidate.filename)
    return size is not None


def _not_the_size(wanted: Wanted, filename: str) -> SourceError:
    return SourceError(f"{filename} is not {wanted.size} bytes as given here", where=wanted.where)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One distribution located: what asked for it, the local wheel file and its sha256.

    *path* is None when the wheel was not fetched because the store holds its entry
    (:func:`stored`): *sha256* is then that entry's key.
    """

    wanted: Wanted
    path: str | None
    sha256: str | None  # None only for a local file not hashed yet
    filename: str = ""  # the file's name as chosen, for one without *path*

    @property
    def name(self) -> str:
        """The file's name: the last part of *path*, else *filename*."""
        return self.filename if self.path is None else os.path.basename(self.path)


def check_hashed(chosen: list[tuple[Wanted, Candidate]]) -> None:
    """Hash-checking mode (pip's): every distribution installed must have been given a hash."""
    missing = [f"{w.name}=={w.version} ({w.where})" for w, _ in chosen if not w.hashes]
    if missing:
        raise SourceError(
            f"hash-checking mode: no --hash given for {', '.join(missing)}",
            hint="with any --hash, every distribution needs one (as pip requires); pin and"
            " hash them all, e.g. from a lock",
        )


__all__ = ["Fetched", "check_hashed", "choose", "fetch", "local_paths", "stored"]


def chosen_for_fetch(
    resolution: Resolution,
    asked: Sequence[Wanted] = (),
    hashes: Mapping[NormalizedName, frozenset[str]] | None = None,
    constrained: Mapping[NormalizedName, Wanted] | None = None,
) -> list[tuple[Wanted, Candidate]]:
    """The resolution in the shape :func:`graft.resolve.fetched.fetch` takes.

    A pin the user asked for keeps that request's :class:`Wanted` (its ``--hash`` values and
    its ``where``), with the version resolved; a pin only a dependency brought gets one
    naming the projects that required it. Each has the hashes its file must have (*hashes*,
    the policy's: a constraint's with the request's). A pin of the wheel a URL constraint
    names (*constrained*) is that file, as a requirement naming it is: installed with its
    ``direct_url.json`` (decision 172); so is the wheel the venv holds by URL, where the
    resolution kept it (*constrained* holds it too: decision 448). The METADATA was read
    while resolving, so the candidates announce no metadata file (the pre-download check
    would repeat the work).
    """
    from graft.model.requirements import Wanted  # noqa: PLC0415
    from graft.resolve.causes import required_by  # noqa: PLC0415
    from graft.sources.candidates import Candidate  # noqa: PLC0415

    by_name: dict[str, Wanted] = {}
    for w in asked:  # one naming a file over one naming its project alone (``./lib lib``)
        had = by_name.get(w.name)
        if had is None or (had.path is None and had.url is None) or w.path or w.url:
            by_name[w.name] = w
    parents: dict[str, list[tuple[str, str]]] = {}
    for pin in resolution.pins:
        for child in pin.requires:
            parents.setdefault(child, []).append((pin.name, pin.label))
    out: list[tuple[Wanted, Candidate]] = []
    for pin in resolution.pins:
        version, extras = str(pin.version), frozenset(pin.extras)
        request = by_name.get(pin.name)
        allowed = (hashes or {}).get(pin.name)
        if request is not None:
            wanted = replace(request, version=version, extras=request.extras | extras)
        else:
            where = required_by(pin.name, by_name, parents)
            wanted = Wanted(pin.name, version, extras, frozenset(), where, requested=False)
        named = (constrained or {}).get(pin.name) if pin.file.constraint or pin.file.held else None
        if named is not None and wanted.path is None and wanted.url is None:
            wanted = replace(
                wanted,
                # (a wrong #sha256= is the constraint's to fix; the venv's wheel: its own)
                where=wanted.where if pin.file.held else named.where,
                path=named.path,
                url=named.url,
                filename=named.filename,
                direct_url=named.direct_url,
            )
        if allowed is not None and allowed != wanted.hashes:  # (a constraint's hashes too)
            wanted = replace(wanted, hashes=allowed, url_hash_only=False)
        remote = pin.file.url.startswith(("http://", "https://"))
        file = pin.file  # a URL or path the user named vouches for its own hash (#sha256=)
        origin = wanted.where if file.direct else ""
        out.append(
            (
                wanted,
                Candidate(
                    file.filename, file.url, file.sha256, not remote, origin=origin, size=file.size
                ),
            )
        )
    return out
