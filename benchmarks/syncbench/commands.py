"""The exact command lines of each form (local wheels) and path (loopback index).

A command is made per run from the destination it writes and the round: `Maker(dest, round)`
gives the argv and the environment variables that differ from the run's (a cold run's empty
caches). The runner starts each as a fresh process tree and times it from spawn to exit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .common import SETS_DIR, Argv, Paths, Tools, sh

# Tool keys, in the order they alternate within a round.
GRAFT = "graft"
UV = "uv"  # uv pip install, default options (hardlink from its cache on Linux, no bytecode)
UV_COMPILE = "uv-compile"  # the same with --compile-bytecode: like for like with graft and pip
PIP = "pip"
UV_HARDLINK = "uv-hardlink"  # local-wheels forms: uv --offline --link-mode hardlink
UV_SYMLINK = "uv-symlink"
# Fixed costs, timed once per run (not per set): what any graft or uv command pays up front.
PY_START = "python-start"
GRAFT_HELP = "graft-help"  # graft sync --help: the CLI's imports, nothing done
GRAFT_TOP_HELP = "graft-top-help"  # graft --help: issue 12's start-up target
UV_VENV = "uv-venv"
INDEX_TOOLS = (GRAFT, UV, UV_COMPILE, PIP)


@dataclass(frozen=True)
class Cmd:
    """One timed command: its argv and the environment it adds to the run's."""

    argv: Argv
    env: dict[str, str] = field(default_factory=dict)


Maker = Callable[[str, int], Cmd]
ArgvFor = Callable[[str], Argv]


def graft_argv(tools: Tools, paths: Paths, reqs: Path, wheels: Path, dest: str) -> Argv:
    """The local-wheels forms' graft command: find-links, no index, no dependency check."""
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
    """The local-wheels forms' commands for one set, as functions of the destination venv."""
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
            GRAFT_TOP_HELP: lambda _dest: [*tools.graft, "--help"],
            UV_VENV: lambda dest: [tools.uv, "venv", "-q", dest],
        }
    if form == "create":
        return {GRAFT: graft, UV_HARDLINK: uv("hardlink"), UV_SYMLINK: uv("symlink")}
    if form == "pip":
        return {GRAFT: graft, UV_HARDLINK: uv("hardlink"), PIP: pip}
    if form in {"prescribed", "resync"}:
        return {GRAFT: graft, UV_HARDLINK: uv("hardlink")}
    raise ValueError(form)


@dataclass(frozen=True)
class IndexTools:
    """The index paths' commands for one interpreter, index and store."""

    tools: Tools
    url: str
    store: Path
    no_deps: bool = False

    def graft(self, dest: str, reqs: Path, store: Path | None = None) -> Argv:
        argv = [*self.tools.graft, "sync", dest, "-r", str(reqs), "--python", self.tools.python]
        argv += ["--index-url", self.url, "--store", str(store or self.store), "-q"]
        return [*argv, "--no-deps"] if self.no_deps else argv

    def uv(
        self, dest: str, reqs: Path, *, compile_: bool, create: bool, sync: bool = False
    ) -> Argv:
        """`uv pip install` (or `uv pip sync`) into dest; `uv venv` first when create."""
        verb = 'pip sync -q "$4"' if sync else 'pip install -q -r "$4"'
        flags = " --compile-bytecode" if compile_ else ""
        flags += " --no-deps" if self.no_deps and not sync else ""
        venv = '"$1" venv -q "$2" && ' if create else ""
        script = f'{venv}exec "$1" {verb} --index-url "$3" --python "$2/bin/python"{flags}'
        return sh(script, self.tools.uv, dest, self.url, str(reqs))

    def pip(self, dest: str, reqs: Path, *, create: bool) -> Argv:
        """`pip install` into dest (bytecode compiled, pip's default); a venv first if create."""
        argv = [*self.tools.pip, "--python", f"{dest}/bin/python", "install", "-q"]
        argv += ["--index-url", self.url, "-r", str(reqs)]
        argv += ["--no-deps"] if self.no_deps else []
        if not create:
            return argv
        script = '"$1" -m venv --without-pip "$2" && shift 2 && exec "$@"'
        return sh(script, self.tools.python, dest, *argv)

    def pip_uninstall(self, dest: str, name: str) -> Argv:
        return [*self.tools.pip, "--python", f"{dest}/bin/python", "uninstall", "-q", "-y", name]

    def install(self, reqs: Path, *, create: bool, fresh: str | None = None) -> dict[str, Maker]:
        """Every tool installing `reqs` into dest (a new venv when create).

        With fresh (a path's name), each round reads its own copy of the file (`fresh_copy`).
        """

        def at(rnd: int) -> Path:
            return fresh_copy(reqs, rnd, fresh) if fresh else reqs

        return {
            GRAFT: lambda dest, r: Cmd(self.graft(dest, at(r))),
            UV: lambda dest, r: Cmd(self.uv(dest, at(r), compile_=False, create=create)),
            UV_COMPILE: lambda dest, r: Cmd(self.uv(dest, at(r), compile_=True, create=create)),
            PIP: lambda dest, r: Cmd(self.pip(dest, at(r), create=create)),
        }

    def cold(self, reqs: Path) -> dict[str, Maker]:
        """A new venv from empty caches: dest/venv, with dest/store and dest/cache beside it."""

        def graft(dest: str, _rnd: int) -> Cmd:
            env = {"GRAFT_CACHE_DIR": f"{dest}/cache"}
            return Cmd(self.graft(f"{dest}/venv", reqs, store=Path(dest, "store")), env)

        def uv(compile_: bool) -> Maker:
            return lambda dest, _r: Cmd(
                self.uv(f"{dest}/venv", reqs, compile_=compile_, create=True),
                {"UV_CACHE_DIR": f"{dest}/cache"},
            )

        return {
            GRAFT: graft,
            UV: uv(False),
            UV_COMPILE: uv(True),
            PIP: lambda dest, _r: Cmd(
                self.pip(f"{dest}/venv", reqs, create=True), {"PIP_CACHE_DIR": f"{dest}/cache"}
            ),
        }

    def toggle(self, even: Path, odd: Path) -> dict[str, Maker]:
        """Into an existing venv: `even` in even rounds, `odd` in odd ones (one pin edited)."""

        def pick(rnd: int) -> Path:
            return fresh_copy(even if rnd % 2 == 0 else odd, rnd, "pin")

        return {
            GRAFT: lambda dest, r: Cmd(self.graft(dest, pick(r))),
            UV: lambda dest, r: Cmd(self.uv(dest, pick(r), compile_=False, create=False)),
            UV_COMPILE: lambda dest, r: Cmd(self.uv(dest, pick(r), compile_=True, create=False)),
            PIP: lambda dest, r: Cmd(self.pip(dest, pick(r), create=False)),
        }

    def remove(self, minus: Path, name: str) -> dict[str, Maker]:
        """Take one distribution out: graft sync and `uv pip sync` to `minus`, pip uninstall."""

        def at(rnd: int) -> Path:
            return fresh_copy(minus, rnd, "remove")

        return {
            GRAFT: lambda dest, r: Cmd(self.graft(dest, at(r))),
            UV: lambda dest, r: Cmd(self.uv(dest, at(r), compile_=False, create=False, sync=True)),
            UV_COMPILE: lambda dest, r: Cmd(
                self.uv(dest, at(r), compile_=True, create=False, sync=True)
            ),
            PIP: lambda dest, _r: Cmd(self.pip_uninstall(dest, name)),
        }

    def lock(
        self, roots: Path, graft_lock: Argv, *, edit: bool = False, fresh: str | None = None
    ) -> dict[str, Maker]:
        """graft lock (argv template) against `uv pip compile --universal`, output at dest.

        With *edit*, each round reads the roots with one line edited (:func:`edited_copy`):
        a new file with new bytes, as after a user's edit. With *fresh* (a path's name), each
        round reads its own copy of them (:func:`fresh_copy`), never locked before.
        """
        uv = [self.tools.uv, "pip", "compile", "-q", "--universal", "--index-url", self.url]

        def at(rnd: int) -> Path:
            if fresh:
                return fresh_copy(roots, rnd, fresh)
            return edited_copy(roots, rnd) if edit else roots

        return {
            GRAFT: lambda dest, r: Cmd(
                fill(graft_lock, dest=pylock_name(dest), roots=at(r), url=self.url)
            ),
            UV: lambda dest, r: Cmd([*uv, "-o", dest, str(at(r))]),
        }


