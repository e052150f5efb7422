"""``graft build``'s whole request: the sdist first where asked, then a wheel per interpreter.

The sdist-then-wheel build (decision 250, as pypa/build and ``uv build``): ``build_sdist``
of a directory into the output directory, then each interpreter's wheel built (or reused)
from that sdist unpacked; ``--sdist`` and ``--wheel`` each from the source as given. Each
wheel comes from :func:`graft.builds.one` (reuse or build for one target, ``graft sync``'s
step too), is ingested into the store and copied into the output directory. ``graft sync``
never imports this module (decision 368).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from typing import TYPE_CHECKING

from graft.build.run import BuildOutcome, Built, check_out_dir, deliver, running
from graft.builds import one
from graft.errors import BuildError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from graft.build.run import BuildEnvironment, BuildRequest, Run, SdistOutcome, WheelsFrom
    from graft.model.target import Target
    from graft.store.entries import Store


def build(
    request: BuildRequest,
    make_env: Callable[[Target, tuple[str, ...], str], BuildEnvironment],
) -> Built:
    """Build what ``request.artifacts`` asks: an sdist of a directory, wheels, or both.

    A wheel of ``request.source`` (or of the sdist just built, for ``wheel-from-sdist``) is
    built or reused for each interpreter asked; the sdist is built in the first one's build
    environment. Everything built is copied into ``request.out_dir``.
    """
    from graft._home import default_store_path  # noqa: PLC0415
    from graft.store.entries import Store  # noqa: PLC0415
    from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

    if request.artifacts != "wheel":
        _check_sdist_request(request)
    if request.out_dir is not None:
        check_out_dir(request.out_dir)
    store = Store(request.store or default_store_path())
    made = None  # the top-most directory made for a store that is not there yet
    if not os.path.lexists(store.root):
        from graft.store.unmade import missing_top  # noqa: PLC0415

        made = missing_top(store.root)
    targets = [introspect(find_interpreter(py)) for py in request.pythons]
    sdist: SdistOutcome | None = None
    wheels: tuple[BuildOutcome, ...] = ()
    wheels_from: WheelsFrom = None  # (--sdist: no wheel, so from nothing: decision 282)
    try:
        if request.artifacts == "wheel-from-sdist":  # the sdist first, then wheels of it
            with running(request, make_env) as run:
                sdist = _sdist(run, targets[0])
            with _from_sdist(sdist), running(replace(request, source=sdist.path), make_env) as run:
                wheels, wheels_from = _wheels(run, targets, store), "sdist"
        else:  # each from the source as given
            with running(request, make_env) as run:
                if request.artifacts != "wheel":
                    sdist = _sdist(run, targets[0])
                if request.artifacts != "sdist":  # (a directory's tree, or the sdist given)
                    wheels = _wheels(run, targets, store)
                    wheels_from = "tree" if run.source.is_tree else "sdist"
    except BaseException:
        if made is not None:  # a failed build leaves no store it wrote nothing into (206)
            from graft.store.unmade import take_back  # noqa: PLC0415

            take_back(store, made)
        raise
    return Built(sdist, wheels, wheels_from)


def _wheels(run: Run, targets: list[Target], store: Store) -> tuple[BuildOutcome, ...]:
    """A wheel built or reused for each target, ingested, copied into the output directory.

    A wheel whose RECORD disagrees with its files carries the warning a sync that installs
    it says (decision 384).
    """
    outcomes: list[BuildOutcome] = []
    for target in targets:
        outcome = one(run, target)
        path = run.cache.wheel_path(outcome.sha256, outcome.filename)
        said = store.ingest(path, outcome.sha256).record.disagreement()
        outcome = replace(outcome, warning=said)
        outcomes.append(_deliver(outcome, run.request.out_dir, outcomes))
    return tuple(outcomes)


def _check_sdist_request(request: BuildRequest) -> None:
    """An sdist is built of a project directory, into an output directory, never editable."""
    if request.out_dir is None or request.editable:
        raise UsageError("an sdist is built into an output directory, and is never editable")
    if not os.path.isdir(request.source):
        raise UsageError(
            "an sdist is built of a project directory, not of a file",
            where=request.source,
            hint="given an sdist, graft build builds its wheels",
        )


def _sdist(run: Run, target: Target) -> SdistOutcome:
    from graft.build.sdist_build import build_sdist  # noqa: PLC0415

    return build_sdist(run, target, run.request.out_dir or "")


@contextlib.contextmanager
def _from_sdist(sdist: SdistOutcome) -> Iterator[None]:
    """A failed build of the sdist just built says that it stays, and what may be wrong."""
    try:
        yield
    except BuildError as exc:  # (where: the sdist, left in the output directory)
        said = (
            f"{sdist.filename} is kept in {os.path.dirname(sdist.path)}; it may lack a file the"
            " build needs (--wheel builds from the directory)"
        )
        exc.hint = f"{exc.hint}; {said}" if exc.hint else said
        raise


def _deliver(
    outcome: BuildOutcome, out_dir: str | None, earlier: list[BuildOutcome]
) -> BuildOutcome:
    """Copy the wheel into *out_dir*, if one was asked; the outcome naming that copy.

    Two interpreters' wheels of one name that differ (a pure wheel of a source that may build
    differently per interpreter) cannot both be there: the first stays, and the later one is
    named where it is kept, its ``why`` saying so (``-o DIR`` of its own writes it).
    """
    if out_dir is None:
        return outcome
    for other in earlier:
        if other.filename == outcome.filename and other.sha256 != outcome.sha256:
            why = (
                f"{outcome.why}; not written to {out_dir}: the wheel of that name built for"
                f" {other.interpreter} differs (this one is kept at {outcome.path};"
                " build it alone with -o DIR to write it)"
            )
            return replace(outcome, why=why)
    return replace(outcome, path=deliver(outcome.path, out_dir))
