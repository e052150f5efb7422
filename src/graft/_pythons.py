"""``--python`` by name, version or specifier, as uv reads it: the interpreters to try, in order.

Standard library only: the no-op sync (:mod:`graft.cli.noop`) checks that ``--python 3.12``
still finds the interpreter its stamp recorded before anything else of graft is imported,
and :func:`graft.venv.interpreter.find_interpreter` finds it the same way (decision 119).

The forms are uv's that name CPython or PyPy:

* a version: ``3``, ``3.12``, ``312``, ``3.12.1``; free-threaded ``3.13t`` or
  ``3.13+freethreaded``; ``3.12+gil`` (not free-threaded);
* an implementation, alone or with a version after nothing, ``@`` or ``-``: ``cpython``,
  ``cp``, ``pypy``, ``pp`` (``cpython@3.12``, ``cpython3.12``, ``cp312``, ``pypy@3.9``,
  ``pypy3.9``, ``pp39``), and ``python3.12``;
* a version specifier, alone or after an implementation: ``>=3.11,<3.13``, ``pypy>=3.9``,
  ``cpython@==3.12.*``.

Anything else is an executable's name on PATH (``python``, ``pypy3.9``, ``python3-dbg``),
found as a shell runs it: a pyenv shim there is what pyenv would run (decision 124).
What a name cannot tell (a micro version, a specifier, the implementation behind a
``pythonX.Y``) the caller checks by running the candidates (:meth:`Request.needs_check`).
"""

from __future__ import annotations

import glob
import os
import re

_IMPLEMENTATIONS = {"cpython": "cpython", "cp": "cpython", "pypy": "pypy", "pp": "pypy"}
_VERSION_REQUEST = re.compile(
    r"^(?:(?P<impl>cpython|cp|pypy|pp|python)[@-]?)?"
    r"(?P<version>3(?:\.\d+){0,2}|3\d{1,2})?(?P<variant>t|\+freethreaded|\+gil)?$"
)
_SPECIFIER_REQUEST = re.compile(r"^(?:(?P<impl>cpython|cp|pypy|pp)@?)?(?P<specifier>[<>=!~].*)$")
#: pyenv's version directories: ``3.12.1``, ``3.13.1t``, ``3.14.0rc1``; ``pypy3.10-7.3.17``
_PYENV_CPYTHON = re.compile(r"^(\d+)\.(\d+)\.(\d+)((?:a|b|rc)\d+)?(t?)$")
_PYENV_PYPY = re.compile(r"^pypy(\d+)\.(\d+)-(.+)$")
_PATH_MINOR = re.compile(r"^(?:python|pypy)3\.(\d+)$")


class Request:
    """What a ``--python`` name asks for; never changed once made.

    (A class with slots, not a frozen dataclass: ``dataclasses`` would cost every no-op
    sync the import of ``inspect``.)
    """

    __slots__ = ("freethreaded", "gil", "implementation", "specifier", "version")

    def __init__(
        self,
        implementation: str | None,
        version: tuple[int, ...],
        freethreaded: bool,
        gil: bool,
        specifier: str,
    ) -> None:
        self.implementation = implementation  # "cpython", "pypy", or None: either
        self.version = version  # (3,), (3, 12) or (3, 12, 1); () for none
        self.freethreaded = freethreaded  # 3.13t, 3.13+freethreaded
        self.gil = gil  # 3.13+gil
        self.specifier = specifier  # ">=3.11,<3.13", or ""

    def needs_check(self) -> bool:
        """Whether the candidates must be run to know which one is asked for.

        A ``pythonX.Y`` on PATH tells its series, not its micro release nor whether it is
        CPython or a PyPy venv's ``python3.9``; a pyenv directory tells every part.
        """
        return bool(
            len(self.version) > 2  # noqa: PLR2004 - a micro release
            or self.specifier
            or self.gil
            or self.implementation == "cpython"
        )


def parse(spec: str) -> Request | None:
    """The request *spec* writes; None for an executable's name (or a path)."""
    match = _VERSION_REQUEST.match(spec)
    if match and spec != "python" and (match["impl"] or match["version"]):
        text = match["version"] or ""
        if "." in text or len(text) < 2:  # noqa: PLR2004 - "3", "3.12", "3.12.1"
            version = tuple(int(part) for part in text.split(".")) if text else ()
        else:  # "312"
            version = (3, int(text[1:]))
        variant = match["variant"] or ""
        impl = _IMPLEMENTATIONS.get(match["impl"] or "")
        return Request(impl, version, variant in {"t", "+freethreaded"}, variant == "+gil", "")
    match = _SPECIFIER_REQUEST.match(spec)
    if match:
        impl = _IMPLEMENTATIONS.get(match["impl"] or "")
        return Request(impl, (), False, False, match["specifier"].strip())
    return None


def by_name(spec: str) -> str | None:
    """The interpreter ``--python SPEC`` names when *spec* is no path; None if none is found.

    The first of :func:`candidates`: what ``--python`` takes when no check is needed, and
    what the no-op sync compares with the interpreter its stamp recorded.
    """
    found = candidates(spec)
    return found[0] if found else None


