"""Named sources read, not built: their METADATA for a target graft builds nothing for.

A foreign target's dry run and ``graft lock``'s environments resolve a source the user names
(a project directory, a repository, an sdist file or URL, ``-e DIR``) with the METADATA the
target's build would give, as uv reads it (decision 442): the static ``[project]`` table of
a directory whose name, version, dependencies, extras and requires-python are not dynamic
(an sdist's PKG-INFO of PEP 643, or its table, as :mod:`graft.resolve.sdists` reads an
index's sdist), else its backend's answer for the interpreter running graft (a recorded
build, kept prepared metadata, ``prepare_metadata_for_build_wheel``; a build only for a
backend without the hook). Nothing is built to be installed: the wheel a build here gives
is tagged for this machine (``cp311-cp311-linux_x86_64`` for a C extension), which no other
target installs, while the target builds its own.

The resolver takes a named source as a wheel given by path (:mod:`graft.resolve.named_sources`),
so what is read is kept as a *stand-in*: a zip holding only ``.dist-info/METADATA`` and
``WHEEL``, tagged ``py3-none-any`` (any target may build the source; its Requires-Python
still says which Python), in the cache under ``metadata/named/``. It is never installed:
a foreign dry run lists the source as to be built there (``unbuilt.unbuilt_source``), and a lock
writes the directory or repository, not a wheel (``lock_write``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.model.built import BuiltWheel
    from graft.model.request import SourceBuilder
    from graft.model.target import Target

#: The stand-in's WHEEL: no build made it, and the target builds its own.
_WHEEL = (
    b"Wheel-Version: 1.0\nGenerator: graft (metadata only)\nRoot-Is-Purelib: true\n"
    b"Tag: py3-none-any\n"
)


@dataclass(frozen=True, slots=True)
class Read:
    """A named source's METADATA, kept as a stand-in wheel; whether a backend said it."""

    built: BuiltWheel  # the stand-in (no reads: a tree is read anew on each run)
    dynamic: bool  # the backend's answer, run here: the target's build may differ (421)
    label: str  # "NAME VERSION", for the warning of decision 421


def read_named(
    local: str, given: str, here: Target, builder: SourceBuilder, cache_dir: str
) -> Read:
    """The METADATA of the source at *local* (named *given*), kept as a stand-in wheel.

    Static where the source states it; else *builder*'s answer for *here*, the interpreter
    running graft.
    """
    from packaging.metadata import parse_email  # noqa: PLC0415

    from graft.errors import SourceError  # noqa: PLC0415

    data = _static(local)
    dynamic = not data
    note = f"metadata of {given}: static ([project] or PKG-INFO)"
    if dynamic:
        data, note = builder.metadata(local, here)
    raw, _ = parse_email(data)
    name, version = raw.get("name"), raw.get("version")
    if not name or not version:
        raise SourceError(
            "its metadata names no project or no version", where=given, hint="check its build"
        )
    path, sha = stand_in(local, name, version, data, cache_dir)
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.model.built import BuiltWheel  # noqa: PLC0415

    return Read(BuiltWheel(path, sha, note), dynamic, f"{canonicalize_name(name)} {version}")


def _static(local: str) -> bytes:
    """What the source states its wheels require without a build; ``b""`` when it does not."""
    if not os.path.isdir(local):  # an sdist: PKG-INFO, else [project] (decision 234)
        from graft.errors import SourceError  # noqa: PLC0415
        from graft.resolve.sdist_static import static_metadata  # noqa: PLC0415

        try:
            return static_metadata(local, os.path.basename(local))
        except SourceError:  # (a filename or PKG-INFO it cannot read: its backend says)
            return b""
    from graft.build.sdist import SdistName, pyproject_metadata  # noqa: PLC0415

    try:
        with open(os.path.join(local, "pyproject.toml"), "rb") as fh:
            text = fh.read()
    except OSError:  # (setup.py alone: its backend says)
        return b""
    from graft._reads import note_read  # noqa: PLC0415

    note_read(None, os.path.join(local, "pyproject.toml"), text)  # (seen by a run: 479)
    named = _static_name(text)
    if named is None:
        return b""
    return pyproject_metadata(text, SdistName(*named)) or b""


def _static_name(text: bytes) -> tuple[NormalizedName, Version] | None:
    """The name and version a ``pyproject.toml``'s ``[project]`` states, if both are static."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    from graft._toml import TomlError, parse_toml  # noqa: PLC0415

    try:
        project = parse_toml(text).get("project")
    except TomlError:  # (the backend is asked, and says what is wrong)
        return None
    if not isinstance(project, dict):
        return None
    name, version = project.get("name"), project.get("version")
    if not isinstance(name, str) or not isinstance(version, str):  # (dynamic: none here)
        return None
    try:
        return canonicalize_name(name), Version(version)
    except InvalidVersion:
        return None


def stand_in(local: str, name: str, version: str, data: bytes, cache_dir: str) -> tuple[str, str]:
    """The stand-in wheel holding *data*: its path in the cache and its sha256.

    Kept by the source's path and the METADATA (two sources never share one), written
    with fixed dates, so the same answer is the same file.
    """
    import io  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft._atomic import write_atomic  # noqa: PLC0415
    from graft._sha256 import sha256_hex  # noqa: PLC0415
    from graft.errors import SourceError  # noqa: PLC0415

    stem = f"{canonicalize_name(name).replace('-', '_')}-{version.replace('-', '_')}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, text in (("METADATA", data), ("WHEEL", _WHEEL)):
            archive.writestr(zipfile.ZipInfo(f"{stem}.dist-info/{member}"), text)
    wheel = buffer.getvalue()
    key = sha256_hex(os.path.realpath(local).encode("utf-8", "surrogateescape") + b"\0" + data)
    path = os.path.join(cache_dir, "metadata", "named", key, f"{stem}-py3-none-any.whl")
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, wheel)
    except OSError as exc:
        raise SourceError(
            f"cannot keep its metadata in the cache ({exc.strerror or exc})", where=path
        ) from None
    return path, sha256_hex(wheel)


__all__ = ["Read", "read_named", "stand_in"]