def pylock_name(dest: str) -> str:
    """*dest* as a lock's name (``DIR/pylock.STEM.toml``), the only names graft lock writes."""
    path = Path(dest)
    return str(path.with_name(f"pylock.{path.stem.replace('.', '-')}.toml"))


def fresh_copy(reqs: Path, rnd: int, path: str) -> Path:
    """A copy of a requirements file for one round, never read before (made before timing).

    graft remembers what a requirement file's bytes resolved to; a user's edit makes a file it
    has not seen, so each round of a changing path reads new bytes (a comment naming the round)
    at a new path, one per benchmark path and round. The pins, and so the wheels, are the file's.
    """
    copy = reqs.with_name(f"{reqs.stem}-{path}-r{rnd:02d}{reqs.suffix}")
    if not copy.exists():
        copy.write_text(f"# {path}, round {rnd}\n{reqs.read_text()}")
    return copy


def edited_copy(roots: Path, rnd: int) -> Path:
    """The roots with one line edited for round *rnd* (made before timing).

    Odd rounds add an exclusion no release matches (``!=0.0.0``) to the first requirement,
    even rounds read it as it is; each round's file is new (a comment naming the round), so no
    tool can take it for the file it read before. The resolution stays the same, as it does
    for most edits.
    """
    copy = roots.with_name(f"{roots.stem}-lock-edit-r{rnd:02d}{roots.suffix}")
    if not copy.exists():
        lines = roots.read_text().splitlines()
        at = next((i for i, line in enumerate(lines) if line.strip() and line[0] != "#"), None)
        if at is not None and rnd % 2:
            requirement, semicolon, marker = lines[at].partition(";")
            comma = "," if any(op in requirement for op in "<>=!~") else ""
            lines[at] = f"{requirement.rstrip()}{comma}!=0.0.0{semicolon}{marker}"
        copy.write_text(f"# lock, one line edited, round {rnd}\n" + "\n".join(lines) + "\n")
    return copy


# `graft lock` as users run it: the default matrix (CPython 3.9-3.14 x Linux, macOS, Windows x
# x86_64, arm64), as `uv pip compile --universal` covers every environment; `--json` reports
# what reading METADATA cost (the lock hook records it from an untimed cold run).
GRAFT_LOCK = ("lock", "-r", "{roots}", "--index-url", "{url}", "-o", "{dest}", "-q")


def fill(template: Argv, *, dest: str, roots: Path, url: str) -> Argv:
    """graft's argv with the template's fields filled in."""
    return [part.format(dest=dest, roots=roots, url=url) for part in template]
