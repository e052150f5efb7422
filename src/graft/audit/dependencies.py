"""Dependencies: does every installed distribution find what its METADATA requires?

As ``pip check`` and ``uv pip check`` answer it: each ``Requires-Dist`` of each
``.dist-info`` whose marker holds for the venv's interpreter, with no extra (what the
distribution needs whatever extras were asked for), must name an installed distribution whose
version its specifier admits, pre-releases included. A sync leaves no such gap; ``pip
uninstall`` or ``pip install --no-deps`` inside the venv can, and so can a venv another tool
made with ``--no-deps``. The marker values are the interpreter's own
(:func:`graft.venv.interpreter.introspect`, cached like every target's).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, finding

if TYPE_CHECKING:
    from collections.abc import Mapping

    from graft.audit.layout import DistInfo, Venv


def check_dependencies(venv: Venv, markers: Mapping[str, str] | None) -> list[Finding]:
    """One finding per requirement not met; nothing when *markers* is None (no interpreter)."""
    if markers is None:
        return []
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    installed = {d.name: d.label.partition("==")[2] for d in venv.dists}
    environment = {**markers, "extra": ""}
    out: list[Finding] = []
    for dist in venv.dists:
        for line in _requires_dist(venv, dist):
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue  # (a broken METADATA line: pip check skips it too)
            if req.marker is not None and not req.marker.evaluate(environment):
                continue
            name = canonicalize_name(req.name)
            have = installed.get(name)
            if have is None:
                detail = f"{dist.label} requires {req}, which is not installed"
                out.append(finding(Kind.MISSING_DEPENDENCY, dist.path, [dist.label], detail))
                continue
            try:
                met = req.specifier.contains(Version(have), prereleases=True)
            except InvalidVersion:
                met = req.specifier.contains(have, prereleases=True)
            if not met:
                detail = f"{dist.label} requires {req}, but {name} {have} is installed"
                labels = [dist.label, f"{name}=={have}"]
                out.append(finding(Kind.UNMET_DEPENDENCY, dist.path, labels, detail))
    return out


def _requires_dist(venv: Venv, dist: DistInfo) -> list[str]:
    """The ``Requires-Dist`` values of *dist*'s METADATA (none when it cannot be read)."""
    from packaging.metadata import parse_email  # noqa: PLC0415

    try:
        with open(os.path.join(venv.abs(dist.path), "METADATA"), "rb") as fh:
            raw, _ = parse_email(fh.read())
    except (OSError, ValueError):
        return []
    return list(raw.get("requires_dist", []))


__all__ = ["check_dependencies"]
