"""The releases a lock's macOS environments took that need a newer macOS (decisions 418, 490).

A macOS environment is resolved for ``macosx_15_0`` and older (``environments.MACOS_NEWEST``)
and its marker (``sys_platform == 'darwin' and platform_machine == ...``) holds on every
macOS, so where the release it took has macOS wheels only for a newer macOS than the one
the lock serves on that machine (``environments.MACOS_FLOOR``: 12.0 on arm64, 11.0 on
x86_64), an older macOS finds no wheel of it in the lock: ``onnx`` 1.17.0's wheels are
``macosx_12_0_universal2`` alone, opencv-python 5.1.0.95's ``macosx_15_0`` alone. Said once
per release and machine, with the ``--platform`` that locks for the macOS before; a pure
wheel, an sdist or a wheel for the floor or older says nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from graft.resolve.artifacts import ArtifactFile, ProjectSource
    from graft.resolve.environments import Environment
    from graft.resolve.resolver import Resolution


def newer_macos_only(
    results: Sequence[tuple[Environment, Resolution]],
    seen: Callable[[Environment], tuple[ProjectSource, Mapping[str, str]]],
) -> list[str]:
    """A line per release a macOS environment took whose macOS wheels need a newer macOS.

    Newer than the machine's floor (``MACOS_FLOOR``, decision 490); the newest macOS of the
    matrix is decision 418's case and keeps its number. Releases of the index the
    environment reads (*seen*), judged by the wheels the lock lists for the environment.
    """
    from graft.resolve.artifacts import parse_wheel  # noqa: PLC0415
    from graft.resolve.environments import MACOS_FLOOR, MACOS_NEWEST  # noqa: PLC0415
    from graft.resolve.lock_merge import compatible, system_pins  # noqa: PLC0415
    from graft.resolve.lock_said import said_once  # noqa: PLC0415

    said: list[tuple[str, str]] = []
    for env, pin, index, release_at in system_pins(results, seen, "darwin"):
        if pin.file.direct or parse_wheel(pin.file.filename) is None:
            continue
        machine = env.values[1]
        floor = MACOS_FLOOR.get(machine, MACOS_NEWEST)
        needed = oldest_macos(compatible(release_at(pin.version), env, pin.file))
        if needed is None or needed <= floor:
            continue
        before = _before(needed)
        on = f" (on {index})" if index else ""
        text = (
            f"{pin.name} {pin.version}{on} has macOS wheels only for macOS"
            f" {needed[0]}.{needed[1]} and newer: an older macOS finds no wheel of it in this"
            f" lock (--platform macosx_{before[0]}_{before[1]}_{machine} in place of macos"
            f" locks for macOS {_spelled(before)};"
            f" decision {418 if needed == MACOS_NEWEST else 490})"
        )
        said.append((env.label, text))
    return said_once(said)


def oldest_macos(wheels: tuple[ArtifactFile, ...]) -> tuple[int, int] | None:
    """The oldest macOS *wheels* serve; None when one of them serves any system (pure)."""
    import re  # noqa: PLC0415

    from graft.resolve.artifacts import parse_wheel  # noqa: PLC0415

    oldest: list[tuple[int, int]] = []
    for wheel in wheels:
        parsed = parse_wheel(wheel.filename)
        tags = parsed.tags if parsed is not None else ()
        found = [re.match(r"macosx_(\d+)_(\d+)_", tag.rsplit("-", 1)[-1]) for tag in tags]
        versions = [(int(m[1]), int(m[2])) for m in found if m is not None]
        if not versions:
            return None
        oldest.append(min(versions))
    return min(oldest, default=None)


def _before(needed: tuple[int, int]) -> tuple[int, int]:
    """The macOS release before *needed*, as a ``macosx`` tag names it.

    12.3 → 12.0; 12.0 → 11.0; 11.0 → 10.15 (the last of the 10 series); 10.13 → 10.12.
    """
    major, minor = needed
    if minor and major >= 11:  # noqa: PLR2004
        return (major, 0)
    if major > 11:  # noqa: PLR2004
        return (major - 1, 0)
    return (10, 15) if major == 11 else (10, max(minor - 1, 0))  # noqa: PLR2004


def _spelled(version: tuple[int, int]) -> str:
    """``14`` for 14.0, ``12.3``, ``10.15``: as the 418 line names a macOS."""
    major, minor = version
    return str(major) if major >= 11 and not minor else f"{major}.{minor}"  # noqa: PLR2004
