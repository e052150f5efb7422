"""A target not on this machine (``--python-version``, ``--platform``): planned, never built.

In a module of its own so that a sync for this machine never creates the class (a frozen
dataclass costs about 1 ms to create on CPython 3.11; decision 51).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ForeignTarget:
    """A target described by pip-download-style flags, planned but never built."""

    python_version: str  # "3.12"
    platforms: tuple[str, ...]  # as pip reads them (graft.venv.foreign.pip_platforms)
    implementation: str = "cp"  # "cp" or "pp"
    abis: tuple[str, ...] = ()
