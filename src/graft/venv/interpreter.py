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
import sys
from typing import TYPE_CHECKING, Any

from graft import __version__
from graft._atomic import remember
from graft._home import interpreter_at
from graft._sha256 import sha256_hex
from graft.errors import TargetError
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
        if (
            path
            and os.path.isabs(path)
            and os.path.isfile(path)
            and os.access(path, os.X_OK)
            and (runs is None or os.path.realpath(path) == runs)
        ):
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