def candidates(spec: str) -> list[str]:
    """The interpreters that may be the one *spec* asks for, the one to prefer first.

    A version is looked up as ``pythonX.Y`` on PATH (a pyenv shim as the file pyenv runs for
    it, :func:`_which_real`), then in pyenv's versions, the newest bug-fix release first; a
    micro release in pyenv's directory of that name first. PyPy as ``pypyX.Y``, or ``pypy3``
    and ``pypy``, likewise. A specifier: every series found, the newest first. A name alone:
    that name on PATH.
    """
    request = parse(spec)
    if request is None:
        found = _which_real(spec)
        return [found] if found else []
    pypy = request.implementation == "pypy"
    t = "t" if request.freethreaded else ""
    pyenv = _pyenv_pypy() if pypy else _pyenv_cpython(t)
    stem = "pypy" if pypy else "python"
    if request.specifier:
        minors = sorted({*_path_minors(stem), *(v[1] for v, _ in pyenv if v[0] == 3)})  # noqa: PLR2004
        ordered: list[str | None] = []
        for minor in reversed(minors):
            ordered.append(_which_real(f"{stem}3.{minor}"))
            ordered += [path for v, path in pyenv if v[:2] == (3, minor)]
        ordered.append(_which_real(f"{stem}3"))
        return _unique(ordered)
    version = request.version
    if len(version) >= 2:  # noqa: PLR2004 - 3.12, 3.12.1
        on_path = _which_real(f"{stem}{version[0]}.{version[1]}{t}")
        if len(version) > 2 and not pypy:  # noqa: PLR2004 - pyenv's 3.12.1, then PATH's 3.12
            return _unique([*(path for v, path in pyenv if v == version), on_path])
        return _unique([on_path, *(path for v, path in pyenv if v[:2] == version[:2])])
    names = ["pypy3", "pypy"] if pypy else [f"python3{t}"]
    return _unique([*(_which_real(name) for name in names), *(path for _, path in pyenv)])


def _unique(paths: list[str | None]) -> list[str]:
    """*paths* without the Nones and without repeats (by real path), in order."""
    seen: set[str] = set()
    out = []
    for path in paths:
        if path is not None and os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            out.append(path)
    return out


def _which_real(name: str) -> str | None:
    """The file *name* runs from PATH, as a shell runs it, but a shim is never run.

    pyenv's shim stands for the file pyenv would run (:func:`graft._pyenv.which`, read from
    its version files: decision 124); other shims (asdf's, pyenv-virtualenv's) are skipped.
    """
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(directory, name)
        if not (directory and os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
            continue
        if not _is_shims(directory):
            return candidate
        from graft import _pyenv  # noqa: PLC0415 - standard library only, for a shim only

        found = _pyenv.which(name, _which_plain) if _pyenv.is_shims(directory) else None
        if found is not None:
            return found
    return None


def _which_plain(name: str) -> str | None:
    """*name* on PATH, no shim directory's."""
    for directory in _path_dirs():
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _is_shims(directory: str) -> bool:
    return directory.rstrip("/").endswith("/shims")


def _path_dirs() -> list[str]:
    entries = os.environ.get("PATH", "").split(os.pathsep)
    return [d for d in entries if d and not _is_shims(d)]


def _path_minors(stem: str) -> set[int]:
    """The ``X`` of every ``pythonX.Y``'s ``3.X`` (or ``pypy3.X``) on PATH."""
    minors = set()
    for directory in _path_dirs():
        for path in glob.glob(os.path.join(glob.escape(directory), f"{stem}3.*")):
            match = _PATH_MINOR.match(os.path.basename(path))
            if match and os.access(path, os.X_OK):
                minors.add(int(match[1]))
    return minors


def _versions_dir() -> str:
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return os.path.join(root, "versions")


def _pyenv_cpython(t: str) -> list[tuple[tuple[int, ...], str]]:
    """The CPython builds of pyenv (free-threaded ones for *t*), newest first: (version, path)."""
    found = []
    for name in _listdir(_versions_dir()):
        match = _PYENV_CPYTHON.match(name)
        if match is None or match[5] != t:
            continue
        version = (int(match[1]), int(match[2]), int(match[3]))
        path = os.path.join(_versions_dir(), name, "bin", f"python{match[1]}.{match[2]}{t}")
        if os.access(path, os.X_OK):
            pre = match[4] or ""  # a final release before its candidates: "" sorts last
            key = (*version, not pre, *(int(n) for n in re.findall(r"\d+", pre)))
            found.append((key, version if not pre else (*version[:2], -1), path))
    return [(version, path) for _, version, path in sorted(found, reverse=True)]


def _pyenv_pypy() -> list[tuple[tuple[int, ...], str]]:
    """The PyPy builds of pyenv, newest first: (Python's ``(X, Y)``, path)."""
    found = []
    for name in _listdir(_versions_dir()):
        match = _PYENV_PYPY.match(name)
        if match is None:
            continue
        short = f"{match[1]}.{match[2]}"
        for exe in (f"pypy{short}", "pypy3"):
            path = os.path.join(_versions_dir(), name, "bin", exe)
            if os.access(path, os.X_OK):
                key = (
                    int(match[1]),
                    int(match[2]),
                    *(int(n) for n in re.findall(r"\d+", match[3])),
                )
                found.append((key, path))
                break
    return [(key[:2], path) for key, path in sorted(found, reverse=True)]


def _listdir(directory: str) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []
