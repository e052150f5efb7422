"""A distribution the venv holds from a URL, kept where an index requirement allows it.

``graft sync V 'six @ https://…/six-1.16.0-py2.py3-none-any.whl'``, then ``graft sync V
'six>=1.10'``: uv 0.13.9 (``uv pip install`` and ``uv pip sync``) and pip 26.3 keep the
installed six, its ``direct_url.json`` and all ("Checked 1 package", "Requirement already
satisfied"), where the venv's versions alone would take six 1.16.0 from the index. So
does graft: a requirement the request names without a file, whose project the venv holds
from an archive URL (:func:`graft.resolve.request_policy.held_by_url`) at a version it
admits, is that URL's requirement (decision 439). ``-U`` and ``-P NAME`` take the index's,
as uv's do, and so do ``--reinstall`` and ``--reinstall-package NAME`` (decision 449), a
constraint, override or exclude that names the project, a ``--hash``, or a ``file:`` URL
whose file is gone.

A project the venv holds so that no requirement names (a dependency: ``python-dateutil``
over ``six @ URL``) is kept too, as uv and pip keep it: :func:`held_files` gives its wheel
to the resolver as one more file of its project, before the index's of its release
(decision 448), so that the installed version, preferred as every installed one is, comes
from the URL; where the resolution needs another version, the index's is taken.

A wheel the venv holds so from graft's store is known by its sha256 before any download
(:func:`stored_digests`: its entry, trusted and of that wheel's own name and version): the
kept requirement carries it as its URL's own hash, so the sync takes the entry without
downloading the URL again and its dry run plans from it and says the venv in sync, as the
sync says it (decision 452). A venv another tool made, or an entry the store lost, leaves
the URL to be downloaded as before.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted
    from graft.model.target import Target
    from graft.store.entries import Store


def keep(  # noqa: PLR0917 - the request, its roots, and what the venv holds by URL
    request: ResolveRequest,
    target: Target,
    wanted: list[Wanted],
    inputs: Inputs,
    held: dict[str, tuple[str, str]],
    store: Store | None,
) -> tuple[list[Wanted], dict[str, str]]:
    """*wanted* with what *held* meets kept (:func:`kept_urls`), and the wheels' sha256.

    The sha256 (:func:`stored_digests`) is :func:`held_files`' too (decision 452).
    """
    digests = stored_digests(request, target, held, store)
    return kept_urls(request, wanted, inputs, held, digests), digests


def stored_digests(
    request: ResolveRequest,
    target: Target,
    held: dict[str, tuple[str, str]],
    store: Store | None,
) -> dict[str, str]:
    """``{name: sha256}`` of *held*'s wheels whose store entry the venv was linked from.

    The wheel each distribution came from, as the summary's ``~ reinstalled`` knows it
    (:func:`graft.venv.held.held_wheels`: its ``METADATA`` link, or the flat form of the plan
    that built the venv), where *store* holds that entry, trusted, of the URL's own wheel
    name and version (:meth:`Store.dist_info_of`, as a sha256 known before download is
    taken: decision 154).
    """
    wheels = {n: url.partition("#")[0] for n, (_, url) in held.items()}
    wheels = {n: url for n, url in wheels.items() if url.endswith(".whl") and "#" not in url}
    if store is None or request.venv is None or not wheels:
        return {}
    from graft.venv.held import held_wheels  # noqa: PLC0415

    sites = (target.scheme["purelib"], target.scheme["platlib"])
    found = held_wheels(os.path.abspath(request.venv), sites, store.root)
    return {
        name: sha
        for name, url in wheels.items()
        if (sha := found.get(name)) is not None
        and store.dist_info_of(sha, url.rsplit("/", 1)[-1]) is not None
    }


def _with_digest(kept: Wanted, digests: dict[str, str]) -> Wanted:
    """*kept* (``name @ URL``) carrying the sha256 the venv's wheel had, as a URL's ``#sha256=``.

    It checks that file alone (``url_hash_only``: no hash-checking mode), and is what the
    store's entry is found by (decision 452); ``direct_url.json`` is the URL's as installed.
    """
    sha = digests.get(kept.name)
    if sha is None or kept.url is None or kept.hashes:
        return kept
    return dataclasses.replace(kept, hashes=frozenset({f"sha256:{sha}"}), url_hash_only=True)


def kept_urls(
    request: ResolveRequest,
    wanted: list[Wanted],
    inputs: Inputs,
    held: dict[str, tuple[str, str]],
    digests: dict[str, str] | None = None,
) -> list[Wanted]:
    """*wanted*, each requirement that *held*'s distribution meets replaced by its URL's.

    With *digests* (:func:`stored_digests`), a wheel's carries its sha256 (decision 452).
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415

    from graft.errors import GraftError  # noqa: PLC0415

    left = left_to_index(request, inputs)
    out: list[Wanted] = []
    for w in wanted:
        version, url = held.get(w.name, ("", ""))
        plain = not (w.path or w.url or w.source or w.hashes or w.editable)
        try:
            admits = plain and SpecifierSet(w.specifier).contains(version, prereleases=True)
        except InvalidSpecifier:
            admits = False
        if not url or not admits or w.name in left or gone(url):
            out.append(w)
            continue
        try:
            kept = source_requirement(url, w)
        except GraftError:  # (a repository or a URL graft does not take: the index's)
            out.append(w)
            continue
        kept = _with_digest(kept, digests or {})
        out.append(dataclasses.replace(kept, requested=w.requested, held_for=w.specifier))
    return out


