"""A build's environment: ``graft sync`` of its build requirements into a venv.

``graft build`` and ``graft sync``'s builds (:mod:`graft.cli.sync_builds`, through
:class:`graft.cli.build_envs.SharedEnvs`) hand :func:`_make_env` to the builds as their
``make_env``: the requirements synced into the venv with the command's sources and
``--build-constraint`` files, or a bare venv where there are none; :func:`for_source` says
which source's build an error making it was for.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from graft.build.run import BuildEnvironment
    from graft.model.request import SourceBuilder
    from graft.model.target import Target


def for_source(source: str, make: Callable[[], BuildEnvironment]) -> BuildEnvironment:
    """The build environment *make* makes; an error making it names *source*'s build.

    Its resolution's error alone ("no project named X on the index, you asked for X") reads
    as if the user had named X; a build requirement's own failed build names its source.
    """
    from graft.errors import BuildError, GraftError  # noqa: PLC0415
    from graft.resolve.resolution_error import ResolutionError  # noqa: PLC0415

    try:
        return make()
    except BuildError:
        raise
    except GraftError as exc:
        lead = "its build requirements cannot be installed: "
        exc.what = lead + exc.what
        if exc.where is None:
            exc.where = source
        if isinstance(exc, ResolutionError):  # (rendered from its lines; a lock says its reason)
            exc.headed(f"{exc.where}: {lead}")
        raise


def _make_env(
    args: argparse.Namespace,
    target: Target,
    requires: tuple[str, ...],
    venv: str,
    builder: SourceBuilder | None = None,
) -> BuildEnvironment:
    """The build environment: ``graft sync`` of *requires* into *venv* for *target*.

    With *builder*, a requirement only an sdist provides is built (a build requirement's
    own build); without, it is refused. The sources are the command's, read as it reads them
    (``--exclude-newer``, ``--exclude-newer-package`` and ``--index-strategy`` of a sync
    too, as uv resolves ``build-system.requires``: decision 394), and the
    ``--build-constraint`` files are the sync's constraint files, so that they pin what the
    requirements need too (decision 168).
    """
    from graft.build.run import BuildEnvironment  # noqa: PLC0415
    from graft.model.sync_request import SyncRequest  # noqa: PLC0415
    from graft.sync import sync  # noqa: PLC0415

    if requires:
        result = sync(
            SyncRequest(
                venv=venv,
                specs=requires,
                python=target.executable,
                index_url=args.index_url,
                extra_index_urls=tuple(args.extra_index_url),
                find_links=tuple(args.find_links),
                constraint_files=tuple(
                    os.path.abspath(p) for p in getattr(args, "build_constraint", ())
                ),
                no_index=args.no_index,
                offline=args.offline,
                index_strategy=getattr(args, "index_strategy", None) or "first-index",
                exclude_newer=getattr(args, "exclude_newer", None),
                exclude_newer_packages=tuple(getattr(args, "exclude_newer_package", None) or ()),
                store=args.store,
                builder=builder,
            )
        )
        distributions = tuple(sorted(result.distributions))
    else:  # nothing to install: the bare venv of the interpreter
        _bare_venv(target, venv)
        distributions = ()
    bin_dir = os.path.join(venv, "bin")
    return BuildEnvironment(os.path.join(bin_dir, "python"), bin_dir, distributions)


def _bare_venv(target: Target, venv: str) -> None:
    """*venv*, a venv of *target*'s interpreter with nothing in it, made if it is not there.

    Under a lock beside it: two graft processes (a lock's workers, decision 255) made it at
    once, and the second ``python -m venv`` failed with a traceback.
    """
    if os.path.isfile(os.path.join(venv, "bin", "python")):
        return
    import subprocess  # noqa: PLC0415

    from graft._fs import flock  # noqa: PLC0415
    from graft.errors import BuildError  # noqa: PLC0415

    with flock(f"{venv}.lock", removed=True):
        if os.path.isfile(os.path.join(venv, "bin", "python")):
            return  # (made by the other)
        made = subprocess.run(
            [target.executable, "-m", "venv", "--without-pip", venv],
            check=False,
            capture_output=True,
            text=True,
        )
    if made.returncode != 0:
        said = (made.stderr.strip().splitlines() or [f"exit status {made.returncode}"])[-1]
        raise BuildError(f"python -m venv of the build environment failed: {said}", where=venv)


__all__ = ["for_source"]
