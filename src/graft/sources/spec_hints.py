"""What a requirement packaging refused most likely meant, for its one-line error.

packaging's words for the common slips (``flask>=``, ``flask=1.0``, ``flask 1.0``,
``flask==1.0 ==2.0``) are its grammar's ("Expected semicolon (after name with no version
specifier) or end"), not what to write. :func:`malformed` reads the text only to choose
what to say: a rewrite it suggests is said only where packaging parses it (decision 441).
packaging stays the parser: one trailing comma (``flask>=1.0,``) it parses is taken, as pip
and uv take it; a comma with no clause on one side of it otherwise (``flask>=1.0,,``,
``flask,``), which all three refuse, is said here (decision 455).
"""

from __future__ import annotations

import re

#: A project name, and extras, as a requirement begins (PEP 508's name, loosely: the
#: parse that matters is packaging's).
_HEAD = re.compile(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?")
_OPERATORS = ("===", "==", "!=", "<=", ">=", "~=", "<", ">")
#: A lone ``=`` (not part of ``==``, ``>=``, ``<=``, ``!=``, ``~=``).
_LONE_EQUALS = re.compile(r"(?<![=!<>~])=(?!=)\s*")
#: The space between two clauses that has no comma.
_NO_COMMA = re.compile(r"(?<=[^\s,])\s+(?=(?:===|==|!=|<=|>=|~=|<|>))")
_ONE_PART = re.compile(r"~=\s*(\d+)")


def malformed(text: str) -> tuple[str, str] | None:
    """(what is wrong, what to write) for a common slip in *text*; None if not one.

    *text* is a requirement packaging refused. The marker after ``;`` is kept as written.
    """
    head = _HEAD.match(text)
    if head is None:
        return None
    name = text[: head.end()].strip()
    rest, semi, marker = text[head.end() :].partition(";")
    rest, tail = rest.strip(), f" ;{marker}" if semi else ""
    if not rest or rest[0] in "@(":
        return None
    slips = (_no_version, _stray_comma, _lone_equals, _no_operator, _no_commas, _one_part)
    return next((said for slip in slips if (said := slip(name, rest, tail))), None)


def _no_version(name: str, rest: str, _tail: str) -> tuple[str, str] | None:
    clauses = [c.strip() for c in rest.split(",")]
    bare = next((c for c in clauses if c in _OPERATORS), None)
    if bare is None:
        return None
    asked = ",".join(c + "VERSION" if c == bare else c for c in clauses if c)
    return (
        f"the operator {bare} has no version after it",
        f"write the version after it ({name}{asked}), or {name} alone for any release",
    )


def _stray_comma(name: str, rest: str, tail: str) -> tuple[str, str] | None:
    clauses = ["".join(c.split()) for c in rest.split(",")]  # (">= 1.0" as ">=1.0")
    kept = [c for c in clauses if c]
    fixed = name + ",".join(kept) + tail
    if len(kept) == len(clauses) or not _parses(fixed):
        return None
    side = "before" if not clauses[0] else "after"
    return (f"a comma has no version clause {side} it", f"write {fixed.strip()}")


def _lone_equals(name: str, rest: str, tail: str) -> tuple[str, str] | None:
    fixed = _LONE_EQUALS.sub("==", rest)
    if fixed == rest or not _parses(name + fixed + tail):
        return None
    return (
        "= is not an operator",
        f"write {name}{fixed} for that release, or another operator: " + " ".join(_OPERATORS[2:]),
    )


def _no_operator(name: str, rest: str, tail: str) -> tuple[str, str] | None:
    if rest[0] in "=!<>~" or not _parses(f"{name}=={rest}{tail}"):
        return None
    return (
        "a version needs an operator before it",
        f"write {name}=={rest} for that release, or {name}>={rest} for it and newer ones",
    )


def _no_commas(name: str, rest: str, tail: str) -> tuple[str, str] | None:
    fixed = _NO_COMMA.sub(",", rest)
    if fixed == rest or not _parses(name + fixed + tail):
        return None
    return ("the version clauses are not separated by commas", f"write {name}{fixed}")


def _one_part(name: str, rest: str, _tail: str) -> tuple[str, str] | None:
    one = next((m for c in rest.split(",") if (m := _ONE_PART.fullmatch(c.strip()))), None)
    if one is None:
        return None
    part = one.group(1)
    return (
        f"~= needs a version of two parts or more, and {one.group(0)} has one",
        f"write {name}~={part}.0 ({part}.0 and newer {part}.x releases), or {name}>={part}",
    )


def _parses(text: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        Requirement(text)
    except InvalidRequirement:
        return False
    return True
