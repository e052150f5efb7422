"""The venv as the checks read it, gathered once.

pyvenv.cfg, the site-packages directories, every ``.dist-info/RECORD``, every link, every file
below site-packages, and the interpreter's answer to the ``env`` probe. Reading only: nothing
is written, no package of the venv imported.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import os
from dataclasses import dataclass, field, replace

from packaging.utils import canonicalize_name

from graft.audit.probe import Probe, probe_env
from graft.errors import UsageError, first_line
from graft.venv.interpreter import read_pyvenv_cfg


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a ``.dist-info/RECORD``."""

    dist: str  # name==version
    path: str  # venv-relative, normalized
    digest: str  # "" when the row has no hash
    size: int | None


@dataclass(frozen=True, slots=True)
class DistInfo:
    """One ``.dist-info`` directory and the rows of its RECORD."""

    label: str  # name==version
    name: str  # canonical
    path: str  # venv-relative .dist-info directory
    rows: tuple[Row, ...] = ()
    has_record: bool = True


@dataclass(frozen=True, slots=True)
class Venv:
    """Everything the checks read, gathered once (:func:`gather`)."""

    prefix: str  # absolute, as given
    real: str  # realpath of the prefix
    cfg: dict[str, str]
    store: str | None
    deep: bool
    probe: Probe  # the answer to the ``env`` probe
    site_dirs: tuple[str, ...] = ()  # venv-relative
    dists: tuple[DistInfo, ...] = ()
    by_path: dict[str, list[Row]] = field(default_factory=dict)
    owned_sorted: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)  # venv-rel link -> realpath of target
    dangling: frozenset[str] = frozenset()
    site_files: tuple[str, ...] = ()  # venv-rel, walked through links
    digests: dict[str, str] = field(default_factory=dict, compare=False)  # a cache

    def abs(self, rel: str) -> str:
        """The absolute path of the venv-relative *rel* (the prefix for ``""``)."""
        return os.path.join(self.prefix, rel) if rel else self.prefix

    def rel(self, path: str) -> str:
        """*path* relative to the prefix (posix) if inside it, else unchanged."""
        for root in (self.prefix, self.real):
            if path == root:
                return ""
            if path.startswith(root + os.sep):
                return path[len(root) + 1 :].replace(os.sep, "/")
        return path

    def owners(self, rel: str) -> tuple[str, ...]:
        """Distributions whose RECORD lists *rel* or anything below it."""
        found = {row.dist for row in self.by_path.get(rel, ())}
        start = bisect.bisect_left(self.owned_sorted, rel + "/")
        for path in self.owned_sorted[start:]:
            if not path.startswith(rel + "/"):
                break
            found.update(row.dist for row in self.by_path[path])
        return tuple(sorted(found))

    def site_of(self, rel: str) -> str | None:
        """The site-packages directory holding the venv-relative *rel*, if any."""
        return next((s for s in self.site_dirs if rel.startswith(s + "/")), None)

    def digest(self, path: str, algorithm: str = "sha256") -> str:
        """A file's digest in RECORD spelling, cached by real path (a store file is read once)."""
        real = os.path.realpath(path)
        key = f"{algorithm}:{real}"
        if key not in self.digests:
            from graft._fs import file_digest  # noqa: PLC0415
            from graft.model.record import record_hash  # noqa: PLC0415

            self.digests[key] = record_hash(algorithm, file_digest(real, algorithm))
        return self.digests[key]


def hash_algorithm(digest: str) -> str:
    """The algorithm of a RECORD digest (``sha256=...``); ValueError when hashlib lacks it."""
    name = digest.partition("=")[0]
    if name not in hashlib.algorithms_available:
        raise ValueError(f"unknown hash {name!r}")
    return name


def gather(prefix: str, deep: bool) -> Venv:
    """Read the venv at the absolute *prefix*; :class:`UsageError` when it is not a venv."""
    if not os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        raise UsageError(
            "not a virtual environment (no pyvenv.cfg)", where=prefix, hint="pass a venv's path"
        )
    probe = probe_env(prefix)
    try:
        cfg = read_pyvenv_cfg(prefix)
    except (OSError, ValueError) as exc:  # (a directory, not UTF-8: a damaged venv)
        why = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 text: {first_line(exc)}"
        raise UsageError(
            f"cannot read its pyvenv.cfg ({why})",
            where=prefix,
            hint="the venv is damaged: make it again (graft sync VENV ..., python -m venv)",
        ) from None
    # the paths and settings first: the facts below are read through them
    venv = Venv(
        prefix=prefix,
        real=os.path.realpath(prefix),
        cfg=cfg,
        store=cfg.get("graft-store") or None,
        deep=deep,
        probe=probe,
    )
    site_dirs = _site_dirs(venv)
    dists = tuple(dist for site in site_dirs for dist in _read_dists(venv, site))
    by_path: dict[str, list[Row]] = {}
    for dist in dists:
        for row in dist.rows:
            by_path.setdefault(row.path, []).append(row)
    links, dangling = find_links(venv)
    return replace(
        venv,
        site_dirs=site_dirs,
        dists=dists,
        by_path=by_path,
        owned_sorted=tuple(sorted(by_path)),
        links=links,
        dangling=dangling,
        site_files=_walk_site(venv, site_dirs),
    )


