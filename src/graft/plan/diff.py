"""The change between two plans of one venv: what an incremental sync takes out and puts in.

Both plans are taken in their flat form (:mod:`graft.plan.flat`), as kept in the store and
carried out by the materializer, so that a sync that never builds a
:class:`~graft.plan.types.Plan` (``graft.cli.change``) diffs them the same way. A flat form
is a set of steps keyed by destination (a directory to make, a link, a file, a launcher, a
script, a RECORD), and every destination lies either in a real directory of the plan or in
the venv's skeleton; nothing of a plan lies below a link. So two plans of one venv differ
destination by destination:

- a step of the old plan that the new plan does not hold unchanged is **removed**, with
  whatever lies below it (a real directory takes its subtree with it);
- a step of the new plan that the old plan does not hold unchanged is **added**.

Only the top-most destinations on each side matter to the filesystem: a removed real
directory goes as one subtree, and an added one is built whole beside the venv (staged) and
moved in by one rename. The two sides line up: a removed destination strictly below an added
one, or the other way round, would need a real directory that both plans hold unchanged,
and then that directory is neither removed nor added (see :func:`diff`).

Directories the venv has without any plan (the skeleton that ``python -m venv`` makes:
``bin``, ``include``, ``lib/pythonX.Y/site-packages``) are never removed: a plan may name
them or not, and a venv built from scratch has them either way.

This module imports nothing at run time, as :mod:`graft.plan.flat`.
"""

from __future__ import annotations

from graft.plan.flat import Flat, checked_part

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

#: An incremental update must touch at most this share of the new plan's steps; past it a
#: whole rebuild (template, every step, one swap) costs about as much and is simpler.
UPDATE_SHARE = 0.5

Step = tuple[object, ...]  # a step's kind and everything it writes


class PlanDiff:
    """What turns a venv built from one plan into the venv of another."""

    __slots__ = ("add", "remove", "roots", "size", "touched")

    def __init__(
        self, remove: tuple[str, ...], add: Flat, roots: tuple[str, ...], touched: int, size: int
    ) -> None:
        """*touched* steps of either plan differ; the new plan has *size* steps."""
        self.remove = remove  # top-most destinations to take out, each with its subtree, sorted
        self.add = add  # the new plan's steps to carry out (its launchers rendered for RECORDs)
        self.roots = roots  # top-most destinations of *add*: each built beside, moved in whole
        self.touched = touched
        self.size = size

    @property
    def empty(self) -> bool:
        """Whether the two plans build the same venv."""
        return not self.remove and not self.roots


def steps(flat: Flat) -> dict[str, Step]:
    """Each destination *flat* writes, with its step (launchers only rendered left out)."""
    out: dict[str, Step] = dict.fromkeys(flat.dirs, ("dir",))
    out.update((dest, ("dir-link", source)) for dest, source in flat.dir_links)
    out.update((dest, ("link", source)) for dest, source in flat.file_links)
    out.update((dest, ("copy", source)) for dest, source in flat.copies)
    out.update((dest, ("file", content, x)) for dest, content, x in flat.files)
    for dest, value, body in flat.launchers:
        if dest not in flat.rendered_only:
            out[dest] = ("launcher", value, body)
    for dest, source in flat.scripts:
        if dest not in flat.rendered_only:
            out[dest] = ("script", source)
    for dest, digest, rows in flat.records:
        out[dest] = ("record", digest, tuple(tuple(row) for row in rows))
    return out


