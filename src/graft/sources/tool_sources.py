"""pip's and uv's variables, which graft does not read: said rather than ignored.

A user who set ``PIP_INDEX_URL`` (a private index, a mirror) and runs graft without naming
any index would have graft ask PyPI for the same names: the dependency confusion an ignored
variable invites. So a request whose sources are graft's defaults alone (no index, extra
index, find-links or ``--no-index`` given to graft: by a flag, ``GRAFT_INDEX_URL`` or
``GRAFT_EXTRA_INDEX_URL``, or a requirements file) is refused while a variable that replaces
PyPI or is asked before it is set; one that only adds sources beside PyPI (pip's extra
indexes and find-links, where the best version of all wins anyway) is said in a warning
(decision 115). The no-op stamp's context names them too (``graft._home``).

So with the other variables a CI job sets for pip or uv (decision 341): one that limits what
may be installed (builds, constraints, overrides, an upload cutoff) refuses a command that was
not told graft's own option for the same (:func:`refuse_unread_limits`), and one that chooses
among what the sources offer (prereleases, the resolution, uv's interpreter) is said in a
warning where graft chose otherwise (:func:`unread_choices`).
"""

from __future__ import annotations

import os

from graft._home import (
    TOOL_ADDED_VARIABLES,
    TOOL_HASH_VARIABLES,
    TOOL_INDEX_VARIABLES,
    TOOL_LIMIT_VARIABLES,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from graft.model.requirements import Inputs

VARIABLES = TOOL_INDEX_VARIABLES
ADDED_VARIABLES = TOOL_ADDED_VARIABLES
HASH_VARIABLES = TOOL_HASH_VARIABLES
_UNSET = frozenset({"", "0", "false", "no", "off"})  # (pip's and uv's false, for *_NO_INDEX)
_TRUE = frozenset({"1", "true", "yes", "on"})  # (pip's and uv's true, for PIP_PRE)

#: what each of :data:`TOOL_LIMIT_VARIABLES` limits, and graft's options that say it (one of
#: them given on the command line, the variable is not looked at; none: graft has no such)
LIMITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "PIP_ONLY_BINARY": ("builds", ("--only-binary", "--no-build")),
    "UV_NO_BUILD": ("builds", ("--no-build", "--only-binary")),
    "UV_NO_BUILD_PACKAGE": ("builds", ("--only-binary", "--no-build")),
    "PIP_NO_BINARY": ("wheels", ("--no-binary",)),
    "UV_NO_BINARY": ("wheels", ("--no-binary",)),
    "UV_NO_BINARY_PACKAGE": ("wheels", ("--no-binary",)),
    "PIP_CONSTRAINT": ("versions", ("-c",)),
    "UV_CONSTRAINT": ("versions", ("-c",)),
    "PIP_BUILD_CONSTRAINT": ("build requirements", ("--build-constraint",)),
    "UV_BUILD_CONSTRAINT": ("build requirements", ("--build-constraint",)),
    "UV_OVERRIDE": ("versions", ("--overrides",)),
    "UV_EXCLUDE": ("projects", ("--excludes",)),
    "UV_EXCLUDE_NEWER": ("upload times", ("--exclude-newer",)),
    "PIP_UPLOADED_PRIOR_TO": ("upload times", ("--exclude-newer",)),
}
#: the limits ``graft build`` reads (its build environments' requirements)
BUILD_LIMITS = ("PIP_BUILD_CONSTRAINT", "UV_BUILD_CONSTRAINT")
#: the limits ``graft lock`` reads: not which of a release's files an installer takes (a
#: lock lists its wheels, and an sdist only where no wheel fits; graft lock has no --no-binary)
LOCK_LIMITS = tuple(name for name in TOOL_LIMIT_VARIABLES if LIMITS[name][0] != "wheels")


def set_variables(
    environ: Mapping[str, str] = os.environ, names: tuple[str, ...] = VARIABLES
) -> list[str]:
    """The *names* set to something that changes what pip or uv does (sources by default)."""
    return [name for name in names if environ.get(name, "").strip().lower() not in _UNSET]


def _defaults_alone(inputs: Inputs) -> bool:
    """Whether *inputs* ask graft's default source (PyPI) without naming any of graft's.

    Not a request that installs only what lock files name (no index is asked), nor one that
    told graft any source: the user chose graft's, and pip's are not graft's concern.
    """
    chosen = inputs.index_url or inputs.extra_index_urls or inputs.find_links or inputs.no_index
    return not chosen and bool(inputs.wanted)


