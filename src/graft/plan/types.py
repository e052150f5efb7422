"""The plan: a frozen, ordered tuple of typed actions, each naming the wheel it comes from.

Destinations are venv-relative posix paths. Sources are absolute paths inside
the store. Actions are sorted by destination, so a directory always precedes
what it holds, and two plans for the same inputs are equal and serialise to the
same JSON.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from graft.model.request import CollisionPolicy, LinkMode
    from graft.model.target import Target
    from graft.plan.collision import Collision

#: Below the data directory: configuration, copied into the venv (:class:`CopyFile`), which
#: tools rewrite in place: ``etc`` (decision 90), and Jupyter's kernel specs, which
#: ``python -m ipykernel install --sys-prefix`` removes and writes again (decision 107).
#: ``graft.venv.state.CONFIG_DIRS`` says the same (a unit test checks they agree).
CONFIG_DIRS = ("etc", "share/jupyter/kernels")
#: Files ``python -m venv`` writes at the top of a venv (3.13 adds .gitignore; lib64 is a link).
_SKELETON_TOP = frozenset({"pyvenv.cfg", ".gitignore", "lib64"})
#: ``platform_machine`` values of 64-bit machines whose names do not end in 64.
_WIDE_MACHINES = frozenset({"s390x", "alpha"})
#: Files it writes into the scripts directory: the interpreter under each of its names (CPython,
#: PyPy, free-threaded), PyPy's shared library, and the activate scripts.
_SKELETON_SCRIPT = re.compile(
    r"(?:python|pypy)(?:\d+(?:\.\d+)?t?)?w?|libpypy[\w.-]*\.so"
    r"|activate|activate\.(?:csh|fish|nu|bat)|[Aa]ctivate\.ps1|deactivate\.bat"
)


@dataclass(frozen=True, slots=True)
class VenvLayout:
    """Where things go in the venv: the target's scheme, relative to the prefix."""

    prefix: str
    purelib: str
    platlib: str
    scripts: str
    data: str
    include_site: str  # "include/site/python3.11"
    lib64: bool = False  # the venv has python -m venv's link lib64 -> lib

    @classmethod
    def for_target(cls, prefix: str, target: Target) -> VenvLayout:
        """The layout *target*'s install scheme gives a venv at *prefix*.

        ``python -m venv`` links ``lib64`` to ``lib`` on 64-bit POSIX systems but macOS
        (CPython's ``venv.EnvBuilder.ensure_directories``, PyPy's alike), read here from the
        target's markers.
        """
        markers = target.markers
        machine = markers.get("platform_machine", "").lower()
        return cls(
            prefix=prefix,
            purelib=target.scheme["purelib"],
            platlib=target.scheme["platlib"],
            scripts=target.scheme["scripts"],
            data=target.scheme.get("data", ""),
            include_site=target.include_site,
            lib64=markers.get("os_name") == "posix"
            and markers.get("sys_platform") != "darwin"
            and (machine.endswith("64") or machine in _WIDE_MACHINES),
        )

    @property
    def configs(self) -> tuple[str, ...]:
        """The configuration directories below the data directory: copied, never linked."""
        return tuple(f"{self.data}/{c}" if self.data else c for c in CONFIG_DIRS)

    @property
    def python_version(self) -> str:
        """The target's ``X.Y`` (``3.12``), as its ``include/site/pythonX.Y`` names it."""
        return self.include_site.rpartition("python")[2]

    @property
    def python(self) -> str:
        """The venv's ``python``, an absolute path."""
        return os.path.join(self.prefix, self.scripts, "python")

    def skeleton(self) -> frozenset[str]:
        """The venv's own directories: scheme paths and their ancestors. Never folded."""
        out = {""}
        for path in (self.purelib, self.platlib, self.scripts, self.data, self.include_site):
            parts = path.split("/") if path else []
            out.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
        return frozenset(out)

    def skeleton_path(self, dest: str, skeleton: frozenset[str]) -> str | None:
        """The path of the venv itself that writing *dest* would replace or write through.

        *skeleton* is :meth:`skeleton`. A file cannot take the place of one of the venv's
        directories, nor of (or lie below) a file ``python -m venv`` wrote: ``pyvenv.cfg``,
        the interpreter's names and the activate scripts.
        """
        if dest in skeleton:
            return dest
        path = ""
        for part in dest.split("/"):
            parent, path = path, f"{path}/{part}" if path else part
            if (not parent and part in _SKELETON_TOP and (part != "lib64" or self.lib64)) or (
                parent == self.scripts and _SKELETON_SCRIPT.fullmatch(part)
            ):
                return path
        return None


@dataclass(frozen=True, slots=True)
class Policy:
    """What the request says about collisions and how files get into the venv."""

    collisions: CollisionPolicy = "warn"
    link_mode: LinkMode = "symlink"


@dataclass(frozen=True, slots=True)
class MakeDir:
    """A real directory: more than one wheel (or a native library, or the venv) lives here."""

    dest: str
    kind: Literal["mkdir"] = "mkdir"


@dataclass(frozen=True, slots=True)
class LinkDir:
    """A fold: the whole subtree at *dest* comes from one directory of one store entry."""

    dest: str
    source: str
    wheel: str
    kind: Literal["link_dir"] = "link_dir"


@dataclass(frozen=True, slots=True)
class LinkFile:
    """One file from a store entry: a link, or a hard link or copy as the link mode says."""

    dest: str
    source: str
    wheel: str
    kind: Literal["link_file"] = "link_file"


@dataclass(frozen=True, slots=True)
class CopyFile:
    """A configuration file (below the data directory's ``etc``): copied, whatever the link mode.

    As a flat install has it, a tool run in the venv may rewrite it (``jupyter server extension
    enable --sys-prefix`` rewrites the ``jupyterlab.json`` jupyterlab ships); a link into the
    store would refuse the write.
    """

    dest: str
    source: str
    wheel: str
    kind: Literal["copy_file"] = "copy_file"


