"""What a kept plan or flat form may hold: only what a planner makes (untrusted input).

A kept plan (:mod:`graft.store.plancache`), its flat form (:mod:`graft.plan.flat`'s
:func:`~graft.plan.flat.from_json`) and an incremental change's journal
(:mod:`graft.venv.journal`) are files anyone who can write the store, or the venv's parent,
can edit. Each destination, source, generated file and launcher read back from one is
checked here to be one a planner could have made, or refused with ValueError (TypeError for
a value of the wrong type).

This module imports nothing at run time (not even ``typing``): the fast paths load it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: pypa/installer's launcher body (``installer.scripts._SCRIPT_TEMPLATE``), which the planner
#: renders; ``tests/unit/test_plancache.py`` checks that the two agree.
_LAUNCHER = """\
# -*- coding: utf-8 -*-
import re
import sys
from {module} import {import_name}
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit({func_path}())
"""
#: The only files a planner writes (into a .dist-info), with their fixed content if any.
_GENERATED = {"INSTALLER": b"graft\n", "REQUESTED": b"", "direct_url.json": None}


def checked_dest(dest: object) -> str:
    """A destination of a kept plan, checked to stay inside the venv (ValueError otherwise).

    A kept plan is a file anyone who can write the store can edit; the planner's destinations
    always stay inside.
    """
    if not isinstance(dest, str) or not dest or dest.startswith("/"):
        raise ValueError(dest)
    # no part "", "." or "..": each part lies between two slashes of the framed path (three
    # searches: splitting it into parts cost a change of a venv ~0.4 ms, decision 211)
    framed = f"/{dest}/"
    if "//" in framed or "/./" in framed or "/../" in framed:
        raise ValueError(dest)
    return dest


def checked_dests(dests: list[Any]) -> None:
    """Each of *dests* checked as :func:`checked_dest` checks it: ValueError for one it refuses.

    In one search, not one call each (~4,300 instructions a destination, ~2 M for a flat form
    of 50 distributions: decision 359): the destinations framed (``/a/``) and joined by
    newlines. None of the three parts searched for holds a newline, so a match lies
    within one framed destination (whatever newlines it holds itself), which
    :func:`checked_dest` refuses; and an empty or absolute destination shows ``//``. On a
    match, or a destination that is not a ``str``, each is checked, so that the error is
    :func:`checked_dest`'s.
    """
    try:
        framed = "/" + "/\n/".join(dests) + "/"
    except TypeError:  # (not all of them str)
        framed = "//"
    if "//" in framed or "/./" in framed or "/../" in framed:
        for dest in dests:
            checked_dest(dest)


def checked_source(source: object, entries: str) -> str:
    """Every link and script comes from a store entry (the planner never names anything else)."""
    if not isinstance(source, str) or not source.startswith(entries) or "/../" in source:
        raise ValueError(source)
    return source


def checked_file(dest: str, content: bytes) -> bytes:
    """A kept plan writes only the planner's .dist-info files (never a ``.pth``, say)."""
    directory, _, name = dest.rpartition("/")
    if not directory.endswith(".dist-info") or name not in _GENERATED:
        raise ValueError(dest)
    fixed = _GENERATED[name]
    if fixed is not None and content != fixed:
        raise ValueError(dest)
    return content


def checked_launcher(value: object, body: bytes) -> bytes:
    """A kept launcher's body is exactly what the planner renders for its entry point."""
    if body != expected_launcher_body(checked_text(value)):
        raise ValueError(value)
    return body


def expected_launcher_body(value: str) -> bytes:
    """The launcher body the planner renders for an entry point *value* (``module:attr``).

    ValueError unless both are dotted identifiers, so no value can smuggle code into it.
    """
    module, _, attr = value.split("[", 1)[0].strip().partition(":")
    module, attr = module.strip(), attr.strip()
    dotted = [*module.split("."), *attr.split(".")]
    if not all(part.isidentifier() for part in dotted):
        raise ValueError(value)
    body = _LAUNCHER.format(module=module, import_name=attr.split(".")[0], func_path=attr)
    return body.encode("utf-8")


def checked_text(value: object) -> str:
    """*value*, a ``str`` (TypeError otherwise)."""
    if not isinstance(value, str):
        raise TypeError(value)
    return value
