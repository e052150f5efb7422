"""``graft lock`` after an edit that cannot change the lock, proven without resolving.

A user edits a line of the requirements file (``flask>=3`` → ``flask>=3,!=3.0.1``) and runs
``graft lock -r requirements.in -o pylock.toml`` again, the previous lock in place. The lock
prefers the versions the output holds (:mod:`graft.resolve.lock_prefs`, as
``uv pip compile -o`` does), so when the output still holds the lock graft wrote last (*L*),
the new resolution is *L* again whenever (docs/decisions.md: "The lock after an edited line"):

* the roots differ only in their specifiers: the same lines in the same order, each changed
  line naming the same project with the same extras and the same marker;
* every version *L* holds of a changed line's project satisfies the new specifier, is no
  prerelease, and is pinned by an ``==`` clause of the new line exactly when it was by the
  old one (a yanked file is a candidate only under such a pin);
* everything else the lock read is unchanged and its index answers are fresh (the lock
  stamp's checks, :mod:`graft.cli.lockstamp`), and the earlier lock holds no variant wheel;
* if the earlier lock left environments out, each changed line only narrows (:func:`narrows`:
  clauses added, a lower bound raised, an upper bound lowered; so the new roots allow a
  subset of the versions: where no resolution existed, none appears) and names no project
  the lines saying why name (so those lines stay true).

Then, in every environment, *L*'s pins meet every requirement of the new roots and of every
pinned wheel (the wheels and their METADATA are unchanged), each pin is the first candidate
the resolver is offered (its version is preferred, and every compatible wheel of a locked
release states the same metadata, which :func:`graft.resolve.lock_merge.merge` checks), so
resolvelib pins it, never meets a conflict and never backtracks; and it pins the projects
reachable from the roots through those wheels, which the edit does not change. The lock
written is *L*'s bytes, and graft writes nothing (the output already holds them).

This module reads the requirement files with the standard library: only plain requirement
lines (no option, URL, path, line continuation or trailing comment); anything else is doubt,
and doubt takes the full path. A changed line is compared as text (the same name and extras,
the same marker, as written) and only its specifier is parsed, by ``packaging.specifiers``
(``packaging.requirements`` would load ``packaging.tags``, ``logging``, ``subprocess``): the
project it names was kept with the stamp, canonicalized by the full path.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # (not typing's: an edit answered from a known root set loads nothing)
if TYPE_CHECKING:
    import re

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version


def masked(rest: list[str]) -> tuple[list[str], list[str]] | None:
    """*rest* with every ``-r FILE`` value masked, and those files; None when unsure.

    Read: ``-r FILE``, ``-rFILE``; ``--requirement`` (in any form), ``--upgrade`` and
    ``--upgrade-package`` (``-U``, ``-P``: they drop the preferences the proof rests on),
    ``--overrides`` and ``--excludes``, a lock file or a ``pyproject.toml`` given with ``-r``
    are doubt.
    """
    out: list[str] = []
    files: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "-r":
            if i + 1 >= len(rest):
                return None
            path, i = rest[i + 1], i + 2
        elif arg.startswith("-r"):
            path, i = arg[2:], i + 1
        else:
            # --upgrade[-package] (-U, -P) drops the preferences; "--req" may be --requirement;
            # --overrides and --excludes change the requirements the proof reads (388, 389)
            if arg.startswith(("--up", "--req", "--ov")) or arg in ("--", "-U", "-P"):
                return None
            if arg.partition("=")[0] in ("--exclude", "--excludes"):
                return None
            out.append(arg)
            i += 1
            continue
        if os.path.basename(path) == "pyproject.toml" or path.endswith(".toml"):
            return None
        if path.endswith((".py", ".pyw")):  # a PEP 723 script: its code is no line of it (434)
            return None
        files.append(path)
        out.append("-r")  # its value left out: the files are compared by their lines
    return (out, files) if files else None


_NOT_PLAIN = ("/", "\\", "@", "#", "${", ".whl", ".tar", ".zip", ".toml", " -")


def plain_lines(data: bytes) -> list[str] | None:
    """The requirement lines of a file's bytes, stripped; None unless every line is plain."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("-", ".")) or any(s in stripped for s in _NOT_PLAIN):
            return None
        out.append(stripped)
    return out


def root_names(lines: list[str]) -> list[str] | None:
    """The project each line names (canonical), kept with the stamp; None if one is no name.

    Called on the full path, where :mod:`packaging` is loaded anyway.
    """
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    try:
        parsed = [Requirement(line) for line in lines]
    except InvalidRequirement:
        return None
    if any(r.url for r in parsed):
        return None
    return [str(canonicalize_name(r.name)) for r in parsed]


def same_lock(
    old: list[list[tuple[str, str]]],
    new: list[list[str]],
    locked: dict[str, list[str]],
    left_out: list[str] | None = None,
) -> bool:
    """Whether roots *new* resolve to the lock that roots *old* resolved to.

    *old* are the plain lines of each ``-r`` file, in order, with the project each names;
    *new* the new files' lines; *locked* gives the versions the lock holds per project
    (every entry's). *left_out* are the lines that said why environments were left out
    (None: none was): then each changed line must only add clauses (no environment can
    become lockable) and name no project those lines name (their words stay true). See the
    module's docstring.
    """
    if [len(f) for f in old] != [len(f) for f in new]:
        return False
    changed = [
        (a, b)
        for fa, fb in zip(old, new, strict=True)
        for a, b in zip(fa, fb, strict=True)
        if a[0] != b
    ]
    said = None
    if left_out is not None:
        said = " ".join(left_out).lower().replace("_", "-").replace(".", "-")
    return all(_same_but_specifier(a, name, b, locked, said) for (a, name), b in changed)