def diff(old: Flat, new: Flat, skeleton: Iterable[str] = (), again: Iterable[str] = ()) -> PlanDiff:
    """The change from the venv *old* built to the venv *new* builds (same prefix and python).

    *skeleton* lists the venv-relative directories the venv holds without any plan; they count
    as present in both plans. *again*: destinations taken out and put in even where the two
    plans agree (``--reinstall-package``'s, :func:`owned`). Every added step lies in one of
    the returned roots, and every old step that differs lies in one of the removed
    destinations. A form read unchecked (:func:`graft.plan.flat.from_json_unchecked`) is
    checked where it differs (*old*: what is taken out; *new*: what is carried out, with the
    launchers and scripts its RECORDs there list): ValueError (or TypeError, KeyError,
    IndexError) as :func:`~graft.plan.flat.from_json` would raise for it. A step both hold
    unchanged is neither taken out nor carried out (decision 502).
    """
    before, after = steps(old), steps(new)
    size, stepped = len(after), len(before)
    for path in skeleton:
        before.setdefault(path, ("dir",))
        after.setdefault(path, ("dir",))
    forced = set(again)
    gone = {dest for dest, step in before.items() if dest in forced or after.get(dest) != step}
    came = {dest for dest, step in after.items() if dest in forced or before.get(dest) != step}
    checked_part(old, gone, stepped)  # (a form read unchecked: where it differs)
    listed = {row[3] for dest, _, rows in new.records if dest in came for row in rows}
    return PlanDiff(
        remove=tuple(sorted(_top_most(gone))),
        add=part(checked_part(new, came | listed, size), came),
        roots=tuple(sorted(_top_most(came))),
        touched=len(gone - forced) + len(came - forced),  # (those asked for: not counted)
        size=size,
    )


def owned(flat: Flat, entries: Iterable[str]) -> set[str]:
    """The destinations *flat* writes for the wheels of the store *entries* (their directories).

    What ``--reinstall-package`` takes out and puts back (decision 393): each link, copy and
    script from one of the entries, each ``.dist-info`` directory such a link lies in with
    everything in it (INSTALLER, RECORD...), and the launchers and scripts its RECORD lists.
    A real directory the wheel shares with others stays; its files from the wheel do not.
    """
    roots = tuple(f"{entry.rstrip('/')}/" for entry in entries)
    if not roots:
        return set()
    sourced = (*flat.dir_links, *flat.file_links, *flat.copies, *flat.scripts)
    out = {dest for dest, source in sourced if source.startswith(roots)}
    infos = {p for p in (d.rpartition("/")[0] for d in out) if p.endswith(".dist-info")}
    within = tuple(f"{info}/" for info in infos)
    out |= infos | {dest for dest in steps(flat) if dest.startswith(within)}
    for dest, _, rows in flat.records:
        if dest.rpartition("/")[0] in infos:
            out.update(row[3] for row in rows)
    return out


def part(flat: Flat, dests: set[str]) -> Flat:
    """The steps of *flat* that write *dests*, in its order.

    The launchers and scripts that its RECORDs list but *dests* leaves out are still
    rendered (``rendered_only``), for their hashes.
    """
    out = Flat(flat.link_mode)
    out.dirs = [d for d in flat.dirs if d in dests]
    out.dir_links = [step for step in flat.dir_links if step[0] in dests]
    out.file_links = [step for step in flat.file_links if step[0] in dests]
    out.copies = [step for step in flat.copies if step[0] in dests]
    out.files = [step for step in flat.files if step[0] in dests]
    out.records = [step for step in flat.records if step[0] in dests]
    out.texts = {d: flat.texts[d] for _, d, _ in out.records if d in flat.texts}
    rendered = [d for d, _, _ in flat.launchers] + [d for d, _ in flat.scripts]
    written = {d for d in rendered if d in dests}
    needed = written | {row[3] for _, _, rows in out.records for row in rows}
    out.launchers = [step for step in flat.launchers if step[0] in needed]
    out.scripts = [step for step in flat.scripts if step[0] in needed]
    out.rendered_only = {d for d in rendered if d in needed and d not in written}
    return out


def worth_updating(change: PlanDiff) -> bool:
    """Whether changing the venv in place beats rebuilding it: the change is small enough."""
    return change.touched <= UPDATE_SHARE * max(change.size, 1)


def _top_most(paths: set[str]) -> list[str]:
    """The paths of *paths* with no ancestor in *paths*."""
    out = []
    for path in paths:
        parent = path.rpartition("/")[0]
        while parent and parent not in paths:
            parent = parent.rpartition("/")[0]
        if not parent:
            out.append(path)
    return out


__all__ = ["UPDATE_SHARE", "PlanDiff", "diff", "owned", "part", "steps", "worth_updating"]
