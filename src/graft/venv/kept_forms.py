"""What the full path reads of a kept flat form, apart from the reader the fast paths load.

The store file each ``METADATA`` (or any destination with a suffix) of the venv a kept plan
built comes from (:func:`kept_sources`, for :mod:`graft.venv.held`), and the identities of
the kept RECORD texts a full sync leaves in the replay stamp (:func:`settled_texts`, decision
284). :mod:`graft.venv.kept_flat` reads a kept form for a change or a new venv
(``read_kept``, ``load_texts``), which :mod:`graft.venv.flat` carries out.
"""

from __future__ import annotations

import os

from graft.venv.kept_flat import read_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from graft.plan.flat import Flat


def kept_sources(path: str, store_root: str, suffix: str) -> dict[str, str] | None:
    """The store file of each file the flat form kept at *path* puts at a path ending *suffix*.

    Each it links or copies there (:func:`graft.plan.flat.sources_ending`); None if not fit.
    """
    from graft._jsonc import loads  # noqa: PLC0415
    from graft.plan.flat import sources_ending  # noqa: PLC0415

    try:
        with open(path, encoding="utf-8") as fh:
            raw = loads(fh.read())
        return sources_ending(raw, os.path.join(store_root, "entries") + os.sep, suffix)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def settled_texts(flat: Flat, store_root: str) -> dict[str, str]:
    """``{digest: identity}`` of the kept RECORD texts of *flat* as compiled, and settled.

    *flat* is a plan compiled here, whose texts hash to their names: each kept text that holds
    those bytes and last changed long enough ago.

    What a full sync leaves in the replay stamp, so that the first new venv made from it reads
    them without hashing, as later ones do (:func:`load_texts`' *seen*; decision 284). The
    file's bytes are compared with the compiled text, which hashed to its name when it was
    compiled: no hash here. A text written moments ago (by this sync) is left out, by the
    racy-file rule: the first replay hashes it.
    """
    from graft.store.paths import record_text_file  # noqa: PLC0415

    seen: dict[str, str] = {}
    for digest, text in flat.texts.items():
        try:
            data, identity, settled = read_text(record_text_file(store_root, digest))
        except OSError:
            continue
        if settled and data == text:
            seen[digest] = identity
    return seen
