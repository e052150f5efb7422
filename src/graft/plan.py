"""The plan: a frozen, ordered tuple of typed actions, each naming the wheel it comes from.

Destinations are venv-relative posix paths. Sources are absolute paths inside
the store. Actions are sorted by destination, so a directory always precedes
what it holds, and two plans for the same inputs are equal and serialise to the
same JSON.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

LinkMode = Literal["symlink", "hardlink", "copy"]
CollisionPolicy = Literal["error", "warn", "ignore"]


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
    dest: str
    source: str
    wheel: str
    kind: Literal["link_file"] = "link_file"


@dataclass(frozen=True, slots=True)
class WriteFile:
    """Bytes graft generates: console-script launchers, INSTALLER, REQUESTED, direct_url.json."""

    dest: str
    content: bytes
    wheel: str
    executable: bool = False
    kind: Literal["write_file"] = "write_file"


@dataclass(frozen=True, slots=True)
class InstallScript:
    """A ``.data/scripts`` file, copied with a ``#!python`` shebang rewritten to the venv's."""

    dest: str
    source: str
    wheel: str
    kind: Literal["install_script"] = "install_script"


class RecordRow(NamedTuple):
    path: str  # relative to the directory holding the .dist-info, as RECORD wants
    digest: str  # "" for rows without a hash (RECORD itself, .pyc, directory links)
    size: str
    dest: str = ""  # set when the materializer must hash what it wrote (installed scripts)


@dataclass(frozen=True, slots=True)
class WriteRecord:
    dest: str
    rows: tuple[RecordRow, ...]
    wheel: str
    kind: Literal["write_record"] = "write_record"


Action = MakeDir | LinkDir | LinkFile | WriteFile | InstallScript | WriteRecord


@dataclass(frozen=True, slots=True)
class Collision:
    """One path two distributions provide differently. The winner's copy is installed."""

    path: str
    winner: str
    losers: tuple[str, ...]
    reason: Literal["content", "file-vs-directory"]

    def describe(self) -> str:
        what = "with different contents" if self.reason == "content" else "as file and directory"
        return (
            f"{self.path} is provided by {', '.join(self.losers)} and {self.winner} {what};"
            f" {self.winner} wins"
        )


@dataclass(frozen=True, slots=True)
class PlannedDistribution:
    name: str
    version: str
    wheel: str  # filename
    sha256: str
    requested: bool


@dataclass(frozen=True, slots=True)
class Plan:
    prefix: str  # absolute path of the venv this plan builds
    python: str  # the venv's interpreter, as written into launchers
    link_mode: LinkMode
    distributions: tuple[PlannedDistribution, ...]
    actions: tuple[Action, ...]
    collisions: tuple[Collision, ...]
    files_served: int  # wheel files reachable in the venv (bytecode excluded)

    @property
    def links(self) -> int:
        return sum(1 for a in self.actions if isinstance(a, LinkDir | LinkFile))

    @property
    def directories(self) -> int:
        return sum(1 for a in self.actions if isinstance(a, MakeDir))

    def to_dict(self) -> dict[str, Any]:
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
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


def _action_dict(action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"action": action.kind, "dest": action.dest}
    if isinstance(action, LinkDir | LinkFile | InstallScript):
        out["source"] = action.source
    if isinstance(action, LinkDir | LinkFile | InstallScript | WriteFile | WriteRecord):
        out["wheel"] = action.wheel
    if isinstance(action, WriteFile):
        try:
            out["text"] = action.content.decode()
        except UnicodeDecodeError:
            out["base64"] = base64.b64encode(action.content).decode()
        out["executable"] = action.executable
    if isinstance(action, WriteRecord):
        out["rows"] = len(action.rows)
    return out
