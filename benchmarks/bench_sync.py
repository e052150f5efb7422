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
import json
import os
import platform
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
RATIO_PAIRS = {
    "create": ((GRAFT, UV_HARDLINK), (GRAFT, UV_SYMLINK), (UV_SYMLINK, UV_HARDLINK)),
    "pip": ((GRAFT, PIP), (PIP, UV_HARDLINK)),
    "prescribed": ((GRAFT, UV_HARDLINK),),
    "resync": ((GRAFT, UV_HARDLINK),),
}

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


def timed(argv: Argv, env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    output = (proc.stderr or b"").decode(errors="replace") or (proc.stdout or b"").decode(
        errors="replace"
    )
    return elapsed, proc.returncode, output


def run_phase(
    form: str,
    commands: dict[str, ArgvFor],
    rounds: int,
    dest_for: Callable[[str, int], str],
    env: dict[str, str],
    cwd: Path,
    disabled: dict[str, str] | None = None,
) -> Phase:
    """Alternate the commands A B C A B C ...; round 0 is an unrecorded warm-up.

    A command that fails is dropped for the rest of the phase and its error kept.
    `disabled` maps commands known not to work (graft before its core lands) to the reason.
    """
    series = {key: Series(command=shlex.join(make("DEST"))) for key, make in commands.items()}
    for key, reason in (disabled or {}).items():
        if key in series:
            series[key].error = reason
    for rnd in range(rounds + 1):
        for key, make in commands.items():
            s = series[key]
            if s.error is not None:
                if rnd > 0:
                    s.times.append(None)
                continue
            elapsed, code, output = timed(make(dest_for(key, rnd)), env, cwd)
            if code != 0:
                s.error = f"exit {code} in round {rnd}: {tail(output)}"
                log(f"  {form}/{key} failed: {s.error}")
                if rnd > 0:
                    s.times.append(None)
                continue
            if rnd > 0:
                s.times.append(elapsed)
        if rnd == 0:
            log(f"  {form}: warm-up done")
    phase = Phase(form=form, rounds=rounds, series=series)
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
        for ta, tb in zip(a.times, b.times, strict=False)
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
        python=python, py_version=py_version, graft=graft, uv=uv, pip=[sys.executable, "-m", "pip"]
    )


