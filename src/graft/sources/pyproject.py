"""``-r pyproject.toml``: a project's declared requirements, as ``uv pip install -r`` reads them.

``[project].dependencies``, the ``[project.optional-dependencies]`` named by ``--extra`` (an
extra naming the project itself expanded to those extras' requirements), and
the PEP 735 ``[dependency-groups]`` named by ``--group`` (includes resolved by pypa's
``dependency-groups``). The project itself is not installed (name its directory for that:
``graft sync V .`` or ``-e .``). Dependencies only its build backend can say (a project
without ``[project]``: ``setup.py``, poetry-core 1; ``dependencies`` declared ``dynamic``, or
``optional-dependencies`` where extras are asked) are asked of its backend's
``prepare_metadata_for_build_wheel``, as uv asks it (``Inputs.prepared``): by a sync for its
target (``graft.resolve.named_sources.prepared_requirements``), by a lock through the
project's directory (``graft.resolve.prepared_lock``, decision 468).
``--group [PATH:]NAME`` without ``-r pyproject.toml`` reads ``./pyproject.toml`` (or PATH),
as ``pip install --group`` and ``uv pip install --group`` do.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from graft.errors import UsageError, first_line

if TYPE_CHECKING:
    from graft.model.requirements import Inputs, Wanted
    from graft.sources.uv_sources import Sources

    # a requirement line, where it is declared (for messages), and the ``("extra", NAME)``
    # or ``("group", NAME)`` it belongs to (None: ``[project].dependencies``)
    Declared = tuple[str, str, tuple[str, str] | None]


#: ``--all-extras`` among the extras asked of a project's metadata hook (``Inputs.prepared``)
ALL_EXTRAS = ":all:"


def is_pyproject(path: str) -> bool:
    """Whether *path* names a ``pyproject.toml`` (by its file name, as pip and uv decide)."""
    return os.path.basename(path) == "pyproject.toml"


def load(path: str, digests: dict[str, str] | None = None) -> dict[str, Any]:
    """The pyproject.toml at *path*, parsed (a one-line error when it is not valid TOML).

    With *digests* (``Inputs.digests``), the sha256 of the bytes read goes into it.
    """
    from graft._toml import load_toml  # noqa: PLC0415

    return load_toml(path, digests=digests)


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError("expected a list of requirement strings", where=where)
    return list(value)


def read_pyproject(
    path: str,
    inputs: Inputs,
    extras: tuple[str, ...],
    groups: tuple[str, ...],
    *,
    uv_sources: bool = True,
    unread: frozenset[str] = frozenset(),
    all_extras: bool = False,
) -> None:
    """Add what *path* declares (dependencies, the named extras and groups) to *inputs*.

    Each requirement its ``[tool.uv.sources]`` (or its workspace root's) names is the source
    they give, as ``uv pip install -r`` reads it (:func:`sourced`), unless not *uv_sources*
    (or the project is in *unread*, ``--no-sources-package``'s: decision 403).
    *all_extras* (``--all-extras``): every extra it declares, as uv's (decision 387).
    """
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft._toml import project_table  # noqa: PLC0415

    data = load(path, inputs.digests)
    inputs.files_read.append(path)
    project = project_table(data, path)  # (its fields' types checked: decision 267)
    texts: list[Declared] = []
    if project is not None and not _dynamic(project, extras or all_extras):
        deps = _strings(project.get("dependencies", []), f"{path}: [project].dependencies")
        texts += [(d, f"{path}: [project].dependencies", None) for d in deps]
        optional = project.get("optional-dependencies", {})
        if not isinstance(optional, dict):
            raise UsageError("[project.optional-dependencies] is not a table", where=path)
        declared = {canonicalize_name(k): k for k in optional}
        if all_extras:
            extras = tuple(optional)
        for extra in extras:
            if canonicalize_name(extra) not in declared:
                known = ", ".join(sorted(optional)) or "none"
                raise UsageError(f"no extra {extra!r} (declared: {known})", where=path)
        texts += _extras(project.get("name"), optional, extras, path)
    elif project is not None or _is_built(data, path):  # the backend alone knows them
        folder = os.path.dirname(os.path.abspath(path))
        asked = (*extras, ALL_EXTRAS) if all_extras else extras  # (its Provides-Extra, then)
        inputs.prepared.append((folder, path, asked))  # (asked of its metadata hook)
    elif extras:
        raise UsageError("--extra needs a [project] table", where=path)
    texts += _groups(data, path, groups)
    inputs.wanted += sourced(texts, path, inputs, uv_sources=uv_sources, unread=unread)


def sourced(
    texts: list[Declared],
    path: str,
    inputs: Inputs,
    *,
    uv_sources: bool,
    unread: frozenset[str] = frozenset(),
) -> list[Wanted]:
    """Each requirement of the pyproject.toml at *path*, as its ``[tool.uv.sources]`` say.

    *texts*: the requirements with where each is declared (``[project].dependencies``, an
    extra's, a group's). The files read for the sources join ``inputs.files_read`` (an edit
    of a workspace root's sources is an edit of the request), and the requirements an
    ``index`` entry keeps to one index ``inputs.pinned``. Decisions 369, 372.
    """
    from graft.sources.requirements import parse_spec  # noqa: PLC0415

    sources = None
    if uv_sources and texts:
        from graft.sources.uv_sources import sources_of  # noqa: PLC0415

        folder = os.path.dirname(os.path.abspath(path))
        sources = sources_of(folder, unread, digests=inputs.digests)
        inputs.files_read += [p for p in sources.read if p not in inputs.files_read]
    out: list[Wanted] = []
    for text, where, declared in texts:  # (name @ ./lib refused: uv reads it from METADATA)
        plain = parse_spec(text, where, base=None)
        found = _lowered(text, declared, sources) if sources and sources.entries else None
        out += [plain] if found is None else found
        inputs.pinned += [w for w in found or () if w.index is not None]
    return out


def _lowered(text: str, declared: tuple[str, str] | None, sources: Sources) -> list[Wanted] | None:
    """:func:`graft.sources.uv_sources.lowered` of one line, by the table it is declared in."""
    from packaging.requirements import Requirement  # noqa: PLC0415

    from graft.sources.uv_sources import lowered  # noqa: PLC0415

    kind, key = declared or ("", "")
    extra = key if kind == "extra" else None
    group = key if kind == "group" else None
    req = Requirement(text)  # (parsed already by parse_spec)
    return None if req.url else lowered(req, sources, extra=extra, group=group)


def _extras(
    name: object, optional: dict[str, Any], extras: tuple[str, ...], path: str
) -> list[Declared]:
    """The requirements of the named extras, an extra naming the project itself expanded.

    ``all = ["hello[socks,cli]"]`` in project ``hello`` means the requirements of its
    ``socks`` and ``cli`` extras (under the line's marker too), as ``uv pip install -r
    pyproject.toml --extra all`` and a backend's METADATA read it: the project is not asked of
    the index. An extra the project does not declare adds nothing there, as in uv.
    """
    from packaging.markers import Marker  # noqa: PLC0415
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    declared: dict[str, str] = {canonicalize_name(k): k for k in optional}
    own = canonicalize_name(name) if isinstance(name, str) else None
    out: list[Declared] = []
    todo: list[tuple[str, str | None]] = [(canonicalize_name(e), None) for e in extras]
    seen: set[tuple[str, str | None]] = set()  # (an extra, the marker it is asked under)
    while todo:
        extra, under = todo.pop(0)
        key = declared.get(extra)
        if key is None or (extra, under) in seen:
            continue
        seen.add((extra, under))
        where = f"{path}: [project.optional-dependencies].{key}"
        for text in _strings(optional[key], where):
            try:
                req = Requirement(text)
            except InvalidRequirement:
                out.append((text, where, ("extra", key)))  # (parse_spec says why)
                continue
            both = under if req.marker is None else _both(under, str(req.marker))
            if own is not None and canonicalize_name(req.name) == own and not req.url:
                todo += [(canonicalize_name(e), both) for e in sorted(req.extras)]
                continue
            if under is not None:
                req.marker = Marker(both or "")
            out.append((text if under is None else str(req), where, ("extra", key)))
    return out


def _both(under: str | None, marker: str) -> str:
    """A line's *marker* under a self-reference's marker *under*: both must hold."""
    return marker if under is None else f"({under}) and ({marker})"


def _unparsed(table: dict[str, Any], group: str) -> tuple[str, str | None] | None:
    """The first line of *group* (or of a group it includes) packaging cannot parse.

    Said in one line: packaging's own message draws the line and a caret below it. A common
    slip says what is wrong and what to write, as a requirement elsewhere does (decision 455).
    """
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    from graft.sources.spec_hints import malformed  # noqa: PLC0415

    by_name = {canonicalize_name(k): k for k in table}
    todo, seen = [canonicalize_name(group)], set()
    while todo:
        name = by_name.get(todo.pop(0))
        if name is None or name in seen:
            continue
        seen.add(name)
        items = table[name]
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("include-group"), str):
                todo.append(canonicalize_name(item["include-group"]))
            elif isinstance(item, str):
                try:
                    Requirement(item)
                except InvalidRequirement as exc:
                    why, hint = malformed(item) or (first_line(exc), None)
                    return f"cannot parse {item!r} in {name!r} ({why})", hint
    return None


def _dynamic(project: dict[str, Any], extras: object) -> bool:
    """Whether ``[project]`` leaves to its backend what is asked of it (decision 468).

    Its ``dependencies``, or its ``optional-dependencies`` where *extras* are asked: ``dynamic``,
    filled in by the backend (setuptools' ``[tool.setuptools.dynamic]``, hatch's metadata
    hooks), whose metadata hook is asked then, as ``uv pip install -r`` asks it.
    """
    dynamic = project.get("dynamic", ())
    return "dependencies" in dynamic or bool(extras and "optional-dependencies" in dynamic)


def _is_built(data: dict[str, Any], path: str) -> bool:
    """Whether the pyproject.toml at *path*, without ``[project]``, is a project's a backend builds.

    ``[build-system]``, or a ``setup.py`` or ``setup.cfg`` beside it, declares one (uv asks its
    backend for the dependencies); a file of only ``[dependency-groups]`` and tool settings
    declares none.
    """
    if "build-system" in data:
        return True
    folder = os.path.dirname(path)
    return any(os.path.isfile(os.path.join(folder, n)) for n in ("setup.py", "setup.cfg"))


def static_requires_python(directory: str) -> tuple[str, str] | None:
    """The static ``[project].requires-python`` of the project in *directory*, and its file.

    None where the backend alone can say it: no ``pyproject.toml`` (or one that is not
    TOML, which the backend reports), no ``[project]`` table, the field absent or ``dynamic``.
    """
    path = os.path.join(directory, "pyproject.toml")
    if not os.path.isfile(path):
        return None
    from graft._toml import project_table  # noqa: PLC0415
    from graft.errors import GraftError  # noqa: PLC0415

    try:
        project = project_table(load(path), path)
    except GraftError:  # (not TOML, a field of another type: the backend says so)
        return None
    if project is None or "requires-python" in project.get("dynamic", ()):
        return None
    value = project.get("requires-python")
    return (value, path) if isinstance(value, str) else None


def read_groups(
    groups: tuple[str, ...],
    inputs: Inputs,
    *,
    uv_sources: bool = True,
    unread: frozenset[str] = frozenset(),
) -> None:
    """Add the dependency groups named by ``--group [PATH:]NAME`` alone, as pip and uv do.

    Without ``-r pyproject.toml`` (or a lock) a group is read from ``./pyproject.toml``, or
    from the ``pyproject.toml`` its ``PATH:`` names; the project's own dependencies are not.
    """
    by_path: dict[str, list[str]] = {}
    for text in groups:
        path, colon, name = text.rpartition(":")
        if not colon or os.path.basename(path) != "pyproject.toml":
            path, name = "pyproject.toml", text
        by_path.setdefault(path, []).append(name)
    for path, names in by_path.items():
        if not os.path.isfile(path):
            raise UsageError(
                f"--group {names[0]}: no {path} here to read dependency groups from",
                where=os.path.abspath(path),
                hint="run it in the project's directory, or write --group PATH/pyproject.toml:NAME",
            )
        inputs.files_read.append(path)
        texts = _groups(load(path, inputs.digests), path, tuple(names))
        inputs.wanted += sourced(texts, path, inputs, uv_sources=uv_sources, unread=unread)


def _groups(data: dict[str, Any], path: str, groups: tuple[str, ...]) -> list[Declared]:
    """The requirements of each named dependency group, PEP 735 includes resolved."""
    if not groups:
        return []
    import dependency_groups  # noqa: PLC0415

    table = data.get("dependency-groups", {})
    if not isinstance(table, dict):
        raise UsageError("[dependency-groups] is not a table", where=path)
    out: list[Declared] = []
    for group in groups:
        try:
            resolved = dependency_groups.resolve(table, group)
        except LookupError:
            known = ", ".join(sorted(table)) or "none"
            raise UsageError(
                f"no dependency group {group!r} (declared: {known})", where=path
            ) from None
        except (ValueError, TypeError) as exc:  # cycles, malformed includes and lines
            said, hint = (_unparsed(table, group) if "\n" in str(exc) else None) or (None, None)
            raise UsageError(
                f"dependency group {group!r}: {said or first_line(exc)}", where=path, hint=hint
            ) from None
        where = f"{path}: [dependency-groups].{group}"
        out += [(text, where, ("group", group)) for text in resolved]
    return out