# A line's parts as text: the name and extras, the specifier (each clause an operator and a
# version), the marker. Only a filter: a line it does not split so is doubt (the full path),
# and the specifiers are parsed by packaging. Compiled when a changed line is first split.
_HEAD = r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?"
_CLAUSE = r"\s*(~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*"
_COMPILED: list[re.Pattern[str]] = []


def _split(line: str) -> tuple[str, str, str] | None:
    """(name and extras, specifier, marker) of a plain line, as text; None if unsure."""
    if not _COMPILED:
        import re  # noqa: PLC0415 - (a changed line: packaging's parse loads it anyway)

        _COMPILED[:] = [re.compile(_HEAD), re.compile(f"{_CLAUSE}(,{_CLAUSE})*")]
    head_pattern, clauses = _COMPILED
    requirement, _, marker = line.partition(";")
    head = head_pattern.match(requirement)
    if head is None:
        return None
    specifier = requirement[head.end() :].strip()
    if specifier and clauses.fullmatch(specifier) is None:
        return None
    return requirement[: head.end()].strip(), specifier, marker.strip()


def _same_but_specifier(
    old: str, name: str, new: str, locked: dict[str, list[str]], said: str | None
) -> bool:
    """Whether line *new* differs from *old* (naming *name*) only in a harmless specifier."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    a, b = _split(old), _split(new)
    if a is None or b is None or a[0] != b[0] or a[2] != b[2] or not locked.get(name):
        return False  # another name, other extras or another marker (as written)
    try:
        before, after = SpecifierSet(a[1]), SpecifierSet(b[1])
    except InvalidSpecifier:
        return False
    if said is not None and (name in said or not narrows(before, after)):
        return False  # environments were left out: only narrowing, of no project named
    for text in locked[name]:
        try:
            version = Version(text)
        except InvalidVersion:
            return False
        if (
            version.is_prerelease
            or not after.contains(version, prereleases=True)
            or _pins(before, version) != _pins(after, version)
        ):
            return False
    return True


def narrows(before: SpecifierSet, after: SpecifierSet) -> bool:
    """Whether every version *after* admits, *before* admits too (a sufficient test).

    Each clause of *before* must be in *after*, or follow from one of its clauses: a lower
    bound from a higher or equal one (``>=2.1`` from ``>=2.3``, ``==2.5`` or ``~=2.3``), an
    upper bound from a lower or equal one. Exclusive bounds (``>V``, ``<V``) follow only from
    a bound on another release (``>1.0`` excludes 1.0's post-releases, which ``>=1.0.post1``
    admits). A pre-release in a clause of *after* that *before* lacks could admit
    pre-releases *before* does not, so it is doubt; so is any other clause.
    """
    from packaging.version import Version  # noqa: PLC0415

    kept, old = set(after), set(before)
    bounds = []
    for clause in after:
        if "*" in clause.version or clause.operator == "===":
            continue
        version = Version(clause.version)
        if version.is_prerelease and clause not in old:
            return False
        bounds.append((clause.operator, version))
    for clause in before:
        if clause in kept:
            continue
        if "*" in clause.version or clause.operator not in {">=", ">", "<=", "<"}:
            return False
        bound = Version(clause.version)
        if not any(_implies(op, version, clause.operator, bound) for op, version in bounds):
            return False
    return True


def _implies(op: str, version: Version, bound_op: str, bound: Version) -> bool:
    """Whether clause ``op version`` admits only versions clause ``bound_op bound`` admits.

    *op* is one of ``>=``, ``>``, ``<=``, ``<``, ``==``, ``~=`` (no pre-release, no wildcard).
    """
    if bound_op in {">=", ">"}:
        if op not in {">=", ">", "==", "~="}:
            return False
        if bound_op == ">=":
            return version >= bound
        return _release_above(version, bound)  # (not a post-release or local one of *bound*)
    if op not in {"<=", "<", "=="} or version.local:
        return False
    if bound_op == "<=":
        return version <= bound
    # ``<B`` admits no pre-release of B's release, which ``<=B.rc1`` (kept from before) does
    return version < bound and not version.is_prerelease


def _release_above(version: Version, bound: Version) -> bool:
    """Whether *version*'s release is above *bound*'s, in the same epoch."""
    width = max(len(version.release), len(bound.release))
    pad = (0,) * width
    above = (version.release + pad)[:width] > (bound.release + pad)[:width]
    return version.epoch == bound.epoch and above


def _pins(specifier: SpecifierSet, version: Version) -> bool:
    """Whether an ``==``/``===`` clause of *specifier* names *version* (yanked files' rule)."""
    return any(
        clause.operator in {"==", "==="}
        and "*" not in clause.version
        and clause.contains(version, prereleases=True)
        for clause in specifier
    )
