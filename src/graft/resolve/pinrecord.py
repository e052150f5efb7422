"""The pin record: a pinned request's steps kept for the next one (``<cache>/pinned/``).

A request pinned exactly (:mod:`graft.resolve.pinned`) asks the provider one question per
identifier; the answer (a :class:`~graft.resolve.pinned.Step`) depends on the request's
requirements on it and the policy's word on its project (the step's ``asked`` key, checked
by the resolver), and on what this module vouches for: the same *context* (graft's code, the
target's tags and markers, the policy's other fields, the indexes, ``--no-deps``) and index
answers younger than a cached index page (:data:`TTL`, per step: the resolution memo's
rule; a recalled step keeps its age). Each step names the index pages its project's files
came from, with their validators (:meth:`graft.sources.indexes.Indexes.pages`): while those
pages are unchanged the step still holds, and ``graft.cli.change`` renews an aged step so
(decision 85). A record is kept only for a resolution from indexes alone
(no find-links directory or wheel named by path, whose files can change at any time, and not
``--offline``, whose cached pages can). After one edited pin, the other projects' steps are
recalled: no index page, screening or METADATA is read for them.

The record is a file in the cache, trusted as far as the cached index pages beside it are
(whoever can rewrite it can rewrite those, whose files graft installs within the same
freshness); what it names is downloaded and checked against the sha256 it names, as a page's
files are; anything unreadable is ignored, and it never names anything graft runs.

Steps are kept by their ``asked`` key, a few per identifier (:data:`PER_IDENTIFIER`, the
newest): a pin edited back and forth (trying a version, switching branches) finds both
answers. ``graft.cli.change`` reads the record too, with the standard library alone.
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING, Any

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from graft._atomic import remember
from graft._sha256 import sha256_hex
from graft.resolve.artifacts import ArtifactFile
from graft.resolve.candidates import Need, WheelCandidate
from graft.resolve.pinned import Step

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Mapping

    from graft.model.target import Target
    from graft.resolve.policy import Policy

FORMAT = 3
TTL = 600.0  # seconds: the resolution memo's INDEX_TTL (a cached index page's freshness)
PER_IDENTIFIER = 4  # steps kept per identifier (asked differently: other pins, other words)


def context(
    target: Target, policy: Policy, index_urls: Iterable[str], *, dependencies: bool
) -> str:
    """What every step of a record rests on besides its ``asked`` key."""
    from graft import __version__  # noqa: PLC0415
    from graft._home import code_stamp  # noqa: PLC0415

    exclude: object = None if policy.exclude_newer is None else policy.exclude_newer.isoformat()
    if policy.exclude_newer_packages:  # (a project's own cutoff: decision 389)
        own = sorted(
            (name, when.isoformat()) for name, when in policy.exclude_newer_packages.items()
        )
        exclude = [exclude, own]
    upgrade = policy.upgrade if isinstance(policy.upgrade, bool) else sorted(policy.upgrade)
    oldest = policy.lowest if isinstance(policy.lowest, bool) else sorted(policy.lowest)
    lowest = [oldest, sorted(policy.newest)]
    fields = [
        FORMAT,
        __version__,
        code_stamp(),
        list(target.tags),
        sorted(target.markers.items()),
        target.version,
        [_prereleases(policy), exclude, upgrade, policy.same_version_fallback, lowest],
        [policy.sdists, sorted(policy.no_binary), sorted(policy.only_binary)],
        policy.variants is not None,
        list(index_urls),
        dependencies,
    ]
    return sha256_hex(json.dumps(fields, default=str).encode())


def _prereleases(policy: Policy) -> object:
    """The policy's prerelease modes: the request's, and each project's own (decision 389)."""
    if not policy.prerelease_packages:
        return policy.prereleases.value
    own = sorted((name, mode.value) for name, mode in policy.prerelease_packages.items())
    return [policy.prereleases.value, own]


def _path(cache_dir: str, key: str) -> str:
    return os.path.join(cache_dir, "pinned", f"{key[:32]}.json")


def record_path(cache_dir: str, key: str) -> str:
    """The file of the pin record for the context *key*."""
    return _path(cache_dir, key)


Pages = list[tuple[str, dict[str, str]]]  # a step's index pages and their validators
Kept = tuple[Step, float, "Pages | None"]  # a recorded step, when it was made, its pages


