"""The versions an existing output lock holds, preferred by the next ``graft lock`` (as uv does).

``uv pip compile -o FILE`` reads the output file it is about to replace and uses its pins as
*preferences*: each project keeps the version the file holds while the new requirements allow
it, and moves only when they do not (``--upgrade`` drops every preference,
``--upgrade-package NAME`` that project's). ``graft lock -o pylock.toml`` does the same per
environment: the packages of the existing ``pylock.toml`` whose marker holds in an
environment are that environment's preferred versions, handed to the resolver as a venv's
versions are in ``graft sync`` (:class:`~graft.resolve.policy.Policy` ``preferred``: the
preferred version's files first, then the rest as before; decision 30).

A preference is a hint, never a requirement: a package whose marker cannot be evaluated
gives no preference for it. A file that is not TOML, or has no ``lock-version`` 1.x, is
refused, as ``uv pip compile -o`` refuses it (rather than replaced unread or half read).
The TOML is read by :func:`graft._toml.parse_toml`, not through :mod:`packaging.pylock`'s
validation, so a lock written by another tool (``uv pip compile --format pylock``) is read
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.markers import Marker

    from graft.resolve.environments import Environment


@dataclass(frozen=True)
class Locked:
    """What the output held when the lock started: its digest and its packages."""

    digest: str  # sha256 of the file's bytes; "-" when there was none, "*" when not read
    packages: tuple[tuple[str, str, str | None], ...] = ()  # (name, version, marker)
    _verdicts: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False, repr=False)
    _markers: dict[str, Marker | None] = field(default_factory=dict, compare=False, repr=False)

    def preferred(self, env: Environment) -> dict[str, str]:
        """The versions the lock holds for *env*: ``{name: version}`` (first entry wins)."""
        out: dict[str, str] = {}
        for name, version, marker in self.packages:
            if name not in out and (marker is None or self._holds(marker, env)):
                out[name] = version
        return out

    def _holds(self, marker: str, env: Environment) -> bool:
        key = (marker, env.label)
        verdict = self._verdicts.get(key)
        if verdict is None:
            from packaging.markers import InvalidMarker, Marker  # noqa: PLC0415

            if marker not in self._markers:
                try:
                    self._markers[marker] = Marker(marker)
                except InvalidMarker:
                    self._markers[marker] = None  # no preference where it cannot be read
            parsed = self._markers[marker]
            values: dict[str, str | frozenset[str]] = {**env.target.markers}
            values.update(extras=frozenset(), dependency_groups=frozenset())
            try:
                verdict = parsed is not None and parsed.evaluate(values, context="lock_file")
            except (KeyError, TypeError, ValueError):
                verdict = False
            self._verdicts[key] = verdict
        return verdict


def read_locked(path: str, *, upgrade: bool = False) -> Locked:
    """The packages of the lock at *path* (none, digest ``-``, when it is not there).

    A file that is not TOML, or not a lock of ``lock-version`` 1.x, is a one-line
    :class:`~graft.errors.SourceError` naming it, as uv refuses them. With
    *upgrade* (``--upgrade``) the file is not read: no preferences, digest ``*``.
    """
    from graft._sha256 import sha256_hex  # noqa: PLC0415

    if upgrade:
        return Locked("*")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return Locked("-")
    digest = sha256_hex(data)
    from graft._toml import TomlError, parse_toml  # noqa: PLC0415

    try:
        parsed = parse_toml(data)
    except TomlError as exc:  # (uv pip compile -o refuses it too: decision 358)
        raise _refused(exc.why, path, f"{exc.hint}, remove it") from None
    _refuse_other_versions(parsed.get("lock-version"), path)
    packages = parsed.get("packages")
    if not isinstance(packages, list):
        return Locked(digest)
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    rows = []
    for package in packages:
        if not isinstance(package, dict):
            continue
        name, version, marker = package.get("name"), package.get("version"), package.get("marker")
        if isinstance(name, str) and isinstance(version, str):
            rows.append(
                (str(canonicalize_name(name)), version, marker if isinstance(marker, str) else None)
            )
    return Locked(digest, tuple(rows))


_KEEPS = "graft lock keeps the versions of the lock it replaces, as uv does"


def _refuse_other_versions(version: object, path: str) -> None:
    """Refuse an output without ``lock-version``, or of a major version other than 1.

    ``uv pip compile -o pylock.toml`` refuses both (``missing field `lock-version```,
    ``unsupported lock version``) and keeps the file: its preferences cannot be read as a
    PEP 751 lock's, and the file may be the user's, not a lock (decision 366).
    """
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    if not isinstance(version, str):
        what = "it has no lock-version" if version is None else "its lock-version is no string"
        raise _refused(f"not a PEP 751 lock: {what}", path, "remove it, give another -o")
    try:
        supported = Version("1") <= Version(version) < Version("2.dev0")  # (as packaging.pylock)
    except InvalidVersion:
        supported = False
    if not supported:
        raise _refused(
            f"unsupported lock-version {version!r}",
            path,
            "graft reads lock-version 1.x: remove it, give another -o",
        )


def _refused(why: str, path: str, hint: str) -> Exception:
    """The one-line refusal of the output at *path*: *why*, then what to do."""
    from graft.errors import SourceError  # noqa: PLC0415

    return SourceError(why, where=path, hint=f"{hint}, or pass --upgrade ({_KEEPS})")
