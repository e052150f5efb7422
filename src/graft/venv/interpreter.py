"""The target: facts about the interpreter a venv is built for, learnt by running it.

graft never guesses a target from its own interpreter. It runs the target once
(``_introspect.py``, standard library only), which reports its version, ABI and
platform facts, its marker environment, its install scheme, its bytecode cache tag
and whether it is a free-threaded build. The tags are computed from those facts in
graft's own process (``tags.py``). The answer is cached, keyed by the
interpreter file's identity, so later syncs pay nothing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from graft import __version__
from graft._atomic import remember
from graft._home import interpreter_at
from graft._sha256 import sha256_hex
from graft.errors import TargetError, UsageError
from graft.model.target import Target

if TYPE_CHECKING:
    from graft._pythons import Request

INTROSPECT_SCRIPT = os.path.join(os.path.dirname(__file__), "_introspect.py")
INTROSPECT_TIMEOUT = 60.0  # seconds an interpreter has to describe itself
_FACTS_VERSION = 2  # bumped when _introspect.py reports other facts


def target_from_dict(raw: dict[str, Any]) -> Target:
    """A Target from the cached form (``tags`` present) or the target's raw facts."""
    if "tags" not in raw:
        from graft.venv.tags import target_tags  # noqa: PLC0415

        raw = {**raw, "tags": list(target_tags(raw))}
    return Target(
        executable=raw["executable"],
        real_executable=raw["real_executable"],
        version=raw["version"],
        implementation=raw["implementation"],
        cache_tag=raw["cache_tag"],
        tags=tuple(raw["tags"]),
        markers=dict(raw["markers"]),
        scheme=dict(raw["scheme"]),
        include_site=raw["include_site"],
        gil_disabled=raw["gil_disabled"],
    )


def find_interpreter(spec: str | None, where: str = "--python") -> str:
    """Turn ``--python`` (a path, ``3.12``, ``cpython@3.12.1``, ``pypy``, ``>=3.11``) into a path.

    The first of the candidates :func:`graft._pythons.candidates` finds by name; when the
    name cannot tell (a micro release, a specifier, ``cpython``), the first whose facts say
    it is the one asked for (decision 119). *where*: the option or variable it came from.
    """
    if spec is None:
        return sys.executable
    found = interpreter_at(spec)
    if found is not None:
        if found:
            return found
        raise TargetError(
            "no executable interpreter at this path",
            where=spec,
            hint="pass an existing python, or a venv directory holding bin/python",
        )
    from graft._pythons import candidates, parse  # noqa: PLC0415
    from graft.venv.python_request import refuse_unsupported  # noqa: PLC0415

    request = parse(spec)
    refuse_unsupported(spec, request, where)
    paths = candidates(spec)
    if paths and (request is None or not request.needs_check()):
        return paths[0]
    if paths and request is not None:
        return _first_matching(spec, request, paths, where)
    raise TargetError(
        f"no interpreter found for {spec!r} on PATH or in pyenv",
        where=where,
        hint="pass the interpreter's path, or install it (pyenv install, apt-get install)",
    )


def _first_matching(spec: str, request: Request, paths: list[str], where: str) -> str:
    """The first of *paths* that is what *request* asks for; else an error naming each."""
    from graft.venv.python_request import describe, mismatch  # noqa: PLC0415

    found = []
    for path in paths:
        try:
            why = mismatch(request, introspect(path))
        except TargetError as exc:
            why = exc.what
        if why is None:
            return path
        found.append(f"{path} is {why}")
    more = f"; and {len(found) - 3} more" if len(found) > 3 else ""  # noqa: PLR2004
    raise TargetError(
        f"no {describe(request)} found for {spec!r}: {'; '.join(found[:3])}{more}",
        where=where,
        hint="pass the interpreter's path, or install the one asked for (pyenv install)",
    )


def read_pyvenv_cfg(prefix: str) -> dict[str, str]:
    """The ``key = value`` lines of the venv's pyvenv.cfg (:func:`graft.venv.state.read_config`)."""
    from graft.venv.state import read_config  # noqa: PLC0415

    return read_config(prefix)


