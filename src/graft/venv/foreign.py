"""A target that is not on this machine: pip download's flags, for planning only.

``--python-version``, ``--platform``, ``--implementation`` and ``--abi`` as pip reads them
(a dry run, ``graft download``, a lock's environments): the marker environment, install
scheme and tags such an interpreter would have, without running one
(:func:`foreign_target`). Interpreters on this machine are run once instead
(:mod:`graft.venv.interpreter`).
"""

from __future__ import annotations

import json
import os
import re

from graft import __version__
from graft._atomic import remember
from graft._sha256 import sha256_hex
from graft.errors import UsageError
from graft.model.target import Target

_OS_FACTS = {  # platform tag prefix -> (sys_platform, os_name, platform_system)
    "manylinux": ("linux", "posix", "Linux"),
    "musllinux": ("linux", "posix", "Linux"),
    "linux": ("linux", "posix", "Linux"),
    "macosx": ("darwin", "posix", "Darwin"),
    "win": ("win32", "nt", "Windows"),
}


_MACHINES = {"win_amd64": "AMD64", "win32": "x86", "win_arm64": "ARM64"}


def python_version_parts(text: str) -> tuple[int, ...]:
    """``--python-version``: ``3.12``, ``3.12.1`` or ``312``, as pip reads it; Python 3 only.

    A :class:`UsageError` names anything else (``2``, ``3``, ``3.x``), never a traceback: a
    value the option cannot take, exit status 2 as for argparse's own (decision 324).
    """
    try:
        if "." in text:
            version = tuple(int(part) for part in text.split("."))
        else:
            version = (int(text[0]), int(text[1:])) if len(text) > 1 else (int(text),)
    except ValueError:
        version = ()
    if not 2 <= len(version) <= 3 or version[0] != 3:  # noqa: PLR2004
        raise UsageError(
            f"unsupported --python-version {text!r}", hint="write a Python 3 version, e.g. 3.12"
        )
    return version


#: The platform tags graft can describe (PEP 425, PEP 600, PEP 656): an installer there, its
#: ``sys_platform`` and ``platform_machine``. The machine begins with a letter (x86_64, i686,
#: arm64, universal2), so a glibc level without one (``manylinux_2_17``) is no machine "2_17".
_PLATFORM_TAG = re.compile(
    r"(manylinux\d*(_\d+_\d+)?|musllinux_\d+_\d+|linux|macosx_\d+_\d+|win)_[A-Za-z]\w*|win32"
)


def check_platform_tag(tag: str) -> None:
    """A ``--platform`` tag graft can describe; a :class:`UsageError` for any other (exit 2)."""
    if not _PLATFORM_TAG.fullmatch(tag):
        raise UsageError(
            f"unknown platform tag {tag!r}",
            where="--platform",
            hint=(
                "name a platform tag such as manylinux_2_28_x86_64, musllinux_1_2_aarch64,"
                " macosx_14_0_arm64 or win_amd64 (graft lock also takes linux, macos, windows)"
            ),
        )


def foreign_target(
    python_version: str,
    platforms: list[str],
    implementation: str = "cp",
    abis: list[str] | None = None,
    *,
    as_pip: bool = True,
) -> Target:
    """A target that is not on this machine, from pip download's flags; for planning only.

    Each ``--platform`` means what it means to pip (:func:`pip_platforms`): a macOS tag
    accepts older macOS releases too, ``manylinux2014`` accepts ``manylinux2010`` and
    ``manylinux1``; any other tag is taken literally (``manylinux_2_28_x86_64`` does not
    imply older manylinux levels): pass every platform tag the target accepts. Without
    *as_pip*, *platforms* are every tag the target accepts (a lock's systems).
    """
    version = python_version_parts(python_version)
    major, minor = version[0], version[1]
    for platform in platforms:
        check_platform_tag(platform)
    if as_pip:
        platforms = list(dict.fromkeys(p for given in platforms for p in pip_platforms(given)))
    if implementation == "cp":
        impl_name, impl_display = "cpython", "CPython"
    elif implementation == "pp":
        impl_name, impl_display = "pypy", "PyPy"
    else:
        raise UsageError(f"unsupported --implementation {implementation!r}", hint="use cp or pp")
    if not platforms:
        from packaging import tags  # noqa: PLC0415

        platforms = list(dict.fromkeys(t.platform for t in tags.sys_tags()))
    ordered = _foreign_tags((major, minor), implementation, abis or [], platforms)
    first = platforms[0]
    facts = next(
        (v for k, v in _OS_FACTS.items() if first.startswith(k)), ("linux", "posix", "Linux")
    )
    machine = re.sub(r"^(many|musl)linux(_\d+_\d+|\d+)?_|^linux_|^macosx_\d+_\d+_", "", first)
    if facts[0] == "win32":
        machine = _MACHINES.get(machine, machine)
    micro = version[2] if len(version) > 2 else 0  # noqa: PLR2004 - "3.9" means 3.9.0, as in pip
    full = f"{major}.{minor}.{micro}"
    markers = {
        "implementation_name": impl_name,
        "implementation_version": full,
        "os_name": facts[1],
        "platform_machine": machine,
        "platform_release": "",
        "platform_system": facts[2],
        "platform_version": "",
        "python_full_version": full,
        "platform_python_implementation": impl_display,
        "python_version": f"{major}.{minor}",
        "sys_platform": facts[0],
    }
    short = f"{major}.{minor}"
    site = f"lib/{'pypy' if implementation == 'pp' else 'python'}{short}/site-packages"
    return Target(
        executable=f"<{impl_display} {short} {first}>",
        real_executable="",
        version=full,
        implementation=impl_name,
        cache_tag=None,
        tags=ordered,
        markers=markers,
        scheme={"purelib": site, "platlib": site, "scripts": "bin", "data": "", "include": ""},
        include_site=f"include/site/python{short}",
    )