def graft_problem(tools: Tools, env: dict[str, str], cwd: Path) -> str | None:
    """None if `graft sync --help` works, else a one-line reason."""
    try:
        proc = subprocess.run(
            [*tools.graft, "sync", "--help"],
            env=env,
            cwd=cwd,
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


def download_wheels(name: str, paths: Paths, env: dict[str, str], tools: Tools) -> Path:
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
            "import importlib.metadata as m;"
            "print(len({d.metadata['Name'].lower() for d in m.distributions()}))",
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


def prepare_set(
    name: str, tools: Tools, paths: Paths, env: dict[str, str], graft_error: str | None
) -> Prepared:
    wheels = download_wheels(name, paths, env, tools)
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
    if path.exists():
        shutil.rmtree(path)
        paths.settle_marker.touch()


# --------------------------------------------------------------------------- link census


def link_census(venv: Path, py_version: str) -> dict[str, int]:
    """Symlinks created vs files reachable in site-packages (and in the whole venv)."""
    site = venv / "lib" / f"python{py_version}" / "site-packages"
    out: dict[str, int] = {}
    for label, root in (("site", site), ("venv", venv)):
        symlinks = dir_links = real_dirs = real_files = 0
        for top, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for d in dirs:
                if os.path.islink(os.path.join(top, d)):
                    symlinks += 1
                    dir_links += 1
                else:
                    real_dirs += 1
            for f in files:
                if os.path.islink(os.path.join(top, f)):
                    symlinks += 1
                else:
                    real_files += 1
        reachable = 0
        for _, dirs, files in os.walk(root, followlinks=True):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            reachable += sum(1 for f in files if not f.endswith(".pyc"))
        out[f"{label}_symlinks"] = symlinks
        out[f"{label}_dir_symlinks"] = dir_links
        out[f"{label}_real_dirs"] = real_dirs
        out[f"{label}_real_files"] = real_files
        out[f"{label}_files_reachable"] = reachable
    return out


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


def tool_versions(tools: Tools, env: dict[str, str], graft_error: str | None) -> dict[str, Any]:
    def version(argv: Argv) -> str:
        try:
            return capture(argv, env=env).splitlines()[0]
        except (BenchError, OSError, IndexError) as exc:
            return f"unknown ({exc})"

    graft: dict[str, Any] = {"argv": tools.graft, "available": graft_error is None}
    try:
        import importlib.metadata  # noqa: PLC0415

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
        graft["git_head"] = head.stdout.strip() or None
    except OSError:
        graft["git_head"] = None
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


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = dt.datetime.now(dt.timezone.utc)
    stamp = started.strftime("%Y%m%dT%H%M%S")
    cache = Path(args.cache).expanduser()
    work = Path(args.work).expanduser() if args.work else cache / "work"
    paths = Paths(cache=cache, work=work, stamp=stamp)
    work.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        for stale in (paths.uv_cache, paths.store, paths.pycache):
            delete_tree(stale, paths)
    old_runs = work / "runs"
    if old_runs.exists():
        for leftover in old_runs.iterdir():
            delete_tree(leftover, paths)
    paths.runs.mkdir(parents=True)
    tools = find_tools(args)
    env = bench_env(paths, tools)

    graft_error = graft_problem(tools, env, work)
    if graft_error:
        log(f"graft is not usable yet, its side is skipped: {graft_error}")

    sets: list[str] = args.sets
    prepared = {name: prepare_set(name, tools, paths, env, graft_error) for name in sets}
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "started": started.isoformat(timespec="seconds"),
        "machine": machine_info(paths),
        "tools": tool_versions(tools, env, graft_error),
        "config": {
            "runs": args.runs,
            "runs_airflow": args.runs_airflow,
            "pip_runs": args.pip_runs,
            "settle_s": args.settle,
            "work": str(work),
            "wheel_cache": str(cache / "wheels"),
            "env": {k: env[k] for k in sorted(env) if k.startswith(("UV_", "PIP_", "PYTHON"))},
        },
        "loadavg_start": loadavg(),
        "sets": {},
    }
    if args.prepare_only:
        log("prepared; --prepare-only given, not timing anything")
        result["sets"] = {name: {"prepared": asdict(p)} for name, p in prepared.items()}
        return result

    wait_settle(paths, args.settle)
    timed_start = time.time()
    phases: dict[str, dict[str, Phase]] = {name: {} for name in sets}

    def unique(form: str, name: str) -> Callable[[str, int], str]:
        base = paths.runs / form / name
        base.mkdir(parents=True, exist_ok=True)
        return lambda key, rnd: str(base / f"{key}-{rnd:02d}")

    def fixed(name: str) -> Callable[[str, int], str]:
        base = paths.runs / "prescribed" / name
        base.mkdir(parents=True, exist_ok=True)
        return lambda key, _rnd: str(base / key)

    def disabled(name: str) -> dict[str, str]:
        err = prepared[name].graft_error
        return {GRAFT: err} if err else {}

    # 1. Create-only form: a brand-new directory every run, nothing deleted inside the timing.
    for name in sets:
        rounds = args.runs_airflow if name == "airflow" else args.runs
        log(f"create-only: {name}, {rounds} rounds + warm-up")
        phases[name]["create"] = run_phase(
            "create",
            command_set(tools, paths, name, "create"),
            rounds,
            unique("create", name),
            env,
            work,
            disabled(name),
        )
    # 2. The copying baseline, paired with graft and uv on the same set.
    if PIP_SET in sets and args.pip_runs > 0:
        log(f"pip baseline: {PIP_SET}, {args.pip_runs} rounds + warm-up")
        phases[PIP_SET]["pip"] = run_phase(
            "pip",
            command_set(tools, paths, PIP_SET, "pip"),
            args.pip_runs,
            unique("pip", PIP_SET),
            env,
            work,
            disabled(PIP_SET),
        )
    # 3. Prescribed form (rm -rf the venv at a fixed path, then create), then a no-op re-sync of
    #    the venvs it left behind. These delete trees, so they come after everything else.
    for name in sets:
        rounds = args.runs_airflow if name == "airflow" else args.runs
        log(f"prescribed: {name}, {rounds} rounds + warm-up")
        dest = fixed(name)
        phases[name]["prescribed"] = run_phase(
            "prescribed",
            command_set(tools, paths, name, "prescribed"),
            rounds,
            dest,
            env,
            work,
            disabled(name),
        )
        log(f"no-op re-sync: {name}")
        phases[name]["resync"] = run_phase(
            "resync",
            command_set(tools, paths, name, "resync"),
            rounds,
            dest,
            env,
            work,
            disabled(name),
        )
    timed_s = time.time() - timed_start

    # 4. Untimed checks on the warm-up venvs of the create-only phase.
    for name in sets:
        prep = prepared[name]
        census: dict[str, Any] = {}
        for key in (GRAFT, UV_HARDLINK, UV_SYMLINK):
            venv = paths.runs / "create" / name / f"{key}-00"
            if (venv / "bin" / "python").exists():
                prep.checks[key] = count_distributions(venv, env)
                census[key] = link_census(venv, tools.py_version)
        phase_json = {form: phase_to_json(ph) for form, ph in phases[name].items()}
        result["sets"][name] = {
            "prepared": asdict(prep),
            "phases": phase_json,
            "links": census,
        }
    result["loadavg_end"] = loadavg()
    result["timed_seconds"] = timed_s
    if not args.keep:
        log("removing this run's venvs (pass --keep to inspect them)")
        delete_tree(paths.runs, paths)
    finished = dt.datetime.now(dt.timezone.utc)
    result["finished"] = finished.isoformat(timespec="seconds")
    result["duration_s"] = (finished - started).total_seconds()
    return result


