"""Why a resolution is impossible, in a few lines that name requirements and wheels.

resolvelib reports the requirements that could not be met together
(``ResolutionImpossible.causes``: each a requirement and the candidate whose METADATA
stated it, or None for the request). The explanation looks at the *first* identifier
among them and tells which case it is:

- no such project (with a close match: "did you mean requests?");
- only source distributions, and builds are off (``--no-build``, ``--only-binary``);
- no wheel for the target (with the tags the project's newest wheels do have);
- no version matching the specifier (with the nearest versions there are, and how many
  files were left out as yanked, prereleases, for Requires-Python or --exclude-newer);
- the target's Python excluded by the wheels' own Requires-Python;
- dead ends (decision 91): every candidate needs something nothing provides; the best one's
  missing requirement is explained, down to what is missing; or (decision 133) clashes with
  every candidate of a requirement asked for: that pair of requirements is named;
- a conflict: each requirement on the project, and which wheel's METADATA said it.

A line that names a wheel comes with the request's requirement on its project, if any (``you
asked for flask==1.1.4`` beside flask 1.1.4's ``werkzeug<2.0``): why it was pinned.

How each way a search of :mod:`graft.resolve.resolver` fails is said is here too: a search
given up after too many rejections (:func:`gave_up`), a root proved to admit only dead ends
before any search (:func:`proved`), and an sdist's failed build met while backtracking, its
conflict said first (:func:`backtracked_into`). This module is imported on failure only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.utils import NormalizedName

from graft.errors import BuildError
from graft.resolve.candidates import PYTHON, WheelCandidate, candidate_key
from graft.resolve.causes import stated
from graft.resolve.no_candidates import no_candidates, python_excluded
from graft.resolve.resolution_error import SHOWN, Kind, ResolutionError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from resolvelib.structs import RequirementInformation

    from graft.errors import SourceError
    from graft.resolve.candidates import Candidate, Need
    from graft.resolve.clash_reach import Clash
    from graft.resolve.provider import Provider
    from graft.resolve.reporter import Reporter
    from graft.resolve.unanimous import NoResolution

#: How many dead ends an explanation follows down (each: a requirement nothing meets).
MAX_DEPTH = 8


def explain(
    causes: Collection[RequirementInformation[Need, Candidate]],
    provider: Provider,
    history: Sequence[Collection[RequirementInformation[Need, Candidate]]] = (),
) -> ResolutionError:
    """The explanation of resolvelib's *causes*, as an error to raise.

    *history* holds the causes of earlier backtracks (``Reporter.conflicts``): what made
    the resolver give up newer candidates is added, a few lines at most.
    """
    error = _explain(causes, provider)
    earlier = stated(info for infos in history for info in infos)
    fresh = [line for line in earlier if line not in error.lines]
    if not fresh:
        return error
    shown = [f"  {line}" for line in fresh[:SHOWN]]
    if len(fresh) > SHOWN:
        shown.append(f"  ... and {len(fresh) - SHOWN} more")
    lines = [*error.lines[1:], "tried before, and given up because:", *shown]
    return ResolutionError(error.kind, [error.reason, *lines], hint=error.hint)


def explain_root(need: Need, provider: Provider) -> ResolutionError:
    """Why the requirement *need* of the request admits nothing but dead ends."""
    from resolvelib.structs import RequirementInformation  # noqa: PLC0415

    return explain([RequirementInformation(need, None)], provider)


def gave_up(reporter: Reporter, provider: Provider) -> SourceError:
    """The search was stopped by *max_rejections*: explained by its first conflict."""
    first = explain(reporter.first_rejected, provider)
    ruled_out = reporter.rejections - 1
    given_up = f"given up after ruling out {ruled_out} candidates"
    return ResolutionError(
        first.kind,
        [f"{first.lines[0]} ({given_up})", *first.lines[1:]],
        first.hint,
        gave_up=ruled_out,
    )


def proved(proof: NoResolution, roots: Sequence[Need], provider: Provider) -> SourceError:
    """The explanation of *proof*, as resolvelib's provider gives it when it ends the search.

    (``Unsatisfiable``: the same dead ends, the request noted as the only requirements.)
    """
    try:
        explained = provider.fresh()
        explained.dead_ends = {**provider.dead_ends, **proof.ends}
        explained._dead_before = {}  # noqa: SLF001 - (counted over these dead ends, not its)
        explained.note(roots, None)
        for candidate, _ in proof.ends.values():  # (as resolvelib tries each: noted)
            explained.get_dependencies(candidate)
        return explain_root(proof.need, explained)
    finally:
        provider.reader.close()


def _passed_over(provider: Provider) -> list[str]:
    """A line per unparsable Requires-Dist for which wheels tried were passed over."""
    by_line: dict[str, list[str]] = {}
    for file, line in provider.unparsable():
        by_line.setdefault(line, []).append(file)
    out = []
    for line, files in by_line.items():
        which = files[0] if len(files) == 1 else f"{len(files)} wheels, {files[0]} to {files[-1]}"
        said = f"whose Requires-Dist {line} does not parse"
        out.append(f"passed over, as pip passes them over: {which}, {said}")
    return out


def backtracked_into(
    exc: BuildError | SourceError, reporter: Reporter, provider: Provider
) -> BuildError:
    """*exc*, an sdist's failed build met while backtracking, saying first from what.

    Also an sdist that cannot be read (a hard-linked member in an old release's archive):
    as a failed build, it ends this resolution, not a whole lock.

    The build is of an older release the resolver went back to because of a conflict; the
    conflict is what the user can act on (``psycopg[binary]`` for Windows arm64, which no
    ``psycopg-binary`` wheel fits, made it go back through celery's releases until one
    needed a build that fails there), so its explanation comes first, then the build's.
    Releases passed over on the way for a Requires-Dist that does not parse (celery 4's
    ``pytz (>dev)``, which uv reads leniently) are named after it: they are why the
    resolver went back that far (decision 277).
    """
    first = reporter.first_rejected or reporter.conflicts[0]  # the earliest of the two
    cause = explain(first, provider).lines
    built = f"{exc.where}: " if exc.where else ""
    failed = "needed a build, which failed" if isinstance(exc, BuildError) else "met an sdist"
    head = f"{cause[0].rstrip(':')}; going back from that to an older release {failed}"
    lines = [*cause[1:], *_passed_over(provider)]
    shown = "".join(f"\n  {line}" for line in lines)  # (the conflict: what to act on)
    return BuildError(
        f"{head}: {built}{exc.what}{shown}",
        hint=exc.hint,
        details=(*lines, *exc.details),
        log=getattr(exc, "log", ""),
        rerun=getattr(exc, "rerun", None),
    )


def _dead_ends(
    infos: Sequence[RequirementInformation[Need, Candidate]], provider: Provider, depth: int
) -> ResolutionError | None:
    """Every candidate *infos* admit is a dead end (decision 91): why the best one is.

    The explanation of the best candidate's own requirement that nothing meets; if more
    candidates were admitted, who asked for them and how many others were ruled out.
    """
    ends = provider.dead_ends_of([info.requirement for info in infos])
    if not ends or depth >= MAX_DEPTH:
        return None
    from resolvelib.structs import RequirementInformation  # noqa: PLC0415

    if all(need.name == PYTHON for _, need in ends):  # (each wheel's Requires-Python, listed)
        return python_excluded(
            [RequirementInformation(n, c) for c, n in ends], provider.target.version
        )
    clashes = [provider.clashes.get(candidate_key(c)) for c, _ in ends]
    found = [(c, clash) for (c, _), clash in zip(ends, clashes, strict=True) if clash is not None]
    if len(found) == len(ends) > 1 and any(clash.theirs is None for _, clash in found):
        return _clashing(found, provider)
    candidate, need = ends[0]
    clash = clashes[0]
    if clash is not None:
        inner = _clashed(candidate, clash, provider)
    else:
        inner = _explain([RequirementInformation(need, candidate)], provider, depth + 1)
    if len(ends) == 1:  # (its lines name the candidate already)
        return inner
    asked = stated(infos)
    more = len(ends) - 1
    others = f"{more} other {'versions' if more > 1 else 'version'} of {candidate.identifier}"
    others += f" {'are' if more > 1 else 'is'} ruled out too"
    clashing = sum(candidate_key(c) in provider.clashes for c, _ in ends[1:])
    if clashing == more:
        why = "each clashing with a requirement you asked for"
    elif clashing:
        why = "each by a requirement nothing meets or that clashes with one you asked for"
    else:
        why = "each by a requirement nothing meets"
    lines = list(dict.fromkeys([*inner.lines, *asked, f"{others}, {why}"]))
    return ResolutionError(inner.kind, [inner.reason, *lines[1:]], inner.hint)


def _clashing(found: Sequence[tuple[WheelCandidate, Clash]], provider: Provider) -> ResolutionError:
    """Every candidate clashes with the request, some with its own requirement: all stated.

    Releases alike are one line (:func:`~graft.resolve.causes.stated`): ``app 1.0 to 1.4 (5
    wheels) require shared<2`` beside ``you asked for shared>=2``, as resolvelib's causes say
    it where no dead end was learned (decision 142). A clash with another root's candidates
    also names the first of them, how many more clash, and why that root's other candidates
    are ruled out (the newer ``fastapi`` releases' ``pydantic>=2.7.0``), a few lines at most.
    """
    causes: list[tuple[Need, Candidate | None]] = []
    others: list[tuple[Need, Candidate | None]] = []
    for _, clash in found:
        if clash.theirs is not None and clash.their_need is not None:
            causes.append((clash.their_need, clash.theirs))
            others += _ruled_out(clash.root, provider)
        causes.append((clash.root, None))
    mine = [(clash.need, candidate) for candidate, clash in found]
    own = stated(mine)  # (theirs first)
    told = dict.fromkeys([*own, *stated([*causes, *_asked_of([*mine, *causes], provider)])])
    beside = [line for line in stated(others) if line not in told]
    if len(beside) > SHOWN:
        beside[SHOWN:] = [f"... and {len(beside) - SHOWN} more"]
    lines = ["these requirements cannot all be met:", *told, *beside]
    paired = next(((c, clash) for c, clash in found if clash.theirs is not None), None)
    if paired is not None and paired[1].others:
        lines += _clashed(*paired, provider).lines[-1:]  # (its "N other versions ... clash")
    return ResolutionError(Kind.CONFLICT, lines, hint="relax a pin, or pin another version")


def _ruled_out(root: Need, provider: Provider) -> list[tuple[Need, Candidate | None]]:
    """*root*'s candidates that are dead ends: each with its need (and the root it clashes with)."""
    out: list[tuple[Need, Candidate | None]] = []
    for candidate in provider._matches(root.identifier, [root], set(), dead=True):  # noqa: SLF001
        if not isinstance(candidate, WheelCandidate):
            continue
        end = provider.dead_ends.get(candidate_key(candidate))
        if end is None:
            continue
        out.append((end[1], end[0]))
        clash = provider.clashes.get(candidate_key(end[0]))
        if clash is not None and clash.theirs is None:
            out.append((clash.root, None))
    return out


def _clashed(candidate: WheelCandidate, clash: Clash, provider: Provider) -> ResolutionError:
    """A candidate that clashes with every candidate of a requirement asked for (decision 133)."""
    from resolvelib.structs import RequirementInformation  # noqa: PLC0415

    infos = [RequirementInformation(clash.need, candidate)]
    if clash.their_need is not None and clash.theirs is not None:
        infos.append(RequirementInformation(clash.their_need, clash.theirs))
    infos.append(RequirementInformation(clash.root, None))  # (alone: it is the other side)
    said = [(info.requirement, info.parent) for info in infos]
    lines = ["these requirements cannot all be met:", *stated([*said, *_asked_of(said, provider)])]
    if clash.others:
        many = clash.others > 1
        lines.append(
            f"{clash.others} other {'versions' if many else 'version'} of "
            f"{clash.root.identifier} {'clash' if many else 'clashes'} with "
            f"{candidate.name}=={candidate.version} too"
        )
    return ResolutionError(Kind.CONFLICT, lines, hint="relax a pin, or pin another version")


def _explain(
    causes: Collection[RequirementInformation[Need, Candidate]],
    provider: Provider,
    depth: int = 0,
) -> ResolutionError:
    by_id: dict[str, list[RequirementInformation[Need, Candidate]]] = {}
    for info in causes:
        by_id.setdefault(info.requirement.identifier, []).append(info)
    if PYTHON in by_id:
        return python_excluded(by_id[PYTHON], provider.target.version)
    for infos in by_id.values():
        name = NormalizedName(infos[0].requirement.name)
        found = no_candidates(name, infos, provider) or _dead_ends(infos, provider, depth)
        if found is not None:
            return found
    said = [(info.requirement, info.parent) for infos in by_id.values() for info in infos]
    lines = ["these requirements cannot all be met:", *stated([*said, *_asked_of(said, provider)])]
    return ResolutionError(Kind.CONFLICT, lines, hint="relax a pin, or pin another version")


def _asked_of(
    causes: Iterable[tuple[Need, Candidate | None]], provider: Provider
) -> list[tuple[Need, Candidate | None]]:
    """The request's requirements on the projects of the wheels that stated *causes*.

    Why each of those wheels was pinned (``you asked for flask==1.1.4`` beside its
    ``werkzeug<2.0``), as uv's reports say "you require": a line names a wheel the user
    did not ask for by name otherwise.
    """
    names = {parent.name for _, parent in causes if isinstance(parent, WheelCandidate)}
    return [(root, None) for root in provider.roots if root.name in names]
