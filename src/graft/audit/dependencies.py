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

    from packaging.requirements import Requirement

    from graft.audit.layout import DistInfo, Venv
    from graft.resolve.overrides import Overrides


def check_dependencies(
    venv: Venv, markers: Mapping[str, str] | None, overrides: Overrides | None = None
) -> list[Finding]:
    """One finding per requirement not met; nothing when *markers* is None (no interpreter).

    *overrides*: the ``--overrides`` and ``--excludes`` the venv was synced with. A
    requirement on a project they name is judged by what stands for it, as the resolution
    judged it (decision 396): unmet by that, an error saying the override; unmet as the
    METADATA states it but met by that, an ``overridden-dependency`` remark (info).
    """
    if markers is None:
        return []
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    installed = {d.name: d.label.partition("==")[2] for d in venv.dists}
    environment = {**markers, "extra": ""}
    out: list[Finding] = []
    for dist in venv.dists:
        for line in _requires_dist(venv, dist):
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue  # (a broken METADATA line: pip check skips it too)
            name = canonicalize_name(req.name)
            if overrides is None or (
                name not in overrides.excludes and name not in overrides.by_name
            ):
                gap = _unmet(req, environment, installed)
                out += [] if gap is None else [_said(dist, str(req), gap)]
                continue
            stands = overrides.apply([req])
            by = ", ".join(map(str, stands)) or "nothing (--excludes)"
            gaps = [(o, g) for o in stands if (g := _unmet(o, environment, installed))]
            out += [_said(dist, f"{req}, overridden by {o}", g) for o, g in gaps]
            gap = None if gaps else _unmet(req, environment, installed)
            if gap is not None:
                kind, have, _ = gap
                state = "not installed" if kind is Kind.MISSING_DEPENDENCY else f"{have} installed"
                detail = f"{dist.label} requires {req}, overridden by {by}: {name} {state}"
                labels = [dist.label, *([f"{name}=={have}"] if have else [])]
                out.append(finding(Kind.OVERRIDDEN_DEPENDENCY, dist.path, labels, detail))
    return out


#: A requirement not met: missing or unmet, the version installed ("" when missing), the name.
Gap = tuple[Kind, str, str]


def _unmet(
    req: Requirement, environment: Mapping[str, str], installed: Mapping[str, str]
) -> Gap | None:
    """How *req* is not met in the venv (None: met, or its marker does not hold)."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    if req.marker is not None and not req.marker.evaluate(dict(environment)):
        return None
    name = canonicalize_name(req.name)
    have = installed.get(name)
    if have is None:
        return Kind.MISSING_DEPENDENCY, "", name
    try:
        met = req.specifier.contains(Version(have), prereleases=True)
    except InvalidVersion:
        met = req.specifier.contains(have, prereleases=True)
    return None if met else (Kind.UNMET_DEPENDENCY, have, name)


def _said(dist: DistInfo, required: str, gap: Gap) -> Finding:
    """The error finding of *dist*'s requirement (*required*, as said) not met."""
    kind, have, name = gap
    if kind is Kind.MISSING_DEPENDENCY:
        detail = f"{dist.label} requires {required}, which is not installed"
        return finding(kind, dist.path, [dist.label], detail)
    detail = f"{dist.label} requires {required}, but {name} {have} is installed"
    return finding(kind, dist.path, [dist.label, f"{name}=={have}"], detail)


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
