"""A sync's short ways: what the resolution memo recalls, and the no-op check.

:func:`recall` gives what the memo says a request resolves to (no resolution, if a plan is
kept for it); :func:`in_sync` whether the venv already is exactly what that gives (then
nothing is planned or built); :func:`remember` keeps what a sync that succeeded resolved to.
:mod:`graft.sync` runs them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from graft.sync_result import SyncResult, reinstalling, venv_layout

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

    from graft.model.request import ResolveRequest
    from graft.model.sync_request import SyncRequest
    from graft.plan.types import VenvLayout
    from graft.resolve.located import Located
    from graft.resolve.memo import Observed
    from graft.store.entries import Store


_NO_NAME = cast("NormalizedName", "")  # a recalled wheel is known by its file, not its name


def _memo_also(request: SyncRequest) -> tuple[str, ...]:
    """What a memo's key holds besides the resolve request: the plan's policy, the builder's.

    A sync that built an sdist resolved to what its build options gave (decision 139).
    """
    built = () if request.builder is None else request.builder.options()
    return (request.collisions, request.link_mode, *built)


def recall(
    request: SyncRequest, resolving: ResolveRequest, store: Store
) -> tuple[Located, bool] | None:
    """What the memo says *request* resolves to, and whether the memo has aged.

    Not for foreign targets or ``--refresh`` (which asks the indexes again).
    """
    if request.foreign is not None or request.refresh:
        return None
    from graft.model.requirements import Wanted  # noqa: PLC0415
    from graft.resolve import memo  # noqa: PLC0415
    from graft.resolve.fetched import Fetched  # noqa: PLC0415
    from graft.resolve.located import Located  # noqa: PLC0415

    recalled = memo.recall(resolving, _memo_also(request), store.root)
    if recalled is None:
        return None
    unfiled = [sha for path, sha, *_ in recalled.rows if path is None]
    if unfiled:  # wheels the store held, never downloaded: only while it still holds them
        store.pin()
        if not all(store.trusted(sha) for sha in unfiled):
            return None
    fetched = tuple(
        Fetched(
            Wanted(
                _NO_NAME,
                None,
                frozenset(),
                frozenset(),
                "(recalled)",
                path=given,
                requested=requested,
                direct_url=direct_url,
                indexed=indexed,
            ),
            path,
            sha,
        )
        for path, sha, given, requested, direct_url, indexed in recalled.rows
    )
    overrides = None
    if recalled.overrides is not None:  # (as resolved, not read again: decision 477)
        from graft.resolve.overrides import of_lines  # noqa: PLC0415

        overrides = of_lines(*recalled.overrides)
    located = Located(
        recalled.target,
        fetched,
        recalled.labels,
        warnings=recalled.warnings,
        left_out=recalled.left_out,
        overrides=overrides,
    )
    return located, recalled.aged


def remember(
    request: SyncRequest,
    resolving: ResolveRequest,
    store: Store,
    located: Located,
    observed: Observed | None,
    *,
    recalled: bool,
) -> str | None:
    """After a sync succeeded: keep what its inputs resolved to (never after a failure).

    The memo's file, when one answers the request now (the one recalled, or written now).
    """
    from graft.resolve import memo  # noqa: PLC0415

    if observed is None:  # recalled, or resolved with nothing to memoize (racy inputs)
        path = memo.memo_path(resolving, _memo_also(request), store.root) if recalled else None
        return path if path is not None and os.path.isfile(path) else None
    return memo.remember_located(resolving, _memo_also(request), store.root, located, observed)


def _entries_present(store: Store, located: Located) -> bool:
    """Whether every located wheel is in the store already, as graft unpacked it.

    An entry planted in ``entries/`` is not: ingest replaces it. Pins the store first, so
    that gc cannot take an entry between this check and the venv's root.
    """
    shas = [f.sha256 for f in located.fetched if f.sha256]
    if len(shas) != len(located.fetched):
        return False
    store.pin()
    return all(store.trusted(sha) for sha in shas)


def in_sync(
    request: SyncRequest, store: Store, located: Located
) -> tuple[VenvLayout, str, bool, SyncResult | None]:
    """The venv's layout and inputs, whether the store holds every entry, and a no-op's result.

    The result is None unless the venv is exactly what *located* gives (never with
    ``--reinstall``, nor with a ``--reinstall-package`` that names one of *located*).
    """
    from graft.plan.types import Policy  # noqa: PLC0415

    layout = venv_layout(os.path.abspath(request.venv), located.target)
    inputs = located.digest(layout, Policy(request.collisions, request.link_mode), store.root)
    present = _entries_present(store, located)
    done = None
    if present and not request.reinstall and not reinstalling(request, located):
        done = _already_in_sync(store, located, layout.prefix, inputs, request.venv_options)
    return layout, inputs, present, done


def _already_in_sync(
    store: Store, located: Located, prefix: str, inputs: str, options: tuple[tuple[str, str], ...]
) -> SyncResult | None:
    """The result of a no-op sync, if the venv at *prefix* is exactly what *inputs* give.

    And has the venv tool's *options* asked for (``--system-site-packages``).
    """
    from graft.venv.staging import sweep_staging  # noqa: PLC0415
    from graft.venv.state import up_to_date  # noqa: PLC0415

    state = up_to_date(prefix, inputs, options)
    if state is None:
        return None
    store.register_root(prefix, [f.sha256 for f in located.fetched if f.sha256])
    sweep_staging(prefix)  # (and the root again: a killed sync may have left none)
    links, directories, files = (int(x) for x in state["graft-stats"].split(",")[1:])
    stats = {"links": links, "directories": directories, "files": files}
    return SyncResult(prefix, located.labels(), None, stats, inputs=inputs)
