"""``graft bench``: start-up time of a venv against a flat copy of itself, and its layout.

The flat copy is made in a fresh temporary directory: the venv's tree copied with every link
that leaves the venv dereferenced (files and directories copied, modes and mtimes kept, so
bytecode stays valid), links within the venv (``lib64 -> lib``) and ``bin/python*`` kept as
they are, so the copy runs the same base interpreter. For timing this is equivalent to the venv
``graft sync --link-mode copy`` builds: the same files at the same places, none behind a link.
The copy's ``pyvenv.cfg`` stays valid (its ``home`` is the base interpreter); scripts' shebangs
still name the original venv, which does not matter for timing. The copy is removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from typing import Any

from graft.errors import GraftError, UsageError

_PATH_PROBE = (
    "import json, sys\n"
    "print(json.dumps([p for p in sys.path if p]))\n"  # -c puts '' first
)
_IMPORT_PROBE = (
    "import importlib, json, sys\n"
    "failed = []\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except BaseException:\n"
    "        failed.append(name)\n"
    "print(json.dumps(failed))\n"
)


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall-clock seconds of one command in one venv, one sample per run."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median sample."""
        return statistics.median(self.samples)

    def to_dict(self) -> dict[str, Any]:
        """The timing as a JSON object: median, min, max and every sample."""
        return {
            "median": self.median,
            "min": min(self.samples),
            "max": max(self.samples),
            "samples": list(self.samples),
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """One command timed in the venv and in the flat copy, runs interleaved."""

    name: str
    code: str
    graft: Timing
    flat: Timing

    @property
    def ratio_median(self) -> float:
        """Median of the per-run ratios venv/flat."""
        pairs = zip(self.graft.samples, self.flat.samples, strict=True)
        return statistics.median(a / b for a, b in pairs)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as a JSON object: the code run, both timings and the median ratio."""
        return {
            "code": self.code,
            "graft": self.graft.to_dict(),
            "flat": self.flat.to_dict(),
            "ratio_median": self.ratio_median,
        }


@dataclass(frozen=True, slots=True)
class PathQuality:
    """sys.path as the venv's interpreter reports it (the leading '' of ``-c`` dropped)."""

    entries: int
    site_packages_roots: int
    duplicate_realpaths: int
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """What is on disk in the venv against what it serves."""

    fs_entries: int  # files + links + directories, links not followed
    files_served: int  # regular files reachable through links, __pycache__ skipped
    bytes_venv: int  # st_blocks * 512 of everything in the venv, links not followed
    bytes_behind_links: int  # st_blocks * 512 of what links out of the venv lead to


@dataclass(frozen=True, slots=True)
class BenchReport:
    """What ``graft bench`` reports: timings against the flat copy, sys.path and layout."""

    venv: str
    flat_copy: str  # removed once the report exists
    runs: int
    modules: tuple[str, ...]
    skipped_modules: tuple[str, ...]
    comparisons: tuple[Comparison, ...]
    sys_path: PathQuality
    flat_sys_path: PathQuality
    pth_files: tuple[str, ...]
    layout: Layout

    @property
    def same_sys_path(self) -> bool:
        """Equal sys.path once each prefix is spelled ``$VENV``."""
        mine = [p.replace(self.venv, "$VENV") for p in self.sys_path.paths]
        theirs = [p.replace(self.flat_copy, "$VENV") for p in self.flat_sys_path.paths]
        return mine == theirs

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "venv": self.venv,
            "flat_copy": self.flat_copy,
            "runs": self.runs,
            "modules": list(self.modules),
            "skipped_modules": list(self.skipped_modules),
            "timings": {c.name: c.to_dict() for c in self.comparisons},
            "sys_path": {
                "graft": asdict(self.sys_path),
                "flat": asdict(self.flat_sys_path),
                "same": self.same_sys_path,
            },
            "pth_files": {"count": len(self.pth_files), "names": list(self.pth_files)},
            "layout": asdict(self.layout),
        }

    def to_json(self) -> str:
        """The report as indented JSON, keys sorted."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


def bench_venv(venv: str, runs: int = 20) -> BenchReport:
    """Measure *venv* against a flat copy of it; :class:`UsageError` when it is not a venv."""
    prefix = os.path.abspath(venv)
    if not os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        raise UsageError("not a virtual environment (no pyvenv.cfg)", where=prefix)
    if runs < 1:
        raise UsageError("--runs must be at least 1")
    python = _python(prefix)
    sys_path = path_quality(python)
    layout = measure_layout(prefix)
    pth = tuple(
        sorted(n for s in _site_dirs(prefix, sys_path) for n in os.listdir(s) if n.endswith(".pth"))
    )
    candidates = module_names(_site_dirs(prefix, sys_path))
    tmp = tempfile.mkdtemp(prefix="graft-bench-")
    flat = os.path.join(tmp, "venv")
    try:
        flat_copy(prefix, flat)
        flat_python = _python(flat)
        flat_sys_path = path_quality(flat_python)
        skipped = tuple(_run_json(flat_python, _IMPORT_PROBE, *candidates)) if candidates else ()
        modules = tuple(n for n in candidates if n not in skipped)
        codes = [("startup", "pass")]
        if modules:
            codes.append(("import", "import " + ", ".join(modules)))
        comparisons = tuple(_compare(name, code, python, flat_python, runs) for name, code in codes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return BenchReport(
        prefix, flat, runs, modules, skipped, comparisons, sys_path, flat_sys_path, pth, layout
    )


def flat_copy(src: str, dst: str) -> None:
    """Copy the venv *src* to *dst* with every link out of the venv dereferenced."""
    root = os.path.realpath(src)
    _copy_dir(src, dst, root, (root,), "")


def _copy_dir(src: str, dst: str, root: str, stack: tuple[str, ...], rel: str) -> None:
    os.mkdir(dst)
    for entry in os.scandir(src):
        s, d = entry.path, os.path.join(dst, entry.name)
        if entry.is_symlink():
            target = os.path.realpath(s)
            interpreter = rel == "bin" and entry.name.startswith("python")
            if interpreter or not os.path.exists(s) or _inside(target, root):
                link = os.readlink(s)
                if os.path.isabs(link) and _inside(target, root):
                    link = os.path.relpath(target, os.path.dirname(os.path.realpath(s)))
                os.symlink(link, d)
                continue
        if entry.is_dir():
            real = os.path.realpath(s)
            if real in stack:
                raise GraftError("a directory link loops", where=s)
            _copy_dir(s, d, root, (*stack, real), f"{rel}/{entry.name}".lstrip("/"))
        else:
            shutil.copy2(s, d)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _python(prefix: str) -> str:
    python = os.path.join(prefix, "bin", "python")
    if not os.path.exists(python):
        raise GraftError("the venv has no working bin/python", where=prefix)
    return python


def _run_json(python: str, code: str, *args: str) -> Any:
    proc = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise GraftError(f"the interpreter failed: {last}", where=python)
    return json.loads(proc.stdout)


def path_quality(python: str) -> PathQuality:
    """The sys.path *python* reports, with its site-packages roots and duplicate real paths."""
    paths = tuple(str(p) for p in _run_json(python, _PATH_PROBE))
    reals = [os.path.realpath(p) for p in paths]
    roots = {
        r
        for r, p in zip(reals, paths, strict=True)
        if p.rstrip("/").endswith(("site-packages", "dist-packages"))
    }
    return PathQuality(len(paths), len(roots), len(reals) - len(set(reals)), paths)


def _site_dirs(prefix: str, quality: PathQuality) -> list[str]:
    """The site-packages directories on sys.path that are inside the venv."""
    real = os.path.realpath(prefix)
    out: list[str] = []
    for path in quality.paths:
        if os.path.basename(path.rstrip("/")) != "site-packages" or not os.path.isdir(path):
            continue
        if (_inside(path, prefix) or _inside(os.path.realpath(path), real)) and path not in out:
            out.append(path)
    return out


def module_names(site_dirs: list[str]) -> tuple[str, ...]:
    """Top-level import names.

    Every dist-info's top_level.txt if all have one, else the entries of site-packages
    (packages, modules, extension modules).
    """
    names: set[str] = set()
    entries: set[str] = set()
    complete = True
    for site in site_dirs:
        for name in os.listdir(site):
            path = os.path.join(site, name)
            if name.endswith(".dist-info"):
                try:
                    with open(os.path.join(path, "top_level.txt"), encoding="utf-8") as fh:
                        names.update(line.strip() for line in fh)
                except OSError:
                    complete = False
            elif os.path.isdir(path):
                entries.add(name)
            elif name.endswith((".py", ".so", ".pyd")):
                entries.add(name.split(".")[0])
    chosen = names if complete and names else entries
    return tuple(sorted(n for n in chosen if n.isidentifier() and n != "__pycache__"))


def measure_layout(prefix: str) -> Layout:
    """The venv's on-disk size against what its links lead to."""
    root = os.path.realpath(prefix)
    entries = bytes_venv = 0
    behind: list[str] = []
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(prefix):
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            entries += 1
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                bytes_venv += st.st_blocks * 512
            if os.path.islink(path) and not _inside(os.path.realpath(path), root):
                interpreter = os.path.basename(dirpath) == "bin" and name.startswith("python")
                if not interpreter and os.path.exists(path):
                    behind.append(os.path.realpath(path))
    st = os.lstat(prefix)
    bytes_venv += st.st_blocks * 512
    return Layout(entries, _files_served(prefix, root), bytes_venv, _bytes_of(behind))


