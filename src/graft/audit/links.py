"""Links: every symlink of the venv, and where it may resolve.

A link may resolve into the venv, into the store named by ``graft-store`` in pyvenv.cfg, or
into the base interpreter's prefix (``home`` in pyvenv.cfg and ``sys.base_prefix``: the
``bin/python`` links). Anything else is ``link-outside``: an error in a graft venv (graft
never makes such links), a warning elsewhere (uv's symlink mode links into its cache).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, Severity, finding

if TYPE_CHECKING:
    from graft.audit.layout import Venv


def find_links(venv: Venv) -> tuple[dict[str, str], frozenset[str]]:
    """Every symlink in the venv (listed, never entered) with its resolved target; the
    dangling ones."""
    links: dict[str, str] = {}
    dangling: set[str] = set()
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = list(os.scandir(venv.abs(rel)))
        except OSError:
            continue
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                # a dangling link resolves as far as it can (into a vanished store entry too)
                links[child] = os.path.realpath(entry.path)
                if not os.path.exists(entry.path):
                    dangling.add(child)
            elif entry.is_dir(follow_symlinks=False):
                pending.append(child)
    return links, frozenset(dangling)


def allowed_roots(venv: Venv) -> list[str]:
    """The real directories a link of the venv may resolve into."""
    roots = [venv.real]
    if venv.store:
        roots.append(os.path.realpath(venv.store))
    home = venv.cfg.get("home", "").rstrip("/")
    if home:
        roots.append(os.path.realpath(os.path.dirname(home) or home))
    base = venv.probe.env.get("base_prefix")
    if isinstance(base, str) and base:
        roots.append(os.path.realpath(base))
    return roots


def inside(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def check_links(venv: Venv) -> list[Finding]:
    """Dangling links, and links that resolve outside the allowed roots."""
    out = []
    roots = allowed_roots(venv)
    graft = venv.store is not None
    allowed = "the venv, its store" if graft else "the venv"
    for rel in sorted(venv.links):
        target = venv.links[rel]
        if rel in venv.dangling:
            detail = f"-> {os.readlink(venv.abs(rel))}, which does not exist"
            out.append(finding(Kind.DANGLING_LINK, rel, venv.owners(rel), detail))
        elif not inside(target, roots):
            detail = f"resolves to {target}: outside {allowed} and the base interpreter's prefix"
            severity: Severity = "error" if graft else "warning"
            out.append(finding(Kind.LINK_OUTSIDE, rel, venv.owners(rel), detail, severity=severity))
    return out
