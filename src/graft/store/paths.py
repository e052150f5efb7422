"""Where things are in the store, computed without importing the store's machinery.

Shared by :mod:`graft.store.entries` (on a warm sync's path), :mod:`graft.store.verified` and
:mod:`graft.store.gcroots`, which import nothing else of each other's.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


def anchor_path(root: str) -> str:
    """The anchor beside the GC root file *root* (see :meth:`Store.register_root`)."""
    return root.removesuffix(".json") + ".anchor"


def verified_marker(store_root: str, sha256: str) -> str | None:
    """``verified/<sha256>.<inode>``: the marker of the entry now at ``entries/<sha256>``.

    See :mod:`graft.store.verified`; None if there is no entry.
    """
    try:
        inode = os.lstat(os.path.join(store_root, "entries", sha256)).st_ino
    except OSError:
        return None
    return os.path.join(store_root, "verified", f"{sha256}.{inode}")


def all_verified(store_root: str, shas: Iterable[str]) -> bool:
    """Whether the entry of each of *shas* is verified: its :func:`verified_marker` is a file.

    As ``verified_marker`` and ``os.path.isfile`` of each, with the store's two directories
    joined once: ``os.path.join`` costs ~9,000 instructions a call on CPython 3.11, and the
    fast paths ask of every entry of the venv (decision 466). A name that holds a slash, or
    none, is not an entry's: False.
    """
    import stat  # noqa: PLC0415 - (loaded by os)

    entries = os.path.join(store_root, "entries")
    verified = os.path.join(store_root, "verified")
    for sha in shas:
        if not sha or "/" in sha:
            return False
        try:
            inode = os.lstat(f"{entries}/{sha}").st_ino
            if not stat.S_ISREG(os.stat(f"{verified}/{sha}.{inode}").st_mode):
                return False
        except (OSError, ValueError):  # (ValueError: a NUL in the name)
            return False
    return True


#: of kept plans (graft.store.plancache); 2: configuration files copied; 3: kernel specs too;
#: 4: the bytecode of a real ``__pycache__`` copied in symlink mode, and portions exposed for
#: pip's uninstall (decisions 130, 131)
PLAN_FORMAT = 4


def plan_key(parts: list[object]) -> str:
    """The key of the plan made from *parts* (JSON-serialisable facts, in a fixed order).

    With graft's code: a plan kept by other code is never read.
    """
    from graft import _jsonc  # noqa: PLC0415 - (not json: decision 185)
    from graft._home import code_stamp  # noqa: PLC0415
    from graft._sha256 import sha256_hex  # noqa: PLC0415 - (not hashlib: OpenSSL's import)

    blob = _jsonc.dumps([PLAN_FORMAT, code_stamp(), *parts], sort_keys=True, default=repr)
    return sha256_hex(blob.encode())


def flat_file(store_root: str, key: str) -> str:
    """``plans/steps-<key>.json``: the flat form of the plan kept under *key*.

    Not a name that globs for kept plans (``<hex key>.json``) match.
    """
    return os.path.join(store_root, "plans", f"steps-{key}.json")


def record_text_file(store_root: str, digest: str) -> str:
    """``plans/record-<sha256>.csv``: a RECORD's text that kept flat forms name by *digest*."""
    return os.path.join(store_root, "plans", f"record-{digest}.csv")


def root_file(store_root: str, venv: str) -> str:
    """``roots/<key>.json``: the GC root of the venv at *venv* (key: its absolute path)."""
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    key = sha256_hex(os.path.abspath(venv).encode())[:32]
    return os.path.join(store_root, "roots", key + ".json")


def venv_record(store_root: str, prefix: str, kind: str) -> str:
    """``plans/<kind>-<key>.json``: a sync's record for ``graft audit`` of the venv at *prefix*.

    Keyed by the venv's real path, kept in the store, never in the venv: ``providers``, the
    variant provider namespaces it allowed; ``overrides``, its ``--overrides`` and
    ``--excludes`` (decision 396).
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    venv = sha256_hex(os.path.realpath(prefix).encode("utf-8", "surrogateescape"))
    return os.path.join(store_root, "plans", f"{kind}-{venv[:32]}.json")