def unread_additions(inputs: Inputs, environ: Mapping[str, str] = os.environ) -> str | None:
    """A warning naming pip's and uv's variables that add sources beside PyPI, if set.

    pip asks PyPI and them, and takes the best version of all (``PIP_FIND_LINKS`` of a
    machine's own wheels, say); graft asks PyPI alone, as uv (which reads no ``PIP_*``) does.
    """
    return added_warning(defaults_alone=_defaults_alone(inputs), environ=environ)


def added_warning(*, defaults_alone: bool, environ: Mapping[str, str] = os.environ) -> str | None:
    """:func:`unread_additions` of a request that asks graft's default sources alone, or not."""
    names = set_variables(environ, ADDED_VARIABLES) if defaults_alone else []
    if not names:
        return None
    given = " and ".join(names)
    verb, pronoun = ("is", "it") if len(names) == 1 else ("are", "them")
    return (
        f"{given} {verb} set, and graft reads no pip or uv variable: it asked PyPI alone"
        f" (to use {pronoun}, pass --extra-index-url URL or --find-links DIR)"
    )


def refuse_unread(inputs: Inputs, environ: Mapping[str, str] = os.environ) -> None:
    """Raise a usage error if *inputs* fall back to PyPI while pip or uv would look elsewhere.

    Only for the variables that replace PyPI or are asked before it (:data:`VARIABLES`).
    """
    if not _defaults_alone(inputs):
        return
    names = set_variables(environ)
    if not names:
        return
    from graft.errors import UsageError  # noqa: PLC0415

    given = " and ".join([", ".join(names[:-1]), names[-1]] if names[:-1] else names)
    verb = "is" if len(names) == 1 else "are"
    raise UsageError(
        f"{given} {verb} set, and graft reads no pip or uv variable: it would ask PyPI alone",
        hint="name graft's sources: --index-url URL (or GRAFT_INDEX_URL), --extra-index-url URL,"
        f" --find-links DIR, --no-index; or unset {'it' if len(names) == 1 else 'them'}",
    )


def refuse_unchecked_hashes(require_hashes: bool, environ: Mapping[str, str] = os.environ) -> None:
    """Raise a usage error if pip or uv would check every hash and ``graft sync`` was not told to.

    ``PIP_REQUIRE_HASHES=1`` in a CI job makes pip refuse a distribution without a hash; graft,
    reading no pip variable, would install it. Only the user's sync is asked, not the syncs of
    build environments, whose build requirements carry no hashes (uv does not check them).
    """
    names = [] if require_hashes else set_variables(environ, HASH_VARIABLES)
    if not names:
        return
    from graft.errors import UsageError  # noqa: PLC0415

    verb = "is" if len(names) == 1 else "are"
    raise UsageError(
        f"{' and '.join(names)} {verb} set, and graft reads no pip or uv variable: it would not"
        " require a hash of every distribution",
        hint=f"pass --require-hashes, or unset {'it' if len(names) == 1 else 'them'}",
    )


def _limit_set(name: str, environ: Mapping[str, str]) -> bool:
    """Whether *name* limits anything: not unset, false, or pip's ``:none:``."""
    return environ.get(name, "").strip().lower() not in {*_UNSET, ":none:"}


