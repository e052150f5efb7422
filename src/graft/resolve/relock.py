"""What ``graft lock`` reads besides requirements: wheels named by path or URL, and locks.

- A **wheel named by path or URL** (``./dist/app-1.0-py3-none-any.whl``,
  ``app @ https://…/app-1.0-py3-none-any.whl``) is the only file of its project in every
  environment, as in ``graft sync``: the resolver is asked for ``name==version`` and finds
  that file alone, with its own METADATA. It is written to the lock as a wheel with its
  ``url`` or its ``path`` (relative to the lock), its sha256 and size.
- A **lock file** (``pylock.toml``) given as input is **re-locked**: in each environment,
  the packages the lock selects there (``packaging.pylock``'s ``select``, with the extras and
  dependency groups asked for) become pins ``name==version``, restricted to the lock's
  sha256 for that environment, so the same files are chosen where the index still serves
  them; a wheel the lock names by path, or as a ``[packages.archive]`` by URL, is a direct
  file. A release with variant wheels is read with the lock's variant chooser and pinned to
  every wheel the lock lists for it (those by path found in their directories, as
  find-links), so each variant choice is locked again. An environment
  the lock does not cover (its ``environments``, ``requires-python``, or no wheel for its
  tags) is left out with a warning.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from graft.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from graft.model.requirements import Inputs, Wanted
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.environments import Environment
    from graft.sources.pylock_variants import LockedVariants


def direct_files(wanted: Iterable[Wanted]) -> dict[str, ArtifactFile]:
    """The wheels named by path or URL, by project; one file per project in a lock."""
    from graft.resolve.inputs import direct_file  # noqa: PLC0415

    out: dict[str, ArtifactFile] = {}
    for w in wanted:
        file = direct_file(w)
        if file is None:
            continue
        before = out.setdefault(w.name, file)
        if before.url != file.url:
            raise UsageError(
                f"two wheels of {w.name} are named ({before.filename}, {file.filename});"
                " a lock takes one file per project named by path or URL",
                where=w.where,
                hint="put the wheels in a directory and pass --find-links DIR",
            )
    return out


class Relock:
    """The pins that lock files give each environment."""

    def __init__(
        self,
        locks: Collection[str],
        extras: Collection[str],
        groups: Collection[str] | None,
        variants: LockedVariants | None = None,
        *,
        all_extras: bool = False,
    ) -> None:
        self.locks = tuple(locks)
        self.picks: Inputs | None = None  # pip's spellings of a lock's selection (decision 498)
        self.extras = tuple(extras)
        self.all_extras = all_extras  # --all-extras: every extra a lock declares
        self.groups = groups
        self.variants = variants  # the lock's variant chooser: a locked variant wheel is read
        self._by_env: dict[str, list[Wanted]] = {}  # each environment's selection, read once
        self._scanned: _Scan | None = None

    def picking(self, inputs: Inputs) -> Relock:
        """Itself, reading pip's ``-r 'pylock.toml[x]'`` and ``--group pylock.toml:g`` of *inputs*.

        Such a ``--group`` is its lock's alone, not every lock's (decision 498).
        """
        if inputs.pylock_picks:
            from graft.sources.pylock_spellings import lock_group  # noqa: PLC0415

            self.picks = inputs
            kept = tuple(g for g in self.groups or () if lock_group(g) is None)
            self.groups = kept or None
        return self

    def _selected(self, env: Environment) -> list[Wanted]:
        from graft.sources.pylock import read_pylock  # noqa: PLC0415

        known = self._by_env.get(env.label)
        if known is None:
            known = []
            for path in self.locks:
                extras, groups, defaults = self.extras, self.groups, False
                if self.picks is not None and self.picks.pylock_picks:
                    from graft.sources.pylock_spellings import selection  # noqa: PLC0415

                    extras, groups, defaults = selection(
                        path, self.extras, tuple(self.groups or ()), self.picks
                    )
                known += read_pylock(
                    path,
                    env.target,
                    extras,
                    groups,
                    variants=self.variants,
                    all_extras=self.all_extras,
                    default_groups=defaults,
                )
            self._by_env[env.label] = known
        return known

    def _scan(self) -> _Scan:
        """What the locks' packages are, beyond what ``read_pylock`` selects (read once)."""
        if self._scanned is None:
            self._scanned = _scan(self.locks)
        return self._scanned

    def _direct(self, wanted: Wanted) -> bool:
        """Whether a lock names *wanted*'s wheel itself: by path, or as an archive by URL.

        A ``[packages.archive]`` wheel is one file by URL, on no index: it stays that file,
        locked as a wheel named by URL is.
        """
        if (wanted.name, wanted.version) in self._scan().variants:
            return False  # every variant of it is locked again, from where its files are
        if wanted.path is not None:
            return True
        if wanted.url is None or not (wanted.filename or "").endswith(".whl"):
            return False
        return (wanted.name, wanted.version) in self._scan().archives

    def markers(self) -> list[str]:
        """The markers of the locks' packages and environments (bounds: decisions 153, 157)."""
        return list(self._scan().markers) if self.locks else []

    def find_links(self) -> list[str]:
        """The directories of the variant wheels the locks name by path, to find them in."""
        return list(self._scan().variant_dirs) if self.locks else []

    def paths(self, envs: Iterable[Environment]) -> list[Wanted]:
        """Every wheel a lock names by path (or as an archive), in any environment it covers."""
        from graft.errors import SourceError  # noqa: PLC0415

        out: dict[str, Wanted] = {}
        if not self.locks:
            return []
        for env in envs:
            try:
                selected = self._selected(env)
            except SourceError:
                continue  # not covered: pins() says so for that environment
            out.update({str(w.path or w.url): w for w in selected if self._direct(w)})
        return list(out.values())

    def pins(self, env: Environment) -> list[Wanted]:
        """The lock's packages for *env* as pins (a path wheel stays its file).

        Raises :class:`~graft.errors.SourceError` when a lock does not cover *env*.
        """
        if not self.locks:
            return []
        variants = self._scan().variants
        return [
            w if self._direct(w) else _pinned(w, variants.get((w.name, w.version)))
            for w in self._selected(env)
        ]


