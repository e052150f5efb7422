"""What the resolver reads of an index page before any file, kept with the page.

A listing's page may hold thousands of files (numpy's: 4,400; the data roots' 119 pages:
58,000), and a resolution in a new process read every filename three times before choosing
anything: for the versions they state (each parsed and sorted with ``packaging``), for the
tag sets they state (:func:`~graft.resolve.artifacts.stated_tags`), and for the distinct
tag sets and ``requires-python`` values a lock's screening memo keys by. That cost a lock of
the data roots about half a second, and a resolution that takes each project's newest
release reads a few versions of each. So :func:`digest` is made once, when a page is
written, and kept in the page's file (:class:`graft.sources.index.PageDigest`): the versions
newest first as texts (:func:`~graft.resolve.admit.version_groups`, each parsed when first
read), the tag groups (:func:`~graft.resolve.tag_groups.tag_groups`), the ``requires-python``
values. Its stamp names the form and the ``packaging`` release that made it (a version's
order and a tag's expansion are ``packaging``'s): a digest of another stamp is made again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graft.resolve.admit import version_groups
from graft.resolve.tag_groups import tag_groups

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graft.model.requirements import Inputs, Wanted
    from graft.sources.index import PageDigest
    from graft.sources.indexes import Indexes

#: The form of :func:`digest`'s answer; a kept digest of another form is made again.
DIGEST_FORM = 1


def digest(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """What :class:`~graft.resolve.listing.Listing` readers derive from a page's *rows*, as JSON.

    The rows are :meth:`graft.sources.index.Index.rows`': the filename first, the
    ``requires-python`` fourth.
    """
    names = [str(row[0]) for row in rows]
    by_tags, others = tag_groups(names)
    return {
        "versions": [[text, at] for text, _, at in version_groups(names)],
        "tags": [[[list(tags), at] for tags, at in by_tags], others],
        "pythons": list(dict.fromkeys(str(row[3]) for row in rows if row[3])),
    }


def page_digest() -> PageDigest:
    """The digest an index keeps with each page it writes, stamped with its maker."""
    from packaging import __version__  # noqa: PLC0415

    from graft.sources.index import PageDigest  # noqa: PLC0415

    return PageDigest(f"{DIGEST_FORM}/packaging-{__version__}", digest)


def pins(
    inputs: Inputs, envs: Sequence[Mapping[str, str]]
) -> tuple[dict[str, str], tuple[Wanted, ...]]:
    """Each project a ``[tool.uv.sources]`` ``index`` entry keeps to one index: its URL.

    ``inputs.pinned`` whose marker holds in *envs* (a sync's target, a lock's environments;
    :func:`graft.sources.uv_sources.index_pins`, decisions 372, 376): those kept to one index
    in all of them, and (a lock's) those kept in some only, each with its scope as marker.
    """
    if not inputs.pinned:
        return {}, ()
    from graft.sources.uv_sources import index_pins  # noqa: PLC0415

    return index_pins(inputs.pinned, envs)


def indexes(
    inputs: Inputs,
    cache_dir: str,
    *,
    offline: bool,
    strategy: str,
    refresh: bool,
    pinned: Mapping[str, str],
    apart: Sequence[str] = (),
) -> Indexes | None:
    """The indexes the *inputs* name: PyPI by default, None under ``--no-index``.

    Their pages are kept with their digests. A project in *pinned* (:func:`pins`) is asked
    of its index alone; *apart*: the indexes of projects a lock keeps to one in some of its
    environments only (decision 377), asked for nothing else.
    """
    from graft.sources.index import PYPI_SIMPLE  # noqa: PLC0415
    from graft.sources.indexes import Indexes, index_order  # noqa: PLC0415

    if inputs.no_index:
        return None
    urls = index_order(inputs.index_url or PYPI_SIMPLE, inputs.extra_index_urls)
    return Indexes(
        urls,
        cache_dir,
        offline,
        strategy,
        refresh=refresh,
        digest=page_digest(),
        pinned=pinned,
        apart=apart,
    )


__all__ = ["DIGEST_FORM", "digest", "indexes", "page_digest", "pins"]