def load(cache_dir: str, key: str, ttl: float = TTL) -> dict[str, Kept]:
    """The steps recorded under *key* younger than *ttl* seconds, by their ``asked`` key.

    With when each was made and its pages. An sdist's step is among them (kept when the
    record is written again), but :func:`graft.resolve.pinned.pinned_resolution` never takes it.
    """
    try:
        with open(_path(cache_dir, key), encoding="utf-8") as fh:
            record = json.load(fh)
        if record["format"] != FORMAT or record["context"] != key:
            return {}
        now = time.time()
        out = {}
        for asked, row in record["steps"].items():
            created = float(row["created"])
            if 0 <= now - created < ttl and asked == row["asked"]:
                out[str(asked)] = (decode(row), created, _pages(row.get("pages")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return out


def young(kept: Mapping[str, Kept], ttl: float = TTL) -> dict[str, Step]:
    """The steps of *kept* younger than *ttl* seconds, by their ``asked`` key: recallable."""
    now = time.time()
    return {asked: step for asked, (step, created, _) in kept.items() if 0 <= now - created < ttl}


def save(
    cache_dir: str,
    key: str,
    steps: Iterable[tuple[str, Step]],
    kept: Mapping[str, Kept],
    pages: Callable[[str], Pages | None],
) -> None:
    """Record *steps* (by identifier) beside the *kept* ones (by ``asked`` key).

    *pages*: the index pages a project's files came from in this resolution. A step that was
    recalled, or kept aged (for ``graft.cli.change`` to renew), keeps its age and pages: it
    rests on the index answers of its time. When every step was recalled (a package added back
    or removed), the record already holds them and is not written again. Past
    :data:`PER_IDENTIFIER` steps of one identifier, the oldest go.
    """
    now = time.time()
    new = {
        step.asked: encode(step, ident=ident, created=now, pages=pages(step.chosen.name))
        for ident, step in steps
        if (before := kept.get(step.asked)) is None
        or before[0] != step
        or not 0 <= now - before[1] < TTL  # (made again: the index answered it now)
    }
    path = _path(cache_dir, key)
    if not new and os.path.isfile(path):
        return
    rows = {
        asked: encode(step, ident=step.chosen.identifier, created=created, pages=from_pages)
        for asked, (step, created, from_pages) in kept.items()
    }
    merged = {**rows, **new}
    newest = sorted(merged.values(), key=lambda row: -float(row["created"]))
    count: dict[str, int] = {}
    for row in newest:
        count[row["ident"]] = count.get(row["ident"], 0) + 1
        if count[row["ident"]] > PER_IDENTIFIER:
            del merged[row["asked"]]
    remember(path, json.dumps({"format": FORMAT, "context": key, "steps": merged}))


def encode(step: Step, *, ident: str, created: float, pages: Pages | None) -> dict[str, Any]:
    """*step*, the answer for *ident* from the index *pages*, as JSON."""
    f, c = step.chosen.file, step.chosen
    return {
        "created": created,
        "ident": ident,
        "asked": step.asked,
        "name": c.name,
        "version": str(c.version),
        "extra": c.extra,
        "file": [
            f.filename,
            f.url,
            [list(h) for h in f.hashes],
            f.requires_python,
            f.yanked,
            None if f.upload_time is None else f.upload_time.isoformat(),
            f.metadata_hash,
            f.direct,
            f.size,
        ],
        "deps": [[n.name, n.extra, str(n.specifier), n.filename, n.text] for n in step.deps],
        "warnings": list(step.warnings),
        "pages": None if pages is None else [[url, dict(v)] for url, v in pages],
    }


def _pages(value: object) -> Pages | None:
    """A step's pages as :func:`encode` wrote them (None for none, or unreadable)."""
    if not isinstance(value, list):
        return None
    out: Pages = []
    for page in value:
        url, validators = page
        out.append((str(url), {str(k): str(v) for k, v in validators.items()}))
    return out


def decode(row: Mapping[str, Any]) -> Step:
    """The step :func:`encode` wrote (raises ValueError, KeyError or TypeError otherwise)."""
    filename, url, hashes, requires_python, yanked, uploaded, metadata_hash, direct, size = row[
        "file"
    ]
    file = ArtifactFile(
        str(filename),
        str(url),
        tuple((str(a), str(h)) for a, h in hashes),
        None if requires_python is None else str(requires_python),
        None if yanked is None else str(yanked),
        None if uploaded is None else _when(uploaded),
        None if metadata_hash is None else str(metadata_hash),
        bool(direct),
        None if size is None else int(size),
    )
    extra = row["extra"]
    chosen = WheelCandidate(
        NormalizedName(str(row["name"])),
        Version(str(row["version"])),
        file,
        None if extra is None else NormalizedName(str(extra)),
    )
    deps = tuple(
        Need(
            str(name),
            None if e is None else NormalizedName(str(e)),
            SpecifierSet(str(spec)),
            None if fn is None else str(fn),
            str(text),
        )
        for name, e, spec, fn, text in row["deps"]
    )
    return Step(str(row["asked"]), chosen, deps, tuple(str(w) for w in row["warnings"]))


def _when(text: str) -> dt.datetime:
    """An upload time as :func:`encode` wrote it (``datetime`` only for records that have one)."""
    import datetime as dt  # noqa: PLC0415

    return dt.datetime.fromisoformat(text)


__all__ = ["TTL", "Step", "context", "decode", "encode", "load", "save"]
