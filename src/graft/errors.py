"""One root error, one subclass per layer.

Every error renders as a single line: what went wrong, where, and what to do.
The CLI prints ``str(error)`` and exits 1; nothing else reaches the user.
"""

from __future__ import annotations


class GraftError(Exception):
    """Base of every error graft reports to a user."""

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.hint = hint
        self.details = details  # more lines, shown with -v (each missing requirement, say)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole, whatever the subclass's ``__init__`` takes (a lock's worker sends it)."""
        return (_restored, (type(self), self.args, self.__dict__))

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.hint:  # (after lines of details, on its own line, as a resolution's)
            text = f"{text}\n  hint: {self.hint}" if "\n" in text else f"{text} ({self.hint})"
        return text


def _restored(
    cls: type[GraftError], args: tuple[object, ...], state: dict[str, object]
) -> GraftError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UsageError(GraftError):
    """Arguments that cannot work together; exit status 2."""


class WheelError(GraftError):
    """A wheel file is malformed, hostile, or disagrees with its RECORD."""


class StoreError(GraftError):
    """The store cannot be read or written as required."""


class TargetError(GraftError):
    """The target interpreter cannot be found or introspected."""


class SourceError(GraftError):
    """A requirement cannot be satisfied from the given sources (files, find-links, index)."""


class PlanError(GraftError):
    """The selected wheels cannot form one environment (collisions, duplicates, missing deps)."""


class MaterializeError(GraftError):
    """The planned environment could not be written to disk."""


class LockFileError(GraftError):
    """A lock file cannot be created where it belongs (*strerror*: the system's reason)."""

    def __init__(self, what: str, *, strerror: str, **kwargs: str | None) -> None:
        super().__init__(what, **kwargs)  # type: ignore[arg-type]
        self.strerror = strerror


class CacheError(GraftError):
    """graft's cache (downloads, venv templates) cannot be written where it is needed."""


def first_line(exc: Exception) -> str:
    """The first line of *exc*'s message (an error of graft's is one line).

    packaging's parse errors draw the text and a caret below their first line.
    """
    return (str(exc).splitlines() or [type(exc).__name__])[0].rstrip()


def path_of(exc: OSError, default: str) -> str:
    """The path an ``OSError`` names, else *default*: never a file descriptor's number.

    An error of an operation on a descriptor (``open(fd)``'s read, ``os.scandir(fd)``) has
    the descriptor as its ``filename``: a line said ``5: cannot read what the venv holds``.
    """
    return exc.filename if isinstance(exc.filename, str) and exc.filename else default


def cache_unwritable(exc: OSError, cache_dir: str) -> CacheError:
    """The one-line error for a cache directory graft must write and cannot (read-only HOME)."""
    return CacheError(
        f"cannot write graft's cache ({exc.strerror or exc}: {exc.filename or cache_dir})",
        where=cache_dir,
        hint="set XDG_CACHE_HOME or GRAFT_CACHE_DIR to a writable directory;"
        " for the store, GRAFT_STORE or --store",
    )


class AllExcluded(Exception):  # noqa: N818 - not an error: the sync ends here, status 0
    """A sync's every requirement is excluded: its venv is left as it was (decision 398).

    Here, not in :mod:`graft.resolve.overrides`, so that every sync can catch it without
    importing that module (and creating its class) on the daily paths.
    """


class VariantError(GraftError):
    """Variant metadata (PEP 825) is malformed, of an unknown schema, or inconsistent."""


class BuildError(GraftError):
    """A source could not be built into a wheel (PEP 517), or built a wrong one.

    ``log`` holds the build's whole captured output (shown in full on failure) and
    ``rerun`` the command that repeats the failing hook by hand. A hook that ran and
    failed also gives its exit ``status`` and the ``build_env`` it ran in (``name==version``,
    sorted; empty without build isolation): what a kept failure records; one said again
    from that record, without running the hook, has ``kept_at``, when it failed (decision 254).
    """

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        details: tuple[str, ...] = (),
        log: str = "",
        rerun: str | None = None,
        status: int | None = None,
        build_env: tuple[str, ...] = (),
        kept_at: float | None = None,
    ) -> None:
        super().__init__(what, where=where, hint=hint, details=details)
        self.log = log
        self.rerun = rerun
        self.status = status  # a hook process's exit status (negative: ended by a signal)
        self.build_env = build_env
        self.kept_at = kept_at


class WrongReleaseError(BuildError):
    """A backend's METADATA or wheel names another release than its sdist's (decision 423).

    The resolver passes such an sdist's release over, as uv marks its version's metadata
    inconsistent and takes another; a named source built so is still refused.
    """
