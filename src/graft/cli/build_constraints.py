"""``--build-constraint FILE``: its constraints and every file they were read from.

Each line is a constraint (a project, a version range, a marker: decision 458) or a ``-r`` /
``-c`` line naming another such file, relative to the file that names it, as pip 26.3's and
uv 0.13.9's build constraint files take them (decision 470). Every file is read once, by
graft's requirements-file reader (:func:`graft.sources.reqfile.read_requirements`: its bytes
hashed as read, ``${NAME}`` expanded as pip expands it, a loop and a nested file it cannot
read refused in one line at the ``-r`` line), which shows each line to :func:`_check` before
taking it: any other option line is refused here, as before (decision 476).
"""

from __future__ import annotations

from dataclasses import dataclass

from graft.errors import UsageError

#: The options naming another file of build constraints.
_NESTING = frozenset({"-r", "--requirement", "-c", "--constraint"})


@dataclass(frozen=True)
class BuildConstraints:
    """What the files said, and how they were read.

    *texts*: the constraint lines (``${NAME}`` expanded), each from ``FILE:LINE`` *wheres*;
    *files*: the files read (the given ones first, then nested); *digests*: the sha256 of
    the bytes each was read with (decision 464); *variables*: the ``${NAME}`` they expanded.
    """

    texts: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    wheres: tuple[str, ...] = ()
    digests: tuple[tuple[str, str], ...] = ()
    variables: tuple[str, ...] = ()


def read_constraints(paths: list[str] | tuple[str, ...]) -> BuildConstraints:
    """The constraints of ``--build-constraint`` *paths* and nested files, each line checked.

    Read once, before anything is resolved or built: a missing file or a line that is no
    requirement is an error naming the file (and line), whether or not a build comes.
    """
    import os  # noqa: PLC0415

    from graft.model.requirements import Inputs  # noqa: PLC0415
    from graft.sources.reqfile import read_requirements  # noqa: PLC0415

    lines: list[tuple[str, str]] = []  # (FILE:LINE, constraint)

    def check(where: str, line: str) -> None:
        text = _check(where, line)
        if text is not None:
            lines.append((where, text))

    from graft.sources.reqlines import unwatched  # noqa: PLC0415

    inputs = Inputs()
    for path in paths:
        if unwatched(path):  # (no fingerprint could watch it)
            raise UsageError(
                f"a build constraint file is a path, not {path!r}",
                hint="write it to a file (download a URL's) and name that file",
            )
        try:
            read_requirements(path, inputs, constraints=True, on_line=check)
        except UsageError as exc:
            if exc.what.startswith("cannot read requirements file ("):  # (the given file)
                exc.what = exc.what.replace("requirements file", "the build constraints", 1)
                exc.hint = "--build-constraint takes a constraints file, as pip's and uv's"
            elif exc.what.startswith("cannot read requirements file"):  # (a nested one)
                exc.what = exc.what.replace("requirements file", "build constraint file", 1)
            if not exc.hint:
                exc.hint = "a nested -r or -c file holds build constraints too, as pip's and uv's"
            raise
    return BuildConstraints(
        texts=tuple(text for _, text in lines),
        files=tuple(dict.fromkeys(map(os.path.abspath, inputs.files_read))),
        wheres=tuple(where for where, _ in lines),
        digests=tuple((os.path.abspath(p), d) for p, d in inputs.digests.items()),
        variables=tuple(inputs.variables),
    )


def _check(where: str, text: str) -> str | None:
    """*text*, the line at *where*, as a constraint; None: a ``-r``/``-c`` line (the reader's)."""
    from graft.build.project import parse_constraint  # noqa: PLC0415
    from graft.sources.reqlines import is_url  # noqa: PLC0415

    option, _, value = text.partition(" ")
    option, eq, joined = option.partition("=")
    if option in _NESTING:
        named = (joined if eq else value).strip()
        if is_url(named) or named == "-":
            raise UsageError(
                f"a nested build constraint file is a path, not {named!r}",
                where=where,
                hint="download it beside this file and name it by its path",
            )
        return None
    try:
        parse_constraint(text)
    except UsageError as exc:
        import os  # noqa: PLC0415

        from graft.sources.requirements import VARIABLE  # noqa: PLC0415

        unset = [m.group(0) for m in VARIABLE.finditer(text) if m.group(1) not in os.environ]
        raise UsageError(
            exc.what,
            where=where,
            hint=f"{unset[0]} is not set in the environment: set it, or write its value"
            if unset
            else "a build constraint is a project and its versions, as setuptools<72,"
            " or -r FILE / -c FILE naming more of them",
        ) from None
    return text
