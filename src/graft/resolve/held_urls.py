"""A distribution the venv holds from a URL, kept where an index requirement allows it.

``graft sync V 'six @ https://…/six-1.16.0-py2.py3-none-any.whl'``, then ``graft sync V
'six>=1.10'``: uv 0.13.9 (``uv pip install`` and ``uv pip sync``) and pip 26.3 keep the
installed six, its ``direct_url.json`` and all ("Checked 1 package", "Requirement already
satisfied"), where the venv's versions alone would take six 1.16.0 from the index. So
does graft: a requirement the request names without a file, whose project the venv holds
from an archive URL (:func:`graft.resolve.request_policy.held_by_url`) at a version it
admits, is that URL's requirement (decision 439). ``-U`` and ``-P NAME`` take the index's,
as uv's do; so does a constraint, override or exclude that names the project, a
``--hash``, or a ``file:`` URL whose file is gone.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graft.model.request import ResolveRequest
    from graft.model.requirements import Inputs, Wanted


def kept_urls(
    request: ResolveRequest,
    wanted: list[Wanted],
    inputs: Inputs,
    held: dict[str, tuple[str, str]],
) -> list[Wanted]:
    """*wanted*, each requirement that *held*'s distribution meets replaced by its URL's."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.sources.direct_refs import url_requirement  # noqa: PLC0415

    upgraded = {canonicalize_name(n) for n in request.upgrade_packages}
    named = {w.name for w in (*inputs.constraints, *inputs.overrides)}
    left = {*upgraded, *inputs.excludes, *named}
    out: list[Wanted] = []
    for w in wanted:
        version, url = held.get(w.name, ("", ""))
        plain = not (w.path or w.url or w.source or w.hashes or w.editable)
        try:
            admits = plain and SpecifierSet(w.specifier).contains(version, prereleases=True)
        except InvalidSpecifier:
            admits = False
        if not url or not admits or w.name in left or _gone(url):
            out.append(w)
            continue
        kept = url_requirement(
            url, w.name, extras=w.extras, marker=w.marker, where=w.where, hashes=frozenset()
        )
        out.append(dataclasses.replace(kept, requested=w.requested))
    return out


def _gone(url: str) -> bool:
    """Whether *url* is a ``file:`` URL whose file is not there any more."""
    if not url.startswith("file:"):
        return False
    import urllib.parse  # noqa: PLC0415

    return not os.path.isfile(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
