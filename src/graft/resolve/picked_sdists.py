"""The sdists a resolution picked, downloaded, each built into the wheel the sync installs.

An sdist is a candidate where a release has no wheel for the target (or ``--no-binary``
asks for it): the resolver read its metadata (its PKG-INFO where static, else its backend's
``prepare_metadata_for_build_wheel``), and :func:`graft.resolve.fetched.fetch` downloaded
it; :func:`build_picked` builds each (:func:`graft.resolve.sdists.built_all_picked`: a
recorded build reused where it serves), in the order fetched. A sync that picked no sdist
never imports this module (:func:`graft.resolve.locate.locate` checks first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.model.request import SourceBuilder
    from graft.model.target import Target
    from graft.resolve.fetched import Fetched


def build_picked(
    fetched: list[Fetched],
    target: Target,
    builder: SourceBuilder | None,
    reads: list[tuple[tuple[str, str], ...] | None],
) -> tuple[list[Fetched], list[str], list[tuple[str, str | None, str, str]]]:
    """Each sdist the resolver chose, downloaded, as the wheel it builds for *target*.

    *reads* gets what a resolution memo watches for each build (the variables it reads;
    None: no memo may keep it, as under ``--reuse-builds never``), as for named sources.
    Also returned: each sdist's path and sha256 (if known) with its wheel's path and sha256.
    """
    from graft.resolve.fetched import Fetched  # noqa: PLC0415
    from graft.resolve.sdists import built_all_picked, is_sdist_file  # noqa: PLC0415

    def picked(item: Fetched) -> bool:  # (a stored one is a wheel, without a path)
        return item.path is not None and is_sdist_file(item.path) and item.wanted.source is None

    built = iter(
        built_all_picked(
            [(f.wanted, f.path) for f in fetched if f.path is not None and picked(f)],
            target,
            builder,
        )
    )
    out: list[Fetched] = []
    notes: list[str] = []
    pairs: list[tuple[str, str | None, str, str]] = []
    for item in fetched:
        if not picked(item) or item.path is None:
            out.append(item)
            continue
        wanted, wheel = next(built)
        notes.append(wheel.note)
        reads.append(wheel.reads)
        out.append(Fetched(wanted, wheel.path, wheel.sha256))
        pairs.append((item.path, item.sha256, wheel.path, wheel.sha256))
    return out, notes, pairs


__all__ = ["build_picked"]
