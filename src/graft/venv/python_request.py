"""Whether an interpreter is the one a ``--python`` request asks for, by its own facts.

:mod:`graft._pythons` finds the candidates by their names, with the standard library alone;
what a name cannot tell (a micro release, a specifier, the implementation behind a
``pythonX.Y``) is checked here against the facts the interpreter gave of itself
(decision 119).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from graft.errors import TargetError

if TYPE_CHECKING:
    from graft._pythons import Request
    from graft.model.target import Target

_NAMES = {"cpython": "CPython", "pypy": "PyPy"}
#: ``2``, ``2.7``, ``python2``, ``pypy2``, ``cpython@2.7``: uv refuses them as "not supported"
_PYTHON_2 = re.compile(r"^(?:(?:python|cpython|cp|pypy|pp)[@-]?)?2(?:\.\d+)*$")
SUPPORTED = "graft supports CPython 3.9+ and PyPy 3.9+"


def refuse_unsupported(spec: str, request: Request | None, where: str) -> None:
    """A :class:`TargetError` for Python 2 or a specifier that ``packaging`` cannot read."""
    if _PYTHON_2.match(spec):
        version = re.sub(r"^\D*", "", spec)
        raise TargetError(f"Python {version} is not supported", where=where, hint=SUPPORTED)
    if request is not None and request.specifier:
        try:
            SpecifierSet(request.specifier)
        except InvalidSpecifier:
            raise TargetError(
                f"{request.specifier!r} is not a version specifier",
                where=where,
                hint="write one as in requires-python, e.g. '>=3.11,<3.13'",
            ) from None


def mismatch(request: Request, target: Target) -> str | None:
    """None when *target* is what *request* asks for; else what it is (``CPython 3.12.3``)."""
    version = Version(target.version)
    asked = request.version
    wrong = (
        (request.implementation is not None and target.implementation != request.implementation)
        or version.release[: len(asked)] != asked
        or (request.gil and target.gil_disabled)
        or (request.freethreaded and not target.gil_disabled)
        or (_experimental(version) and target.gil_disabled and not request.freethreaded)
        or (
            bool(request.specifier)
            and not SpecifierSet(request.specifier).contains(version, prereleases=True)
        )
    )
    if not wrong:
        return None
    name = _NAMES.get(target.implementation, target.implementation)
    return f"{name} {target.version}{' (free-threaded)' if target.gil_disabled else ''}"


def _experimental(version: Version) -> bool:
    """Whether a free-threaded build of *version* must be asked for by name (``3.13t``).

    As uv: below Python 3.14 a free-threaded build is experimental, and a request that does
    not say ``t`` or ``+freethreaded`` is not met by one (graft's lookup never offers one
    then; an existing 3.13t venv asked ``--python 3.13`` is rebuilt: decision 123).
    """
    return version.release[:2] < (3, 14)


def describe(request: Request) -> str:
    """The request in words, for an error: ``CPython 3.12.1``, ``PyPy >=3.10``, ``Python 3``."""
    name = _NAMES.get(request.implementation or "", "Python")
    version = ".".join(str(part) for part in request.version) or request.specifier
    variant = " (free-threaded)" if request.freethreaded else " (with the GIL)" * request.gil
    return f"{name} {version}{variant}".replace("  ", " ").strip()
