"""Benchmark `graft sync` against `uv pip install` (hardlink and symlink modes) and pip.

One run prepares everything it needs (wheels, uv cache, graft store), times each command as a
fresh process into a brand-new directory, alternating the commands round by round, and writes a
JSON result plus the regenerated `docs/benchmarks.md` and `docs/benchmarks-sync.png`.

See benchmarks/README.md for how to run it and docs/benchmarks.md for the method.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SETS_DIR = HERE / "sets"
DOCS_MD = REPO / "docs" / "benchmarks.md"
DOCS_PNG = REPO / "docs" / "benchmarks-sync.png"
DEFAULT_OUT = HERE / "results" / "bench_sync.json"
DEFAULT_SETS = ("small", "medium", "airflow")
PIP_SET = "medium"  # the copying baseline (pip) is timed on this set only
TARGET_SET = "medium"  # the set the "graft <= 0.5x uv" target is stated for
TARGET_RATIO = 0.5
SCHEMA = 1
# A mass delete makes inode allocation slow for about a minute on the reference machine (ext4,
# no journal); wait this long after our own deletes before timing anything.
DEFAULT_SETTLE_S = 75.0
# Longest symlink target ext4 stores inside the inode ("fast symlink"); longer needs a block.
FAST_SYMLINK_MAX = 59
# Another job using more than this many cores (of 2 on the reference machine) makes a phase noisy.
BUSY_CORES = 0.25
IDLE_PROBE_S = 2.0
IDLE_RETRY_S = 8.0
DEFAULT_IDLE_WAIT_S = 300.0
# pip does not expand manylinux_2_28 to the older manylinux tags it implies: list them.
PLATFORMS = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)
# Environment variables of the caller that would change what pip/uv/graft do.
PIP_KEEP = frozenset({"PIP_CERT", "PIP_CLIENT_CERT", "PIP_DEFAULT_TIMEOUT"})
DROP_VARS = frozenset(
    {"VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}
)

# Command keys, in the order they alternate within a round.
GRAFT = "graft"
UV_HARDLINK = "uv-hardlink"
UV_SYMLINK = "uv-symlink"
PIP = "pip"
LABELS = {
    GRAFT: "graft sync",
    UV_HARDLINK: "uv (hardlink)",
    UV_SYMLINK: "uv (symlink)",
    PIP: "pip --no-compile",
}
PLOT_LABELS = {**LABELS, PIP: "pip --no-compile (own rounds)"}
RATIO_PAIRS = {
    "create": ((GRAFT, UV_HARDLINK), (GRAFT, UV_SYMLINK), (UV_SYMLINK, UV_HARDLINK)),
    "pip": ((GRAFT, PIP), (PIP, UV_HARDLINK)),
    "prescribed": ((GRAFT, UV_HARDLINK),),
    "resync": ((GRAFT, UV_HARDLINK),),
    "overhead": (),
}
# Fixed costs, timed once per run (not per set): what any graft or uv command pays up front.
PY_START = "python-start"
GRAFT_HELP = "graft-help"
UV_VENV = "uv-venv"
OVERHEAD = "_overhead"  # pseudo set name of that phase

Argv = list[str]
ArgvFor = Callable[[str], Argv]


class BenchError(RuntimeError):
    pass


# --------------------------------------------------------------------------- small helpers


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(script: str, *args: str) -> Argv:
    """argv running `script` under /bin/sh with positional parameters $1.. = args."""
    return ["/bin/sh", "-c", script, "sh", *args]


def capture(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run argv and return its stripped stdout; raise BenchError with stderr on failure."""
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BenchError(f"`{shlex.join(argv)}` exited {proc.returncode}: {tail(proc.stderr)}")
    return proc.stdout.strip()


def tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) if kept else "(no output)"


def read_set(path: Path) -> list[str]:
    reqs = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            reqs.append(line)
    return reqs


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Tools:
    python: str  # target interpreter (real path, not a shim)
    py_version: str  # "3.11"
    graft: Argv  # how graft is started, e.g. [".venv/bin/graft"] or [python, "-m", "graft"]
    uv: str
    pip: Argv  # [dev python, "-m", "pip"]
    graft_python: Argv  # the interpreter graft runs on (this script's), for the start-up floor


@dataclass(frozen=True)
class Paths:
    cache: Path  # wheels live here, shared by all work dirs
    work: Path  # uv cache, graft store, venvs
    stamp: str

    @property
    def uv_cache(self) -> Path:
        return self.work / "uvcache"

    @property
    def store(self) -> Path:
        return self.work / "store"

    @property
    def pycache(self) -> Path:
        return self.work / "pycache"

    @property
    def runs(self) -> Path:
        return self.work / "runs" / self.stamp

    @property
    def settle_marker(self) -> Path:
        return self.work / "last-delete"

    def wheels(self, name: str) -> Path:
        return self.cache / "wheels" / name


def bench_env(paths: Paths, tools: Tools) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DROP_VARS
        and not key.startswith(("UV_", "GRAFT_"))
        and (not key.startswith("PIP_") or key in PIP_KEEP)
    }
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "UV_NO_CONFIG": "1",
            "UV_CACHE_DIR": str(paths.uv_cache),
            "UV_PYTHON": tools.python,
            "UV_PYTHON_DOWNLOADS": "never",
            # Tools run from warm bytecode, as after a normal install, but the bytecode of graft's
            # own (editable) sources goes to the work dir, not into the source tree.
            "PYTHONPYCACHEPREFIX": str(paths.pycache),
        }
    )
    return env


# --------------------------------------------------------------------------- commands


def graft_argv(tools: Tools, paths: Paths, reqs: Path, wheels: Path, dest: str) -> Argv:
    return [
        *tools.graft,
        "sync",
        dest,
        "-r",
        str(reqs),
        "--python",
        tools.python,
        "--no-deps",
        "--no-index",
        "--find-links",
        str(wheels),
        "--store",
        str(paths.store),
        "-q",
    ]


def uv_script(mode: str, *, remove_first: bool = False, create: bool = True) -> str:
    prefix = 'rm -rf "$2" && ' if remove_first else ""
    venv = '"$1" venv -q "$2" && ' if create else ""
    return (
        f'{prefix}{venv}exec "$1" pip install --offline -q --no-deps --no-index'
        f' --link-mode {mode} --find-links "$3" --python "$2/bin/python" -r "$4"'
    )