def _site_dirs(venv: Venv) -> tuple[str, ...]:
    """site-packages directories inside the venv, deduplicated by real path (lib64 -> lib)."""
    paths = venv.probe.env.get("paths") or {}
    candidates = [str(paths[k]) for k in ("purelib", "platlib") if paths.get(k)]
    for lib in ("lib", "lib64"):
        try:
            names = sorted(os.listdir(venv.abs(lib)))
        except OSError:
            continue
        candidates += [os.path.join(venv.abs(lib), n, "site-packages") for n in names]
    out: list[str] = []
    seen: set[str] = set()
    for path in candidates:
        rel = venv.rel(path)
        real = os.path.realpath(path)
        if not os.path.isabs(rel) and os.path.isdir(path) and real not in seen:
            seen.add(real)
            out.append(rel)
    return tuple(out)


def _read_dists(venv: Venv, site: str) -> list[DistInfo]:
    out = []
    base = venv.abs(site)
    for name in sorted(os.listdir(base)):
        if not name.endswith(".dist-info") or not os.path.isdir(os.path.join(base, name)):
            continue
        raw_name, _, version = name[: -len(".dist-info")].rpartition("-")
        canonical = canonicalize_name(raw_name or name)
        dist = DistInfo(f"{canonical}=={version}", canonical, f"{site}/{name}")
        try:
            with open(os.path.join(base, name, "RECORD"), encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
        except (OSError, UnicodeDecodeError, csv.Error):
            out.append(replace(dist, has_record=False))
            continue
        out.append(replace(dist, rows=tuple(_record_rows(venv, base, dist.label, rows))))
    return out


def _record_rows(venv: Venv, base: str, label: str, rows: list[list[str]]) -> list[Row]:
    """RECORD's rows inside the venv, paths relative to the prefix (*base* is site-packages)."""
    out = []
    for row in rows:
        if not row or not row[0]:
            continue
        rel = venv.rel(os.path.normpath(os.path.join(base, row[0])))
        if not rel or os.path.isabs(rel):
            continue  # outside the venv: not ours to check
        digest = row[1] if len(row) > 1 else ""
        size = row[2] if len(row) > 2 else ""  # noqa: PLR2004 - path, hash, size
        out.append(Row(label, rel, digest, int(size) if size.isdigit() else None))
    return out


def _walk_site(venv: Venv, site_dirs: tuple[str, ...]) -> tuple[str, ...]:
    """Files below site-packages (``__pycache__`` skipped).

    Walked through directory links that stay within the allowed roots, each real directory once.
    """
    roots = allowed_roots(venv)
    files: list[str] = []
    seen: set[str] = set()
    pending = list(reversed(site_dirs))
    while pending:
        rel = pending.pop()
        real = os.path.realpath(venv.abs(rel))
        if real in seen or not inside(real, roots):
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(venv.abs(rel)), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            child = f"{rel}/{entry.name}"
            try:
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        pending.append(child)
                elif entry.is_file():
                    files.append(child)
            except OSError:
                continue
    return tuple(files)


def find_links(venv: Venv) -> tuple[dict[str, str], frozenset[str]]:
    """Every symlink in the venv (listed, never entered) with its resolved target.

    Also the dangling ones.
    """
    links: dict[str, str] = {}
    dangling: set[str] = set()
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = list(os.scandir(venv.abs(rel)))
        except OSError:
            continue
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                # a dangling link resolves as far as it can (into a vanished store entry too)
                links[child] = os.path.realpath(entry.path)
                if not os.path.exists(entry.path):
                    dangling.add(child)
            elif entry.is_dir(follow_symlinks=False):
                pending.append(child)
    return links, frozenset(dangling)


def allowed_roots(venv: Venv) -> list[str]:
    """The real directories a link of the venv may resolve into."""
    roots = [venv.real]
    if venv.store:
        roots.append(os.path.realpath(venv.store))
    home = venv.cfg.get("home", "").rstrip("/")
    if home:
        roots.append(os.path.realpath(os.path.dirname(home) or home))
    base = venv.probe.env.get("base_prefix")
    if isinstance(base, str) and base:
        roots.append(os.path.realpath(base))
    return roots


def inside(path: str, roots: list[str]) -> bool:
    """Whether *path* is one of *roots* or below one."""
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)
