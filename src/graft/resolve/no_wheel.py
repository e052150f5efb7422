"""Why no file of a project fits the target: only sdists while builds are off, or no wheel.

The cases of :func:`graft.resolve.no_candidates.no_candidates` where nothing fits the
target, or the versions asked for exist and only their files do not fit (:func:`no_fit`):
only source distributions (a dependency's, with the chain down from a request that brought
it in: decision 378), or no wheel for the target, with the tags the newest wheels have
(the system they are for where none is the target's), from the releases asked for where
any has a wheel (decision 102), an sdist that is neither ``.tar.gz`` nor ``.zip`` said
(decision 311), and the versions that have a wheel for the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graft.resolve.artifacts import legacy_sdists, parse_wheel, sdist_version
from graft.resolve.resolution_error import (
    SHOWN,
    Kind,
    Reason,
    ResolutionError,
    listed,
    nearest_text,
    within,
)
from graft.resolve.screen import Reject

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.provider import Provider


def no_fit(
    name: NormalizedName,
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    asked: Sequence[str],
    specs: Sequence[SpecifierSet],
    provider: Provider,
    *,
    fit: Sequence[Version],
) -> ResolutionError:
    """Only sdists, or no wheel for the target (and the versions that have one, if any).

    *rejected*: every file of *name* the screening left out, with why and its version;
    *fit*: the versions some file of which fits the target but for the specifiers.
    """
    if not fit and all(r in {Reject.SDIST, Reject.FILENAME} for _, r, _ in rejected):
        return _only_sdists(name, rejected, [*asked, *_brought_in(name, provider)])
    error = _no_wheel(name, rejected, asked, specs, provider)
    if not fit:
        return error
    nearby = f"versions with a wheel for the target: {nearest_text(fit, specs)}"
    return ResolutionError(error.kind, [error.reason, *error.lines[1:], nearby], error.hint)


def _no_wheel(
    name: NormalizedName,
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    asked: Sequence[str],
    specs: Sequence[SpecifierSet],
    provider: Provider,
) -> ResolutionError:
    wheels = [(v, f) for f, r, v in rejected if r is Reject.TAGS and v is not None]
    allowed = set(within([v for v, _ in wheels], specs))
    wanted = [(v, f) for v, f in wheels if v in allowed]
    wheels = wanted or wheels  # the versions asked for, if they have wheels at all
    if wheels:
        newest = max(v for v, _ in wheels)
        tags = sorted({t for v, f in wheels if v == newest for t in _tags(f.filename)})
        shown = ", ".join(tags[:SHOWN]) + (
            f" (and {len(tags) - SHOWN} more)" if len(tags) > SHOWN else ""
        )
        elsewhere = _other_systems(tags, provider.target.markers.get("platform_system"))
        only = f"{elsewhere} only: " if elsewhere else ""
        line = f"{name} {newest} has wheels for {only}{shown}"
    else:
        reasons = sorted({r.value for _, r, _ in rejected})
        line = f"every file of {name} was left out: {'; '.join(reasons)}"
    which = f"{name} {wanted[0][0]}" if len({v for v, _ in wanted}) == 1 else name
    head = Reason(f"no wheel of {which} for the target", tuple(provider.target.tags[:2]))
    legacy = legacy_sdists(name, [f.filename for f, r, _ in rejected if r is Reject.FILENAME])
    admitted = set(within([v for v, _ in legacy], specs))
    old = [filename for version, filename in legacy if version in admitted]
    said = [line]
    if old:  # (Twisted 20.3.0's only sdist is a .tar.bz2: decision 311)
        said.append(
            f"{', '.join(old[:SHOWN])}: {'an sdist' if len(old) == 1 else 'sdists'} neither"
            " .tar.gz nor .zip (PEP 625), which graft does not build"
        )
    return ResolutionError(Kind.NO_WHEEL_FOR_TARGET, [head, *asked, *said])


def _only_sdists(
    name: NormalizedName,
    rejected: Sequence[tuple[ArtifactFile, Reject, Version | None]],
    asked: Sequence[str],
) -> ResolutionError:
    sdists = [f for f, r, _ in rejected if r is Reject.SDIST]
    versions = [v for f in sdists if (v := sdist_version(f.filename)) is not None]
    shown = listed(versions) if versions else ", ".join(f.filename for f in sdists)
    return ResolutionError(
        Kind.ONLY_SDISTS,
        [
            f"{name} has only source distributions ({shown})"
            if len(sdists) == len(rejected)
            else f"no wheel of {name} fits the target, only source distributions ({shown})",
            *asked,
        ],
        hint=builds_off(name),
    )


def _brought_in(name: NormalizedName, provider: Provider) -> list[str]:
    """How *name* came in, where its requirers' lines do not say it: a chain to a request.

    ``you asked for top; top==1.0 requires bar`` when bar (whose line says it requires
    *name*) is no project the user asked for (decision 378); else nothing.
    """
    from graft.resolve.causes import chain, requested_and_parents  # noqa: PLC0415

    asked, parents = requested_and_parents(provider.needed)
    up = chain(name, asked, parents)
    if len(up) < 2:  # noqa: PLR2004 - its requirer is what the user asked for, or no chain
        return []
    from graft.resolve.causes import required_by  # noqa: PLC0415

    return [f"{name} is {required_by(name, asked, parents)}"]


def builds_off(name: NormalizedName) -> str:
    """The hint where only sdists would do and builds are off."""
    return (
        f"builds are off (--no-build, --only-binary {name} or :all:, or a command that does"
        " not build); allow them, or pin a version with a wheel"
    )


#: A platform tag's prefix and the system it is for (``platform_system``, and its name).
_SYSTEMS = (
    ("win", "Windows", "Windows"),
    ("macosx", "Darwin", "macOS"),
    ("manylinux", "Linux", "Linux"),
    ("musllinux", "Linux", "Linux"),
    ("linux", "Linux", "Linux"),
)


def _other_systems(tags: Sequence[str], system: str | None) -> str | None:
    """The systems *tags* are for (``Windows``, ``Linux and macOS``) where none is *system*.

    None where a tag is for any system or one graft cannot name (``py3-none-any``,
    ``android_21_arm64_v8a``), or where one is for *system* (the target's ``platform_system``):
    the wheels miss it by Python, ABI or system release, not by system, and the tags say so.
    (pywin32 on Linux: "pywin32 312 has wheels for Windows only: cp310-cp310-win32, …", as
    uv's hint names the platforms.)
    """
    found: dict[str, str] = {}
    for tag in tags:
        platform = tag.rsplit("-", 1)[-1]
        known = next((s for s in _SYSTEMS if platform.startswith(s[0])), None)
        if known is None or known[1] == system:
            return None
        found[known[2]] = known[1]
    names = sorted(found)
    return " and ".join(names) if names else None


def _tags(filename: str) -> tuple[str, ...]:
    parsed = parse_wheel(filename)
    return parsed.tags if parsed else ()


__all__ = ["builds_off", "no_fit"]