def _files_served(prefix: str, root: str) -> int:
    """Regular files reachable from the venv, following links (but not those back into it)."""
    count = 0
    pending = [prefix]
    seen: set[str] = set()
    while pending:
        path = pending.pop()
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        for entry in os.scandir(path):
            if entry.is_symlink() and _inside(os.path.realpath(entry.path), root):
                continue  # an alias inside the venv (lib64 -> lib)
            if entry.is_dir():
                if entry.name != "__pycache__":
                    pending.append(entry.path)
            elif entry.is_file():
                count += 1
    return count


def _bytes_of(targets: list[str]) -> int:
    """st_blocks * 512 of the files and trees *targets* name, each inode once."""
    paths = list(targets)
    for target in targets:
        if os.path.isdir(target):
            for dirpath, dirnames, filenames in os.walk(target):
                paths += [os.path.join(dirpath, n) for n in [*dirnames, *filenames]]
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in paths:
        st = os.lstat(path)
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def _time(python: str, code: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run([python, "-c", code], capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        raise GraftError(f"python -c {code!r} failed: {last}", where=python)
    return elapsed


def _compare(name: str, code: str, python: str, flat_python: str, runs: int) -> Comparison:
    """One unrecorded warm-up each (bytecode, page cache), then A B A B ... over *runs*."""
    _time(python, code)
    _time(flat_python, code)
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        mine.append(_time(python, code))
        theirs.append(_time(flat_python, code))
    return Comparison(name, code, Timing(tuple(mine)), Timing(tuple(theirs)))
