"""What ``graft sync`` reports: :class:`SyncResult`, and what the fast paths need of it.

The result of a sync that carried out a plan (its distributions, the plan's counts, what the
venv held before), and what the command line's stamps keep for the fast paths that only the
full path knows: the inputs' preimage with the venv's path marked (:func:`inputs_form`,
:data:`PREFIX_MARK`) and the venv template. :mod:`graft.sync` makes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from graft.model.sync_request import SyncRequest
    from graft.model.target import Target
    from graft.plan.types import Plan, VenvLayout
    from graft.resolve.located import Located
    from graft.resolve.overrides import Overrides


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
    reinstalled: tuple[str, ...] = ()  # names installed anew: of another wheel, or --reinstall
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
    # pinned resolution kept (graft.resolve.resolve_wanted.Recorded), the plan key's other parts
    pin_record: tuple[str, str, str] | None = None
    plan_parts: tuple[object, ...] = ()
    site_dirs: tuple[str, ...] = ()  # purelib and platlib, relative to the venv
    # what changed of the venv itself: "python 3.12.1 -> 3.11.7", "prompt 'a' -> 'b'"
    venv_changes: tuple[str, ...] = ()
    # the venv tool's options the venv has by this sync's word (pyvenv.cfg's lines): the
    # command line's, and ``seed = true`` for a seeded venv (decision 122), which the no-op
    # stamp checks so that a venv no longer seeded is not answered "in sync" (decision 123)
    venv_options: tuple[tuple[str, str], ...] = ()
    # --overrides and --excludes as this sync's resolution read them (None: not resolved
    # here, or none given): the venv's record and --strict take them (decision 471)
    overrides: Overrides | None = None

    def changes(self) -> dict[str, list[str]]:
        """What the sync added, removed, upgraded and downgraded (empty when nothing ran).

        See :func:`graft.venv.state.changes`.
        """
        from graft.venv.state import changes  # noqa: PLC0415

        if self.plan is None:
            return changes()
        return changes(self.before, self.distributions, self.reinstalled)


def _stats(plan: Plan) -> dict[str, int]:
    return {"links": plan.links, "directories": plan.directories, "files": plan.files_served}


def result_of(plan: Plan, timings: dict[str, float], before: tuple[str, ...]) -> SyncResult:
    """The result of a sync that carried out *plan*, the venv having held *before*."""
    names = tuple(f"{d.name}=={d.version}" for d in plan.distributions)
    return SyncResult(plan.prefix, names, plan, _stats(plan), timings, before)


def installed(layout: VenvLayout, sites: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """``name==version`` of what the venv holds now (nothing when there is no venv).

    Read in *sites* (relative to the venv: :func:`held_sites`), else the layout's own.
    """
    from graft.venv.state import installed  # noqa: PLC0415

    found = installed(layout.prefix, sites or (layout.purelib, layout.platlib))
    return tuple(sorted(f"{name}=={version}" for name, version in found.items()))


def wheels_held(layout: VenvLayout, sites: tuple[str, ...], store_root: str) -> dict[str, str]:
    """The wheel each distribution the venv holds in *sites* came from, where it says.

    In every link mode, from the store at *store_root*: see :func:`graft.venv.held.held_wheels`.
    """
    from graft.venv.held import held_wheels  # noqa: PLC0415

    return held_wheels(layout.prefix, sites, store_root)


def reinstalled(
    plan: Plan, held: dict[str, str], everything: bool, again: Iterable[str] = ()
) -> tuple[str, ...]:
    """The names of *plan* installed anew, as uv lists them (``~ name==version``).

    From another wheel than the one *held* names (``{name: sha256}``,
    :func:`graft.venv.held.held_wheels`), or all (*everything*: ``--reinstall``), or named
    (*again*: ``--reinstall-package``'s). A name the venv held at another version, or not at
    all, is upgraded, downgraded or added instead.
    """
    named = frozenset(again)
    out = []
    for d in plan.distributions:
        name = d.name.replace("_", "-").replace(".", "-").lower()
        if everything or name in named or held.get(name, d.sha256) != d.sha256:
            out.append(name)
    return tuple(out)


def reinstall_names(request: SyncRequest) -> frozenset[str]:
    """The projects ``--reinstall-package`` names, normalized (a requirement refused)."""
    if not request.reinstall_packages:
        return frozenset()
    from graft.resolve.request_policy import project_names  # noqa: PLC0415

    option = "--reinstall-package"
    return frozenset(project_names(request.reinstall_packages, option, option))


def reinstalling(request: SyncRequest, located: Located) -> dict[str, str]:
    """``--reinstall-package``'s distributions among *located*: ``{name: sha256}`` (decision 393).

    A name given that *located* does not install is passed over, as uv passes it over.
    """
    named = reinstall_names(request)
    if not named:
        return {}
    from graft.model.wheelname import parse_wheel_filename  # noqa: PLC0415

    out = {}
    for item in located.fetched:
        name = str(parse_wheel_filename(item.name)[0])
        if name in named and item.sha256:
            out[name] = item.sha256
    return out


def venv_config(prefix: str) -> dict[str, str] | None:
    """The venv's pyvenv.cfg lines (None: no venv, or none readable)."""
    from graft.venv.state import read_config  # noqa: PLC0415

    try:
        return read_config(prefix)
    except (OSError, ValueError):
        return None


def held_sites(layout: VenvLayout, target: Target, was: dict[str, str] | None) -> tuple[str, ...]:
    """Where the venv at *layout* holds its distributions, its pyvenv.cfg saying *was*.

    A venv rebuilt for Python 3.11 held them in ``lib/python3.12``, one rebuilt for CPython
    in PyPy's ``lib/pypy3.9``: what it held is read there, so that the summary does not
    call them added (:func:`graft.venv.holdings.held_sites`).
    """
    from graft.venv.holdings import held_sites  # noqa: PLC0415

    return held_sites((layout.purelib, layout.platlib), target.version, was)


def interpreter_of(config: dict[str, str] | None) -> tuple[str, str] | None:
    """The interpreter a venv is for, as its pyvenv.cfg *config* says: home and version."""
    if config is None:
        return None
    return config.get("home", ""), config.get("version") or config.get("version_info", "")


def venv_changes(
    was: dict[str, str], now: dict[str, str] | None, rebuilt: str | None = None
) -> tuple[str, ...]:
    """What changes of the venv itself, from its pyvenv.cfg *was* to *now*: the summary's ``~``.

    Its interpreter and the venv tool's options: ``python 3.12.1 -> 3.11.7`` (its ``home``
    when the version is the same), ``prompt 'a' -> 'b'``, ``include-system-site-packages
    false -> true``; and ``rebuilt: ...`` for a venv rebuilt whatever it installs
    (*rebuilt*: :func:`graft.venv.staleness.why_rebuilt`). A sync reads *now* after the change,
    its dry run as the sync would write it (:func:`config_after`).
    """
    from graft.venv.state import PROMPT, SYSTEM_SITE, options_of  # noqa: PLC0415

    out: list[str] = []
    if now is not None:
        (old_home, old_version), (new_home, new_version) = (
            interpreter_of(was) or ("", ""),
            interpreter_of(now) or ("", ""),
        )
        if old_version != new_version:
            out.append(f"python {old_version or '?'} -> {new_version or '?'}")
        elif old_home != new_home:
            out.append(f"python {old_version} at {old_home} -> {new_home}")
        old, new = dict(options_of(was)), dict(options_of(now))
        defaults = {SYSTEM_SITE: "false", PROMPT: "(none)"}
        out += [
            f"{key} {old.get(key, defaults[key])} -> {new.get(key, defaults[key])}"
            for key in (SYSTEM_SITE, PROMPT)
            if old.get(key) != new.get(key)
        ]
    if rebuilt is not None:
        out.append(f"rebuilt: {rebuilt}")
    return tuple(out)


def config_after(
    layout: VenvLayout, target: Target, was: dict[str, str], wanted: tuple[tuple[str, str], ...]
) -> dict[str, str]:
    """The pyvenv.cfg a sync would leave in the venv now holding *was*, found without writing.

    The template's, with the venv's own options and those asked for (*wanted*) set over
    them, as a rebuild writes it (:func:`graft.venv.skeleton.expected_config`); where the
    template is not made yet, its ``home`` and ``version`` from *target* (``python -m venv``
    writes the directory of the interpreter and its version).
    """
    from graft.venv.skeleton import expected_config  # noqa: PLC0415
    from graft.venv.state import options_of, parse_config, with_options  # noqa: PLC0415
    from graft.venv.template import made_template  # noqa: PLC0415

    options = with_options(options_of(was), wanted)
    template = made_template(target)
    if template is not None:
        try:
            return parse_config(expected_config(template, layout.prefix, options).decode())
        except (OSError, ValueError):
            pass
    home = os.path.dirname(target.executable)
    return {"home": home, "version": target.version, **dict(options)}


def stranded(layout: VenvLayout, kept: Iterable[str]) -> tuple[str, ...]:
    """A warning when a user's *kept* files lie in another interpreter's library than *layout*'s.

    A rebuild for another interpreter keeps a user's files where they are (decision 86), a
    module in the previous interpreter's ``lib/python3.12/site-packages`` too; Python 3.11
    never imports it.
    """
    from graft.venv.keep import stranded as found_in  # noqa: PLC0415
    from graft.venv.replaceable import describe  # noqa: PLC0415

    found = found_in(kept, (layout.purelib, layout.platlib))
    if not found:
        return ()
    said = (
        f"{layout.prefix}: your files in the previous interpreter's library are kept, but this"
        f" one does not import them: {describe(found)} (move them to {layout.purelib})"
    )
    return (said,)


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
    from graft.venv.template import venv_template  # noqa: PLC0415

    return venv_template(target)
