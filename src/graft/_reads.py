"""What a run read: each file and the sha256 of its bytes, for the memo (decisions 464, 479).

A request's readers hash the bytes they parse into ``Inputs.digests`` (:func:`note_read`),
and the resolution memo and the stamps keep that hash as the file's fingerprint. Other
readers of the same files keep no digests (an index entry's ``[[tool.uv.index]]``, an
editable's build reading its project, its build key): while a run is open (a
:class:`Reads`, opened by ``resolve/locate.locate`` and ``resolve/lock.lock``), each of their
reads is kept in it too, and :meth:`Reads.fold` marks a file of the digests that was read
with other bytes :data:`MIXED`: no one hash names what was read, and no memo is kept.

Outside a run nothing is kept, and a reader without digests hashes nothing. The runs open
are a stack in this module, not a ``ContextVar``: a build thread's reads belong to the run
that started it, and a new thread starts with an empty context. A run opened inside another
(a build environment's sync, a resolution started again) is seen by both: its reads only
add evidence to the outer one's.
"""

from __future__ import annotations

#: What a file read twice with other bytes has in place of a digest: no one digest says
#: what was read, so it never matches a fingerprint (decision 464).
MIXED = ""


class Reads:
    """The reads of one run, ``(path, sha256)`` in order, kept while it is open (``with``)."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __enter__(self) -> Reads:  # noqa: PYI034 - (typing.Self is 3.11+)
        _OPEN.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _OPEN.remove(self)

    def fold(self, digests: dict[str, str]) -> None:
        """Each read kept here, of a file in *digests* (by absolute path), into it.

        A file of *digests* that any reader read with other bytes is :data:`MIXED`.
        """
        import os  # noqa: PLC0415

        mine = {os.path.abspath(path): path for path in digests}
        for path, digest in self.seen:
            key = mine.get(os.path.abspath(path))
            if key is not None and digests[key] != digest:
                digests[key] = MIXED


#: The runs open now, outermost first (each read is kept in all of them).
_OPEN: list[Reads] = []


def note_read(digests: dict[str, str] | None, path: str, data: bytes) -> None:
    """The sha256 of *data*, the bytes just read from *path*, into *digests* and the runs.

    Hashed where the file is read, once: the resolution memo and the stamps name exactly the
    bytes the request was read from, however recently the file was written (decision 464). A
    second read of *path* with other bytes leaves :data:`MIXED` in *digests*. Without
    *digests* and outside a run, nothing is hashed.
    """
    if digests is None and not _OPEN:
        return
    from graft._sha256 import sha256_hex  # noqa: PLC0415 - (nothing to hash: not imported)

    digest = sha256_hex(data)
    if digests is not None:
        digests[path] = digest if digests.get(path, digest) == digest else MIXED
    note_digest(path, digest)


def note_digest(path: str, digest: str) -> None:
    """A read of *path* whose bytes hash to *digest* (taken by the reader), into each run open."""
    for reads in _OPEN:
        reads.seen.append((path, digest))  # (list.append: atomic, as the build threads read too)


def kept() -> tuple[tuple[str, str], ...]:
    """The reads the innermost run open holds (what a lock's forked worker reports)."""
    return tuple(_OPEN[-1].seen) if _OPEN else ()


def add(reads: tuple[tuple[str, str], ...]) -> None:
    """Reads made elsewhere (a lock's forked worker, after the fork), into each run open."""
    for path, digest in reads:
        note_digest(path, digest)


__all__ = ["MIXED", "Reads", "add", "kept", "note_digest", "note_read"]
