"""The files ``graft lock`` takes as its projects' only ones: wheels named by path or URL.

A wheel the user named (or a lock's ``[packages.archive]``, or a URL constraint's: decision
172, or a URL dependency built: decision 200) is its project's only file in every
environment. A URL constraint with a marker is so only in the environments the marker
holds in (decision 201): given apart, each with its file, and two of one project that hold
in one environment naming two files are refused, while two holding apart
(``torch @ …linux.whl ; sys_platform == "linux"`` beside ``torch @ …win.whl ; sys_platform
== "win32"``) are each their environments' file, as ``uv pip compile --universal`` takes
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.model.requirements import Inputs, Wanted
    from graft.resolve.artifacts import ArtifactFile
    from graft.resolve.environments import Environment
    from graft.resolve.lock_envs import Conditional
    from graft.resolve.relock import Relock


def files(
    inputs: Inputs, relock: Relock, envs: tuple[Environment, ...]
) -> tuple[dict[str, ArtifactFile], frozenset[str], Conditional]:
    """The wheels named by path or URL, by project; those to archive; the marked constraints.

    The URL constraints with a marker come each with its file (:data:`Conditional`).
    The directories of a lock's variant wheels by path join the find-links, so that every
    variant is found again. A wheel the user named (or a lock's ``[packages.archive]``, or a
    URL constraint's) is a direct reference, written as ``[packages.archive]`` (its URL or
    path, decision 120); a lock's ``[[packages.wheels]]`` file by path stays an index's file
    (decision 114).
    """
    from graft.model.wheelname import split_variant_label  # noqa: PLC0415
    from graft.resolve.inputs import constrained_files, direct_file  # noqa: PLC0415
    from graft.resolve.relock import direct_files  # noqa: PLC0415

    inputs.find_links += [d for d in relock.find_links() if d not in inputs.find_links]
    wanted = [*inputs.wanted, *relock.paths(envs)]
    by_name = direct_files(wanted)
    plain = [c for c in inputs.constraints if c.marker is None]
    constrained = constrained_files(plain, wanted)
    conditional: list[tuple[Wanted, tuple[ArtifactFile, ...]]] = []
    for name, c in constrained.items():  # (a URL dependency's is no constraint the user gave)
        file = direct_file(c, constraint=c.source is None)
        if file is not None and name not in by_name:
            by_name[name] = file
    for c in inputs.constraints:
        if c.marker is None or not constrained_files([c], [*wanted, *constrained.values()]):
            continue  # (no file; or one the user named already, refused if another)
        file = direct_file(c, constraint=True)
        if file is not None and c.name not in by_name:  # (one tuple: screenings go by identity)
            conditional.append((c, (file,)))
    _one_per_environment(tuple(conditional), envs)
    wanted += [*constrained.values(), *(c for c, _ in conditional)]
    archived = frozenset(
        by_name[w.name].url
        for w in wanted
        if w.name in by_name
        and not w.indexed
        and (w.path is not None or w.url is not None)
        and split_variant_label(by_name[w.name].filename)[1] is None  # (variants: wheels)
    )
    archived |= {f.url for _, (f,) in conditional}
    return by_name, archived, tuple(conditional)


def _one_per_environment(conditional: Conditional, envs: tuple[Environment, ...]) -> None:
    """Refuse two URL constraints of one project, naming two files, that hold in one place."""
    from graft.resolve.inputs import markers_apply  # noqa: PLC0415

    for env in envs if conditional else ():
        holding = {id(c) for c in markers_apply([c for c, _ in conditional], env.target)}
        seen: dict[str, Wanted] = {}
        for c, (file,) in conditional:
            if id(c) not in holding:
                continue
            other = seen.setdefault(c.name, c)
            if other is not c and (other.path or other.url) != (c.path or c.url):
                from graft.errors import UsageError  # noqa: PLC0415

                raise UsageError(
                    f"two wheels of {c.name} are named for {env.label}: {file.filename} by"
                    f" this constraint, {other.filename or other.path or other.url} by"
                    f" {other.where}",
                    where=c.where,
                    hint="give the constraints markers that hold apart",
                )


__all__ = ["files"]
