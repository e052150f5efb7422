"""``--build-constraint FILE``: its constraints and every file they were read from.

Each line is a constraint (a project, a version range, a marker: decision 458) or a ``-r`` /
``-c`` line naming another such file, relative to the file that names it, as pip 26.3's and
uv 0.13.9's build constraint files take them (decision 470). The nested files are found by
graft's requirements-file reader (:func:`graft.sources.reqfile.read_requirements`, which
refuses a loop and a nested file it cannot read in one line at the ``-r`` line); each file's
lines are then checked here, any other option line refused as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from graft.errors import UsageError

#: The options naming another file of build constraints.
_NESTING = frozenset({"-r", "--requirement", "-c", "--constraint"})


@dataclass(frozen=True)
class BuildConstraints:
    """The constraint lines' texts, and the files read (the given ones first, then nested)."""

    texts: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


def read_constraints(paths: list[str] | tuple[str, ...]) -> BuildConstraints:
    """The constraints of ``--build-constraint`` *paths* and nested files, each line checked.

    Read once, before anything is resolved or built: a missing file or a line that is no
    requirement is an error naming the file (and line), whether or not a build comes.
    """
    import os  # noqa: PLC0415

    texts: list[str] = []
    files: list[str] = []
    for path in paths:
        texts.extend(_checked(path))  # (the given file's own errors first, as before 470)
        nested = _nested_files(path)
        for other in nested[1:]:
            texts.extend(_checked(other))
        files.extend(os.path.abspath(p) for p in nested)
    return BuildConstraints(tuple(texts), tuple(dict.fromkeys(files)))


def _nested_files(path: str) -> list[str]:
    """*path* and the files its ``-r``/``-c`` lines name, at any depth (reqfile's reading)."""
    from graft.model.requirements import Inputs  # noqa: PLC0415
    from graft.sources.reqfile import read_requirements  # noqa: PLC0415

    inputs = Inputs()
    try:
        read_requirements(path, inputs, constraints=True)
    except UsageError as exc:
        if not exc.hint:
            exc.hint = "a nested -r or -c file holds build constraints too, as pip's and uv's"
        raise
    return list(inputs.files_read)


def _checked(path: str) -> list[str]:
    """*path*'s constraint lines, each checked; its ``-r``/``-c`` lines left to the reader."""
    from graft.build.project import constraint_lines, parse_constraint  # noqa: PLC0415
    from graft.sources.reqlines import is_url  # noqa: PLC0415

    try:
        lines = constraint_lines(path)
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise UsageError(
            f"cannot read the build constraints ({why})",
            where=path,
            hint="--build-constraint takes a constraints file, as pip's and uv's",
        ) from None
    out: list[str] = []
    for number, text in lines:
        option, _, value = text.partition(" ")
        option, eq, joined = option.partition("=")
        if option in _NESTING:
            named = (joined if eq else value).strip()
            if is_url(named) or named == "-":
                raise UsageError(
                    f"a nested build constraint file is a path, not {named!r}",
                    where=f"{path}:{number}",
                    hint="download it beside this file and name it by its path",
                )
            continue
        try:
            parse_constraint(text)
        except UsageError as exc:
            raise UsageError(
                exc.what,
                where=f"{path}:{number}",
                hint="a build constraint is a project and its versions, as setuptools<72,"
                " or -r FILE / -c FILE naming more of them",
            ) from None
        out.append(text)
    return out