def _pinned(wanted: Wanted, release: frozenset[str] | None = None) -> Wanted:
    """An index's file the lock chose: pinned by version and the lock's sha256.

    *release*: the sha256 of every wheel the lock lists for a release with variant wheels:
    each is allowed, so that every variant choice is locked again (decision 43), not only
    the one this machine would install.
    """
    pinned = f"=={wanted.version}" if wanted.version else ""
    hashes = wanted.hashes | release if release else wanted.hashes
    return dataclasses.replace(
        wanted, url=None, filename=None, size=None, specifier=pinned, hashes=hashes
    )


@dataclasses.dataclass(frozen=True)
class _Scan:
    archives: frozenset[tuple[str, str | None]]  # (name, version) locked as an archive
    variants: dict[tuple[str, str | None], frozenset[str]]  # a variant release's wheels' sha256
    variant_dirs: tuple[str, ...]  # where a variant release's wheels by path are
    markers: tuple[str, ...] = ()  # the packages' markers, and the lock's environments


def _scan(locks: Iterable[str]) -> _Scan:
    """The archives and the variant releases of *locks* (their TOML, read again)."""
    from graft._toml import load_toml  # noqa: PLC0415
    from graft.model.wheelname import split_variant_label  # noqa: PLC0415

    archives: set[tuple[str, str | None]] = set()
    variants: dict[tuple[str, str | None], frozenset[str]] = {}
    dirs: dict[str, None] = {}
    markers: dict[str, None] = {}
    for path in locks:
        base = os.path.dirname(os.path.abspath(path))
        data = load_toml(path)
        # (a series the lock covers from a later release on: decision 157)
        markers.update(
            dict.fromkeys(m for m in data.get("environments") or () if isinstance(m, str))
        )
        for package in data.get("packages", []):
            if not isinstance(package, dict):
                continue
            key = (canonicalize_name(str(package.get("name", ""))), package.get("version"))
            if isinstance(package.get("marker"), str):
                markers[package["marker"]] = None
            if "archive" in package:
                archives.add(key)
            wheels = [w for w in package.get("wheels") or () if isinstance(w, dict)]
            labelled = any(
                isinstance(w.get("name"), str) and split_variant_label(w["name"])[1] is not None
                for w in wheels
            )
            if labelled or "variants-json" in package:
                shas = {f"sha256:{(w.get('hashes') or {}).get('sha256')}" for w in wheels}
                variants[key] = variants.get(key, frozenset()) | {
                    h for h in shas if h != "sha256:None"
                }
                wheel_paths = [w["path"] for w in wheels if isinstance(w.get("path"), str)]
                dirs.update(
                    dict.fromkeys(os.path.dirname(os.path.join(base, p)) for p in wheel_paths)
                )
    return _Scan(frozenset(archives), variants, tuple(dirs), tuple(markers))