def command_set(tools: Tools, paths: Paths, name: str, form: str) -> dict[str, ArgvFor]:
    """The timed commands for one set and form, as functions of the destination venv path."""
    reqs = str(SETS_DIR / f"{name}.txt")
    wheels = str(paths.wheels(name))

    def graft(dest: str) -> Argv:
        argv = graft_argv(tools, paths, Path(reqs), Path(wheels), dest)
        if form == "prescribed":
            return sh('rm -rf "$1" && shift && exec "$@"', dest, *argv)
        return argv

    def uv(mode: str) -> ArgvFor:
        def make(dest: str) -> Argv:
            script = uv_script(mode, remove_first=form == "prescribed", create=form != "resync")
            return sh(script, tools.uv, dest, wheels, reqs)

        return make

    def pip(dest: str) -> Argv:
        script = '"$1" -m venv --without-pip "$2" && shift 2 && exec "$@"'
        return sh(
            script,
            tools.python,
            dest,
            *tools.pip,
            "--python",
            f"{dest}/bin/python",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--no-compile",
            "--find-links",
            wheels,
            "-r",
            reqs,
        )

    if form == "overhead":
        return {
            PY_START: lambda _dest: [*tools.graft_python, "-c", "pass"],
            GRAFT_HELP: lambda _dest: [*tools.graft, "sync", "--help"],
            UV_VENV: lambda dest: [tools.uv, "venv", "-q", dest],
        }
    if form == "create":
        return {GRAFT: graft, UV_HARDLINK: uv("hardlink"), UV_SYMLINK: uv("symlink")}
    if form == "pip":
        return {GRAFT: graft, UV_HARDLINK: uv("hardlink"), PIP: pip}
    if form in {"prescribed", "resync"}:
        return {GRAFT: graft, UV_HARDLINK: uv("hardlink")}
    raise ValueError(form)


# --------------------------------------------------------------------------- timing


@dataclass
class Series:
    command: str  # shell-quoted example of the command line
    times: list[float | None] = field(default_factory=list)  # one per recorded round
    error: str | None = None

    def ok(self) -> list[float]:
        return [t for t in self.times if t is not None]


@dataclass
class Phase:
    form: str
    rounds: int
    series: dict[str, Series]
    ratios: dict[str, dict[str, Any]] = field(default_factory=dict)
    # CPU used by other processes while the phase ran, in cores (see cpu_sample()).
    foreign_cpu: float | None = None
    # Hash of graft's sources when the phase started: an editable install can change mid-run.
    graft_source: str | None = None


@dataclass(frozen=True)
class CpuSample:
    wall: float
    busy: float  # CPU seconds the whole machine spent busy (/proc/stat)
    own: float  # CPU seconds of this process and its reaped children


def cpu_sample() -> CpuSample | None:
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (*fields, 0, 0, 0, 0)[:8]
    hz = os.sysconf("SC_CLK_TCK")
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuSample(
        wall=time.monotonic(),
        busy=(user + nice + system + irq + softirq + steal) / hz,
        own=me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    )


def foreign_cpu(a: CpuSample | None, b: CpuSample | None) -> float | None:
    """Cores' worth of CPU used between a and b by anything but us (other jobs, steal)."""
    if a is None or b is None or b.wall <= a.wall:
        return None
    return max(0.0, ((b.busy - a.busy) - (b.own - a.own)) / (b.wall - a.wall))


@dataclass
class Bench:
    tools: Tools
    paths: Paths
    env: dict[str, str]
    prepared: dict[str, Prepared] = field(default_factory=dict)
    graft_error: str | None = None  # why graft cannot run at all, if it cannot
    idle_budget: float = 0.0  # seconds we may still wait for other jobs to finish
    waited: float = 0.0


