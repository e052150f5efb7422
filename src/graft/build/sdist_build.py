"""``graft build``'s sdist: PEP 517 ``build_sdist`` of a project directory (decision 250).

The backend runs in the build environment of the first interpreter asked, made as for a
wheel (``[build-system] requires``, pinned by the build constraints) and grown by
``get_requires_for_build_sdist``; its output is captured as a wheel build's is. The sdist
is checked as a built wheel is: written as a plain file into the output directory given,
nothing beside it, and named for the project's release (:func:`graft.build.checks.check_sdist`);
then it is copied into the user's output directory. Nothing of it enters the store or the
built-wheel cache: the wheels built from it are keyed by its sha256 (:mod:`graft.build.run`).
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

from graft._fs import file_sha256
from graft.build.checks import check_sdist
from graft.build.environment import backend_for
from graft.build.reuse import Builder
from graft.build.run import SdistOutcome, deliver, fresh
from graft.build.sdist import archive_top_files
from graft.errors import BuildError, SourceError

if TYPE_CHECKING:
    from graft.build.run import Run
    from graft.model.target import Target


def build_sdist(run: Run, target: Target, out_dir: str) -> SdistOutcome:
    """Build an sdist of ``run.source`` (a directory) for *target*; copy it into *out_dir*."""
    source = run.source
    run.request.reporter.stage(f"building an sdist of {source.label} with {Builder.of(target)}")
    work = fresh(source.work_root, "sdist")
    out, scratch = os.path.join(work, "out"), os.path.join(work, "tmp")
    os.mkdir(out)
    os.mkdir(scratch)
    backend, _, _ = backend_for(run, target, source.path, scratch, sdist=True)
    built = backend.build_sdist(out)
    filename = os.path.basename(built)
    try:
        pkg_info = archive_top_files(built, ("PKG-INFO",)).get("PKG-INFO")
    except SourceError as exc:
        raise BuildError(
            f"the backend built {filename}, which cannot be read ({exc.what}); nothing was kept",
            where=source.label,
            log="".join(backend.log),
        ) from None
    expected = (source.name, source.version)
    warning = check_sdist(filename, pkg_info, source.label, expected, backend.log)
    sha = file_sha256(built)  # (of the file checked, before it is copied)
    path = deliver(built, out_dir)
    shutil.rmtree(work, ignore_errors=True)
    who = f"{Builder.of(target)} ({target.executable})"
    return SdistOutcome(who, filename, path, sha, warning)