def source_requirement(url: str, w: Wanted) -> Wanted:
    """``name @ URL`` for *w*'s project (``-e URL``: its directory, editable), as *w* asks."""
    from graft.sources.direct_refs import source_path, url_requirement  # noqa: PLC0415

    extras, marker, where = w.extras, w.marker, w.where
    if url.startswith("-e "):  # (a directory installed editable: decision 450)
        path = local_path(url.removeprefix("-e "))
        return source_path(path, where, editable=True, name=w.name, extras=extras, marker=marker)
    if "+" in url.partition(":")[0]:  # a repository's commit (git+URL@COMMIT: decision 450)
        from graft.sources.requirements import parse_spec  # noqa: PLC0415

        kept = parse_spec(f"{w.name} @ {url}", where)
        return dataclasses.replace(kept, extras=extras, marker=marker)
    return url_requirement(
        url, w.name, extras=extras, marker=marker, where=where, hashes=frozenset()
    )


def held_files(
    request: ResolveRequest,
    wanted: list[Wanted],
    inputs: Inputs,
    held: dict[str, tuple[str, str]],
    digests: dict[str, str] | None = None,
) -> dict[NormalizedName, Wanted]:
    """``{name: name @ URL}`` of *held*'s wheels that no requirement of *wanted* names.

    Each the resolver offers beside its project's other files (decision 448). Not one a
    requirement, a constraint, an override or an exclude names, nor one ``-P`` upgrades, nor
    an sdist (which would be built again), nor a ``file:`` URL whose file is gone; nothing in
    hash-checking mode (the venv's file has no ``--hash``). With *digests*, each carries the
    sha256 of its store entry (decision 452).
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.errors import GraftError  # noqa: PLC0415
    from graft.resolve.inputs import hash_checking  # noqa: PLC0415
    from graft.sources.direct_refs import url_requirement  # noqa: PLC0415

    if hash_checking(inputs, wanted):
        return {}
    left = left_to_index(request, inputs, wanted)
    out: dict[NormalizedName, Wanted] = {}
    for held_name, (_, url) in held.items():
        name = canonicalize_name(held_name)
        wheel = url.partition("#")[0].endswith(".whl")
        if name in left or not wheel or gone(url):
            continue
        try:
            found = url_requirement(
                url, name, extras=frozenset(), marker=None,
                where=f"the venv's {name} (installed from {url})", hashes=frozenset(),
            )  # fmt: skip
        except GraftError:  # (a URL graft would not take: the index's)
            continue
        out[name] = _with_digest(found, digests or {})
    return out


def left_to_index(
    request: ResolveRequest, inputs: Inputs, named: list[Wanted] | None = None
) -> set[str]:
    """The projects whose held URL is not taken: the index decides them.

    ``-P``/``--reinstall-package`` names, constraints, overrides, excludes, and the projects
    *named* requires.
    """
    from graft.resolve.request_policy import renewed  # noqa: PLC0415

    upgraded = renewed(request)  # (True: held_by_url gave nothing)
    names = {w.name for w in (*(named or ()), *inputs.constraints, *inputs.overrides)}
    return {*(upgraded if isinstance(upgraded, frozenset) else ()), *inputs.excludes, *names}


def gone(url: str) -> bool:
    """Whether *url* is a ``file:`` URL whose file (or directory) is not there any more."""
    url = url.removeprefix("-e ")
    return url.startswith("file:") and not os.path.exists(local_path(url))


def local_path(url: str) -> str:
    """The local path a ``file:`` *url* names."""
    import urllib.parse  # noqa: PLC0415

    return urllib.parse.unquote(urllib.parse.urlsplit(url).path)
