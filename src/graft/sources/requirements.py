"""Pinned requirements: command-line specs, wheel paths, and pip-style ``-r`` files.

Until graft has a resolver, every requirement must pin one version
(``name==version``). Requirement files follow pip's syntax: comments, line
continuations, nested ``-r``, per-line ``--hash``, and the global options
``--index-url``, ``--extra-index-url``, ``--find-links`` and ``--no-index``.
"""

from __future__ import annotations

import os
import shlex

from graft.errors import PlanError, SourceError, UsageError
from graft.model.requirements import Inputs, Wanted

_IGNORED_OPTIONS = {"--pre", "--prefer-binary", "--require-hashes", "--no-binary", "--only-binary"}
_VALUE_OPTIONS_IGNORED = {"--trusted-host", "--no-binary", "--only-binary", "--use-feature"}


def parse_spec(text: str, where: str, hashes: frozenset[str] = frozenset()) -> Wanted:
    """A ``name==version`` spec or a path to a ``.whl`` file."""
    if text.endswith(".whl") and ("/" in text or os.path.exists(text)):
        from graft.model.wheelname import (  # noqa: PLC0415
            InvalidWheelFilename,
            parse_wheel_filename,
        )

        try:
            name, version = parse_wheel_filename(os.path.basename(text))[:2]
        except InvalidWheelFilename as exc:
            raise SourceError(
                f"invalid wheel filename ({exc})",
                where=text,
                hint="a wheel is named name-version(-build)?-python-abi-platform.whl",
            ) from None
        if not os.path.isfile(text):
            raise SourceError("no such wheel file", where=f"{where}: {text}")
        return Wanted(name, str(version), frozenset(), hashes, where, path=os.path.abspath(text))
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise UsageError(
            f"cannot parse requirement {text!r} ({exc})",
            where=where,
            hint="use name==version or a path to a .whl file",
        ) from None
    specs = list(req.specifier)
    if (
        req.url
        or len(specs) != 1
        or specs[0].operator not in {"==", "==="}
        or "*" in specs[0].version
    ):
        raise UsageError(
            f"{text!r} is not pinned to one version",
            where=where,
            hint="graft installs pinned sets: write name==version (no resolver yet)",
        )
    return Wanted(
        canonicalize_name(req.name),
        specs[0].version,
        frozenset(req.extras),
        hashes,
        where,
        marker=str(req.marker) if req.marker else None,
    )


def check_one_version_each(wanted: list[Wanted]) -> None:
    """Refuse two requirements that pin one distribution to different versions or files.

    Two different versions, or two different files for it (a pin and a file of the same
    version may go together).

    Each side is named with where it came from, so that the user sees the conflict itself
    rather than what it breaks downstream (a dependency "missing" at the other version).
    """
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    def version(w: Wanted) -> object:
        try:
            return Version(w.version or "")
        except InvalidVersion:
            return w.version

    def location(w: Wanted) -> str | None:
        return w.path or w.url

    first: dict[str, Wanted] = {}
    for w in wanted:
        seen = first.setdefault(w.name, w)
        if version(seen) != version(w) or (
            location(seen) and location(w) and location(seen) != location(w)
        ):
            raise PlanError(
                f"conflicting requirements: {_shown(seen)} ({seen.where})"
                f" and {_shown(w)} ({w.where})",
                where=w.name,
                hint=f"ask for one version of {w.name}",
            )


def _shown(w: Wanted) -> str:
    if w.path is not None or w.url is not None:
        return w.filename or os.path.basename(w.path or w.url or "")
    return f"{w.name}=={w.version}"


def _logical_lines(path: str) -> list[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read().splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read requirements file ({exc.strerror})", where=path) from None
    out: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, line in enumerate(raw, 1):
        if not buffer:
            start = number
        stripped = line.split(" #", 1)[0].split("\t#", 1)[0]
        if stripped.lstrip().startswith("#"):
            stripped = ""
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        if buffer.strip():
            out.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def read_requirements(path: str, inputs: Inputs, _seen: frozenset[str] = frozenset()) -> None:
    """Add the contents of the requirements file *path* to *inputs*."""
    from graft.sources.pylock import is_pylock  # noqa: PLC0415

    if is_pylock(path):
        inputs.pylocks.append(path)
        return
    inputs.files_read.append(path)
    real = os.path.realpath(path)
    if real in _seen:
        raise UsageError("requirements files include each other", where=path)
    base = os.path.dirname(os.path.abspath(path))
    for number, line in _logical_lines(path):
        where = f"{path}:{number}"
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"cannot parse line ({exc})", where=where) from None
        if words[0].startswith("-"):
            _global_option(words, where, base, inputs, _seen | {real})
            continue
        spec_words, hashes = [], set()
        for word in words:
            if word.startswith("--hash="):
                hashes.add(word.removeprefix("--hash="))
            elif word.startswith("-"):
                raise UsageError(f"unsupported per-requirement option {word!r}", where=where)
            else:
                spec_words.append(word)
        spec = " ".join(spec_words)
        if spec.endswith(".whl") and not os.path.isabs(spec):
            local = os.path.join(base, spec)
            spec = local if os.path.exists(local) else spec
        inputs.wanted.append(
            parse_spec(spec, where, frozenset(_check_hash(h, where) for h in hashes))
        )


def _check_hash(value: str, where: str) -> str:
    algorithm, _, digest = value.partition(":")
    if algorithm != "sha256" or len(digest) != 64:  # noqa: PLR2004
        raise UsageError(f"unsupported hash {value!r}", where=where, hint="use --hash=sha256:<hex>")
    return f"sha256:{digest.lower()}"


def _global_option(
    words: list[str], where: str, base: str, inputs: Inputs, seen: frozenset[str]
) -> None:
    option, _, value = words[0].partition("=")
    if not value and len(words) > 1:
        value = words[1]
    if option in {"-r", "--requirement"}:
        nested = value if os.path.isabs(value) else os.path.join(base, value)
        read_requirements(nested, inputs, seen)
    elif option in {"-i", "--index-url"}:
        inputs.index_url = value
    elif option == "--extra-index-url":
        inputs.extra_index_urls.append(value)
    elif option in {"-f", "--find-links"}:
        inputs.find_links.append(value if os.path.isabs(value) else os.path.join(base, value))
    elif option == "--no-index":
        inputs.no_index = True
    elif option in _IGNORED_OPTIONS or option in _VALUE_OPTIONS_IGNORED:
        return
    elif option in {"-c", "--constraint", "-e", "--editable"}:
        raise UsageError(f"{option} is not supported yet", where=where)
    else:
        raise UsageError(f"unknown option {option!r}", where=where)
