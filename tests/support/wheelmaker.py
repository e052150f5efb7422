"""Build small, valid wheels on the fly (RECORD with real hashes), and broken ones on purpose."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(
    directory: Path,
    name: str,
    version: str = "1.0",
    files: dict[str, bytes | str] | None = None,
    *,
    tag: str = "py3-none-any",
    entry_points: str | None = None,
    requires: tuple[str, ...] = (),
    requires_python: str | None = None,
    provides_extra: tuple[str, ...] = (),
    root_is_purelib: bool = True,
    executable: frozenset[str] = frozenset(),
    dist_info_name: str | None = None,
    wheel_version: str = "1.0",
    record: bool = True,
    record_override: dict[str, tuple[str, str]] | None = None,
    extra_rows: tuple[str, ...] = (),
    extra_members: list[tuple[zipfile.ZipInfo | str, bytes]] | None = None,
    filename: str | None = None,
) -> Path:
    """Write ``<name>-<version>-<tag>.whl`` into *directory* and return its path.

    *record_override* replaces the RECORD rows of some files; *extra_rows* are lines added to
    RECORD as given; *extra_members* are members RECORD does not list.
    """
    dist = dist_info_name or f"{name.replace('-', '_')}-{version}"
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    meta += [f"Provides-Extra: {e}" for e in provides_extra]
    if requires_python:
        meta.append(f"Requires-Python: {requires_python}")
    members: dict[str, bytes] = {
        k: v.encode() if isinstance(v, str) else v for k, v in (files or {}).items()
    }
    members[f"{dist}.dist-info/METADATA"] = ("\n".join(meta) + "\n").encode()
    members[f"{dist}.dist-info/WHEEL"] = (
        f"Wheel-Version: {wheel_version}\nGenerator: wheelmaker\n"
        f"Root-Is-Purelib: {'true' if root_is_purelib else 'false'}\nTag: {tag}\n"
    ).encode()
    if entry_points:
        members[f"{dist}.dist-info/entry_points.txt"] = entry_points.encode()
    rows = []
    for path, data in members.items():
        digest, size = _digest(data), str(len(data))
        if record_override and path in record_override:
            digest, size = record_override[path]
        rows.append(f"{path},{digest},{size}")
    rows.extend(extra_rows)
    record_path = f"{dist}.dist-info/RECORD"
    rows.append(f"{record_path},,")
    out = directory / (filename or f"{name.replace('-', '_')}-{version}-{tag}.whl")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in members.items():
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100755 if path in executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
        for member, data in extra_members or []:
            zf.writestr(member, data)
        if record:
            zf.writestr(record_path, "\n".join(rows) + "\n")
    return out
