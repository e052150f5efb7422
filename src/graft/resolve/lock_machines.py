"""The machines a lock environment stands for beyond the tags it was resolved for.

A lock environment is a marker (:mod:`graft.resolve.environments`), and a marker holds on
machines whose tags the environment does not list: newer releases of its system, musl
beside glibc, 32-bit or emulated CPython on a Windows whose ``platform_machine`` is the
system's. :func:`stands_for` says which of the environment's platforms such a machine's
wheel answers to, so that ``lock_merge.beyond`` lists the wheels an installer there would
take from the index (decisions 314, 320).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from graft.resolve.environments import MACOS_NEWEST

if TYPE_CHECKING:
    from graft.resolve.environments import Environment


def stands_for(env: Environment, platform: str) -> str | None:
    """The platform of *env* that a machine whose wheels are tagged *platform* meets, else None.

    A system's environment stands for every machine its marker holds on, beyond the tags
    it was resolved for (decisions 314, 320): a newer release of the system
    (``manylinux_2_34_x86_64`` -> ``manylinux_2_28_x86_64``, ``macosx_26_0_arm64`` ->
    ``macosx_15_0_arm64``), another C library on the same machine (``musllinux_1_2_x86_64``
    -> ``manylinux_2_28_x86_64``: a marker cannot tell musl from glibc), and 32-bit or x64
    CPython on a Windows whose ``platform_machine`` is the system's (``win32`` ->
    ``win_amd64`` or ``win_arm64``; ``win_amd64`` -> ``win_arm64``, x64 emulated on ARM64).
    A wheel of a release the environment locked for such a machine is what an installer
    there takes from the index, so the lock lists it beside the release's other wheels;
    never for a tag the user named.
    """
    return None if env.named else _stands_for(env.platforms, platform)


@functools.lru_cache(maxsize=4096)
def _stands_for(platforms: tuple[str, ...], platform: str) -> str | None:
    """:func:`stands_for` of a system's environment, by its platforms alone: remembered.

    A lock's merge asks it of every tag of every wheel of every release it locked, in each
    environment (``autogluon==1.1.1``: 55,624 questions, 2.4 s profiled; decision 500), of a
    few hundred distinct pairs.
    """
    import re  # noqa: PLC0415

    linux = re.fullmatch(r"manylinux_2_(\d+)_(\w+)|musllinux_\d+_\d+_(\w+)", platform)
    if linux is not None:  # (the environment's newest level: 2_28, or one named: decision 322)
        arch = linux[2] or linux[3]
        newest = next((p for p in platforms if re.fullmatch(rf"manylinux_2_\d+_{arch}", p)), "")
        if newest and (linux[3] is not None or int(linux[1]) > int(newest.split("_")[2])):
            return newest
        return None
    macos = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", platform)
    if macos is not None and (int(macos[1]), int(macos[2])) > MACOS_NEWEST:
        newest = f"macosx_{MACOS_NEWEST[0]}_{MACOS_NEWEST[1]}_{macos[3]}"
        return newest if newest in platforms else None
    windows = _WINDOWS_HOSTS.get(platform, ())
    return next((p for p in windows if p in platforms and p != platform), None)


#: A Windows wheel's platform -> the Windows environments whose machines also run it
#: (``platform_machine`` there is the system's, whatever the interpreter's own bitness).
_WINDOWS_HOSTS = {"win32": ("win_amd64", "win_arm64"), "win_amd64": ("win_arm64",)}
