"""Sdists and named sources read here: for targets graft builds nothing for.

A lock's environments and a foreign target's dry run are not this machine's interpreter:
graft cannot run theirs, so what their sdists and named sources require is read with the
interpreter running graft (:func:`interpreter_here`), as uv reads an sdist for another
platform (decisions 45, 420). :func:`read_here` gives the :class:`~graft.resolve.sdists.SdistBuilds`
of such targets (static metadata, else the backend's metadata hook run here; nothing built);
:func:`read_here_warning` and :func:`dynamic_warning` say, for a foreign dry run, which of
the chosen sdists or named sources were read through their backends (decisions 421, 442).
Imported only for such targets: a sync for this machine reads and builds with its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from graft.model.request import SourceBuilder
    from graft.model.target import Target
    from graft.resolve.sdists import SdistBuilds


def read_here(builder: SourceBuilder, cache_dir: str, *, offline: bool) -> SdistBuilds:
    """Sdist candidates for targets graft cannot build for: a lock's, a foreign dry run's.

    An sdist's static metadata where it states it (PKG-INFO, ``[project]``), else what its
    backend says for the interpreter running graft (a recorded build, kept metadata, or
    ``prepare_metadata_for_build_wheel``; a build only where the backend lacks the hook),
    the same for every target, as uv reads an sdist for another platform: graft cannot run
    the target's interpreter (decisions 45, 420). That interpreter is introspected only when
    an sdist is met, and nothing is built at once: neither a lock nor a dry run installs.
    """
    from graft.resolve.sdists import SdistBuilds  # noqa: PLC0415

    return SdistBuilds(builder, interpreter_here, cache_dir, offline=offline)


def interpreter_here() -> Target:
    """The interpreter running graft, introspected: what reads or builds for a lock's targets.

    The lock's environments, and a foreign target's dry run, whose sdists (:func:`read_here`)
    and named sources (:func:`graft.resolve.named_sources.build_named`'s *read_for*) are
    read with it (decisions 45, 420, 427).
    """
    from graft.venv.interpreter import find_interpreter, introspect  # noqa: PLC0415

    return introspect(find_interpreter(None))


def read_here_warning(builds: SdistBuilds, filenames: Iterable[str]) -> str | None:
    """The warning of a foreign dry run whose chosen sdists' dependencies are not static.

    *filenames*: the files the resolution chose. Those :func:`read_here` read through their
    backend (:attr:`SdistBuilds.dynamic`) said what they require when run here; a build on
    the target may say otherwise (a ``setup.py`` that tests ``sys.platform``). ``graft lock``
    and ``uv pip compile --python-platform`` read them so too (decision 421).
    """
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename  # noqa: PLC0415
    from packaging.version import InvalidVersion  # noqa: PLC0415

    labels = []
    for filename in sorted(set(filenames) & builds.dynamic):
        try:
            name, version = parse_sdist_filename(filename)
        except (InvalidSdistFilename, InvalidVersion):
            labels.append(filename)
            continue
        labels.append(f"{name} {version}")
    if not labels:
        return None
    return dynamic_warning("sdists", labels, builds.target)


def dynamic_warning(what: str, labels: Sequence[str], here: Target | None) -> str:
    """The warning that *what* (``NAME VERSION`` each) were read through backends run *here*.

    The sdists a foreign dry run chose (decision 421), or the sources it names (442).
    """
    from graft.build.reuse import Builder  # noqa: PLC0415

    by = "" if here is None else f" by {Builder.of(here)} ({here.executable})"
    return (
        f"{what} whose dependencies are not static: {', '.join(labels)}; read through their"
        f" backends run here{by}, a build on the target may require others"
    )
