"""A project's files as an index lists them, each an :class:`ArtifactFile` only once it is read.

A listing holds every file of every release (pydantic-core's: 15,057), and a resolution reads
the few its specifiers admit (:mod:`graft.resolve.admit`, which groups the rest by the
version their *filename* states). Making an ``ArtifactFile`` of each row (its upload time
parsed, its hashes a tuple) cost a warm unpinned sync of the fastapi roots ~35% of its
time, for 47,000 rows of which it read a few hundred. A :class:`Listing` keeps the index's
rows (:meth:`graft.sources.indexes.Indexes.rows`) and makes each file when it is first read
(and the same object after); :func:`filenames` reads the names without making any, and
:func:`stated` the names with their ``requires-python``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from graft.resolve.artifacts import ArtifactFile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping


class Listing(Sequence[ArtifactFile]):
    """The files of one project's page rows, each made on first read.

    Safe in threads: a race makes an equal file twice, and one of them is kept.
    """

    __slots__ = ("_made", "_make", "_rows", "_tag_group", "digest")

    def __init__(
        self,
        rows: Sequence[Sequence[Any]],
        make: Callable[[Sequence[Any]], ArtifactFile],
        digest: Mapping[str, Any] | None = None,
    ) -> None:
        """*digest*: what :func:`graft.resolve.page_digest.digest` made of these rows."""
        self._rows = rows
        self._make = make
        self._made: list[ArtifactFile | None] = [None] * len(rows)
        self._tag_group: list[int] | None = None  # each row's tag group in the digest
        self.digest = digest

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, at: int) -> ArtifactFile: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[ArtifactFile]: ...
    def __getitem__(self, at: int | slice) -> ArtifactFile | Sequence[ArtifactFile]:
        if isinstance(at, slice):
            return [self._file(i) for i in range(*at.indices(len(self._rows)))]
        return self._file(at)

    def _file(self, at: int) -> ArtifactFile:
        """The file of row *at*, made on first read."""
        made = self._made[at]
        if made is None:
            made = self._made[at] = self._make(self._rows[at])
        return made

    def __iter__(self) -> Iterator[ArtifactFile]:
        for at in range(len(self._rows)):
            yield self[at]

    def filenames(self) -> list[str]:
        """Each row's filename, in order, no file made."""
        return [row[0] for row in self._rows]

    def stated(self) -> list[tuple[str, str | None]]:
        """Each row's filename and ``requires-python``, in order, no file made.

        The rows are :meth:`~graft.sources.indexes.Indexes.rows`': the filename first, the
        ``requires-python`` fourth.
        """
        return [(row[0], row[3]) for row in self._rows]

    def subset(self, at: Sequence[int]) -> Listing:
        """The files at the ascending positions *at*: this listing's objects, made when read.

        Its digest holds what this one's says of those rows (the tag groups, the
        ``requires-python`` values), so that screening the releases specifiers admit parses
        no filename and makes only the files whose tags fit (an ML lock's first environment
        made 24,000 files of ``tokenizers``' and ``transformers``' listings).
        """
        return _Subset(self, tuple(at))


class _Subset(Listing):
    """:meth:`Listing.subset`: reads go to the whole listing, which makes each file once."""

    __slots__ = ("_at", "_whole")

    def __init__(self, whole: Listing, at: tuple[int, ...]) -> None:
        rows = [whole._rows[i] for i in at]  # noqa: SLF001 - (the same class)
        super().__init__(rows, whole._make, _restricted(whole, at, rows))
        self._whole = whole
        self._at = at

    def _file(self, at: int) -> ArtifactFile:
        return self._whole._file(self._at[at])  # noqa: SLF001 - (the same class)


def _restricted(
    whole: Listing, at: tuple[int, ...], rows: Sequence[Sequence[Any]]
) -> dict[str, Any] | None:
    """The digest of the rows at positions *at*, from the *whole* listing's (None: none).

    As :func:`graft.resolve.page_digest.digest` would make it of those rows: tag groups in
    the order first seen, positions renumbered; ``versions`` left out (made afresh if read).
    Each row's group is looked up (:func:`_tag_groups`), so the cost is the subset's, not the
    whole listing's (a narrow specifier on a project of thousands of wheels).
    """
    digest = whole.digest
    if digest is None:
        return None
    restricted: dict[str, Any] = {
        "pythons": list(dict.fromkeys(str(row[3]) for row in rows if row[3])),
    }
    if digest.get("tags") is None:
        return restricted  # (read afresh from the names, as without a digest)
    groups = digest["tags"][0]
    group_of = _tag_groups(whole, groups)
    mine: dict[int, list[int]] = {}  # (in the order first seen)
    others = []
    for i, position in enumerate(at):
        group = group_of[position]
        if group < 0:
            others.append(i)
        else:
            mine.setdefault(group, []).append(i)
    restricted["tags"] = [[[groups[g][0], rows_at] for g, rows_at in mine.items()], others]
    return restricted


def _tag_groups(whole: Listing, groups: Sequence[Any]) -> list[int]:
    """Each row's group among *groups*, *whole*'s digest's (-1: the others), worked out once."""
    group_of = whole._tag_group  # noqa: SLF001 - (a helper of the class)
    if group_of is None:
        group_of = [-1] * len(whole)
        for group, (_, positions) in enumerate(groups):
            for position in positions:
                group_of[position] = group
        whole._tag_group = group_of  # noqa: SLF001 - (a race works it out twice, alike)
    return group_of


def filenames(files: Sequence[ArtifactFile]) -> list[str]:
    """The filenames of *files*, in order (a :class:`Listing`'s without making its files)."""
    if isinstance(files, Listing):
        return files.filenames()
    return [file.filename for file in files]


def digested(files: Sequence[ArtifactFile], part: str) -> Any:  # (the digest is JSON)
    """The *part* of the digest kept with a listing's page, or None (made afresh then)."""
    if isinstance(files, Listing) and files.digest is not None:
        return files.digest.get(part)
    return None


def stated(files: Sequence[ArtifactFile]) -> list[tuple[str, str | None]]:
    """The filename and ``requires-python`` of each of *files* (a listing's, no file made)."""
    if isinstance(files, Listing):
        return files.stated()
    return [(file.filename, file.requires_python) for file in files]


__all__ = ["Listing", "digested", "filenames", "stated"]
