"""pip's and uv's variables that say where packages come from, which graft does not read.

A user who set ``PIP_INDEX_URL`` (a private index, a mirror) and runs graft without naming
any index would have graft ask PyPI for the same names: the dependency confusion an ignored
variable invites. So a request whose sources are graft's defaults alone (no index, extra
index, find-links or ``--no-index`` given to graft: by a flag, ``GRAFT_INDEX_URL`` or
``GRAFT_EXTRA_INDEX_URL``, or a requirements file) is refused while a variable that replaces
PyPI or is asked before it is set; one that only adds sources beside PyPI (pip's extra
indexes and find-links, where the best version of all wins anyway) is said in a warning
(decision 115). The no-op stamp's context names them too (``graft._home``).
"""

from __future__ import annotations

import os

from graft._home import TOOL_ADDED_VARIABLES, TOOL_HASH_VARIABLES, TOOL_INDEX_VARIABLES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from graft.model.requirements import Inputs

VARIABLES = TOOL_INDEX_VARIABLES
ADDED_VARIABLES = TOOL_ADDED_VARIABLES
HASH_VARIABLES = TOOL_HASH_VARIABLES
_UNSET = frozenset({"", "0", "false", "no", "off"})  # (pip's and uv's false, for *_NO_INDEX)


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
    names = set_variables(environ, ADDED_VARIABLES) if _defaults_alone(inputs) else []
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