@dataclass(frozen=True, slots=True)
class WriteFile:
    """Bytes graft generates: INSTALLER, REQUESTED, direct_url.json."""

    dest: str
    content: bytes
    wheel: str
    executable: bool = False
    kind: Literal["write_file"] = "write_file"


@dataclass(frozen=True, slots=True)
class WriteLauncher:
    """A console_scripts or gui_scripts launcher, rendered for the venv's interpreter.

    Only the shebang depends on where the venv is: the plan keeps the rest, and the
    materializer puts the venv's interpreter in front. A plan holds no prefix-dependent byte.
    """

    dest: str
    name: str
    value: str  # "module:attr"
    group: str  # "console_scripts" or "gui_scripts"
    body: bytes  # everything after the shebang line, rendered by pypa/installer
    wheel: str
    kind: Literal["write_launcher"] = "write_launcher"


@dataclass(frozen=True, slots=True)
class InstallScript:
    """A ``.data/scripts`` file, copied with a ``#!python`` shebang rewritten to the venv's."""

    dest: str
    source: str
    wheel: str
    kind: Literal["install_script"] = "install_script"


def record_digest(data: bytes) -> str:
    """The RECORD spelling of a sha256 digest: ``sha256=<urlsafe base64, no padding>``."""
    from graft._sha256 import sha256  # noqa: PLC0415 - (not hashlib: OpenSSL's import)

    # model.record.record_hash's spelling, without importing its four dataclasses on the
    # incremental path
    return f"sha256={base64.urlsafe_b64encode(sha256(data).digest()).rstrip(b'=').decode()}"


class RecordRow(NamedTuple):
    """One RECORD row: path, digest and size as RECORD spells them."""

    path: str  # relative to the directory holding the .dist-info, as RECORD wants
    digest: str  # "" for rows without a hash (RECORD itself, .pyc, directory links)
    size: str
    dest: str = ""  # set when the materializer must hash what it wrote (scripts, launchers)


@dataclass(frozen=True, slots=True)
class WriteRecord:
    """A RECORD: the rows known when planning, as CSV text, then rows the materializer hashes.

    Kept as text because a venv's RECORDs hold every file it serves (thousands of rows):
    rendered once by the planner, a kept plan writes them without building a row object each.
    """

    dest: str
    text: str  # CSV lines, one per row known at plan time
    pending: tuple[RecordRow, ...]  # scripts and launchers: hashed after they are written
    wheel: str
    kind: Literal["write_record"] = "write_record"

    @property
    def rows(self) -> tuple[RecordRow, ...]:
        """Every row: those known when planning, then the pending ones."""
        import csv  # noqa: PLC0415

        known = (RecordRow(*row) for row in csv.reader(self.text.splitlines()))
        return (*known, *self.pending)


Action = (
    MakeDir
    | LinkDir
    | LinkFile
    | CopyFile
    | WriteFile
    | WriteLauncher
    | InstallScript
    | WriteRecord
)


@dataclass(frozen=True, slots=True)
class PlannedDistribution:
    """One distribution the plan installs, from one wheel."""

    name: str
    version: str
    wheel: str  # filename
    sha256: str
    requested: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """What a sync does to a venv: its distributions, the actions in order, the collisions."""

    prefix: str  # absolute path of the venv this plan builds
    python: str  # the venv's interpreter, as written into launchers
    link_mode: LinkMode
    distributions: tuple[PlannedDistribution, ...]
    actions: tuple[Action, ...]
    collisions: tuple[Collision, ...]
    files_served: int  # wheel files reachable in the venv (bytecode excluded)

    @property
    def links(self) -> int:
        """How many actions are links (folded directories and files)."""
        return sum(1 for a in self.actions if isinstance(a, LinkDir | LinkFile))

    @property
    def directories(self) -> int:
        """How many actions make real directories."""
        return sum(1 for a in self.actions if isinstance(a, MakeDir))

    def to_dict(self) -> dict[str, Any]:
        """The plan as a JSON object: every distribution, action and collision."""
        return {
            "prefix": self.prefix,
            "python": self.python,
            "link_mode": self.link_mode,
            "distributions": [
                {
                    "name": d.name,
                    "version": d.version,
                    "wheel": d.wheel,
                    "sha256": d.sha256,
                    "requested": d.requested,
                }
                for d in self.distributions
            ],
            "actions": [_action_dict(a) for a in self.actions],
            "collisions": [
                {
                    "path": c.path,
                    "winner": c.winner,
                    "losers": list(c.losers),
                    "loser": c.losers[0],
                    "reason": c.reason,
                }
                for c in self.collisions
            ],
            "stats": {
                "links": self.links,
                "directories": self.directories,
                "files_served": self.files_served,
            },
        }

    def to_json(self) -> str:
        """The plan as indented JSON, keys sorted."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


def _action_dict(action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"action": action.kind, "dest": action.dest}
    if isinstance(action, LinkDir | LinkFile | CopyFile | InstallScript):
        out["source"] = action.source
    if not isinstance(action, MakeDir):
        out["wheel"] = action.wheel
    if isinstance(action, WriteLauncher):
        out["entry_point"] = f"{action.name} = {action.value}"
        out["group"] = action.group
    if isinstance(action, WriteFile):
        try:
            out["text"] = action.content.decode()
        except UnicodeDecodeError:
            out["base64"] = base64.b64encode(action.content).decode()
        out["executable"] = action.executable
    if isinstance(action, WriteRecord):
        out["rows"] = len(action.rows)
    return out
