"""Preparation (untimed): tools found, wheels downloaded once, caches warmed, bytecode compiled."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename

from . import reqs
from .commands import graft_argv
from .common import PLATFORMS, SETS_DIR, Argv, BenchError, Paths, Tools, capture, log, tail
from .quiet import IdleBudget

if TYPE_CHECKING:
    import argparse


@dataclass
class Bench:
    """Everything a run shares: tools, paths, the environment, what preparation found."""

    tools: Tools
    paths: Paths
    env: dict[str, str]
    prepared: dict[str, Prepared] = field(default_factory=dict)
    graft_error: str | None = None  # why graft cannot run at all, if it cannot
    idle: IdleBudget = field(default_factory=lambda: IdleBudget(0.0))
    index_url: str | None = None  # the loopback index, while it is served


@dataclass
class Prepared:
    """One set after preparation, and the untimed checks made on its venvs."""

    name: str
    distributions: int
    wheel_bytes: int
    graft_error: str | None = None
    graft_json: dict[str, Any] | None = None
    checks: dict[str, int] = field(default_factory=dict)  # venv -> distributions found
    edited: str | None = None  # the pin the one-edited-pin path changes, `name==other`
    removable: str | None = None  # the root the add/remove paths take out and put back
    roots: list[str] = field(default_factory=list)  # the unpinned input of the resolve hook


def find_tools(args: argparse.Namespace, work: Path) -> Tools:
    """The target interpreter, graft, uv and pip, as the options name them.

    Without ``--graft``, graft is installed as users get it: from this checkout, not
    editable, into a venv of its own under *work*, with its bytecode compiled by the installer.
    """
    python = shutil.which(args.python) or args.python
    python = str(Path(python).resolve())
    py_version = capture([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
    uv = args.uv or shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists() and shutil.which(uv) is None:
        raise BenchError(f"uv not found (looked for {uv}); pass --uv")
    if args.graft:
        graft, graft_python = shlex.split(args.graft), [sys.executable]
    else:
        venv = install_graft(uv, work / "graft-install")
        graft, graft_python = [str(venv / "bin" / "graft")], [str(venv / "bin" / "python")]
    return Tools(
        python=python,
        py_version=py_version,
        graft=graft,
        uv=uv,
        pip=[sys.executable, "-m", "pip"],
        graft_python=graft_python,
        external_graft=bool(args.graft),
    )


def install_graft(uv: str, venv: Path) -> Path:
    """A fresh venv holding graft from this checkout, installed (not editable) and compiled."""
    root = Path(__file__).resolve().parents[2]  # benchmarks/syncbench/prepare.py -> checkout
    log(f"installing graft from {root} into {venv} (not editable, bytecode compiled)")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    # from a copy: setuptools builds in the source tree, leaving build/ and src/graft.egg-info,
    # and with the latter an editable checkout's tests find a second graft distribution
    with tempfile.TemporaryDirectory(prefix="graft-bench-src-") as copy:
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, copy)
        shutil.copytree(
            root / "src",
            Path(copy) / "src",
            ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"),
        )
        argv = [uv, "pip", "install", "-q", "--python", python, "--compile-bytecode", copy]
        subprocess.run(argv, check=True, env={**os.environ, "UV_NO_CACHE": "1"})
    return venv


def graft_problem(bench: Bench) -> str | None:
    """None if `graft sync --help` works, else a one-line reason."""
    argv = [*bench.tools.graft, "sync", "--help"]
    return try_once(bench, argv)


def try_once(bench: Bench, argv: Argv, env: dict[str, str] | None = None) -> str | None:
    """Run argv untimed: None if it exits 0, else a one-line reason (for unsupported paths)."""
    try:
        proc = subprocess.run(
            argv,
            env={**bench.env, **(env or {})},
            cwd=bench.paths.work,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`{shlex.join(argv)}` could not run: {exc}"
    if proc.returncode != 0:
        why = tail(proc.stderr or proc.stdout, 2).replace(str(bench.paths.runs), "RUN")
        return f"exit {proc.returncode}: {why}"
    return None


def compile_tools(bench: Bench) -> None:
    """Compile pip's side (its dependencies, the standard library) and a --graft's sources.

    Users get graft from an installer that writes bytecode (as :func:`install_graft` does);
    this machine sets PYTHONDONTWRITEBYTECODE=1, so what the timed processes import is
    compiled once, here (compileall skips what is current); for a graft named by --graft, into
    the run's PYTHONPYCACHEPREFIX.
    """
    dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]}
    if bench.tools.external_graft:  # (else graft was installed compiled, in a venv of its own)
        import graft  # noqa: PLC0415  (the package being benchmarked, located, not used)

        dirs.update(graft.__path__)
    what = "graft's sources, " if bench.tools.external_graft else ""
    log(f"compiling {what}pip's side and the standard library (once)")
    argv = [*bench.tools.graft_python, "-m", "compileall", "-q", "-j", "0"]
    # Test suites hold deliberately broken files; compileall exits 1 for those, so only log.
    argv += ["-x", "/(tests?|idle_test|lib2to3)/", *sorted(dirs)]
    proc = subprocess.run(argv, env=bench.env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        log(f"  compileall: some files did not compile: {tail(proc.stdout + proc.stderr, 2)}")


def download(
    bench: Bench, dest: Path, requirements: list[str], key: str, *, sdists: bool = False
) -> Path:
    """`pip download` cp/manylinux wheels (or sdists) for the pins into dest, once per `key`."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    marker = dest / ".complete"
    if marker.exists() and marker.read_text().strip() == digest:
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    log(f"downloading wheels into {dest}")
    platforms = [arg for plat in PLATFORMS for arg in ("--platform", plat)]
    binary = ["--only-binary=:all:", "--python-version", bench.tools.py_version, *platforms]
    argv = [*bench.tools.pip, "download", "-q", "--no-deps"]
    argv += ["--no-binary=:all:"] if sdists else binary
    capture([*argv, "-d", str(dest), *requirements], env=bench.env)
    count = len(list(dest.glob("*.tar.gz" if sdists else "*.whl")))
    if count != len(requirements):
        raise BenchError(f"{dest}: {count} wheels for {len(requirements)} pins; clear it, rerun")
    marker.write_text(digest + "\n")
    return dest


