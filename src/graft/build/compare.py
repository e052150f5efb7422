"""``--reuse-builds verify``: the installed files of two wheels of one release, compared.

Each archive member is taken to where an installer puts it (``.data/purelib`` and
``.data/platlib`` into site-packages beside the root, ``.data/scripts`` into ``bin/``, other
``.data`` categories under their name); RECORD (and its signatures) is left out, and a
script's first line is ignored when it is a shebang, which installers rewrite anyway.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

_SIGNATURES = ("RECORD", "RECORD.jws", "RECORD.p7s")


@dataclass(frozen=True, slots=True)
class Difference:
    """One installed path that differs between the two wheels."""

    path: str
    how: str  # "only in the reused wheel", "only in the rebuilt wheel", "content differs"

    def __str__(self) -> str:
        return f"{self.how}: {self.path}"


def installed_path(member: str) -> tuple[str, bool] | None:
    """Where *member* is installed, and whether it is a script; None for RECORD.

    Paths are relative to site-packages, or ``bin/`` and ``<category>/`` for ``.data``.
    """
    top, _, rest = member.partition("/")
    if top.endswith(".dist-info") and rest in _SIGNATURES:
        return None
    if top.endswith(".data") and rest:
        category, _, inner = rest.partition("/")
        if category in {"purelib", "platlib"}:
            return inner, False
        if category == "scripts":
            return f"bin/{inner}", True
        return f"{category}/{inner}", False
    return member, False


def installed_files(wheel: str) -> dict[str, str]:
    """Installed path → sha256 of its content (shebang line of scripts dropped)."""
    files: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            placed = installed_path(info.filename)
            if placed is None:
                continue
            path, script = placed
            data = archive.read(info)
            if script and data.startswith(b"#!"):
                data = data.split(b"\n", 1)[1] if b"\n" in data else b""
            files[path] = hashlib.sha256(data).hexdigest()
    return files


def differences(reused: dict[str, str], rebuilt: dict[str, str]) -> tuple[Difference, ...]:
    """What differs between two installed-file maps, sorted by path. Pure."""
    found: list[Difference] = []
    for path in sorted(reused.keys() | rebuilt.keys()):
        if path not in rebuilt:
            found.append(Difference(path, "only in the reused wheel"))
        elif path not in reused:
            found.append(Difference(path, "only in the rebuilt wheel"))
        elif reused[path] != rebuilt[path]:
            found.append(Difference(path, "content differs"))
    return tuple(found)


def compare_wheels(reused: str, rebuilt: str) -> tuple[Difference, ...]:
    """The installed files that differ between the wheel files *reused* and *rebuilt*."""
    return differences(installed_files(reused), installed_files(rebuilt))