_MACOS_TAG = re.compile(r"macosx_(\d+)_(\d+)_(\w+)")


#: pip's ``--platform`` expansions of the legacy manylinux tags (PEP 599, PEP 571).
_OLDER_MANYLINUX = {
    "manylinux2014": ("manylinux2010", "manylinux1"),
    "manylinux2010": ("manylinux1",),
}


def pip_platforms(platform: str) -> list[str]:
    """The platform tags pip's ``--platform PLATFORM`` accepts, most preferred first.

    As ``pip._internal.utils.compatibility_tags``: a macOS tag, every tag of that release and
    older ones (``packaging.tags.mac_platforms``: ``macosx_14_0_arm64`` accepts a wheel for
    ``macosx_11_0_arm64`` or ``universal2``); ``manylinux2014_ARCH``, also ``manylinux2010``
    and ``manylinux1`` for x86_64 and i686; ``manylinux2010_ARCH``, also ``manylinux1``.
    """
    macos = _MACOS_TAG.fullmatch(platform)
    if macos is not None:
        from packaging.tags import mac_platforms  # noqa: PLC0415

        release = (int(macos[1]), int(macos[2]))
        return [platform, *(p for p in mac_platforms(release, macos[3]) if p != platform)]
    legacy, _, arch = platform.partition("_")
    if legacy in _OLDER_MANYLINUX and (legacy == "manylinux2010" or arch in {"x86_64", "i686"}):
        return [platform, *(f"{older}_{arch}" for older in _OLDER_MANYLINUX[legacy])]
    return [platform]


def _foreign_tags(
    version: tuple[int, int], implementation: str, abis: list[str], platforms: list[str]
) -> tuple[str, ...]:
    """A foreign target's tags, best first, as pip download's flags give them; cached.

    ``packaging.tags`` makes some 700 tags per target, a few milliseconds each time, and a
    universal lock asks for 36 targets. The answer depends only on the arguments and the
    ``packaging`` release, so it is kept in ``<cache>/targets/foreign-<key>.tags`` (the key's
    text, then one tag per line); anything else found there is computed again.
    """
    import packaging  # noqa: PLC0415

    key_text = json.dumps(
        [__version__, packaging.__version__, version, implementation, abis, platforms]
    )
    cache = os.path.join(_cache_dir(), f"foreign-{sha256_hex(key_text.encode())[:32]}.tags")
    try:
        with open(cache, encoding="utf-8") as fh:
            head, *kept = fh.read().split("\n")  # the key, then one tag per line
        if head == key_text and len(kept) > 1 and kept[-1] == "" and all(kept[:-1]):
            return tuple(kept[:-1])
    except (OSError, ValueError):
        pass
    from packaging import tags  # noqa: PLC0415

    interpreter = f"{implementation}{version[0]}{version[1]}"
    if implementation == "cp":
        ordered = list(tags.cpython_tags(version, abis or None, platforms))
    else:
        ordered = list(tags.generic_tags(interpreter, abis or ["none"], platforms))
    ordered += list(tags.compatible_tags(version, interpreter, platforms))
    out = tuple(dict.fromkeys(str(t) for t in ordered))
    remember(cache, "\n".join((key_text, *out)) + "\n")
    return out


def _cache_dir() -> str:
    """The cache of targets (:mod:`graft.venv.interpreter`'s too), which keeps foreign tags."""
    from graft._home import cache_root  # noqa: PLC0415

    return os.path.join(cache_root(), "targets")
