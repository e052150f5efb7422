"""Tags of a target interpreter, computed in graft's own process from the facts it reported.

The target runs only the standard library (``_introspect.py``): graft's ``packaging`` may need a
newer Python than the target has. Here ``packaging.tags`` builds the list with its public
functions (``cpython_tags``, ``generic_tags``, ``compatible_tags``, ``mac_platforms``,
``platform_tags``) from the target's version, ABI facts and platform, in the order
``packaging.tags.sys_tags()`` would give inside the target.

Linux platform tags depend on the C library and the CPU, which packaging only reads from the
running process: they are taken from graft's own process when the target reports the same
platform, pointer width and glibc (every interpreter of one machine but a cross-architecture
one); a target that differs is refused rather than guessed.
"""

from __future__ import annotations

from typing import Any

from graft.errors import TargetError


def _nodot(raw: dict[str, Any], version: tuple[int, int]) -> str:
    value = raw["config"].get("py_version_nodot")
    return str(value) if value else f"{version[0]}{version[1]}"


def _cpython_abis(raw: dict[str, Any], version: tuple[int, int]) -> list[str]:
    """As ``packaging.tags._cpython_abis`` for 3.8+, from the reported build flags."""
    config = raw["config"]
    debug_flag = config.get("Py_DEBUG")
    has_ext = "_d.pyd" in raw.get("extension_suffixes", ())
    debug = (
        "d"
        if debug_flag or (debug_flag is None and (raw.get("has_totalrefcount") or has_ext))
        else ""
    )
    threading = "t" if version >= (3, 13) and config.get("Py_GIL_DISABLED") else ""
    nodot = f"{version[0]}{version[1]}"
    abis = [f"cp{nodot}{threading}{debug}"]
    if debug:
        abis.append(f"cp{nodot}{threading}")
    return abis


def _generic_abis(raw: dict[str, Any], version: tuple[int, int]) -> list[str]:
    """As ``packaging.tags._generic_abi``: the ABI part of ``EXT_SUFFIX``."""
    suffix = raw["config"].get("EXT_SUFFIX")
    if not isinstance(suffix, str) or not suffix.startswith("."):
        raise TargetError(
            f"the interpreter reports no usable EXT_SUFFIX ({suffix!r})",
            where=raw["executable"],
        )
    parts = suffix.split(".")
    if len(parts) < 3:  # noqa: PLR2004 - ".pyd": no ABI in the suffix
        return _cpython_abis(raw, version)
    soabi = parts[1]
    if soabi.startswith("cpython"):
        abi = "cp" + soabi.split("-")[1]
    elif soabi.startswith("cp"):
        abi = soabi.split("-")[0]
    elif soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    else:
        abi = soabi
    return [abi.replace(".", "_").replace("-", "_")] if abi else []


def _own_linux_facts() -> tuple[str, int, str | None]:
    import os  # noqa: PLC0415
    import struct  # noqa: PLC0415
    import sysconfig  # noqa: PLC0415

    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        libc = None
    glibc = libc.split()[1] if libc and libc.startswith("glibc ") else None
    return sysconfig.get_platform(), struct.calcsize("P") * 8, glibc


def platforms(raw: dict[str, Any]) -> list[str]:
    """The target's platform tags, most specific first."""
    from packaging import tags  # noqa: PLC0415

    system = raw["markers"]["platform_system"]
    if system == "Darwin":
        major, minor = (int(p) for p in (raw.get("mac_version") or "11.0").split(".")[:2])
        machine = raw["markers"]["platform_machine"]
        arch = machine if raw.get("pointer_bits", 64) == 64 else "i386"  # noqa: PLR2004
        return list(tags.mac_platforms((major, minor), arch))
    if system == "Linux":
        theirs = (raw["platform"], raw.get("pointer_bits"), raw.get("glibc"))
        ours = _own_linux_facts()
        if theirs != ours:
            raise TargetError(
                f"the interpreter's platform ({theirs[0]}, {theirs[1]}-bit, glibc {theirs[2]}) "
                f"differs from graft's own ({ours[0]}, {ours[1]}-bit, glibc {ours[2]})",
                where=raw["executable"],
                hint="run graft with an interpreter of the same platform as the target",
            )
        return list(tags.platform_tags())
    return [raw["platform"].replace(".", "_").replace("-", "_").replace(" ", "_")]


def target_tags(raw: dict[str, Any]) -> tuple[str, ...]:
    """All tags the target supports, in ``sys_tags()`` order, as strings."""
    from packaging import tags  # noqa: PLC0415

    major, minor = (int(p) for p in raw["version"].split(".")[:2])
    version = (major, minor)
    found = platforms(raw)
    implementation = raw["implementation"]
    short = tags.INTERPRETER_SHORT_NAMES.get(implementation, implementation)
    if short == "cp":
        ordered = list(tags.cpython_tags(version, _cpython_abis(raw, version), found))
        compatible_interpreter: str | None = f"cp{_nodot(raw, version)}"
    else:
        interpreter = f"{short}{_nodot(raw, version)}"
        ordered = list(tags.generic_tags(interpreter, _generic_abis(raw, version), found))
        compatible_interpreter = "pp3" if short == "pp" else None
    ordered += tags.compatible_tags(version, compatible_interpreter, found)
    return tuple(dict.fromkeys(str(tag) for tag in ordered))
