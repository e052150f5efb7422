"""The paths of its tree a ``setup.py`` reads, found by parsing it, never by running it.

A ``setup.py`` reads what it likes: ``open("requirements.txt")``, a ``version.py`` it
searches with a regular expression, a ``README.md`` for its ``long_description``. An
editable build keeps what it read then, so the editable key and the memo read those files
too (decision 271). Taken: a string literal alone, the strings of one call joined
(``os.path.join(here, "pkg", "version.py")``), of one ``/`` chain (``Path(here) / "VERSION"``)
and of one f-string (``f"{here}/README.md"``); a module-level name bound once to a string
stands for it (``PKG = "rdpkg"``, then ``os.path.join(here, PKG, "version.py")``); a glob
stands for what it matches (decision 290). What comes first (``here``, ``os.path.dirname
(__file__)``) is where the path starts, the tree.

A read whose path is computed otherwise (a loop's variable, a function's result, a
``glob`` a file may be added to) cannot be known without running the file: it is named
(:func:`computed_reads`) so that ``-v`` says it is not watched. A function's parameter is
not: its callers' literals are taken (``read("README.rst")``).
"""

from __future__ import annotations

import ast
import os

#: A string literal longer than this names no file (a description, a long_description).
_LONGEST = 256
#: Calls that read the path their first argument gives.
_READERS = frozenset({"open", "io.open", "codecs.open", "glob.glob", "glob.iglob", "os.listdir"})
#: What makes a path a pattern.
_GLOB = "*?["
#: Methods that read the path they are called on (``pathlib``).
_READ_METHODS = frozenset({"read_text", "read_bytes", "glob", "rglob", "iterdir"})


def parse(root: str) -> ast.Module | None:
    """The ``setup.py`` of *root* parsed; None if there is none or it does not parse."""
    path = os.path.join(root, "setup.py")
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as fh:
            return ast.parse(fh.read(), path)
    except (SyntaxError, ValueError, OSError):
        return None  # (the backend says what is wrong with it)


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound once, to a string, and nowhere else."""
    bound: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound[node.id] = bound.get(node.id, 0) + 1
    found: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and bound.get(node.targets[0].id) == 1
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found[node.targets[0].id] = node.value.value
    return found


def _fstring(node: ast.JoinedStr, constants: dict[str, str]) -> str | None:
    """An f-string's text where every value is a constant's; a leading value is the start."""
    pieces: list[str] = []
    for index, value in enumerate(node.values):
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            pieces.append(value.value)
        elif (
            isinstance(value, ast.FormattedValue)
            and value.conversion == -1
            and value.format_spec is None
            and isinstance(value.value, ast.Name)
            and value.value.id in constants
        ):
            pieces.append(constants[value.value.id])
        elif index:  # (only where the path starts may it be anything: `{here}/…`)
            return None
    return "".join(pieces) or None


def _text(node: ast.expr, constants: dict[str, str]) -> str | None:
    """The string *node* stands for: a literal, a constant's name, an f-string's; else None."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.JoinedStr):
        return _fstring(node, constants)
    return None


def _divided(node: ast.BinOp) -> list[ast.expr]:
    """The operands of a chain of ``/`` (``Path(here) / "pkg" / "version.py"``), in order."""
    left = node.left
    head = (
        _divided(left) if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Div) else [left]
    )
    return [*head, node.right]


def _parts(node: ast.AST) -> list[ast.expr]:
    """What one path may be joined from: a call's arguments, a ``/`` chain's, *node* alone."""
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _divided(node)
    return [node] if isinstance(node, ast.expr) else []


def _joined(node: ast.AST, constants: dict[str, str]) -> str | None:
    """The path *node* names: the strings of its parts joined (none of them another constant)."""
    parts = _parts(node)
    texts = [_text(p, constants) for p in parts]
    kept = [t for t in texts if t is not None]
    pairs = zip(parts, texts, strict=True)
    strings = all(t is not None for p, t in pairs if isinstance(p, ast.Constant))
    if kept and strings and all(0 < len(t) < _LONGEST for t in kept):
        return "/".join(t.strip("/") for t in kept)
    return None


