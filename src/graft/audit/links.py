"""Links: where every symlink of the venv resolves (gathered in :mod:`graft.audit.layout`), checked.

A link may resolve into the venv, into the store named by ``graft-store`` in pyvenv.cfg, or
into the base interpreter's prefix (``home`` in pyvenv.cfg and ``sys.base_prefix``: the
``bin/python`` links). Anything else is ``link-outside``: an error in a graft venv (graft
never makes such links), a warning elsewhere (uv's symlink mode links into its cache).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from graft.audit.findings import Finding, Kind, Severity, finding
from graft.audit.layout import allowed_roots, inside

if TYPE_CHECKING:
    from graft.audit.layout import Venv


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
