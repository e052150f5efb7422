"""What a venv holds, as a resolution and a sync's summary read it, apart from the no-op path.

Where its distributions are when it was made for another Python (:func:`held_sites`), which
it holds from a URL (PEP 610's ``direct_url.json``: :func:`held_urls`, :func:`held_as`), and
what a project it holds from a directory or a repository says of itself
(:func:`held_metadata`). Read from the venv's ``.dist-info`` directories as
:func:`graft.venv.state.dist_infos` finds them.
"""

from __future__ import annotations

import os

from graft.venv.state import dist_infos


def held_sites(
    site_dirs: tuple[str, ...], version: str, config: dict[str, str] | None
) -> tuple[str, ...]:
    """Where a venv holds its distributions: *site_dirs*, those of Python *version*.

    As the interpreter its pyvenv.cfg *config* names (``version``, uv's ``version_info``) has
    them.

    A venv made for 3.12 being rebuilt for 3.11 holds them in ``lib/python3.12/...``, not
    the new interpreter's ``lib/python3.11/...``; one made by PyPy in ``lib/pypy3.9/...``,
    which its pyvenv.cfg does not tell from CPython's ``lib/python3.9/...`` (nor does
    graft's, pip's or ``python -m venv``'s), so both are named: only one is there. The same
    X.Y (or no venv): *site_dirs* first, then the other implementation's.
    """
    was = (config or {}).get("version") or (config or {}).get("version_info", "")
    old = ".".join(was.split(".")[:2])
    if "." not in old:
        return site_dirs
    out = list(site_dirs) if old == ".".join(version.split(".")[:2]) else []
    for site in site_dirs:
        lib, sep, rest = site.partition("/site-packages")
        parent, _, _ = lib.rpartition("/")
        if sep and parent:
            out += [f"{parent}/{impl}{old}{sep}{rest}" for impl in ("python", "pypy")]
        else:
            out.append(site)
    return tuple(dict.fromkeys(out))


def held_urls(prefix: str, site_dirs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """``{canonical name: (version, URL)}`` of what the venv at *prefix* holds from a URL.

    Each ``.dist-info`` whose ``direct_url.json`` (PEP 610) gives a ``url``: with
    ``archive_info``, a wheel or an sdist installed by URL or ``file:`` path (decision 439);
    with ``dir_info``, a project directory's ``file:`` URL, ``-e URL`` where it is editable;
    with ``vcs_info``, ``git+URL@COMMIT`` (and its ``#subdirectory=``): decision 450.
    """
    import json  # noqa: PLC0415

    found: dict[str, tuple[str, str]] = {}
    for path, key, version in dist_infos(prefix, site_dirs):
        try:
            with open(os.path.join(path, "direct_url.json"), encoding="utf-8") as fh:
                stated = json.load(fh)
        except (OSError, ValueError):
            continue
        where = held_as(stated)
        if where is not None:
            found[key] = (version, where)
    return found


def held_metadata(
    prefix: str, site_dirs: tuple[str, ...], key: str, name: str = "METADATA"
) -> bytes | None:
    """The ``METADATA`` (or *name*) of the distribution *key* (canonical) at *prefix*; None.

    What a project the venv holds from a directory or a repository says of itself, read
    without building it (decision 461); an sdist's ``direct_url.json`` (decision 472).
    """
    for path, found, _ in dist_infos(prefix, site_dirs):
        if found == key:
            try:
                with open(os.path.join(path, name), "rb") as fh:
                    return fh.read()
            except OSError:
                return None
    return None


def held_as(stated: object) -> str | None:
    """The URL a PEP 610 *stated* installed from, as :func:`held_urls` gives it; None: unread."""
    url = stated.get("url") if isinstance(stated, dict) else None
    if not isinstance(stated, dict) or not isinstance(url, str):
        return None
    if isinstance(stated.get("archive_info"), dict):
        return url
    directory = stated.get("dir_info")
    if isinstance(directory, dict) and url.startswith("file:"):
        return f"-e {url}" if directory.get("editable") is True else url
    vcs = stated.get("vcs_info")
    if not isinstance(vcs, dict) or not isinstance(vcs.get("commit_id"), str):
        return None
    kind, commit, sub = vcs.get("vcs"), vcs["commit_id"], stated.get("subdirectory")
    if not isinstance(kind, str):
        return None
    below = f"#subdirectory={sub}" if isinstance(sub, str) else ""
    return f"{kind}+{url.removeprefix(kind + '+')}@{commit}{below}"