def refuse_unread_limits(
    told: Collection[str],
    names: Collection[str] = TOOL_LIMIT_VARIABLES,
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Raise a usage error if pip or uv would limit what *names* limit, and graft was not told.

    *told*: graft's options the command line gave (``--only-binary``, ``-c``...). A CI job's
    ``PIP_ONLY_BINARY=:all:`` makes pip refuse to run a build backend; graft, reading no pip
    variable, would build an sdist without a word. Likewise a constraint, an override and an
    upload cutoff (a cooldown against releases uploaded an hour ago). Checked before anything
    is fetched or written; the values are never printed (decision 341).
    """
    unread = [
        name
        for name in names
        if _limit_set(name, environ) and not any(option in told for option in LIMITS[name][1])
    ]
    if not unread:
        return
    from graft.errors import UsageError  # noqa: PLC0415

    limits = " and ".join(dict.fromkeys(LIMITS[name][0] for name in unread))
    options = " or ".join(dict.fromkeys(o for name in unread for o in LIMITS[name][1]))
    pronoun = "it" if len(unread) == 1 else "them"
    hint = f"pass graft {options} itself, or unset {pronoun}"
    verb = "is" if len(unread) == 1 else "are"
    raise UsageError(
        f"{' and '.join(unread)} {verb} set, and graft reads no pip or uv variable: it would"
        f" not limit {limits} as pip or uv would",
        hint=hint,
    )


def told(args: object) -> frozenset[str]:
    """The options of graft's that the command line *args* gave, standing for such variables."""
    given = {flag for flag, _value in getattr(args, "formats", None) or ()}
    options = {f"--{flag}" for flag in given}  # (--no-binary, --only-binary)
    if getattr(args, "no_build", False):
        options.add("--no-build")
    if getattr(args, "constraint", None):
        options.add("-c")
    if getattr(args, "build_constraint", None):
        options.add("--build-constraint")
    if getattr(args, "exclude_newer", None) is not None:
        options.add("--exclude-newer")
    if getattr(args, "overrides", None):
        options.add("--overrides")
    if getattr(args, "excludes", None):
        options.add("--excludes")
    return frozenset(options)


def unread_choices(
    *,
    prerelease: str | None,
    resolution: str,
    python_told: bool,
    environ: Mapping[str, str] = os.environ,
) -> list[str]:
    """Warnings naming pip's and uv's variables that choose otherwise than graft did.

    ``PIP_PRE``, ``UV_PRERELEASE`` and ``UV_RESOLUTION`` where graft's own choice (*prerelease*,
    None for its default, and *resolution*) differs from theirs; ``UV_PYTHON`` where neither
    ``--python`` nor ``GRAFT_PYTHON`` chose the interpreter (*python_told*). They change which
    release is taken, not what may be (decision 341).
    """
    said = []
    chosen = prerelease or "if-necessary"
    if environ.get("PIP_PRE", "").strip().lower() in _TRUE and chosen != "allow":
        said.append(_unread("PIP_PRE", "took prereleases only where needed", "--pre"))
    uv_pre = environ.get("UV_PRERELEASE", "").strip().lower()
    alike = {chosen} | ({"if-necessary-or-explicit"} if chosen == "if-necessary" else set())
    if uv_pre and uv_pre not in alike:
        graft_s = {"allow", "disallow", "if-necessary"}
        option = f"--prerelease {uv_pre}" if uv_pre in graft_s else "--prerelease allow|disallow"
        said.append(_unread("UV_PRERELEASE", f"took prereleases as --prerelease {chosen}", option))
    uv_resolution = environ.get("UV_RESOLUTION", "").strip().lower()
    if uv_resolution and uv_resolution != resolution:
        said.append(
            _unread("UV_RESOLUTION", f"resolved {resolution}", f"--resolution {uv_resolution}")
        )
    said += unread_python(python_told=python_told, environ=environ)
    return said


def unread_python(*, python_told: bool, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The warning naming ``UV_PYTHON`` where neither ``--python`` nor ``GRAFT_PYTHON`` chose.

    ``graft build`` says it too, as ``uv build`` reads it (decision 356).
    """
    if not environ.get("UV_PYTHON", "").strip() or python_told:
        return []
    return [_unread("UV_PYTHON", "chose the interpreter without it", "--python or GRAFT_PYTHON")]


def unread_build_choices(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The warning naming ``PIP_PRE`` for a build's isolated environments (decision 367).

    ``pip wheel`` installs a build's requirements by a ``pip install`` that reads ``PIP_PRE``
    (a prerelease where the final release would do); ``uv build`` resolves them highest and
    without prereleases whatever ``UV_RESOLUTION``, ``UV_PRERELEASE`` or their flags say (uv
    0.13.9), as graft does, so those are not said.
    """
    if environ.get("PIP_PRE", "").strip().lower() not in _TRUE:
        return []
    return [
        _unread(
            "PIP_PRE",
            "took prereleases for the build environments only where needed",
            "--build-constraint FILE pinning the prerelease",
        )
    ]


def pin_set_warnings(
    *, python_told: bool, defaults_alone: bool, environ: Mapping[str, str] = os.environ
) -> list[str]:
    """What a sync of plain pins at graft's default policy warns of these variables.

    :func:`unread_choices`, then :func:`unread_additions`, in the order the full path says
    them: for the change stamp, which answers such a sync without resolving (decision 355).
    """
    said = unread_choices(
        prerelease=None, resolution="highest", python_told=python_told, environ=environ
    )
    added = added_warning(defaults_alone=defaults_alone, environ=environ)
    return [*said, *([added] if added is not None else [])]


def _unread(name: str, did: str, option: str) -> str:
    return f"{name} is set, and graft reads no pip or uv variable: it {did} (pass {option})"
