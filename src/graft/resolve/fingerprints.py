"""Fingerprints of what a resolution read: a file's bytes, a directory's names, a file's identity.

Shared by the resolution memo (:mod:`graft.resolve.memo`) and the sync stamp
(:mod:`graft.cli.noop`), which checks them before anything else of graft is imported:
this module needs the standard library's ``os`` and SHA-256 only (not even ``typing``).
"""

from __future__ import annotations

import os

from graft._sha256 import sha256_hex

_RACY_NS = 2_000_000_000  # a file changed less than 2 s ago may change again unseen

KINDS = ("content", "optional", "listing", "stat", "present", "machine", "env", "modules", "files")
#: What built-in variant detection reads (graft.variants.machine): the CPU's feature flags
#: and the NVIDIA driver's version line. Other lines of /proc/cpuinfo (clock speeds) change.
_MACHINE = (("/proc/cpuinfo", ("flags", "Features")), ("/proc/driver/nvidia/version", ("NVRM",)))


def fingerprint(kind: str, path: str) -> str | None:  # noqa: PLR0911 - one answer per kind
    """What must not change at *path*: its bytes, names, identity or presence; None if gone.

    Kind ``present``: that it is there, followed through links, as
    :func:`graft.build.intree.first_missing` checks what an editable build left. Kind
    ``optional``: the bytes of a file that may be missing, ``absent`` then (an editable's
    ``setup.cfg``, say).

    Kind ``modules``: the names of the Python modules in the project tree *path*
    (:func:`graft.build.tree_walk.module_names`); ``files``: of every file in it
    (:func:`graft.build.tree_walk.file_names`). Kind ``machine`` (no path): the hardware
    facts wheel-variant detection reads. Kind ``env`` (*path* names an environment variable
    a requirements file expanded): its value.
    """
    if kind == "machine":
        return _machine()
    if kind in ("modules", "files"):  # (names in a project tree: an editable's, 270 and 289)
        from graft.build.tree_walk import names_digest  # noqa: PLC0415

        return names_digest(kind, path)
    if kind == "env":  # (hashed: a token in it is not kept in the memo)
        value = os.environ.get(path)
        return "unset" if value is None else sha256_hex(value.encode("utf-8", "surrogateescape"))
    try:
        if kind == "optional" and not os.path.isfile(path):
            return "absent"
        if kind in ("content", "optional"):
            with open(path, "rb") as fh:
                return sha256_hex(fh.read())
        if kind == "listing":
            return sha256_hex("\0".join(sorted(os.listdir(path))).encode())
        st = os.stat(path)
    except OSError:
        return None
    if kind == "present":
        return "present"
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _machine() -> str:
    lines: set[str] = set()
    for path, prefixes in _MACHINE:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines.update(line.strip() for line in fh if line.startswith(prefixes))
        except OSError:
            lines.add(f"{path}: none")
    return sha256_hex("\n".join(sorted(lines)).encode())


def racy(path: str, now_ns: int) -> bool:
    """Modified so recently that a rewrite could keep its mtime (timestamps are coarse)."""
    try:
        return os.stat(path).st_mtime_ns > now_ns - _RACY_NS
    except OSError:
        return True


def unchanged(watched: list[tuple[str, str, str | None]]) -> bool:
    """Whether every ``(kind, path, fingerprint)`` still holds (a missing one never does)."""
    return all(
        expected is not None and kind in KINDS and fingerprint(kind, path) == expected
        for kind, path, expected in watched
    )