def graft_fingerprint() -> str | None:
    """Short hash of the graft package's .py files, as this interpreter would import them."""
    spec = importlib.util.find_spec("graft")
    if spec is None or not spec.submodule_search_locations:
        return None
    digest = hashlib.sha256()
    for root in spec.submodule_search_locations:
        for path in sorted(Path(root).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def wait_idle(bench: Bench) -> None:
    """Before a phase, wait (within the budget) until other processes leave the CPUs alone."""
    while True:
        a = cpu_sample()
        time.sleep(IDLE_PROBE_S)
        used = foreign_cpu(a, cpu_sample())
        if used is None or used <= BUSY_CORES:
            return
        if bench.waited >= bench.idle_budget:
            log(f"  machine busy ({used:.2f} cores used by others); timing anyway")
            return
        log(f"  machine busy ({used:.2f} cores used by others); waiting")
        time.sleep(IDLE_RETRY_S)
        bench.waited += IDLE_PROBE_S + IDLE_RETRY_S


def timed(argv: Argv, env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    output = proc.stderr.decode(errors="replace") or proc.stdout.decode(errors="replace")
    return elapsed, proc.returncode, output


def run_phase(
    bench: Bench, form: str, name: str, rounds: int, dest_for: Callable[[str, int], str]
) -> Phase:
    """Alternate the commands A B C A B C ...; round 0 is an unrecorded warm-up.

    A command that fails is dropped for the rest of the phase and its error kept; graft is
    skipped from the start when it failed during preparation (e.g. before its core lands).
    """
    commands = command_set(bench.tools, bench.paths, name, form)
    series = {key: Series(command=shlex.join(make("NEWDIR"))) for key, make in commands.items()}
    graft_error = bench.prepared[name].graft_error if name in bench.prepared else bench.graft_error
    for key in (GRAFT, GRAFT_HELP):
        if graft_error and key in series:
            series[key].error = graft_error
    wait_idle(bench)
    log(f"{form}: {name}, {rounds} round(s) + warm-up, alternating {', '.join(commands)}")
    before = cpu_sample()
    source = graft_fingerprint()
    for rnd in range(rounds + 1):
        for key, make in commands.items():
            s = series[key]
            if s.error is not None:
                if rnd > 0:
                    s.times.append(None)
                continue
            elapsed, code, output = timed(make(dest_for(key, rnd)), bench.env, bench.paths.work)
            if code != 0:
                s.error = f"exit {code} in round {rnd}: {tail(output, 3)}"
                log(f"  {form}/{name}/{key} failed: {s.error}")
            if rnd > 0:
                s.times.append(elapsed if code == 0 else None)
    phase = Phase(form=form, rounds=rounds, series=series, graft_source=source)
    if graft_fingerprint() != source:
        log("  graft's sources changed during this phase")
        phase.graft_source = "changed during the phase"
    phase.foreign_cpu = foreign_cpu(before, cpu_sample())
    if phase.foreign_cpu is not None and phase.foreign_cpu > BUSY_CORES:
        log(f"  other processes used {phase.foreign_cpu:.2f} cores during this phase: noisy")
    for a, b in RATIO_PAIRS[form]:
        if a in series and b in series:
            phase.ratios[f"{a}/{b}"] = paired_ratio(series[a], series[b])
    return phase


def summary(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def paired_ratio(a: Series, b: Series) -> dict[str, Any]:
    ratios = [
        ta / tb
        for ta, tb in zip(a.times, b.times, strict=True)
        if ta is not None and tb is not None and tb > 0
    ]
    return {**summary(ratios), "values": ratios}


# --------------------------------------------------------------------------- preparation


def find_tools(args: argparse.Namespace) -> Tools:
    python = os.path.realpath(args.python)
    py_version = capture([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
    if args.graft:
        graft = shlex.split(args.graft)
    else:
        script = Path(sys.executable).parent / "graft"
        graft = [str(script)] if script.exists() else [sys.executable, "-m", "graft"]
    uv = args.uv or shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists() and shutil.which(uv) is None:
        raise BenchError(f"uv not found (looked for {uv}); pass --uv")
    return Tools(
        python=python,
        py_version=py_version,
        graft=graft,
        uv=uv,
        pip=[sys.executable, "-m", "pip"],
        graft_python=[sys.executable],
    )


def graft_problem(bench: Bench) -> str | None:
    """None if `graft sync --help` works, else a one-line reason."""
    tools = bench.tools
    try:
        proc = subprocess.run(
            [*tools.graft, "sync", "--help"],
            env=bench.env,
            cwd=bench.paths.work,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`{shlex.join(tools.graft)} sync --help` could not run: {exc}"
    if proc.returncode != 0:
        return (
            f"`{shlex.join(tools.graft)} sync --help` exited {proc.returncode}: "
            f"{tail(proc.stderr or proc.stdout, 2)}"
        )
    return None


def download_wheels(bench: Bench, name: str) -> Path:
    paths, env, tools = bench.paths, bench.env, bench.tools
    reqs = SETS_DIR / f"{name}.txt"
    dest = paths.wheels(name)
    digest = hashlib.sha256(reqs.read_bytes()).hexdigest()
    marker = dest / ".complete"
    if marker.exists() and marker.read_text().strip() == digest:
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    log(f"downloading wheels for {name} into {dest}")
    platforms = [arg for plat in PLATFORMS for arg in ("--platform", plat)]
    capture(
        [
            *tools.pip,
            "download",
            "-q",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            tools.py_version,
            *platforms,
            "-d",
            str(dest),
            "-r",
            str(reqs),
        ],
        env=env,
    )
    count = len(list(dest.glob("*.whl")))
    expected = len(read_set(reqs))
    if count != expected:
        raise BenchError(f"{dest}: {count} wheels for {expected} requirements; clear it and rerun")
    marker.write_text(digest + "\n")
    return dest


def count_distributions(venv: Path, env: dict[str, str]) -> int:
    out = capture(
        [
            str(venv / "bin" / "python"),
            "-c",
            (
                "import importlib.metadata as m;"
                "print(len({d.metadata['Name'].lower() for d in m.distributions()}))"
            ),
        ],
        env=env,
    )
    return int(out)


@dataclass
class Prepared:
    name: str
    distributions: int
    wheel_bytes: int
    graft_error: str | None = None
    graft_json: dict[str, Any] | None = None
    checks: dict[str, int] = field(default_factory=dict)  # venv -> distributions found


def prepare_set(bench: Bench, name: str, graft_error: str | None) -> Prepared:
    """Download the wheels if needed; warm uv's cache and graft's store with one install each."""
    paths, env, tools = bench.paths, bench.env, bench.tools
    wheels = download_wheels(bench, name)
    reqs = SETS_DIR / f"{name}.txt"
    prep = Prepared(
        name=name,
        distributions=len(read_set(reqs)),
        wheel_bytes=sum(p.stat().st_size for p in wheels.glob("*.whl")),
        graft_error=graft_error,
    )
    warm = paths.runs / "warm" / name
    warm.mkdir(parents=True, exist_ok=True)
    log(f"warming uv cache for {name}")
    uv_venv = warm / "uv"
    capture([tools.uv, "venv", "-q", str(uv_venv)], env=env, cwd=paths.work)
    capture(
        [
            tools.uv,
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--find-links",
            str(wheels),
            "--python",
            str(uv_venv / "bin" / "python"),
            "-r",
            str(reqs),
        ],
        env=env,
        cwd=paths.work,
    )
    prep.checks["uv-warm"] = count_distributions(uv_venv, env)
    if graft_error is None:
        log(f"warming graft store for {name}")
        argv = graft_argv(tools, paths, reqs, wheels, str(warm / "graft"))
        argv = [a for a in argv if a != "-q"] + ["--json"]
        proc = subprocess.run(
            argv, env=env, cwd=paths.work, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            prep.graft_error = f"warm-up `graft sync` exited {proc.returncode}: {tail(proc.stderr)}"
            log(prep.graft_error)
        else:
            prep.graft_json = parse_json_summary(proc.stdout)
            prep.checks["graft-warm"] = count_distributions(warm / "graft", env)
    return prep


def parse_json_summary(stdout: str) -> dict[str, Any] | None:
    text = stdout.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # Tolerate log lines before the JSON document.
        start = text.find("{")
        try:
            data = json.loads(text[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            return {"unparsed": text[:2000]}
    return data if isinstance(data, dict) else {"value": data}


def wait_settle(paths: Paths, settle: float) -> None:
    marker = paths.settle_marker
    if settle <= 0 or not marker.exists():
        return
    age = time.time() - marker.stat().st_mtime
    if age < settle:
        log(f"waiting {settle - age:.0f} s for the filesystem to settle after deletes")
        time.sleep(settle - age)


def delete_tree(path: Path, paths: Paths) -> None:
    """Remove a tree (never following links) and note the time for wait_settle()."""
    if not os.path.lexists(path):
        return
    try:
        shutil.rmtree(path)
    except OSError:
        # graft seals its store (read-only dirs, and as root the immutable attribute);
        # chattr -R skips symlinks, so nothing outside `path` is touched.
        if shutil.which("chattr"):
            subprocess.run(["chattr", "-R", "-f", "-i", str(path)], check=False)
        for top, dirs, _ in os.walk(path):
            os.chmod(top, 0o755)
            for d in dirs:
                if not os.path.islink(os.path.join(top, d)):
                    os.chmod(os.path.join(top, d), 0o755)
        shutil.rmtree(path)
    paths.settle_marker.touch()


# --------------------------------------------------------------------------- link census


def link_census(venv: Path, py_version: str) -> dict[str, int]:
    """Symlinks created vs files reachable in the venv's site-packages (`__pycache__` skipped)."""
    site = venv / "lib" / f"python{py_version}" / "site-packages"
    symlinks = dir_links = real_dirs = real_files = target_bytes = long_targets = 0
    for top, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in dirs + files:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                continue
            # ext4 keeps a target of up to 59 bytes in the inode; longer ones cost a data block.
            target = len(os.fsencode(os.readlink(path)))
            target_bytes += target
            long_targets += target >= FAST_SYMLINK_MAX + 1
        for d in dirs:
            if os.path.islink(os.path.join(top, d)):
                dir_links += 1
            else:
                real_dirs += 1
        for f in files:
            if os.path.islink(os.path.join(top, f)):
                symlinks += 1
            else:
                real_files += 1
    reachable = 0
    for _, dirs, files in os.walk(site, followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        reachable += len(files)
    return {
        "site_symlinks": symlinks + dir_links,
        "site_dir_symlinks": dir_links,
        "site_real_dirs": real_dirs,
        "site_real_files": real_files,
        "site_files_reachable": reachable,
        "site_symlink_target_bytes": target_bytes,
        "site_symlinks_long_target": long_targets,
    }


# --------------------------------------------------------------------------- machine


def machine_info(paths: Paths) -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    real = os.path.realpath(paths.work)
    best = ("", "", "")
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mnt, fstype, opts, *_ = line.split()
            if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best[0]):
                best = (mnt, fstype, opts)
    except (OSError, ValueError):
        pass
    info["filesystem"] = {"mount": best[0], "type": best[1], "options": best[2]}
    return info


def tool_versions(bench: Bench, graft_error: str | None) -> dict[str, Any]:
    tools, env = bench.tools, bench.env

    def version(argv: Argv) -> str:
        try:
            return capture(argv, env=env).splitlines()[0]
        except (BenchError, OSError, IndexError) as exc:
            return f"unknown ({exc})"

    graft: dict[str, Any] = {"argv": tools.graft, "available": graft_error is None}
    try:
        graft["version"] = importlib.metadata.version("graft")
    except importlib.metadata.PackageNotFoundError:
        graft["version"] = None
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        graft["git_head"] = head.stdout.strip() if head.returncode == 0 else None
        # --no-optional-locks: read-only, never refreshes the index.
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=False,
        )
        graft["src_dirty"] = bool(dirty.stdout.strip()) if dirty.returncode == 0 else None
    except OSError:
        graft["git_head"] = None
    graft["source_hash"] = graft_fingerprint()
    return {
        "python": {"path": tools.python, "version": version([tools.python, "--version"])},
        "uv": {"path": tools.uv, "version": version([tools.uv, "--version"])},
        "pip": {"version": version([*tools.pip, "--version"]).split(" from ")[0]},
        "graft": graft,
    }


def loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- main run


def phase_to_json(phase: Phase) -> dict[str, Any]:
    data = asdict(phase)
    for key, s in phase.series.items():
        data["series"][key]["summary"] = summary(s.ok())
    return data


def setup(args: argparse.Namespace, started: dt.datetime) -> Bench:
    cache = Path(args.cache).expanduser()
    work = Path(args.work).expanduser() if args.work else cache / "work"
    paths = Paths(cache=cache, work=work, stamp=started.strftime("%Y%m%dT%H%M%S"))
    work.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        for stale in (paths.uv_cache, paths.store, paths.pycache):
            delete_tree(stale, paths)
    old_runs = work / "runs"
    if old_runs.exists():  # left behind by an interrupted or --keep run
        for leftover in old_runs.iterdir():
            delete_tree(leftover, paths)
    paths.runs.mkdir(parents=True)
    tools = find_tools(args)
    return Bench(tools=tools, paths=paths, env=bench_env(paths, tools), idle_budget=args.wait_idle)


def time_all(bench: Bench, args: argparse.Namespace) -> dict[str, dict[str, Phase]]:
    runs = bench.paths.runs
    sets: list[str] = args.sets
    phases: dict[str, dict[str, Phase]] = {name: {} for name in sets}

    def rounds(name: str) -> int:
        return int(args.runs_airflow if name == "airflow" else args.runs)

    def unique(form: str, name: str) -> Callable[[str, int], str]:
        base = runs / form / name
        base.mkdir(parents=True, exist_ok=True)
        return lambda key, rnd: str(base / f"{key}-{rnd:02d}")

    def fixed(name: str) -> Callable[[str, int], str]:
        base = runs / "prescribed" / name
        base.mkdir(parents=True, exist_ok=True)
        return lambda key, _rnd: str(base / key)

    # 1. New-directory form: a brand-new directory every run, nothing deleted inside the timing.
    for name in sets:
        phases[name]["create"] = run_phase(
            bench, "create", name, rounds(name), unique("create", name)
        )
    # 2. Fixed costs: interpreter start-up, graft's CLI start-up, `uv venv` alone.
    overhead = run_phase(bench, "overhead", OVERHEAD, args.runs, unique("overhead", "all"))
    phases[OVERHEAD] = {"overhead": overhead}
    # 3. The copying baseline, alternated with graft and uv on the same set.
    if PIP_SET in sets and args.pip_runs > 0:
        phases[PIP_SET]["pip"] = run_phase(
            bench, "pip", PIP_SET, args.pip_runs, unique("pip", PIP_SET)
        )
    # 4. Prescribed form (rm -rf the venv at a fixed path, then build), then a no-op re-sync of
    #    the venvs it leaves behind. These delete trees, so they come after everything else.
    for name in sets:
        phases[name]["prescribed"] = run_phase(bench, "prescribed", name, rounds(name), fixed(name))
        phases[name]["resync"] = run_phase(bench, "resync", name, rounds(name), fixed(name))
    return phases


def inspect_set(bench: Bench, name: str) -> dict[str, Any]:
    """Untimed checks on the warm-up venvs of the new-directory phase."""
    prep = bench.prepared[name]
    census: dict[str, Any] = {}
    for key in (GRAFT, UV_HARDLINK, UV_SYMLINK):
        venv = bench.paths.runs / "create" / name / f"{key}-00"
        if (venv / "bin" / "python").exists():
            prep.checks[key] = count_distributions(venv, bench.env)
            census[key] = link_census(venv, bench.tools.py_version)
    return census


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = dt.datetime.now(dt.timezone.utc)
    bench = setup(args, started)
    graft_error = bench.graft_error = graft_problem(bench)
    if graft_error:
        log(f"graft is not usable yet, its side is skipped: {graft_error}")
    for name in args.sets:
        bench.prepared[name] = prepare_set(bench, name, graft_error)
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "started": started.isoformat(timespec="seconds"),
        "machine": machine_info(bench.paths),
        "tools": tool_versions(bench, graft_error),
        "config": {
            "runs": args.runs,
            "runs_airflow": args.runs_airflow,
            "pip_runs": args.pip_runs,
            "settle_s": args.settle,
            "wait_idle_s": args.wait_idle,
            "busy_cores_threshold": BUSY_CORES,
            "work": str(bench.paths.work),
            "wheel_cache": str(bench.paths.cache / "wheels"),
            "env": {
                k: v
                for k, v in sorted(bench.env.items())
                if k.startswith(("UV_", "PIP_", "PYTHON"))
            },
        },
        "loadavg_start": loadavg(),
        "sets": {name: {"prepared": asdict(p)} for name, p in bench.prepared.items()},
    }
    if args.prepare_only:
        log("prepared; --prepare-only given, nothing timed")
        if not args.keep:
            delete_tree(bench.paths.runs, bench.paths)
        return result
    wait_settle(bench.paths, args.settle)
    timed_start = time.perf_counter()
    phases = time_all(bench, args)
    result["timed_seconds"] = time.perf_counter() - timed_start
    result["waited_for_idle_s"] = bench.waited
    if OVERHEAD in phases:
        result["overhead"] = phase_to_json(phases[OVERHEAD]["overhead"])
    result["loadavg_end"] = loadavg()
    for name in args.sets:
        links = inspect_set(bench, name)
        result["sets"][name] = {
            "prepared": asdict(bench.prepared[name]),
            "phases": {form: phase_to_json(ph) for form, ph in phases[name].items()},
            "links": links,
        }
    if not args.keep:
        log("removing this run's venvs (pass --keep to inspect them)")
        delete_tree(bench.paths.runs, bench.paths)
    finished = dt.datetime.now(dt.timezone.utc)
    result["finished"] = finished.isoformat(timespec="seconds")
    result["duration_s"] = (finished - started).total_seconds()
    return result


# --------------------------------------------------------------------------- report

EN = "\N{EN DASH}"
TIMES = "\N{MULTIPLICATION SIGN}"
EM = "\N{EM DASH}"
LE = "\N{LESS-THAN OR EQUAL TO}"


def med(result: dict[str, Any], name: str, form: str, key: str) -> dict[str, Any] | None:
    try:
        summ: dict[str, Any] = result["sets"][name]["phases"][form]["series"][key]["summary"]
    except KeyError:
        return None
    return summ if summ["n"] else None


def ratio(result: dict[str, Any], name: str, form: str, pair: str) -> dict[str, Any] | None:
    try:
        r: dict[str, Any] = result["sets"][name]["phases"][form]["ratios"][pair]
    except KeyError:
        return None
    return r if r["n"] else None


def cell(summ: dict[str, Any] | None) -> str:
    """`median [min-max]`, the unit written once when all three share it."""
    if summ is None:
        return "n/a"
    mid, lo, hi = (fmt_s(summ[k]) for k in ("median", "min", "max"))
    unit = mid.split()[-1]
    if lo.endswith(f" {unit}") and hi.endswith(f" {unit}"):
        lo, hi = lo.split()[0], hi.split()[0]
    return f"{mid} [{lo}{EN}{hi}]"


def rcell(summ: dict[str, Any] | None, *, bold: bool = True) -> str:
    if summ is None:
        return "n/a"
    mid = fmt_ratio(summ["median"])
    mid = f"**{mid}**" if bold else mid
    return f"{mid} [{fmt_ratio(summ['min'])}{EN}{fmt_ratio(summ['max'])}]"


def plot(result: dict[str, Any], out: Path) -> bool:
    try:
        import matplotlib as mpl  # noqa: PLC0415

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        log("matplotlib is not installed; no plot")
        return False
    names = list(result["sets"])
    panels = (
        ("create", "new directory per run", (GRAFT, UV_HARDLINK, UV_SYMLINK, PIP)),
        ("prescribed", "rm -rf previous venv, then build", (GRAFT, UV_HARDLINK)),
    )
    colors = {GRAFT: "#2a9d8f", UV_HARDLINK: "#e9c46a", UV_SYMLINK: "#f4a261", PIP: "#9e9e9e"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    lows: list[float] = []
    highs: list[float] = []
    for ax, (form, title, keys) in zip(axes, panels, strict=True):
        width = 0.8 / len(keys)
        for i, key in enumerate(keys):
            xs: list[float] = []
            ys: list[float] = []
            err: list[list[float]] = [[], []]
            for x, name in enumerate(names):
                summ = med(result, name, "pip" if key == PIP else form, key)
                if summ is None:
                    continue
                xs.append(x + (i - (len(keys) - 1) / 2) * width)
                ys.append(summ["median"])
                err[0].append(summ["median"] - summ["min"])
                err[1].append(summ["max"] - summ["median"])
            if not xs:
                continue
            lows += [y - lo for y, lo in zip(ys, err[0], strict=True)]
            highs += [y + hi for y, hi in zip(ys, err[1], strict=True)]
            ax.bar(xs, ys, width, label=PLOT_LABELS[key], color=colors[key], yerr=err, capsize=2)
            for bx, by, up in zip(xs, ys, err[1], strict=True):
                ax.annotate(
                    fmt_s(by),
                    (bx, by + up),  # above the whisker
                    textcoords="offset points",
                    xytext=(0, 4),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    rotation=90,
                )
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(
            [f"{n}\n({result['sets'][n]['prepared']['distributions']} dists)" for n in names]
        )
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    if lows and highs:  # log scale: leave room below the shortest bar and for the labels above
        axes[0].set_ylim(min(lows) / 2, max(highs) * 4)
    axes[0].set_ylabel(f"wall time, median (s, log scale); whiskers min{EN}max")
    fig.suptitle("Build a venv from warm caches (lower is better)", fontsize=11)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def noisy_phases(result: dict[str, Any], threshold: float) -> list[str]:
    out = []
    for name, data in result["sets"].items():
        for form, phase in data.get("phases", {}).items():
            used = phase.get("foreign_cpu")
            if used is not None and used > threshold:
                out.append(f"{name}/{form} ({used:.2f} cores)")
    return out


def interpretation(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    sources = {
        phase.get("graft_source")
        for data in result["sets"].values()
        for phase in data.get("phases", {}).values()
    } - {None}
    if len(sources) > 1:
        lines.append(
            "- **Warning: graft's source code changed while this run was in progress (an"
            " editable install being edited); the graft figures mix versions. Rerun.**"
        )
    noisy = noisy_phases(result, result["config"].get("busy_cores_threshold", BUSY_CORES))
    if noisy:
        lines.append(
            "- **Warning: other processes were using the CPUs during "
            + ", ".join(noisy)
            + "; those figures are unreliable. Rerun on a quiet machine.**"
        )
    if TARGET_SET in result["sets"]:
        tgt = ratio(result, TARGET_SET, "create", f"{GRAFT}/{UV_HARDLINK}")
        goal = f"graft {LE} {TARGET_RATIO}{TIMES} uv hardlink on the {TARGET_SET} set"
        if tgt is None:
            lines.append(
                f"- **Target ({goal}): not measured** {EM} graft did not run (see Caveats)."
            )
        else:
            verdict = "met" if tgt["median"] <= TARGET_RATIO else "NOT met"
            lines.append(
                f"- **Target ({goal}, new-directory form): {verdict}** {EM} paired median ratio"
                f" {rcell(tgt, bold=False)}."
            )
        pre = ratio(result, TARGET_SET, "prescribed", f"{GRAFT}/{UV_HARDLINK}")
        if pre is not None:
            lines.append(
                f"- Prescribed form (delete the previous venv, then build) on {TARGET_SET}:"
                f" graft / uv hardlink = {rcell(pre, bold=False)}; the deletion is inside both"
                " sides' time."
            )
            lines += delete_penalty(result, TARGET_SET)
    for name, data in result["sets"].items():
        parts = []
        r = ratio(result, name, "create", f"{GRAFT}/{UV_HARDLINK}")
        if r is not None:
            faster = r["median"] < 1
            factor = 1 / r["median"] if faster else r["median"]
            word = "faster" if faster else "slower"
            parts.append(f"graft sync is {factor:.1f}{TIMES} {word} than uv hardlink")
        links = data.get("links", {})
        g, u = links.get(GRAFT), links.get(UV_SYMLINK)
        if g and g["site_files_reachable"]:
            per = g["site_symlinks"] / g["site_files_reachable"]
            text = (
                f"graft makes {g['site_symlinks']:,} links to serve"
                f" {g['site_files_reachable']:,} files ({per:.3f} links per file"
            )
            if u:
                text += f"; uv symlink mode makes {u['site_symlinks']:,}"
            parts.append(text + ")")
        if parts:
            lines.append(f"- {name}: " + "; ".join(parts) + ".")
    helps = overhead_cell(result, GRAFT_HELP)
    g_med = med(result, TARGET_SET, "create", GRAFT)
    if helps is not None and g_med is not None:
        lines.append(
            f"- Of graft's {fmt_s(g_med['median'])} on {TARGET_SET}, {fmt_s(helps['median'])} is"
            " fixed start-up (`graft sync --help`: interpreter plus graft's CLI imports)."
        )
    pip_r = ratio(result, PIP_SET, "pip", f"{PIP}/{UV_HARDLINK}")
    if pip_r is not None:
        lines.append(
            f"- pip, which copies every file (with `--no-compile`), takes"
            f" {pip_r['median']:.1f}{TIMES} uv hardlink's time on {PIP_SET}."
        )
    return lines


def delete_penalty(result: dict[str, Any], name: str) -> list[str]:
    """Explain a prescribed-form graft time well above its new-directory time."""
    fresh = med(result, name, "create", GRAFT)
    rebuilt = med(result, name, "prescribed", GRAFT)
    census = result["sets"][name].get("links", {}).get(GRAFT)
    if fresh is None or rebuilt is None or not census or rebuilt["median"] < 1.5 * fresh["median"]:
        return []
    long = census.get("site_symlinks_long_target")
    return [
        f"  graft's rebuild takes {rebuilt['median'] / fresh['median']:.1f}{TIMES} its"
        f" new-directory time ({fmt_s(rebuilt['median'])} vs {fmt_s(fresh['median'])}): every"
        " link is a new inode, and this filesystem allocates inodes slowly right after a mass"
        " delete (see Caveats)"
        + (
            f"; {long:,} of its {census['site_symlinks']:,} links have targets of 60 bytes or"
            " more and need a data block each"
            if long
            else ""
        )
        + ". uv's hardlinks allocate no inode."
    ]


def caveats(result: dict[str, Any]) -> list[str]:
    lines = []
    graft_ok = result["tools"]["graft"]["available"]
    if not graft_ok:
        lines.append("- **graft was not usable when these figures were taken; its cells are n/a.**")
    for name, data in result["sets"].items():
        prep = data["prepared"]
        err = prep.get("graft_error")
        if err and graft_ok:
            lines.append(f"- {name}: graft failed while warming its store: `{err}`")
        for form, phase in data.get("phases", {}).items():
            for key, s in phase["series"].items():
                if s["error"] and not (key == GRAFT and err):
                    lines.append(f"- {name} / {form} / {key} failed: `{s['error']}`")
        bad = {k: v for k, v in prep.get("checks", {}).items() if v != prep["distributions"]}
        if bad:
            lines.append(
                f"- {name}: distributions visible to `importlib.metadata` differ from the"
                f" {prep['distributions']} pinned: {bad}"
            )
    la0, la1 = result.get("loadavg_start"), result.get("loadavg_end")
    used = [
        phase["foreign_cpu"]
        for data in result["sets"].values()
        for phase in data.get("phases", {}).values()
        if phase.get("foreign_cpu") is not None
    ]
    if la0 and la1 and used:
        lines.append(
            f"- Other work on the machine: CPU used by processes other than the benchmarked ones"
            f" was at most {max(used):.2f} cores during any phase (the script waits before each"
            f" phase while it exceeds {result['config'].get('busy_cores_threshold', BUSY_CORES)}"
            f" cores, for at most {result['config'].get('wait_idle_s', 0):.0f} s in all; it"
            f" waited {result.get('waited_for_idle_s', 0):.0f} s). Load average (1/5/15 min):"
            f" {la0} at the start, {la1} at the end."
        )
    by_source: dict[str, list[str]] = {}
    for name, data in result["sets"].items():
        for form, phase in data.get("phases", {}).items():
            by_source.setdefault(str(phase.get("graft_source")), []).append(f"{name}/{form}")
    if len(by_source) > 1:
        lines.append(
            "- graft's sources (hash of the package's `.py` files) per phase: "
            + "; ".join(f"`{h}`: {', '.join(ph)}" for h, ph in by_source.items())
            + "."
        )
    lines.append(CAVEATS.format(settle=result["config"]["settle_s"]))
    return lines


CAVEATS = """\
- Filesystem: on ext4 without a journal (the reference machine), creating inodes right after a
  mass delete is slow for about a minute. That penalises whichever command creates inodes
  (symlinks, copies) after a delete. So the new-directory form is timed first, at least
  {settle:.0f} s after the script's own last delete; the prescribed form, which deletes inside the
  timing by design, comes last. Hardlinks allocate no inode and are not affected; a journaled
  ext4 on a workstation shows a much smaller deletion penalty.
- uv caches interpreter information by path: in the new-directory form every uv run pays one
  interpreter query (a Python start-up, ~40 ms); in the prescribed form the path repeats and uv
  skips it. graft's figures include its own Python start-up and imports.
- The tools run from warm bytecode (`PYTHONDONTWRITEBYTECODE` unset for the timed processes,
  `PYTHONPYCACHEPREFIX` in the work dir so that nothing is written into graft's source tree).
  Nothing in the built venvs is byte-compiled by uv or pip (`--no-compile`).
- uv runs `--offline` from a warm cache; online it revalidates every index page.
- Machine speed drifts by 20-30 % over minutes: compare the paired ratios, not medians across
  tables or across runs of the script."""


COMMANDS = (
    (
        "graft sync",
        (
            "`graft sync NEWDIR -r SET --python PY --no-deps --no-index"
            " --find-links WHEELS --store STORE -q`"
        ),
    ),
    (
        "uv (hardlink)",
        (
            "`uv venv -q NEWDIR && uv pip install --offline -q --no-deps --no-index"
            " --link-mode hardlink --find-links WHEELS --python NEWDIR/bin/python -r SET`"
            " (hardlink is uv's default on Linux)"
        ),
    ),
    ("uv (symlink)", "the same with `--link-mode symlink`"),
    (
        "pip --no-compile",
        (
            "`python -m venv --without-pip NEWDIR && pip --python NEWDIR/bin/python"
            " install -q --no-deps --no-index --no-compile --find-links WHEELS -r SET`"
            f" ({PIP_SET} set only; copies every file)"
        ),
    ),
)


METHOD = """\
Start-up and import time of graft venvs against flat copies, for every corpus set, and the cost
of `graft audit` on graft-, uv- and pip-made venvs, are in
[benchmarks-startup.md](benchmarks-startup.md) (`benchmarks/bench_startup.py`, with its chart).

## What is measured

Each set is a pinned, fully resolved requirements file (`benchmarks/sets/`); every distribution
installs from a cp311 manylinux x86_64 wheel, downloaded once. The caches are warm: uv's cache
holds every wheel unpacked and graft's store holds every wheel ingested, each from one untimed
install per set. That install also leaves what graft keeps for a warm sync: the set's plan
(`plans/<key>.json`, prefix-independent) and its resolution memo, so a timed graft command
checks the memo's fingerprints (requirement file bytes, find-links listing, wheel file
identities), loads the kept plan and materializes it; it neither re-resolves nor re-plans
(docs/architecture.md, "The warm path"). Every timed command builds a complete venv for the set,
`--no-deps`, from local wheels only, as one fresh process tree (wall clock from spawn to exit):

{commands}

Forms:

- **new directory**: every run builds into a brand-new unique directory; nothing is deleted
  inside the timing. The commands alternate A B C A B C ...; the first round is an unrecorded
  warm-up. {runs} recorded rounds ({runs_airflow} for airflow); the pip comparison alternates
  graft, uv hardlink and pip for {pip_runs} round(s).
- **prescribed**: what a user does to rebuild: `rm -rf VENV` at a fixed path, then build
  (`rm -rf VENV && graft sync VENV ...` vs `rm -rf VENV && uv venv ... && uv pip install ...`),
  alternated the same way.
- **no-op re-sync**: the same command run again on the venv the prescribed form left behind
  (`graft sync VENV ...` vs `uv pip install ...` into the existing venv): the cost of confirming
  that a venv is already in sync.

Times are `median [min-max]` of the recorded rounds. Ratios are paired: A/B is computed within
each round (the two runs seconds apart), then the median [min-max] of those ratios is quoted.
They are the robust figures, because the machine's speed drifts over minutes."""


REPRODUCE = """\
## How to reproduce

```sh
.venv/bin/python benchmarks/bench_sync.py --runs 10 --runs-airflow 5
```

The first run downloads the wheels (~140 MB) into `~/.cache/graft-bench/wheels` (move it with
`$GRAFT_BENCH_CACHE` or `--cache`) and warms uv's cache and graft's store in
`~/.cache/graft-bench/work`; later runs reuse them. pip and uv are isolated from machine
configuration: `PIP_CONFIG_FILE=/dev/null`, `PIP_FIND_LINKS` and the other `PIP_*`/`UV_*`
variables removed, `UV_NO_CONFIG=1`, a private `UV_CACHE_DIR`. `--sets small,medium` limits the
sets; `--report-only benchmarks/results/bench_sync.json` regenerates this page and the plot from
a saved result. See `benchmarks/README.md`."""


def header(result: dict[str, Any]) -> list[str]:
    m, t = result["machine"], result["tools"]
    fs = m.get("filesystem", {})
    g = t["graft"]
    graft_desc = f"graft {g.get('version') or '(version unknown)'}"
    graft_desc += f", git {g['git_head']}" if g.get("git_head") else ", no git commit yet"
    if g.get("src_dirty"):
        graft_desc += f" plus uncommitted changes in src/ (source hash {g.get('source_hash')})"
    if not g["available"]:
        graft_desc += f" {EM} **not usable at the time of this run**"
    out = Path(result["config"].get("out", str(DEFAULT_OUT)))
    return [
        "# Benchmarks: `graft sync` vs `uv pip install` vs pip",
        "",
        "<!-- Generated by benchmarks/bench_sync.py; edit the script, not this file. -->",
        "",
        (
            f"Last run: {result['started']}, {result['duration_s'] / 60:.1f} min in all"
            f" ({result['timed_seconds']:.0f} s of timed commands)."
            f" Raw data: `{display_path(out)}`."
        ),
        "",
        "## Summary",
        "",
        *interpretation(result),
        "",
        METHOD.format(
            commands="\n".join(
                ["| command | exactly |", "|---|---|", *(f"| {k} | {v} |" for k, v in COMMANDS)]
            ),
            runs=result["config"]["runs"],
            runs_airflow=result["config"]["runs_airflow"],
            pip_runs=result["config"]["pip_runs"],
        ),
        "",
        "## Machine",
        "",
        (
            f"- {m.get('cpus')} CPUs ({m.get('cpu', 'unknown CPU')}), {m.get('mem_gib', '?')} GiB"
            f" RAM, Linux {m.get('kernel')}"
        ),
        (
            f"- work dir on {fs.get('type', '?')} ({fs.get('options', '?')}); venvs, uv cache and"
            " graft store all on it"
        ),
        (
            f"- {t['python']['version']} (`{t['python']['path']}`), {t['uv']['version']},"
            f" {t['pip']['version']}, {graft_desc}"
        ),
    ]


def tables(result: dict[str, Any]) -> list[str]:
    names = list(result["sets"])
    gu, gs = f"{GRAFT}/{UV_HARDLINK}", f"{GRAFT}/{UV_SYMLINK}"
    out = [
        "## Results",
        "",
        "### New directory per run",
        "",
        (
            "| set | dists | graft sync | uv (hardlink) | uv (symlink) | graft / uv hardlink"
            " | graft / uv symlink |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {n} | {result['sets'][n]['prepared']['distributions']}"
        f" | {cell(med(result, n, 'create', GRAFT))}"
        f" | {cell(med(result, n, 'create', UV_HARDLINK))}"
        f" | {cell(med(result, n, 'create', UV_SYMLINK))}"
        f" | {rcell(ratio(result, n, 'create', gu))} | {rcell(ratio(result, n, 'create', gs))} |"
        for n in names
    ]
    out += fixed_costs(result)
    if "pip" in result["sets"].get(PIP_SET, {}).get("phases", {}):
        out += [
            "",
            f"### Copying baseline: pip, {PIP_SET} set",
            "",
            "| graft sync | uv (hardlink) | pip --no-compile | pip / uv hardlink | graft / pip |",
            "|---|---|---|---|---|",
            (
                f"| {cell(med(result, PIP_SET, 'pip', GRAFT))}"
                f" | {cell(med(result, PIP_SET, 'pip', UV_HARDLINK))}"
                f" | {cell(med(result, PIP_SET, 'pip', PIP))}"
                f" | {rcell(ratio(result, PIP_SET, 'pip', f'{PIP}/{UV_HARDLINK}'))}"
                f" | {rcell(ratio(result, PIP_SET, 'pip', f'{GRAFT}/{PIP}'))} |"
            ),
        ]
    out += [
        "",
        "### Prescribed form (rm -rf the previous venv, then build) and no-op re-sync",
        "",
        (
            "| set | graft, rebuild | uv hardlink, rebuild | graft / uv | graft, re-sync"
            " | uv, re-sync | graft / uv |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| {n} | {cell(med(result, n, 'prescribed', GRAFT))}"
        f" | {cell(med(result, n, 'prescribed', UV_HARDLINK))}"
        f" | {rcell(ratio(result, n, 'prescribed', gu))}"
        f" | {cell(med(result, n, 'resync', GRAFT))}"
        f" | {cell(med(result, n, 'resync', UV_HARDLINK))}"
        f" | {rcell(ratio(result, n, 'resync', gu))} |"
        for n in names
    ]
    out += [
        "",
        "### Links created per file served (site-packages)",
        "",
        (
            "Counted on the warm-up venvs of the new-directory form. *links*: symlinks found"
            " walking without following links (file and directory links; for graft the number"
            " of directory links in brackets). *files*: files reachable walking through the"
            " links, `__pycache__` excluded. *long*: links whose target is 60 bytes or more,"
            " which ext4 cannot keep inside the inode (a data block each; slower to create and"
            " delete), with the mean target length. The last column is what"
            " `graft sync --json` reported (`links` / `files`)."
        ),
        "",
        (
            "| set | graft: links | files | links per file | long | uv symlink: links"
            " | files | links per file | long | graft --json |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        data = result["sets"][n]
        links = data.get("links", {})
        gj = data["prepared"].get("graft_json") or {}
        gjs = f"{gj.get('links', '?')} / {gj.get('files', '?')}" if gj else "n/a"
        cells = [
            *census_cells(links.get(GRAFT), dirs=True),
            *census_cells(links.get(UV_SYMLINK), dirs=False),
            gjs,
        ]
        out.append(f"| {n} | " + " | ".join(cells) + " |")
    return out


def overhead_cell(result: dict[str, Any], key: str) -> dict[str, Any] | None:
    try:
        summ: dict[str, Any] = result["overhead"]["series"][key]["summary"]
    except KeyError:
        return None
    return summ if summ["n"] else None


def fixed_costs(result: dict[str, Any]) -> list[str]:
    if "overhead" not in result:
        return []
    return [
        "",
        (
            "Fixed costs, timed the same way (alternated, fresh processes): starting the"
            " Python that graft runs on, graft's CLI start-up with nothing to do, and"
            " creating an empty venv with uv (the first step of each uv command above)."
        ),
        "",
        "| `python -c pass` | `graft sync --help` | `uv venv -q NEWDIR` |",
        "|---|---|---|",
        (
            f"| {cell(overhead_cell(result, PY_START))} | {cell(overhead_cell(result, GRAFT_HELP))}"
            f" | {cell(overhead_cell(result, UV_VENV))} |"
        ),
    ]


def census_cells(c: dict[str, int] | None, *, dirs: bool) -> list[str]:
    """Table cells: links (directory links), files reachable, links per file, long targets."""
    if not c:
        return ["n/a"] * 4
    files, nlinks = c["site_files_reachable"], c["site_symlinks"]
    links = f"{nlinks:,}" + (f" ({c['site_dir_symlinks']:,})" if dirs else "")
    per = f"{nlinks / files:.3f}" if files else "n/a"
    long = "n/a"
    if "site_symlinks_long_target" in c and nlinks:
        mean = c["site_symlink_target_bytes"] / nlinks
        long = f"{c['site_symlinks_long_target']:,} (mean {mean:.0f} B)"
    return [links, f"{files:,}", per, long]


def render_markdown(result: dict[str, Any], png: Path | None) -> str:
    out = [*header(result), "", *tables(result)]
    if png is not None:
        out += ["", f"![Wall time per set and command]({png.name})"]
    out += ["", "## Caveats", "", *caveats(result), "", REPRODUCE, ""]
    return "\n".join(out)


def display_path(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(REPO))
    except ValueError:
        return str(p)


def write_docs(result: dict[str, Any], md: Path, png: Path) -> None:
    made = plot(result, png)
    md.parent.mkdir(parents=True, exist_ok=True)
    md.write_text(render_markdown(result, png if made else None))
    log(f"wrote {md}" + (f" and {png}" if made else ""))


def print_summary(result: dict[str, Any]) -> None:
    if "overhead" in result:
        parts = [
            f"{k} {cell(s['summary'] if s['summary']['n'] else None)}"
            for k, s in result["overhead"]["series"].items()
        ]
        print("fixed costs: " + "; ".join(parts))
    for name, data in result["sets"].items():
        if "phases" not in data:
            continue
        print(f"{name} ({data['prepared']['distributions']} dists):")
        for form, phase in data["phases"].items():
            parts = [
                f"{k} {cell(s['summary'] if s['summary']['n'] else None)}"
                for k, s in phase["series"].items()
            ]
            parts += [
                f"{pair} {rcell(r if r['n'] else None, bold=False)}"
                for pair, r in phase["ratios"].items()
            ]
            if phase.get("foreign_cpu") is not None:
                parts.append(f"others used {phase['foreign_cpu']:.2f} cores")
            print(f"  {form:10s} " + "; ".join(parts))


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    default_cache = os.environ.get("GRAFT_BENCH_CACHE") or str(
        Path("~/.cache/graft-bench").expanduser()
    )
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--runs", type=int, default=10, help="recorded rounds per set (default 10)")
    p.add_argument(
        "--runs-airflow",
        type=int,
        help="recorded rounds for the airflow set (default min(runs, 5))",
    )
    p.add_argument("--pip-runs", type=int, default=3, help=f"pip rounds on {PIP_SET} (default 3)")
    p.add_argument(
        "--sets",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=list(DEFAULT_SETS),
        help="comma-separated names of files in benchmarks/sets/ (default small,medium,airflow)",
    )
    p.add_argument("--out", default=str(DEFAULT_OUT), help="JSON result (default %(default)s)")
    p.add_argument("--no-docs", action="store_true", help="do not regenerate docs/benchmarks.md")
    p.add_argument("--report-only", metavar="JSON", help="only regenerate the docs from a result")
    p.add_argument("--prepare-only", action="store_true", help="download and warm caches, exit")
    p.add_argument("--cache", default=default_cache, help="cache root ($GRAFT_BENCH_CACHE)")
    p.add_argument("--work", help="dir for uv cache, graft store and venvs (default CACHE/work)")
    p.add_argument("--fresh", action="store_true", help="empty the uv cache and graft store first")
    p.add_argument("--keep", action="store_true", help="keep this run's venvs for inspection")
    p.add_argument(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE_S,
        help="seconds to wait after the script's own deletes before timing (default %(default)s)",
    )
    p.add_argument(
        "--python",
        default=getattr(sys, "_base_executable", sys.executable),
        help="target interpreter (default: the base interpreter running this script)",
    )
    p.add_argument(
        "--wait-idle",
        type=float,
        default=DEFAULT_IDLE_WAIT_S,
        help="before each phase wait while other processes use the CPUs, at most this many"
        " seconds in all (default %(default)s)",
    )
    p.add_argument("--graft", help="command starting graft (default: graft next to this python)")
    p.add_argument("--uv", help="uv executable (default: uv on PATH or next to this python)")
    args = p.parse_args(argv)
    if args.runs_airflow is None:
        args.runs_airflow = min(args.runs, 5)
    available = sorted(f.stem for f in SETS_DIR.glob("*.txt"))
    unknown = [s for s in args.sets if s not in available]
    if unknown:
        p.error(f"unknown set(s) {unknown}; available: {available}")
    if min(args.runs, args.runs_airflow) < 1 or args.pip_runs < 0:
        p.error("--runs and --runs-airflow must be >= 1, --pip-runs >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        result = json.loads(Path(args.report_only).read_text())
        write_docs(result, DOCS_MD, DOCS_PNG)
        print_summary(result)
        return 0
    try:
        result = run(args)
    except BenchError as exc:
        log(f"error: {exc}")
        return 1
    out = Path(args.out)
    result["config"]["out"] = str(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    log(f"wrote {out}")
    if not args.no_docs and not args.prepare_only:
        write_docs(result, DOCS_MD, DOCS_PNG)
    print_summary(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
