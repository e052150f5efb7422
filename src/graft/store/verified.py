"""The verified set: the store entries graft unpacked from their wheel, or checked against it.

``<store>/verified/<sha256>.<inode>`` is written by ingest once the entry is in place
(``<inode>`` is the inode of ``entries/<sha256>``), and by ``graft store verify`` for an
entry it has authenticated against its wheel file. It records what the entry held then:
the sha256 of the wheel's own RECORD and of ``record.json``, the wheel file it came from and
its size (against which a sync that takes the entry for a wheel it did not download checks
a lock's ``size``, decision 154).

A sync trusts an entry only while its marker exists (:func:`is_verified`: two ``stat``
calls, no reading). Anything that only writes ``entries/`` cannot forge one: the marker
lives outside ``entries/``, and a directory planted or renamed into ``entries/<sha256>``
has another inode than the one graft unpacked (that inode stays in use wherever the
original went, so it cannot be reused). An untrusted entry is replaced from its wheel by
the next ingest. Decision 25 has the argument in full.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass

from graft._atomic import write_atomic
from graft._fs import file_sha256
from graft.store.paths import verified_marker as _name  # the marker's path for the entry as it is

DIRECTORY = "verified"


@dataclass(frozen=True, slots=True)
class Marker:
    """What an entry held when graft unpacked or authenticated it."""

    record: str  # sha256 (hex) of the entry's RECORD, the wheel's own
    record_json: str  # sha256 (hex) of the entry's record.json
    wheel: str | None  # the wheel file it was ingested from, if known
    size: int | None = None  # that file's bytes (None in a marker written before decision 154)


def _directory(store_root: str) -> str:
    return os.path.join(store_root, DIRECTORY)


def is_verified(store_root: str, sha256: str) -> bool:
    """Whether graft unpacked (or authenticated) the entry now at ``entries/<sha256>``."""
    path = _name(store_root, sha256)
    return path is not None and os.path.isfile(path)


def read(store_root: str, sha256: str) -> Marker | None:
    """The marker of the entry now at ``entries/<sha256>``, if it has a readable one."""
    path = _name(store_root, sha256)
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
        wheel, size = raw["wheel"], raw.get("size")
        return Marker(
            str(raw["record"]),
            str(raw["record_json"]),
            None if wheel is None else str(wheel),
            size if isinstance(size, int) and not isinstance(size, bool) else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def mark(store_root: str, sha256: str, marker: Marker) -> None:
    """Record that the entry now at ``entries/<sha256>`` holds what *marker* says."""
    path = _name(store_root, sha256)
    if path is None:
        return
    payload: dict[str, object] = {
        "record": marker.record,
        "record_json": marker.record_json,
        "wheel": marker.wheel,
    }
    if marker.size is not None:
        payload["size"] = marker.size
    write_atomic(path, json.dumps(payload), mode=0o444)


def forget(store_root: str, sha256: str) -> None:
    """Remove every marker of ``<sha256>`` (the entry is being removed or replaced)."""
    directory = _directory(store_root)
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(sha256 + "."):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(directory, name))


def stale(store_root: str) -> list[str]:
    """Markers whose entry is gone or is another directory now (removed by hand, say)."""
    directory = _directory(store_root)
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return []
    out = []
    for name in names:
        sha, _, inode = name.partition(".")
        if ".tmp." in name:
            continue  # a marker being written (or a killed writer's: the tmp sweep has it)
        if _name(store_root, sha) != os.path.join(directory, f"{sha}.{inode}"):
            out.append(os.path.join(directory, name))
    return out


__all__ = ["DIRECTORY", "Marker", "forget", "is_verified", "mark", "read", "stale"]


def find_wheel(store_root: str, sha: str, cache: str) -> str | None:
    """A wheel file whose sha256 is *sha*.

    Where any marker of the entry says it was ingested from, or the download cache
    (``<cache>/<sha>/*.whl``).
    """
    import json  # noqa: PLC0415

    candidates = []
    markers = os.path.join(store_root, DIRECTORY)
    for name in _names(markers):
        if name.startswith(sha + ".") and ".tmp." not in name:
            try:
                with open(os.path.join(markers, name), encoding="utf-8") as fh:
                    wheel = json.load(fh)["wheel"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if isinstance(wheel, str):
                candidates.append(wheel)
    candidates += [os.path.join(cache, sha, n) for n in _names(os.path.join(cache, sha))]
    for path in candidates:
        if not path.endswith(".whl") or not os.path.isfile(path):
            continue
        try:
            if file_sha256(path) == sha:
                return path
        except OSError:
            continue
    return None


def _names(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
