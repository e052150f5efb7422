"""Per-set knowledge and the session-wide cache of built environments."""

from __future__ import annotations

import os
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from installer.sources import WheelFile
from packaging.utils import canonicalize_name

from .venvs import (
    GraftRun,
    Venv,
    build_flat_reference,
    build_uv_reference,
    graft_sync_args,
    metadata_name,
    open_venv,
    run_graft,
)
from .wheelcache import (
    TARGET_PYTHON_VERSION,
    WheelSet,
    corpus_dir,
    ensure_wheels,
    set_files,
    set_name,
)


@dataclass(frozen=True)
class SetSpec:
    """What the generic comparisons need to know about one corpus set."""

    # Namespace / merged packages: every direct child (pkgutil.iter_modules) is imported too.
    expand: tuple[str, ...] = ()
    # Scripts run with ``--help`` in both venvs (must exit 0).
    help_scripts: tuple[str, ...] = ()


SPECS: dict[str, SetSpec] = {
    "abi3": SetSpec(expand=("cryptography.hazmat.bindings",)),
    "airflow": SetSpec(
        expand=("airflow.providers", "airflow.providers.common"),
        help_scripts=("normalizer", "alembic", "fastapi"),
    ),
    "azure-mgmt": SetSpec(
        expand=("azure", "azure.mgmt", "azure.keyvault", "azure.storage"),
        help_scripts=("normalizer",),
    ),
    "azure": SetSpec(
        expand=("azure", "azure.core.tracing", "azure.core.tracing.ext"),
        help_scripts=("normalizer", "cffi-gen-src"),
    ),
    "google-protobuf": SetSpec(expand=("google", "google.protobuf")),
    "jaraco": SetSpec(expand=("jaraco",)),
    "jwt": SetSpec(expand=("jwt",), help_scripts=("cffi-gen-src",)),
    "nvidia": SetSpec(expand=("nvidia", "nvidia.cu13")),
    "zope": SetSpec(expand=("zope", "zope.interface", "zope.security")),
    "xds-otel": SetSpec(expand=("opentelemetry", "google", "xds", "udpa")),
}


def spec_for(set_file: Path) -> SetSpec:
    return SPECS.get(set_name(set_file), SetSpec())


def corpus_params(only: tuple[str, ...] = ()) -> list[object]:
    """One ``pytest.param`` per corpus set (grouped per set for ``--dist loadgroup``).

    The sets are committed in ``tests/corpus``: a missing directory or set is an error, never a
    skip (a clone without ``../shared`` runs every e2e test).
    """
    directory = corpus_dir()
    files = [f for f in set_files(directory) if not only or set_name(f) in only]
    missing = set(only) - {set_name(f) for f in files}
    if not files or missing:
        wanted = ", ".join(sorted(missing)) if missing else "seed-*.txt"
        msg = f"no corpus set {wanted} in {directory}"
        raise pytest.UsageError(msg)
    return [
        pytest.param(f, id=set_name(f), marks=pytest.mark.xdist_group(f"e2e-{set_name(f)}"))
        for f in files
    ]


# --------------------------------------------------------------------------------------
# What the wheels themselves say


@dataclass(frozen=True)
class Collision:
    path: str  # site-packages-relative for the root scheme, else prefix-relative
    winner: str  # normalized names
    losers: frozenset[str]


def _install_location(path: str, data_dir: str, dist: str) -> str:
    """Where a wheel member lands: site-packages-relative, or ``{prefix}/...`` for .data."""
    if not path.startswith(data_dir + "/"):
        return path
    _, scheme, rest = path.split("/", 2)
    if scheme in ("purelib", "platlib"):
        return rest
    if scheme == "scripts":
        return f"{{prefix}}/bin/{rest}"
    if scheme == "headers":
        return f"{{prefix}}/include/site/python{TARGET_PYTHON_VERSION}/{dist}/{rest}"
    return f"{{prefix}}/{rest}"


def wheel_members(wheel: Path) -> Iterator[tuple[str, bytes]]:
    """(install location, bytes) of each non-dist-info file of a wheel."""
    with WheelFile.open(wheel) as source, zipfile.ZipFile(wheel) as zf:
        data_dir = source.data_dir
        for info in zf.infolist():
            if info.is_dir() or info.filename.startswith(source.dist_info_dir + "/"):
                continue
            yield (
                _install_location(info.filename, data_dir, metadata_name(source)),
                zf.read(info),
            )


def expected_collisions(wheel_set: WheelSet) -> dict[str, Collision]:
    """Paths shipped by several wheels with different bytes; the last normalized name wins."""
    shipped: dict[str, dict[str, bytes]] = {}
    for wheel in wheel_set.wheels:
        with WheelFile.open(wheel) as source:
            dist = canonicalize_name(source.distribution)
        for location, data in wheel_members(wheel):
            shipped.setdefault(location, {})[dist] = data
    collisions = {}
    for location, by_dist in shipped.items():
        if len(by_dist) > 1 and len(set(by_dist.values())) > 1:
            winner = max(by_dist)
            collisions[location] = Collision(location, winner, frozenset(by_dist) - {winner})
    return collisions


def member_bytes(wheel_set: WheelSet, dist: str, location: str) -> bytes:
    for wheel in wheel_set.wheels:
        with WheelFile.open(wheel) as source:
            if canonicalize_name(source.distribution) != canonicalize_name(dist):
                continue
        for loc, data in wheel_members(wheel):
            if loc == location:
                return data
    raise KeyError(f"{dist} ships no {location}")


def wheel_top_level(wheel_set: WheelSet, dist: str) -> list[str]:
    for wheel in wheel_set.wheels:
        with WheelFile.open(wheel) as source:
            if canonicalize_name(source.distribution) == canonicalize_name(dist):
                text = source.read_dist_info("top_level.txt")
                return [line.strip() for line in text.splitlines() if line.strip()]
    raise KeyError(dist)


