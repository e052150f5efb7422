"""An sdist's contents: a digest of what it unpacks to, and the sdists known to unpack alike.

setuptools' and pdm-backend's sdists are not byte-reproducible: the gzip header and the tar
members carry the time they were made, so ``graft build DIR`` of an unchanged tree writes an
sdist of another sha256 each run, and a wheel keyed by that sha256 alone (``sdist-<sha256>``,
decision 251) was built again each time. A build sees the sdist only as graft unpacks it
(:func:`graft.build.sdist_unpack.unpack_sdist`): the members' names, each one's kind (file,
directory, link), a file's bytes and executable bit (modes are reduced to ``0o644`` and
``0o755``), a link's target; a later copy of a name replaces an earlier one. The
:class:`ContentsDigest` of an sdist is a digest of exactly that, taken while it is unpacked;
times, owners, the members' order and the archive's framing (tar or zip, the gzip header)
are left out, since nothing unpacked keeps them but files' modification times.

Two sdists with one digest unpack to the same tree, so a wheel recorded for one is a wheel of
the other: :func:`earlier_alike` finds it under the other's source key, judged by the same
reuse rule with the same build inputs, target and build constraints (decision 300). The
digests are indexed under ``<cache>/builds/contents/<digest>/<sha256>`` (empty files;
each sdist's kept facts also hold its digest, which is checked before a match is used).
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

from graft._sha256 import sha256
from graft.build.recorded import Earlier, earlier
from graft.build.source_key import sdist_key

if TYPE_CHECKING:
    from graft.build.assessment import Assessment
    from graft.build.cache import BuiltWheels
    from graft.model.target import Target

_INDEX = "contents"


class ContentsDigest:
    """What an sdist unpacks to, gathered member by member as it is unpacked.

    Names are the normalized ones unpacking writes (``top/a/b``); the directories above every
    member count as directories, whether the archive lists them or not.
    """

    def __init__(self) -> None:
        self._entries: dict[str, bytes] = {}
        self._dirs: set[str] = set()

    def directory(self, name: str) -> None:
        """A directory member."""
        self._dirs.add(name)

    def link(self, name: str, target: str) -> None:
        """A symbolic link to *target*."""
        self._entries[name] = b"L" + target.encode("utf-8", "surrogateescape")

    def file(self, name: str, *, executable: bool, digest: bytes) -> None:
        """A regular file with this SHA-256 *digest* of its bytes; a later one replaces it."""
        self._entries[name] = (b"X" if executable else b"F") + digest

    def hexdigest(self) -> str:
        """The digest of the tree gathered so far."""
        dirs = set(self._dirs)
        for name in (*self._entries, *self._dirs):
            parts = name.split("/")
            dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))
        every = {name: b"D" for name in dirs if name not in self._entries}
        every.update(self._entries)
        digest = sha256(b"graft-sdist-contents-1\0")
        for name in sorted(every):
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + every[name] + b"\0")
        return str(digest.hexdigest())


def _folder(cache: BuiltWheels, contents: str) -> str:
    return os.path.join(cache.root, _INDEX, contents)


def keep_alike(cache: BuiltWheels, contents: str, sha256_hex: str) -> None:
    """Note that the sdist with this sha256 unpacks to *contents* (best effort)."""
    if not _hex(contents) or not _hex(sha256_hex):
        return
    folder = _folder(cache, contents)
    with contextlib.suppress(OSError):
        os.makedirs(folder, exist_ok=True)
        marker = os.path.join(folder, sha256_hex)
        with open(marker, "ab"):
            pass
        os.utime(marker)  # (the newest first: the one a record was last adopted under)


def alike(cache: BuiltWheels, contents: str, source_key: str) -> list[str]:
    """The source keys of the other sdists known to unpack to *contents*, the latest first.

    Each is checked against its kept facts, which must name the same *contents*.
    """
    folder = _folder(cache, contents)
    try:
        names = [n for n in os.listdir(folder) if _hex(n) and sdist_key(n) != source_key]
    except OSError:
        return []
    stamped: list[tuple[float, str]] = []
    for name in names:
        with contextlib.suppress(OSError):
            stamped.append((os.stat(os.path.join(folder, name)).st_mtime, name))
    stamped.sort(reverse=True)
    found = []
    for _, other in stamped:
        known = cache.known_source(sdist_key(other))
        if known is not None and known.contents == contents:
            found.append(sdist_key(other))
    return found


def earlier_alike(
    cache: BuiltWheels,
    contents: str,
    source_key: str,
    input_key: str,
    target: Target,
    *,
    assessment: Assessment,
    constraints: tuple[str, ...] = (),
) -> Earlier:
    """The recorded builds of another sdist with the same *contents*, judged for *target*.

    As :func:`graft.build.recorded.earlier` judges the sdist's own: the same build inputs,
    the source's current *assessment*, the build *constraints*; the first sdist with a
    reusable record answers, else the first refusal met.
    """
    refused = None
    for other in alike(cache, contents, source_key):
        found = earlier(
            cache,
            other,
            input_key,
            target,
            assessment=assessment,
            constraints=constraints,
        )
        if found.reusable is not None:
            return found
        refused = refused or found.refused
    return Earlier(None, refused)


def _hex(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)  # noqa: PLR2004
