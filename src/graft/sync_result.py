"""What ``graft sync`` reports: :class:`SyncResult`, and what the fast paths need of it.

The result of a sync that carried out a plan (its distributions, the plan's counts, what the
venv held before), and what the command line's stamps keep for the fast paths that only the
full path knows: the inputs' preimage with the venv's path marked (:func:`inputs_form`,
:data:`PREFIX_MARK`) and the venv template. :mod:`graft.sync` makes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graft.model.request import SyncRequest
    from graft.model.target import Target
    from graft.plan.types import Plan, VenvLayout
    from graft.resolve.locate import Located


#: Stands for the venv's path in :func:`inputs_form` (no path holds a NUL).
PREFIX_MARK = "\0graft-venv\0"


def venv_layout(prefix: str, target: Target) -> VenvLayout:
    """The layout of a venv at *prefix* for *target*."""
    from graft.plan.types import VenvLayout  # noqa: PLC0415

    return VenvLayout.for_target(prefix, target)


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: the venv, its distributions, the plan carried out and its stats."""

    prefix: str
    distributions: tuple[str, ...]  # "name==version"
    plan: Plan | None  # None when nothing needed doing (the venv was already in sync)
    stats: dict[str, int]  # links, directories, files
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    before: tuple[str, ...] = ()  # "name==version" in the venv before, when it changed
    notes: tuple[str, ...] = ()  # what resolution did, for -v
    warnings: tuple[str, ...] = ()  # what resolution noticed (an extra no wheel provides)
    said: tuple[str, ...] = ()  # warnings about this change alone: no stamp repeats them
    memo: str | None = None  # the resolution memo that now answers this request, if any
    inputs: str | None = None  # the venv's graft-inputs (what it was built from)
    variants: tuple[dict[str, Any], ...] = ()  # the variant choice per release (PEP 825)
    # What a new venv's fast path (graft.cli.replay) needs that only the full path knows:
    # the inputs' preimage with the venv's path marked (PREFIX_MARK), the venv template
    inputs_form: str | None = None
    template: str | None = None
    # What a changed pin set's fast path (graft.cli.change) needs besides: the pin record a
    # pinned resolution kept (graft.resolve.locate.Recorded), the plan key's other parts
    pin_record: tuple[str, str, str] | None = None
    plan_parts: tuple[object, ...] = ()
    site_dirs: tuple[str, ...] = ()  # purelib and platlib, relative to the venv
    # what changed of the venv itself: "python 3.12.1 -> 3.11.7", "prompt 'a' -> 'b'"
    venv_changes: tuple[str, ...] = ()
    # the venv tool's options the venv has by this sync's word (pyvenv.cfg's lines): the
    # command line's, and ``seed = true`` for a seeded venv (decision 122), which the no-op
    # stamp checks so that a venv no longer seeded is not answered "in sync" (decision 123)
    venv_options: tuple[tuple[str, str], ...] = ()

    def changes(self) -> dict[str, list[str]]:
        """What the sync added, removed, upgraded and downgraded (empty when nothing ran).

        See :func:`graft.venv.state.changes`.
        """
        from graft.venv.state import changes  # noqa: PLC0415

        return changes(self.before, self.distributions) if self.plan is not None else changes()


def _stats(plan: Plan) -> dict[str, int]:
    return {"links": plan.links, "directories": plan.directories, "files": plan.files_served}


def result_of(plan: Plan, timings: dict[str, float], before: tuple[str, ...]) -> SyncResult:
    """The result of a sync that carried out *plan*, the venv having held *before*."""
    names = tuple(f"{d.name}=={d.version}" for d in plan.distributions)
    return SyncResult(plan.prefix, names, plan, _stats(plan), timings, before)


def installed(layout: VenvLayout) -> tuple[str, ...]:
    """``name==version`` of what the venv holds now (nothing when there is no venv)."""
    from graft.venv.state import installed  # noqa: PLC0415

    found = installed(layout.prefix, (layout.purelib, layout.platlib))
    return tuple(sorted(f"{name}=={version}" for name, version in found.items()))


def venv_config(prefix: str) -> dict[str, str] | None:
    """The venv's pyvenv.cfg lines (None: no venv, or none readable)."""
    from graft.venv.state import read_config  # noqa: PLC0415

    try:
        return read_config(prefix)
    except (OSError, ValueError):
        return None


def previous_layout(layout: VenvLayout, target: Target, was: dict[str, str] | None) -> VenvLayout:
    """*layout*, but with the site-packages of the interpreter the venv was for (*was*).

    A venv rebuilt for Python 3.11 held its distributions in ``lib/python3.12``: what it
    held is read there, so that the summary does not call them added.
    """
    from graft.venv.state import held_sites  # noqa: PLC0415

    purelib, platlib = held_sites((layout.purelib, layout.platlib), target.version, was)
    if (purelib, platlib) == (layout.purelib, layout.platlib):
        return layout
    return replace(layout, purelib=purelib, platlib=platlib)


def inputs_form(request: SyncRequest, located: Located, store_root: str) -> str:
    """What the venv's ``graft-inputs`` digests, as JSON, its path written :data:`PREFIX_MARK`.

    ``Located.digest``'s preimage: for a venv at another path, replace the mark in the
    layout's repr (the head's fifth item) with that path's repr and hash the JSON again
    (``graft.cli.replay``, which checks the result against this venv's own inputs first).
    """
    import json  # noqa: PLC0415

    from graft import __version__  # noqa: PLC0415
    from graft.plan.types import Policy  # noqa: PLC0415

    target = located.target
    head = [__version__, target.real_executable, target.version, store_root]
    head += [
        repr(venv_layout(PREFIX_MARK, target)),
        repr(Policy(request.collisions, request.link_mode)),
    ]
    rows = sorted(
        f"{f.sha256}|{f.wanted.path or ''}|{int(f.wanted.requested)}"
        + (f"|{f.wanted.direct_url}" if f.wanted.direct_url else "")
        + ("|indexed" if f.wanted.indexed else "")
        for f in located.fetched
    )
    return json.dumps([head, rows])


def template(target: Target) -> str:
    """The venv template of *target*'s interpreter (the sync has made it by then)."""
    from graft.venv.skeleton import venv_template  # noqa: PLC0415

    return venv_template(target)