def wheel_metadata_name(wheel: Path) -> str:
    with WheelFile.open(wheel) as source:
        return metadata_name(source)


# --------------------------------------------------------------------------------------
# Session cache of built environments


@dataclass
class GraftBuild:
    run: GraftRun
    venv: Venv | None  # None when the sync failed


@dataclass
class DryRun:
    run: GraftRun
    venv: Path  # did not exist before
    store_changes: list[str]  # store entries added, removed or modified by the dry run


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` (links not followed): mode, size, mtime of files."""
    entries: dict[str, tuple[int, int, int]] = {}
    if not root.exists():
        return entries
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            # Directory mtimes move when a lock file comes and goes; only existence counts.
            entries[os.path.relpath(os.path.join(dirpath, name), root)] = (0, 0, 0)
        for name in filenames:
            if name.endswith(".lock"):  # lock files (flock leaves them behind)
                continue
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            entries[os.path.relpath(full, root)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return entries


@dataclass
class CorpusEnvs:
    """Builds each set's environments at most once per session (per xdist worker)."""

    factory: pytest.TempPathFactory
    store: Path
    graft_cache: Path  # GRAFT_CACHE_DIR of every graft run
    _wheels: dict[str, WheelSet] = field(default_factory=dict)
    _flat: dict[str, Venv] = field(default_factory=dict)
    _uv: dict[str, Venv] = field(default_factory=dict)
    _graft: dict[str, GraftBuild] = field(default_factory=dict)
    _homes: dict[str, Path] = field(default_factory=dict)
    _collisions: dict[str, dict[str, Collision]] = field(default_factory=dict)
    _dry_runs: dict[str, DryRun] = field(default_factory=dict)

    def dry_run(self, set_file: Path) -> DryRun:
        """``graft sync --dry-run --json`` into a fresh venv path, once per set.

        After the set's own sync (:meth:`graft`), whichever test ran first on this worker: a dry
        run plans only from a store that holds every wheel (decision 149), and must touch neither
        it nor the venv.
        """
        name = set_name(set_file)
        if name not in self._dry_runs:
            self.graft(set_file)
            venv_path = self.factory.mktemp(f"dry-run-{name}") / "venv"
            before = snapshot(self.store)
            args = graft_sync_args(venv_path, self.wheels(set_file), self.store)
            run = run_graft(*args, "--dry-run", "--json", cache_dir=self.graft_cache)
            after = snapshot(self.store)
            changed = sorted(before.keys() ^ after.keys())
            changed += sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
            self._dry_runs[name] = DryRun(run, venv_path, changed)
        return self._dry_runs[name]

    def collisions(self, set_file: Path) -> dict[str, Collision]:
        name = set_name(set_file)
        if name not in self._collisions:
            self._collisions[name] = expected_collisions(self.wheels(set_file))
        return self._collisions[name]

    def wheels(self, set_file: Path) -> WheelSet:
        name = set_name(set_file)
        if name not in self._wheels:
            self._wheels[name] = ensure_wheels(set_file)
        return self._wheels[name]

    def flat(self, set_file: Path) -> Venv:
        name = set_name(set_file)
        if name not in self._flat:
            root = self.factory.mktemp(f"flat-{name}")
            self._flat[name] = build_flat_reference(root / "venv", self.wheels(set_file))
        return self._flat[name]

    def uv(self, set_file: Path) -> Venv:
        name = set_name(set_file)
        if name not in self._uv:
            root = self.factory.mktemp(f"uv-{name}")
            self._uv[name] = build_uv_reference(
                root / "venv", self.wheels(set_file), root / "uv-cache"
            )
        return self._uv[name]

    def graft_build(self, set_file: Path) -> GraftBuild:
        name = set_name(set_file)
        if name not in self._graft:
            venv_path = self.factory.mktemp(f"graft-{name}") / "venv"
            args = graft_sync_args(venv_path, self.wheels(set_file), self.store)
            try:
                run = run_graft(*args, cache_dir=self.graft_cache)
            except subprocess.TimeoutExpired as exc:
                run = GraftRun(
                    list(map(str, exc.cmd)), -1, "", f"timed out after {exc.timeout}s", 0
                )
            venv = None
            if run.returncode == 0 and (venv_path / "bin" / "python").exists():
                venv = open_venv(venv_path)
            self._graft[name] = GraftBuild(run, venv)
        return self._graft[name]

    def graft(self, set_file: Path) -> Venv:
        """The set's graft venv, or fail the calling test if ``graft sync`` did not make one."""
        build = self.graft_build(set_file)
        if build.venv is None:
            pytest.fail(
                f"graft sync failed for {set_name(set_file)} (see test_graft_sync):\n"
                f"{build.run.describe()[-3000:]}",
                pytrace=False,
            )
        return build.venv

    def env(self, venv: Venv) -> dict[str, str]:
        """Environment for running a venv's interpreter or scripts: no PYTHON*/PIP*/venv
        leakage from the test process, and a private AIRFLOW_HOME per venv.
        """
        key = str(venv.prefix)
        if key not in self._homes:
            self._homes[key] = self.factory.mktemp("airflow-home")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV", "CONDA", "UV_"))
        }
        env["AIRFLOW_HOME"] = str(self._homes[key])
        env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
        env["NO_COLOR"] = "1"
        env["COLUMNS"] = "100"
        env["TERM"] = "dumb"
        return env

    def python(self, venv: Venv, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv.python), "-c", code],
            env=self.env(venv),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            stdin=subprocess.DEVNULL,
            cwd=venv.prefix.parent,
        )