def venv_interpreter(prefix: str) -> str | None:
    """The interpreter an existing venv at *prefix* runs, if it is still there; else None.

    ``graft sync VENV`` without ``--python`` keeps it, as ``pip`` and ``uv pip`` install into
    the venv's own Python: ``executable`` of pyvenv.cfg (Python 3.11+ writes it), else
    ``home`` with the ``version``'s ``pythonX.Y``; either only while it is the file the venv's
    ``bin/python`` leads to, where that link leaves the venv. Else that link's first step out
    of the venv: PyPy's venvs (``pypy3 -m venv``, ``uv venv``, graft's) write no ``executable``
    and their ``home`` holds ``pypy3``, or another Python's ``python3.9``.
    """
    try:
        cfg = read_pyvenv_cfg(prefix)
    except (OSError, UnicodeDecodeError):
        return None
    version = cfg.get("version") or cfg.get("version_info") or ""
    short = ".".join(version.split(".")[:2])
    candidates = [cfg.get("executable", "")]
    if cfg.get("home") and short:
        candidates.append(os.path.join(cfg["home"], f"python{short}"))
    linked = _linked_python(prefix)
    if linked is not None and not (os.path.isfile(linked) and os.access(linked, os.X_OK)):
        linked = None  # (a link to nothing: pyvenv.cfg's lines alone, as before)
    runs = None if linked is None else os.path.realpath(linked)
    for path in candidates:
        if path and os.path.isabs(path) and os.path.isfile(path) and os.access(path, os.X_OK):
            if runs is None or os.path.realpath(path) == runs:
                return path
    return linked


def _linked_python(prefix: str) -> str | None:
    """Where the venv's ``bin/python`` link first leads out of the venv (None: no such link).

    ``bin/python -> pypy3 -> /usr/bin/pypy3``: ``/usr/bin/pypy3``, as the venv was made from.
    """
    path = os.path.join(prefix, "bin", "python")
    inside = os.path.realpath(prefix) + os.sep
    for _ in range(8):  # (a venv's links are a few steps; a loop is no interpreter)
        try:
            target = os.readlink(path)
        except OSError:
            return None  # (a copy, or nothing there: the pyvenv.cfg lines alone say it)
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
        if not os.path.realpath(os.path.dirname(path)).startswith(inside):
            return path
    return None


def _cache_dir() -> str:
    from graft._home import cache_root  # noqa: PLC0415

    return os.path.join(cache_root(), "targets")


def _identity(executable: str) -> str:
    st = os.stat(executable)
    real = os.path.realpath(executable)
    rst = os.stat(real)
    stamp = f"{st.st_mtime_ns}|{rst.st_mtime_ns}|{rst.st_size}"
    text = f"{__version__}|{_FACTS_VERSION}|{executable}|{real}|{stamp}"
    return sha256_hex(text.encode())[:32]  # (not hashlib: OpenSSL costs a warm sync ~3 ms)


def introspect(executable: str) -> Target:
    """Facts about *executable*, from the cache or by running it once."""
    try:
        key = _identity(executable)
    except OSError as exc:
        raise TargetError(
            f"cannot stat the interpreter ({exc.strerror})", where=executable
        ) from None
    cache = os.path.join(_cache_dir(), key + ".json")
    try:
        with open(cache, encoding="utf-8") as fh:
            return target_from_dict(json.load(fh))
    except (OSError, ValueError, KeyError):
        pass
    raw = _run_introspection(executable)
    target = target_from_dict(raw)
    remember(cache, json.dumps({**raw, "tags": list(target.tags)}))
    return target


def _run_introspection(executable: str) -> dict[str, Any]:
    import subprocess  # noqa: PLC0415

    try:
        proc = subprocess.run(
            [executable, "-I", INTROSPECT_SCRIPT],
            capture_output=True,
            text=True,
            timeout=INTROSPECT_TIMEOUT,
            check=False,
        )
    except OSError as exc:
        raise TargetError(
            f"cannot run the interpreter ({exc.strerror})", where=executable
        ) from None
    except subprocess.TimeoutExpired:  # (killed by run: a wrapper waiting for input, say)
        raise TargetError(
            f"the interpreter did not describe itself within {INTROSPECT_TIMEOUT:g} s",
            where=executable,
            hint="pass a python executable; graft supports CPython 3.9+ and PyPy 3.9+",
        ) from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise TargetError(
            f"the interpreter failed to describe itself: {last}",
            where=executable,
            hint="graft supports CPython 3.9+ and PyPy 3.9+",
        )
    try:
        result: dict[str, Any] = json.loads(proc.stdout)
    except ValueError:
        raise TargetError(  # (`--python /bin/ls` ran, and listed a directory)
            "not a Python interpreter: it printed no description of itself",
            where=executable,
            hint="pass a python executable; graft supports CPython 3.9+ and PyPy 3.9+",
        ) from None
    return result


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
_OLDER_MANYLINUX = {"manylinux2014": ("manylinux2010", "manylinux1"), "manylinux2010": ("manylinux1",)}


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
