"""A lock packaging refuses to select from, in one line: what it declares, what to do.

Imported only once :meth:`packaging.pylock.Pylock.select` has refused (``PylockSelectError``):
a ``requires-python`` that excludes the target is said in graft's words, judged by the
lock's own values (decision 431), with the interpreter or relock that would do; an extra or
dependency group the lock does not declare names those it does; an interpreter the lock's
environments leave out says when they hold on CPython alone (decision 329).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from graft.errors import SourceError

if TYPE_CHECKING:
    from graft.model.target import Target


def refusal(said: str, lock: Any, target: Target, *, where: str) -> SourceError:
    """The error for *said*, packaging's refusal to select from *lock* for *target*."""
    python = _python_refused(said, lock, target)
    if python is not None:
        return SourceError(python, where=where, hint=_python_hint(lock, target))
    return SourceError(said, where=where, hint=_select_hint(said, lock, target))


def _python_refused(said: str, lock: Any, target: Target) -> str | None:
    """Packaging's refusal *said* in graft's words, where a requires-python excludes the target.

    packaging says "python_full_version '3.12.1' in provided environment does not satisfy
    the Python version requirement '>=3.14'" (decision 431). Judged by the lock's own
    ``requires-python`` values, not packaging's words: the lock's, else the package the
    refusal names (``packages[N]``), else the one package whose value excludes the target;
    None for any other refusal.
    """
    from packaging.version import Version  # noqa: PLC0415

    version = Version(target.version)
    python = f"the target's Python {target.version}"

    def excludes(spec: Any) -> bool:
        return spec is not None and not spec.contains(version, prereleases=True)

    if excludes(lock.requires_python):
        return f"the lock's requires-python {lock.requires_python} excludes {python}"
    found = re.search(r"packages\[(\d+)\]", said)
    excluding = [i for i, p in enumerate(lock.packages) if excludes(p.requires_python)]
    if found is not None:
        excluding = [i for i in excluding if i == int(found.group(1))]
    if len(excluding) != 1:
        return None
    package = lock.packages[excluding[0]]
    locked = f"{package.name} {package.version}" if package.version else package.name
    return (
        f"{locked} (packages[{excluding[0]}]) requires Python {package.requires_python},"
        f" which excludes {python}"
    )


def _python_hint(lock: Any, target: Target) -> str:
    """Where to go for a lock whose Python is not the target's: another interpreter, a relock."""
    version = ".".join(target.version.split(".")[:2])
    allows = f" ({lock.requires_python})" if lock.requires_python else ""
    return (
        f"sync with a --python the lock allows{allows}, or relock for this one"
        f" (graft lock --python-version {version})"
    )


def _select_hint(said: str, lock: Any, target: Target) -> str:
    """What to do about *said*, packaging's refusal to select from *lock* for *target*."""
    for kind, flag, declared in (
        ("extras", "--extra", lock.extras),
        ("dependency groups", "--group", lock.dependency_groups),
    ):
        if said.startswith(f"Undeclared {kind}:"):
            names = ", ".join(sorted(str(n) for n in declared or ()))
            said = f"the lock declares {kind} {names}" if names else f"the lock declares no {kind}"
            return f"{said}; graft lock {flag} NAME writes their requirements into the lock"
    said = f"the target is {target.implementation} {target.version}"
    if target.implementation != "cpython" and _cpython_would_hold(lock, target):
        said += (
            ", and the lock's environments hold on CPython alone: graft lock locks CPython"
            " unless asked (--implementation cp --implementation pp locks PyPy too); or sync"
            " this interpreter from the requirements the lock was made from"
        )
    return said


def _cpython_would_hold(lock: Any, target: Target) -> bool:
    """Whether an environment of *lock* holds for *target*'s markers on CPython (decision 329)."""
    cpython = {
        **target.markers,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    return any(marker.evaluate(cpython) for marker in lock.environments or ())
