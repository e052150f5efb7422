"""What a failed hook's output says of its build environment, as a hint naming the cause.

An old ``setup.py`` imports a module a build requirement no longer ships (scikit-learn 0.24.2
imports ``pkg_resources``, gone from setuptools since 82.0.0, decision 147): the traceback
ends in ``No module named 'pkg_resources'``, and only the build environment's versions tell
why (PyYAML 5.4.1's ``setup.py`` alike, on Cython 3's ``build_ext``, decision 278); a
backend whose import fails on another module (an old setuptools on Python 3.12, which has
no ``distutils``) is not one missing from ``[build-system] requires``; an old ``setup.py``
that imports a module the interpreter's standard library has dropped (pathtools 0.1.2's
``imp`` on Python 3.12, decision 390) or whose shipped C code includes a header it moved
(lxml 4.6.3's ``longintrepr.h``, decision 392) needs an older Python, not a build
requirement. Imported only once a hook failed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

#: (what is gone, the project that shipped it, the first release of that project without it,
#: what a failed hook's output says when it is missing, the first Python release on which the
#: project's releases before that one no longer run, if any)
GONE: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("pkg_resources", "setuptools", "82.0.0", "No module named 'pkg_resources'", None),
    # Cython 3's Cython.Distutils.build_ext: PyYAML 5.4.1's setup.py on Python 3.12
    ("build_ext.cython_sources", "Cython", "3.0.0", "has no attribute 'cython_sources'", None),
    # pystache 0.5.4's setup(use_2to3=True); setuptools before 58 imports distutils, which
    # Python 3.12 dropped (and 2to3 needs lib2to3, which 3.13 dropped): decision 424
    ("use_2to3", "setuptools", "58.0.0", "use_2to3 is invalid", "3.12"),
)


#: Standard-library modules a CPython release removed (PEPs 594 and 632, ``imp``,
#: ``lib2to3``), by the release that no longer has them; not 3.10's ``parser`` or ``symbol``,
#: names a project's own module may have.
REMOVED_FROM_PYTHON = {
    "3.11": ("binhex",),
    "3.12": ("asynchat", "asyncore", "distutils", "imp", "smtpd"),
    "3.13": (
        "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap",
        "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau",
        "telnetlib", "uu", "xdrlib",
    ),
}  # fmt: skip
_NO_MODULE = re.compile(r"ModuleNotFoundError: No module named '([A-Za-z_][\w.]*)'")


def removed_module(log: str) -> str | None:
    """Why *log*'s build failed, when its last missing module is one Python dropped.

    The interpreter that ran the hook is then that release or a later one (it would have
    the module otherwise), so no version needs asking; a build requirement cannot bring it
    back (uv 0.13.9 suggests declaring ``imp`` as one, which PyPI does not have).
    """
    found = _NO_MODULE.findall(log)
    if not found:
        return None
    module = found[-1].partition(".")[0]
    for release, modules in REMOVED_FROM_PYTHON.items():
        if module in modules:
            major, _, minor = release.partition(".")
            older = f"{major}.{int(minor) - 1}"
            return (
                f"the build imports {module!r}, which the standard library dropped in Python "
                f"{release}: build it with Python {older} or older (--python), or take a "
                "newer release of the project"
            )
    return None


#: C headers a CPython release moved or removed, which C code an old Cython generated (and an
#: old sdist ships) includes: lxml 4.6.3's ``longintrepr.h`` on Python 3.12, typed-ast 1.4.3's
#: ``code.h`` (decision 425). Each is the release whose ``include/pythonX.Y`` first lacks it
#: (the pyenv builds of 3.8 to 3.13 compared; ``interpreteridobject.h``, gone in 3.11, back
#: in 3.12 and gone in 3.13, is left out).
MOVED_HEADERS = {
    **dict.fromkeys(("bytes_methods.h", "dtoa.h"), "3.9"),
    **dict.fromkeys(
        (
            "Python-ast.h", "asdl.h", "ast.h", "bitset.h", "graminit.h", "grammar.h", "node.h",
            "odictobject.h", "parsetok.h", "picklebufobject.h", "pyarena.h", "pyctype.h",
            "pydebug.h", "pyfpe.h", "pytime.h", "symtable.h", "ucnhash.h",
        ),
        "3.10",
    ),
    **dict.fromkeys(
        (
            "cellobject.h", "classobject.h", "code.h", "context.h", "eval.h", "funcobject.h",
            "genobject.h", "longintrepr.h", "namespaceobject.h", "pystrhex.h",
        ),
        "3.11",
    ),
    "token.h": "3.12",
    "tracemalloc.h": "3.13",
}  # fmt: skip
_NO_HEADER = re.compile(r"fatal error: ([\w./+-]+\.h): No such file or directory")
#: An error line after the missing header that is not the compiler's exit being reported.
_OTHER_ERROR = re.compile(r"\berror\b(?!: command)", re.IGNORECASE)


def missing_header(log: str, python: str = "") -> str | None:
    """Why *log*'s compile failed, when its last error is a header the compiler did not find.

    One CPython moved (:data:`MOVED_HEADERS`) needs an older Python or a newer release (no
    library brings it back, where uv 0.13.9 says to install one that provides it);
    ``Python.h``, the target interpreter's development files (decision 411); any other is a
    library's development files, as uv says too. None when another error follows it
    (other than the compiler's exit status said: ``error: command '/usr/bin/gcc' failed``).
    A header of :data:`MOVED_HEADERS` missing for a *python* (``X.Y[.Z]``) older than the
    release that moved it is some library's, not CPython's (whose headers that one has).
    """
    found = list(_NO_HEADER.finditer(log))
    if not found:
        return None
    header = found[-1].group(1)
    after = log[found[-1].end() :].splitlines()
    if any(_OTHER_ERROR.search(line) for line in after):
        return None  # (a configure probe's missing header, then another failure)
    release = MOVED_HEADERS.get(header)
    if release is not None and not _older(python, release):
        major, _, minor = release.partition(".")
        return (
            f"its C code includes {header!r}, which Python {release} no longer has there (code"
            " written for an older Python, or an older Cython's): build it with Python"
            f" {major}.{int(minor) - 1} or older (--python), or take a newer release of the project"
        )
    if header == "Python.h":  # (the interpreter's own headers: a system Python's come apart)
        return (
            "the compiler found no 'Python.h': install the development files of the Python it"
            " builds for (Debian and Ubuntu: python3.X-dev, pypy3-dev for PyPy; Fedora:"
            " python3-devel), or take a release with a wheel for the target"
        )
    return (
        f"the compiler found no {header!r}: install the development files of the library that"
        " provides it (a -dev or -devel package), or take a release with a wheel for the target"
    )


def _older(python: str, release: str) -> bool:
    """Whether *python* (``X.Y[.Z]``; empty: not known) is older than *release* (``X.Y``)."""
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    try:
        return bool(python) and Version(python).release[:2] < Version(release).release[:2]
    except InvalidVersion:
        return False


#: A compiler's error on a CPython C API name (``_PyLong_One``, gone in 3.12; a function
#: called with the arguments an older release took; a struct member made private in 3.11):
#: GCC's words (its quotes as the C locale or UTF-8 writes them), then clang's.
_Q = r"[\u2018\u2019']"  # (GCC's quotes: UTF-8's, or the C locale's ')
#: CPython's names, not numpy's C API (``PyArray_*``, ``PyUFunc_*``, ``PyDataType_*``: an old
#: extension built against numpy 2 fails on those) nor PyGObject's or PyQt's
_NAME = rf"{_Q}(_?Py(?!Array|UFunc|DataType|GObject|GI|Qt)\w*){_Q}"
_C_API = re.compile(
    r"error: (?:"
    rf"{_NAME} undeclared"
    rf"|implicit declaration of function {_NAME}"
    rf"|too (?:few|many) arguments to function {_NAME}"
    rf"|{_NAME}(?: {{aka [^}}]*}})? has no member named {_Q}\w+{_Q}"
    rf"|invalid use of incomplete typedef {_NAME}"
    rf"|use of undeclared identifier {_NAME}"
    rf"|call to undeclared function {_NAME}"
    r")"
)


def old_c_api(log: str, python: str = "") -> str | None:
    """Why *log*'s compile failed, when its first error is on a name of CPython's C API.

    C code written for an older Python (backports.zoneinfo 0.2.1's ``_PyLong_One``, gone
    from Python 3.12's headers): no library or build requirement brings the name back, so
    the hint says to build with an older Python or take a newer release (decision 425;
    uv 0.13.9 and pip 26.3 say only that the build failed).
    """
    found = _C_API.search(log)
    if found is None:
        return None
    said = found.group(0).removeprefix("error: ")
    which = f"Python {python}" if python else "this Python"
    return (
        f"its C code was written for an older Python's C API (built for {which}, the compiler"
        f" says: {said}): build it with an older Python (--python), or take a newer release of"
        " the project"
    )


def missing_module(log: str, holds: Sequence[str], python: str = "") -> str | None:
    """Why *log*'s import failed, if a project *holds* (``name==version``) no longer ships it.

    None when no module of :data:`GONE` is missing, or its project is absent or older. Where
    the project's older releases no longer run on the *python* (``X.Y[.Z]``) that built,
    the hint names the last Python they run on too.
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    held: dict[str, str] = {}
    for item in holds:
        name, _, release = item.partition("==")
        held[canonicalize_name(name)] = release
    for module, project, since, said, python_since in GONE:
        version = held.get(canonicalize_name(project))
        if version is None or said not in log:
            continue
        try:
            gone = Version(version) >= Version(since)
        except InvalidVersion:
            continue
        if gone:
            return (
                f"{project} has had no {module} since {since}, and the build environment held "
                f"{project} {version}: this build needs {project}<{since} (that line in a"
                " --build-constraint FILE)"
                f"{_older_python(project, since, python_since, python)}"
            )
    return None


def _older_python(project: str, since: str, python_since: str | None, python: str) -> str:
    """The words that add which Python *project* <*since* needs, where *python* is too new."""
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    if python_since is None or not python:
        return ""
    try:
        too_new = Version(python).release[:2] >= Version(python_since).release[:2]
    except InvalidVersion:
        return ""
    if not too_new:
        return ""
    major, _, minor = python_since.partition(".")
    return (
        f", and Python {major}.{int(minor) - 1} or older (--python): {project}<{since} does not"
        f" run on Python {python_since}"
    )


def backend_unavailable(backend: str, traceback: str) -> tuple[str, str]:
    """What to say, and the hint, when importing *backend* raised ImportError (*traceback*).

    The backend's own module (or a package above it) missing: it is not installed. Any
    other module missing, or another ImportError, is the backend failing as it is imported:
    said in the traceback's last line (``distutils``, gone from Python 3.12, with a hint).
    """
    module = backend.partition(":")[0].strip()
    last = next((line.strip() for line in reversed(traceback.splitlines()) if line.strip()), "")
    prefix = "ModuleNotFoundError: No module named "
    missing = last[len(prefix) :].strip("'\"") if last.startswith(prefix) else None
    if missing is None and not last:
        missing = module
    if missing is not None and (module == missing or module.startswith(f"{missing}.")):
        return (
            f"the build backend {backend!r} cannot be imported",
            "is it in [build-system] requires? (without build isolation: installed?)",
        )
    hint = "its whole output is above"
    if missing is not None and missing.partition(".")[0] == "distutils":
        hint += (
            "; Python 3.12 has no distutils, which an old setuptools imports: build with"
            " Python 3.11, or let [build-system] requires take a newer setuptools"
        )
    return f"importing the build backend {backend!r} failed: {last}", hint