def named(tree: ast.Module) -> set[str]:
    """The paths (``/``-separated) *tree* names, before any is checked, and its globs.

    A glob only where a listing takes it (``glob.glob(os.path.join(here, "req", "*.txt"))``,
    ``Path(here).glob("*.txt")``): a pattern elsewhere (``package_data``'s ``"*.txt"``) is
    relative to something else.
    """
    constants = _constants(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        name = _joined(node, constants)
        if name is not None and not any(c in name for c in _GLOB):
            names.add(name)
        if isinstance(node, ast.Call) and _lists(node):
            names.update(_globbed(node, constants))
    return names


def _globbed(call: ast.Call, constants: dict[str, str]) -> list[str]:
    """The pattern a listing call takes: ``glob.glob``'s path, ``Path.glob``'s joined to it."""
    path = _read_path(call)
    where = None if path is None else _joined(path, constants)
    method = _dotted(call.func) not in _READERS and isinstance(call.func, ast.Attribute)
    if method and isinstance(call.func, ast.Attribute) and call.func.attr in ("glob", "rglob"):
        pattern = _text(call.args[0], constants) if call.args else None
        if pattern is None:
            return []
        if call.func.attr == "rglob":
            pattern = f"**/{pattern}"
        where = pattern if where is None else f"{where}/{pattern}"
    return [] if where is None or not any(c in where for c in _GLOB) else [where]


def _dotted(node: ast.expr) -> str:
    """``io.open`` of an attribute chain of names, ``open`` of a name; else ``""``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _read_path(call: ast.Call) -> ast.expr | None:
    """The path a call reads: a reader's first argument, a ``pathlib`` read's receiver."""
    if _dotted(call.func) in _READERS:
        return call.args[0] if call.args else None
    if isinstance(call.func, ast.Attribute) and call.func.attr in _READ_METHODS:
        return call.func.value
    return None


def _bound(tree: ast.Module) -> dict[str, ast.expr]:
    """Names bound once in *tree*, by a plain assignment: what they were bound to."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                values[target.id] = node.value
    return {name: value for name, value in values.items() if counts.get(name) == 1}


def _computable(node: ast.expr, known: _Known, given: set[str], depth: int = 0) -> bool:
    """Whether the path *node* is one :func:`named` takes, or a parameter its callers give.

    A name bound once to such a path is one too (``readme = os.path.join(here, "README.md")``
    then ``open(readme)``).
    """
    constants, bound = known
    if isinstance(node, ast.Name) and node.id in given:
        return True
    if isinstance(node, ast.Name) and node.id in bound and depth < 8:  # noqa: PLR2004
        return _computable(bound[node.id], known, set(), depth + 1)
    parts = _parts(node)
    if isinstance(node, ast.Attribute | ast.Subscript) or not parts:
        return False
    texts = [_text(p, constants) for p in parts]
    if isinstance(node, ast.JoinedStr | ast.Constant | ast.Name):
        return texts[0] is not None
    # the first part is where the path starts; the others must be strings graft can read,
    # or parameters (``os.path.join(here, *parts)``: the callers' literals are read)
    return all(
        text is not None or index == 0 or _given(part, given)
        for index, (part, text) in enumerate(zip(parts, texts, strict=True))
    )


def _given(node: ast.expr, given: set[str]) -> bool:
    """Whether *node* is a parameter (or ``*parameter``) its function's callers give."""
    if isinstance(node, ast.Starred):
        node = node.value
    return isinstance(node, ast.Name) and node.id in given


def computed_reads(tree: ast.Module) -> tuple[str, ...]:
    """The reads of *tree* graft cannot follow: ``line N: <the call>``, in line order.

    A path it cannot compute, and every listing (``glob.glob``, ``os.listdir``,
    ``Path.glob``): the files it matches now are read, a file added later is not seen.
    """
    known = (_constants(tree), _bound(tree))
    found: dict[tuple[int, int], str] = {}
    for scope in ast.walk(tree):
        if isinstance(scope, ast.Module):
            given: set[str] = set()
            body: list[ast.AST] = list(scope.body)
        elif isinstance(scope, _SCOPES):
            given = {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)}
            body = list(scope.body) if isinstance(scope.body, list) else [scope.body]
        else:
            continue
        for node in (n for statement in body for n in _own(statement)):
            path = _read_path(node) if isinstance(node, ast.Call) else None
            if path is None:
                continue
            assert isinstance(node, ast.Call)  # noqa: S101 - (for mypy: _read_path took it)
            if _lists(node) or not _computable(path, known, given):
                where = (node.lineno, node.col_offset)
                found[where] = f"line {node.lineno}: {ast.unparse(node)[:60]}"
    return tuple(found[where] for where in sorted(found))


#: What :func:`_computable` knows of a module: its string constants and names bound once.
_Known = tuple[dict[str, str], dict[str, ast.expr]]
#: Where a function's parameters are given by its callers.
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _lists(call: ast.Call) -> bool:
    """Whether *call* lists a directory (a glob, ``os.listdir``, ``Path.iterdir``)."""
    if _dotted(call.func) in ("glob.glob", "glob.iglob", "os.listdir"):
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("glob", "rglob", "iterdir")


def _own(node: ast.AST) -> list[ast.AST]:
    """The nodes of *node*'s scope: what a function or lambda inside holds is its own."""
    if isinstance(node, _SCOPES):
        return []
    found = [node]
    for child in ast.iter_child_nodes(node):
        found += _own(child)
    return found