def download_wheels(bench: Bench, name: str) -> Path:
    """The set's wheels, downloaded once into the cache (`wheels/<set>`)."""
    text = (SETS_DIR / f"{name}.txt").read_text()
    return download(bench, bench.paths.wheels(name), reqs.parse_set(text), text)


def requires_of(wheels: Path) -> dict[NormalizedName, list[str]]:
    """Each wheel's distribution and its Requires-Dist, read from its METADATA."""
    out: dict[NormalizedName, list[str]] = {}
    for path in sorted(wheels.glob("*.whl")):
        name, _version, *_ = parse_wheel_filename(path.name)
        with zipfile.ZipFile(path) as zf:
            meta = next(
                n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1
            )
            headers = HeaderParser().parsestr(zf.read(meta).decode("utf-8", "replace"))
        out[canonicalize_name(name)] = headers.get_all("Requires-Dist") or []
    return out


def count_distributions(venv: Path, env: dict[str, str]) -> int:
    """How many distributions the venv's interpreter sees through importlib.metadata."""
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


def plan_edits(bench: Bench, prep: Prepared, edit_pin: str) -> None:
    """Which pin the edited-pin path changes, which root add/remove uses, the set's roots."""
    requires = requires_of(bench.paths.wheels(prep.name))
    lines = reqs.parse_set((SETS_DIR / f"{prep.name}.txt").read_text())
    name, version = reqs.pinned(edit_pin)
    try:
        reqs.version_of(lines, name)
    except KeyError:
        log(f"{prep.name}: no pin of {name} to edit; the edited-pin path is skipped")
    else:
        prep.edited = f"{name}=={version}"
    prep.removable = reqs.choose_removable(requires, avoid=[name])
    prep.roots = reqs.unpinned_roots(requires)


def write_inputs(paths: Paths, prep: Prepared) -> dict[str, Path]:
    """The requirement files of a set's paths, in this run's directory."""
    lines = reqs.parse_set((SETS_DIR / f"{prep.name}.txt").read_text())
    base = paths.runs / "inputs" / prep.name
    base.mkdir(parents=True, exist_ok=True)
    files = {"full": lines}
    if prep.edited:
        name, version = reqs.pinned(prep.edited)
        files["edited"] = reqs.edit_pin(lines, name, version)
    if prep.removable:
        files["minus"] = reqs.drop_pin(lines, prep.removable)
    out = {}
    for key, content in files.items():
        out[key] = base / f"{key}.txt"
        out[key].write_text(reqs.render(content))
    out["roots"] = base / "roots.in"
    out["roots"].write_text(reqs.render(prep.roots))
    return out


def prepare_set(bench: Bench, name: str, graft_error: str | None) -> Prepared:
    """Download the wheels if needed; warm uv's cache and graft's store with one install each."""
    paths, env, tools = bench.paths, bench.env, bench.tools
    wheels = download_wheels(bench, name)
    set_file = SETS_DIR / f"{name}.txt"
    prep = Prepared(
        name=name,
        distributions=len(reqs.parse_set(set_file.read_text())),
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
            str(set_file),
        ],
        env=env,
        cwd=paths.work,
    )
    prep.checks["uv-warm"] = count_distributions(uv_venv, env)
    if graft_error is None:
        log(f"warming graft store for {name}")
        argv = graft_argv(tools, paths, set_file, wheels, str(warm / "graft"))
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
    """graft's `--json` summary, tolerating log lines before it."""
    text = stdout.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        start = text.find("{")
        try:
            data = json.loads(text[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            return {"unparsed": text[:2000]}
    return data if isinstance(data, dict) else {"value": data}