# --------------------------------------------------------------------------- report


def med(result: dict[str, Any], name: str, form: str, key: str) -> dict[str, Any] | None:
    try:
        s = result["sets"][name]["phases"][form]["series"][key]
    except KeyError:
        return None
    summ: dict[str, Any] = s["summary"]
    return summ if summ["n"] else None


def ratio(result: dict[str, Any], name: str, form: str, pair: str) -> dict[str, Any] | None:
    try:
        r: dict[str, Any] = result["sets"][name]["phases"][form]["ratios"][pair]
    except KeyError:
        return None
    return r if r["n"] else None


def cell(summ: dict[str, Any] | None) -> str:
    if summ is None:
        return "n/a"
    return f"{fmt_s(summ['median'])} [{fmt_s(summ['min'])}–{fmt_s(summ['max'])}]"


def rcell(summ: dict[str, Any] | None) -> str:
    if summ is None:
        return "n/a"
    return f"**{fmt_ratio(summ['median'])}** [{fmt_ratio(summ['min'])}–{fmt_ratio(summ['max'])}]"


def plot(result: dict[str, Any], out: Path) -> bool:
    try:
        import matplotlib as mpl  # noqa: PLC0415

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        log("matplotlib not installed; no plot")
        return False
    names = list(result["sets"])
    panels = (
        ("create", "new directory per run", (GRAFT, UV_HARDLINK, UV_SYMLINK, PIP)),
        ("prescribed", "rm -rf previous venv, then create", (GRAFT, UV_HARDLINK)),
    )
    colors = {GRAFT: "#2a9d8f", UV_HARDLINK: "#e9c46a", UV_SYMLINK: "#f4a261", PIP: "#9e9e9e"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, (form, title, keys) in zip(axes, panels, strict=True):
        width = 0.8 / len(keys)
        for i, key in enumerate(keys):
            xs, ys, lo, hi = [], [], [], []
            for x, name in enumerate(names):
                phase_form = "pip" if key == PIP else form
                summ = med(result, name, phase_form, key)
                if summ is None:
                    continue
                xs.append(x + (i - (len(keys) - 1) / 2) * width)
                ys.append(summ["median"])
                lo.append(summ["median"] - summ["min"])
                hi.append(summ["max"] - summ["median"])
            if not xs:
                continue
            ax.bar(xs, ys, width, label=LABELS[key], color=colors[key], yerr=[lo, hi], capsize=2)
            for x, y in zip(xs, ys, strict=True):
                ax.annotate(
                    fmt_s(y),
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 3),
                    ha="center",
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
    axes[0].set_ylabel("wall time per sync, median (s, log scale); bars: min–max")
    fig.suptitle("Build a venv from a warm cache/store (lower is better)", fontsize=11)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def interpretation(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    tgt = ratio(result, TARGET_SET, "create", f"{GRAFT}/{UV_HARDLINK}")
    if TARGET_SET in result["sets"]:
        if tgt is None:
            lines.append(
                f"- **Target (graft ≤ {TARGET_RATIO}× uv on the {TARGET_SET} set): not measured**"
                " — graft's side did not run (see Caveats)."
            )
        else:
            verdict = "met" if tgt["median"] <= TARGET_RATIO else "**not met**"
            lines.append(
                f"- **Target (graft ≤ {TARGET_RATIO}× uv hardlink on the {TARGET_SET} set,"
                f" new-directory form): {verdict}** — paired median ratio"
                f" {tgt['median']:.2f} [{tgt['min']:.2f}–{tgt['max']:.2f}]."
            )
        pre = ratio(result, TARGET_SET, "prescribed", f"{GRAFT}/{UV_HARDLINK}")
        if pre is not None:
            lines.append(
                f"- In the prescribed form (delete the previous venv, then build) the"
                f" {TARGET_SET} ratio is {pre['median']:.2f} [{pre['min']:.2f}–{pre['max']:.2f}];"
                " the deletion is part of both sides' time."
            )
    for name, data in result["sets"].items():
        r = ratio(result, name, "create", f"{GRAFT}/{UV_HARDLINK}")
        links = data.get("links", {})
        g, u = links.get(GRAFT), links.get(UV_SYMLINK)
        parts = []
        if r is not None:
            faster = "faster" if r["median"] < 1 else "slower"
            factor = 1 / r["median"] if r["median"] < 1 else r["median"]
            parts.append(f"graft is {factor:.1f}× {faster} than uv hardlink")
        if g and u and g["site_files_reachable"]:
            parts.append(
                f"graft creates {g['site_symlinks']:,} links for {g['site_files_reachable']:,}"
                f" files ({g['site_symlinks'] / g['site_files_reachable']:.3f} per file;"
                f" uv symlink mode: {u['site_symlinks']:,} for {u['site_files_reachable']:,})"
            )
        if parts:
            lines.append(f"- {name}: " + "; ".join(parts) + ".")
    pip_r = ratio(result, PIP_SET, "pip", f"{PIP}/{UV_HARDLINK}")
    if pip_r is not None:
        lines.append(
            f"- pip (copies every file, `--no-compile`) is {pip_r['median']:.1f}× uv hardlink"
            f" on {PIP_SET}."
        )
    return lines


def md_caveats(result: dict[str, Any]) -> list[str]:
    lines = []
    graft = result["tools"]["graft"]
    if not graft["available"]:
        lines.append(
            "- **graft was not usable when these figures were taken; its columns are n/a.**"
        )
    for name, data in result["sets"].items():
        err = data["prepared"].get("graft_error")
        if err and graft["available"]:
            lines.append(f"- {name}: graft failed during preparation: `{err}`")
        for form, phase in data.get("phases", {}).items():
            for key, s in phase["series"].items():
                if s["error"] and not (key == GRAFT and err):
                    lines.append(f"- {name} / {form} / {key}: `{s['error']}`")
        checks = data["prepared"].get("checks", {})
        bad = {k: v for k, v in checks.items() if v != data["prepared"]["distributions"]}
        if bad:
            lines.append(
                f"- {name}: distributions visible to `importlib.metadata` differ from the"
                f" {data['prepared']['distributions']} pinned: {bad}"
            )
    la0, la1 = result.get("loadavg_start"), result.get("loadavg_end")
    if la0 and la1:
        lines.append(
            f"- Load average (1/5/15 min) at start {la0}, at end {la1}; anything else running"
            " on the two cores shows up as noise."
        )
    lines += [
        "- Filesystem: on ext4 without a journal (this machine), creating inodes right after a"
        " mass delete is slow for about a minute. That penalises whichever command creates"
        " inodes (symlinks, copies) after a delete, so the new-directory form is timed first,"
        f" after waiting {result['config']['settle_s']:.0f} s from the script's last delete;"
        " the prescribed form, which deletes inside the timing by design, comes last. Hardlink"
        " creation is not affected. A journaled ext4 on a workstation shows a much smaller"
        " deletion penalty.",
        "- uv caches interpreter information by path, so in the new-directory form each uv run"
        " pays one interpreter query (~40 ms, a Python start-up); in the prescribed form the"
        " path repeats and uv skips it. graft's figures include its own Python start-up.",
        "- Tools run from warm bytecode (`PYTHONDONTWRITEBYTECODE` is unset for the timed"
        " processes, `PYTHONPYCACHEPREFIX` points into the work dir); nothing in the built venvs"
        " is byte-compiled by uv or pip (`--no-compile`).",
        "- uv is run `--offline` from a warm cache; online it revalidates every index page.",
        "- Machine speed drifts by 20–30 % over minutes: compare the paired ratios, not medians"
        " across tables or runs.",
    ]
    return lines


def render_markdown(result: dict[str, Any], png: Path | None) -> str:
    m, t, c = result["machine"], result["tools"], result["config"]
    names = list(result["sets"])
    fs = m.get("filesystem", {})
    g = t["graft"]
    graft_desc = (
        f"graft {g.get('version') or '(version unknown)'}"
        + (f", git {g['git_head']}" if g.get("git_head") else ", no commit yet")
        + ("" if g["available"] else " — **not usable at the time of this run**")
    )
    out = [
        "# Benchmarks: `graft sync` vs `uv pip install` vs pip",
        "",
        "<!-- Generated by benchmarks/bench_sync.py; edit the script, not this file. -->",
        "",
        f"Last run: {result['started']} (total {result['duration_s'] / 60:.1f} min,"
        f" of which {result['timed_seconds']:.0f} s timed commands). Raw data:"
        f" `{display_path(Path(c.get('out', str(DEFAULT_OUT))))}`.",
        "",
        "## Summary",
        "",
        *interpretation(result),
        "",
        "## What is measured",
        "",
        "Each set is a pinned, fully resolved requirements file (`benchmarks/sets/`); every"
        " distribution installs from a cp311 manylinux x86_64 wheel, downloaded once. The caches"
        " are warm: uv's cache holds every wheel unpacked, graft's store holds every wheel"
        " ingested. Each timed command builds a complete venv for the set, `--no-deps`, from"
        " local wheels only, as one fresh process tree (wall clock from spawn to exit):",
        "",
        "| key | command |",
        "|---|---|",
        "| graft sync | `graft sync NEWDIR -r SET --python PY --no-deps --no-index"
        " --find-links WHEELS --store STORE -q` |",
        "| uv (hardlink) | `uv venv -q NEWDIR && uv pip install --offline -q --no-deps"
        " --no-index --link-mode hardlink --find-links WHEELS --python NEWDIR/bin/python"
        " -r SET` (hardlink is uv's default on Linux) |",
        "| uv (symlink) | the same with `--link-mode symlink` |",
        f"| pip --no-compile | `python -m venv --without-pip NEWDIR && pip --python"
        f" NEWDIR/bin/python install -q --no-deps --no-index --no-compile --find-links WHEELS"
        f" -r SET` ({PIP_SET} set only, copies every file) |",
        "",
        "Forms:",
        "",
        "- **new directory**: every run builds into a brand-new unique directory; nothing is"
        " deleted inside the timing. Commands alternate A B C A B C …; the first round is an"
        f" unrecorded warm-up. {c['runs']} recorded rounds ({c['runs_airflow']} for airflow);"
        f" the pip comparison alternates graft, uv, pip for {c['pip_runs']} rounds.",
        "- **prescribed**: what a user does to rebuild — `rm -rf VENV` at a fixed path, then"
        " build (graft: `rm -rf VENV && graft sync VENV …`; uv: `rm -rf VENV && uv venv … &&"
        " uv pip install …`). Alternated the same way.",
        "- **no-op re-sync**: the same command run again on the venv the prescribed form left"
        " behind (graft: `graft sync VENV …`; uv: `uv pip install …` into the existing venv),"
        " i.e. the cost of confirming a venv is already in sync.",
        "",
        "Times are `median [min–max]`. Ratios are paired: A/B is computed within each round"
        " (the two runs seconds apart), then the median [min–max] of those ratios is quoted;"
        " they are the robust figures because the machine's speed drifts.",
        "",
        "## Machine",
        "",
        f"- {m.get('cpus')} CPUs ({m.get('cpu', 'unknown CPU')}), {m.get('mem_gib', '?')} GiB"
        f" RAM, Linux {m.get('kernel')}",
        f"- work dir on `{fs.get('type', '?')}` ({fs.get('options', '?')}), mounted at"
        f" `{fs.get('mount', '?')}`; venvs, uv cache and graft store all on it",
        f"- {t['python']['version']} (`{t['python']['path']}`), {t['uv']['version']},"
        f" {t['pip']['version']}, {graft_desc}",
        "",
        "## Results",
        "",
        "### New directory per run",
        "",
        "| set | dists | graft sync | uv (hardlink) | uv (symlink) | graft / uv hardlink"
        " | graft / uv symlink |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in names:
        out.append(
            f"| {n} | {result['sets'][n]['prepared']['distributions']}"
            f" | {cell(med(result, n, 'create', GRAFT))}"
            f" | {cell(med(result, n, 'create', UV_HARDLINK))}"
            f" | {cell(med(result, n, 'create', UV_SYMLINK))}"
            f" | {rcell(ratio(result, n, 'create', f'{GRAFT}/{UV_HARDLINK}'))}"
            f" | {rcell(ratio(result, n, 'create', f'{GRAFT}/{UV_SYMLINK}'))} |"
        )
    if PIP_SET in names and "pip" in result["sets"][PIP_SET]["phases"]:
        out += [
            "",
            f"### Copying baseline: pip, {PIP_SET} set",
            "",
            "| graft sync | uv (hardlink) | pip --no-compile | pip / uv hardlink | graft / pip |",
            "|---|---|---|---|---|",
            f"| {cell(med(result, PIP_SET, 'pip', GRAFT))}"
            f" | {cell(med(result, PIP_SET, 'pip', UV_HARDLINK))}"
            f" | {cell(med(result, PIP_SET, 'pip', PIP))}"
            f" | {rcell(ratio(result, PIP_SET, 'pip', f'{PIP}/{UV_HARDLINK}'))}"
            f" | {rcell(ratio(result, PIP_SET, 'pip', f'{GRAFT}/{PIP}'))} |",
        ]
    out += [
        "",
        "### Prescribed form (rm -rf previous venv, then build) and no-op re-sync",
        "",
        "| set | graft, rebuild | uv hardlink, rebuild | ratio | graft, re-sync"
        " | uv, re-sync | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in names:
        out.append(
            f"| {n} | {cell(med(result, n, 'prescribed', GRAFT))}"
            f" | {cell(med(result, n, 'prescribed', UV_HARDLINK))}"
            f" | {rcell(ratio(result, n, 'prescribed', f'{GRAFT}/{UV_HARDLINK}'))}"
            f" | {cell(med(result, n, 'resync', GRAFT))}"
            f" | {cell(med(result, n, 'resync', UV_HARDLINK))}"
            f" | {rcell(ratio(result, n, 'resync', f'{GRAFT}/{UV_HARDLINK}'))} |"
        )
    out += [
        "",
        "### Links created per file served (site-packages)",
        "",
        "Counted on the warm-up venvs: *links* = symlinks found walking without following links"
        " (file and directory links); *files* = files reachable walking through the links,"
        " `__pycache__` excluded. `graft --json` reports its own counts in the last column.",
        "",
        "| set | graft: links (of which dirs) | graft: files | graft: links per file"
        " | uv symlink: links | uv symlink: files | uv: links per file | graft `--json`"
        " links / files |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        data = result["sets"][n]
        links = data.get("links", {})
        gl, ul = links.get(GRAFT), links.get(UV_SYMLINK)
        gj = data["prepared"].get("graft_json") or {}
        gjs = f"{gj.get('links', '?')} / {gj.get('files', '?')}" if gj else "n/a"
        cells = [*census_cells(gl, dirs=True), *census_cells(ul, dirs=False), gjs]
        out.append(f"| {n} | " + " | ".join(cells) + " |")
    if png is not None:
        out += ["", f"![sync wall time per set and command]({png.name})"]
    out += ["", "## Caveats", "", *md_caveats(result)]
    out += [
        "",
        "## How to reproduce",
        "",
        "```sh",
        "cd /path/to/graft && .venv/bin/python benchmarks/bench_sync.py --runs 10 --runs-airflow 5",
        "```",
        "",
        "The first run downloads the wheels (~140 MB) into `~/.cache/graft-bench/wheels`"
        " (`$GRAFT_BENCH_CACHE` or `--cache` to move it) and warms uv's cache and graft's store"
        " in `~/.cache/graft-bench/work`; later runs reuse them. The script isolates pip and uv"
        " from machine configuration (`PIP_CONFIG_FILE=/dev/null`, `PIP_FIND_LINKS` and other"
        " `PIP_*`/`UV_*` variables removed, `UV_NO_CONFIG=1`, its own `UV_CACHE_DIR`)."
        " `--sets small,medium` limits the sets; `--report-only JSON` regenerates this page"
        " and the plot from a saved result. See `benchmarks/README.md`.",
        "",
    ]
    return "\n".join(out)


def census_cells(c: dict[str, int] | None, *, dirs: bool) -> list[str]:
    """Table cells: links (of which directory links), files reachable, links per file."""
    if not c:
        return ["n/a", "n/a", "n/a"]
    files = c["site_files_reachable"]
    links = f"{c['site_symlinks']:,}" + (f" ({c['site_dir_symlinks']:,})" if dirs else "")
    per = f"{c['site_symlinks'] / files:.3f}" if files else "n/a"
    return [links, f"{files:,}", per]


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


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    default_cache = os.environ.get("GRAFT_BENCH_CACHE") or str(
        Path("~/.cache/graft-bench").expanduser()
    )
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--runs", type=int, default=10, help="recorded rounds per set (default 10)")
    p.add_argument(
        "--runs-airflow", type=int, default=None, help="rounds for the airflow set (default 5)"
    )
    p.add_argument("--pip-runs", type=int, default=3, help=f"pip rounds on {PIP_SET} (default 3)")
    p.add_argument(
        "--sets",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=list(DEFAULT_SETS),
        help="comma-separated set names from benchmarks/sets/ (default small,medium,airflow)",
    )
    p.add_argument("--out", default=str(DEFAULT_OUT), help="where to write the JSON result")
    p.add_argument("--no-docs", action="store_true", help="do not regenerate docs/benchmarks.md")
    p.add_argument("--report-only", metavar="JSON", help="regenerate the docs from a result file")
    p.add_argument("--prepare-only", action="store_true", help="download and warm caches, exit")
    p.add_argument("--cache", default=default_cache, help="wheel cache root ($GRAFT_BENCH_CACHE)")
    p.add_argument("--work", help="work dir for caches, store and venvs (default CACHE/work)")
    p.add_argument("--fresh", action="store_true", help="empty uv cache and graft store first")
    p.add_argument("--keep", action="store_true", help="keep this run's venvs")
    p.add_argument("--settle", type=float, default=DEFAULT_SETTLE_S, help="seconds after deletes")
    p.add_argument(
        "--python",
        default=getattr(sys, "_base_executable", sys.executable),
        help="target interpreter (default: the base interpreter running this script)",
    )
    p.add_argument("--graft", help="command that starts graft (default .venv/bin/graft)")
    p.add_argument("--uv", help="uv executable (default: uv on PATH or next to this python)")
    args = p.parse_args(argv)
    if args.runs_airflow is None:
        args.runs_airflow = min(args.runs, 5)
    unknown = [s for s in args.sets if not (SETS_DIR / f"{s}.txt").is_file()]
    if unknown:
        p.error(
            f"unknown set(s) {unknown}; available: {sorted(f.stem for f in SETS_DIR.glob('*.txt'))}"
        )
    if args.runs < 1:
        p.error("--runs must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        result = json.loads(Path(args.report_only).read_text())
        write_docs(result, DOCS_MD, DOCS_PNG)
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


def print_summary(result: dict[str, Any]) -> None:
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
                f"{pair} {rcell(r if r['n'] else None)}" for pair, r in phase["ratios"].items()
            ]
            print(f"  {form:10s} " + "; ".join(parts))


if __name__ == "__main__":
    sys.exit(main())
