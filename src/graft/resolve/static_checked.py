"""Sdists whose build contradicts the static metadata the resolution took for them.

The resolver reads an sdist's dependencies from its static metadata where it states them
(PEP 643's PKG-INFO, PEP 621's ``[project]``: :func:`graft.resolve.sdist_static.static_metadata`),
which its backend must honour. A backend may not: typer-slim 0.12.5's ``pdm_build.py``
hook adds ``rich`` and ``shellingham`` to the ``dependencies = [click, typing-extensions]``
its sdist's table and PKG-INFO state. The wheel is the truth pip installs by (it builds to
read the metadata); uv believes the table and leaves the venv without them. Once the
chosen sdists are built, :func:`contradicted` compares each wheel's ``Requires-Dist`` and
``Requires-Python`` with the static metadata the resolution read; where they differ, that
metadata is forgotten (kept as "states none", so every later read asks the backend, which
answers with the recorded build), and the resolution runs again (decision 308).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def contradicted(built: Sequence[tuple[str, str | None, str, str]], cache_dir: str) -> list[str]:
    """A note for each (sdist, its sha256 if known, its wheel, the wheel's sha256) that differs.

    Only sdists whose static metadata the resolution took (kept non-empty in the cache by
    their sha256) are compared; each contradicted one's kept metadata is emptied. An sdist
    whose kept metadata cannot be emptied is not said (the resolution would read it again).
    A wheel found to agree is noted beside that metadata (``.agrees-<sha256>``), so that a
    warm sync reusing it parses no METADATA.
    """
    from graft._atomic import remember, write_atomic  # noqa: PLC0415
    from graft.resolve.sdist_static import sdist_sha256, static_path  # noqa: PLC0415

    notes = []
    for sdist, known, wheel, wheel_sha in built:
        kept = static_path(cache_dir, known or sdist_sha256(sdist, cache_dir))
        agrees = f"{kept}.agrees-{wheel_sha}"
        try:
            with open(kept, "rb") as fh:
                static = fh.read()
        except OSError:
            continue
        if not static or os.path.exists(agrees):
            continue  # the backend's answer was read, or this wheel was compared before
        from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

        said = _requirements(static)
        made = _requirements(read_local_metadata(wheel)[1])
        if said == made:
            remember(agrees, b"")
            continue
        try:
            write_atomic(kept, b"")
        except OSError:
            continue
        notes.append(_note(sdist, wheel, said, made))
    return notes


def _requirements(metadata: bytes) -> tuple[frozenset[str], str]:
    """The Requires-Dist lines and Requires-Python, in the surface's canonical spelling.

    :func:`graft.resolve.surface.read_surface`'s, the one comparison of two METADATA's
    dependencies (names and extras canonical: IDNA is idna); lines it cannot parse are
    kept as written, so that a wheel adding one still contradicts.
    """
    from graft.resolve.surface import read_surface  # noqa: PLC0415

    surface = read_surface(metadata)
    lines = {*surface.requires_dist, *surface.variant_requires}
    python = surface.requires_python or ""
    for line in surface.invalid:  # ("Field: value", as written)
        if line.startswith("Requires-Dist: "):
            lines.add(line)
        elif line.startswith("Requires-Python: "):
            python = line
    return frozenset(lines), python


def _note(
    sdist: str, wheel: str, said: tuple[frozenset[str], str], made: tuple[frozenset[str], str]
) -> str:
    """For ``-v``: what the wheel adds and leaves out of what the sdist stated."""
    parts = []
    added, dropped = sorted(made[0] - said[0]), sorted(said[0] - made[0])
    if added:
        parts.append("adds " + ", ".join(added))
    if dropped:
        parts.append("drops " + ", ".join(dropped))
    if said[1] != made[1]:
        parts.append(f"Requires-Python {made[1] or 'none'} for {said[1] or 'none'}")
    return (
        f"{os.path.basename(sdist)}: its wheel {os.path.basename(wheel)} states other"
        f" requirements than the sdist's static metadata ({'; '.join(parts)}): resolved again"
        " with the wheel's METADATA"
    )
