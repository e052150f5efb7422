"""Failed metadata hooks, kept: not run again while nothing that decides their outcome changed.

In a lock, decision 134's walk leaves a release whose sdist cannot state its dependencies here
for a target of another system and goes down to the next one: ``graft lock PyQt5`` met 29
older sdists whose ``prepare_metadata_for_build_wheel`` fails without ``qmake``, and ran every
one of them again in each lock the lock stamp did not answer, and in each of the lock's
worker processes (decision 254). So a hook that failed is kept beside the sdist's records:
``<cache>/builds/<source key>/<input key>/failed-<digest>.failed``. Its place names what
decides the outcome: the sdist (its sha256), the build inputs of decision 36 (backend, build
requirements, backend-path, config settings, the variables the build reads, isolation), and
in the digest, the interpreter that ran the hook (its file, version, implementation,
free-threading) and the ``--build-constraint`` pins the build environment was made under.
The file holds the error as it was said (what, hint, the backend's output, the rerun
command), when, which run kept it, the build environment the hook ran in, graft's code, and
``PATH`` with the identity of each directory on it.

A kept failure answers (:meth:`Asked.kept`) while graft's code is the same, it is younger than
:data:`KEPT_S` (a newer release of an unpinned build requirement, a network that was down),
and ``PATH`` is the same with every directory on it unchanged (a program installed into one,
or removed, changes the directory: ``qmake`` installed is seen). The caller keeps none
without build isolation (the environment is then the user's interpreter, which graft does
not fingerprint) and asks none under ``--refresh`` or ``--reuse-builds never``. A hook ended
by a signal (^C, the OOM killer) is not kept. Files are untrusted input, read only while they
parse; the lock (:func:`one_at_a_time`) lets one graft process run an sdist's hook while the
others (a lock's workers) wait for its answer, kept metadata or a kept failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graft._sha256 import sha256_hex
from graft.build.source_key import sdist_key
from graft.errors import BuildError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from graft.build.cache import BuiltWheels
    from graft.model.target import Target

#: How long a failure is kept: a day of relocks, then the hook runs again.
KEPT_S = 24 * 3600.0
#: The suffix of a kept failure's file (neither a record's ``.json`` nor ``.prepared``).
SUFFIX = ".failed"
#: At most this much of the backend's output is kept (its end: where the error is).
LOG_KEPT = 256 * 1024
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Failure:
    """One hook's failure as it was said, and what it depended on besides its place."""

    what: str
    hint: str | None
    log: str
    rerun: str | None
    status: int
    build_env: tuple[str, ...]  # the build environment the hook ran in, "name==version"
    at: float  # when it failed (seconds since the epoch)
    run: str  # the run that kept it (a lock's worker processes share their parent's)
    code: int  # graft's code stamp
    path: tuple[tuple[str, str], ...]  # PATH's directories and their identities

    def to_json(self) -> str:
        """The kept form."""
        data = {
            "format": _FORMAT,
            "what": self.what,
            "hint": self.hint,
            "log": self.log,
            "rerun": self.rerun,
            "status": self.status,
            "build_env": list(self.build_env),
            "at": self.at,
            "run": self.run,
            "code": self.code,
            "path": [list(p) for p in self.path],
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Failure:
        """The inverse of :meth:`to_json`; ``ValueError``/``KeyError``/``TypeError`` if bad."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("another format")
        hint, rerun = data["hint"], data["rerun"]
        return cls(
            str(data["what"]),
            None if hint is None else str(hint),
            str(data["log"]),
            None if rerun is None else str(rerun),
            int(data["status"]),
            tuple(str(x) for x in data["build_env"]),
            float(data["at"]),
            str(data["run"]),
            int(data["code"]),
            tuple((str(d), str(i)) for d, i in data["path"]),
        )


def keepable(exc: BuildError) -> bool:
    """Whether *exc* is a hook that ran and failed by itself (not one a signal ended).

    A failure before any hook ran (its build environment could not be made: an index, a
    build requirement) or after (a METADATA of another name) is not kept; only a hook sets
    ``status`` (its rerun command is gone with its unpacked sdist: decision 335).
    """
    return exc.status is not None and exc.status >= 0


def path_facts(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Each directory on ``PATH``, with its device, inode and modification time (or ``-``)."""
    facts = []
    for folder in environ.get("PATH", os.defpath).split(os.pathsep):
        try:
            info = os.stat(folder or os.curdir)
        except OSError:
            facts.append((folder, "-"))
            continue
        facts.append((folder, f"{info.st_dev}:{info.st_ino}:{info.st_mtime_ns}"))
    return tuple(facts)


@dataclass(frozen=True, slots=True)
class Asked:
    """One sdist's metadata hook for one interpreter, as a kept failure is found by.

    Build isolation is implied: without it the caller keeps and asks nothing.
    """

    cache: BuiltWheels
    source: str  # the sdist file, as the error names it
    sha256: str
    target: Target
    settings: tuple[tuple[str, str], ...]  # -C
    constraints: tuple[str, ...]  # --build-constraint pins
    run: str  # this run (see Failure.run)

    def _where(self) -> str | None:
        """The kept failure's file; None while the sdist's facts are not kept (never run)."""
        from graft.build.recorded import known_inputs  # noqa: PLC0415

        known = known_inputs(self.cache, self.source, self.sha256, self.settings, isolated=True)
        if known is None:
            return None
        target = self.target
        parts = [target.real_executable, target.version, target.implementation]
        text = "\0".join([*parts, str(target.gil_disabled), *sorted(self.constraints)])
        name = f"failed-{sha256_hex(text.encode())[:16]}{SUFFIX}"
        return os.path.join(self.cache.inputs_dir(sdist_key(self.sha256), known[1].key()), name)

    def keep(self, exc: BuildError) -> None:
        """Keep *exc*, the hook's failure (best effort; the sdist's facts are kept by now)."""
        from graft._atomic import write_atomic  # noqa: PLC0415
        from graft._home import code_stamp  # noqa: PLC0415

        path = self._where()
        if path is None:
            return
        log = exc.log
        if len(log) > LOG_KEPT:
            left = f"(the first {len(log) - LOG_KEPT} characters of its output not kept)\n"
            log = left + log[-LOG_KEPT:]
        status = exc.status if exc.status is not None else 0
        failure = Failure(
            exc.what,
            exc.hint,
            log,
            exc.rerun,
            status,
            exc.build_env,
            time.time(),
            self.run,
            code_stamp(),
            path_facts(os.environ),
        )
        with contextlib.suppress(OSError):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomic(path, failure.to_json())

    def forget(self) -> None:
        """Remove the failure kept for this hook, if any (it has run again and succeeded)."""
        path = self._where()
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def kept(self, now: float, environ: Mapping[str, str]) -> tuple[Failure | None, str | None]:
        """The failure kept for this hook that still answers; else None and why not (or None).

        Why not, for ``-v``: graft's code changed, it is older than :data:`KEPT_S`, ``PATH``
        changed (its value, or a directory on it).
        """
        from graft._home import code_stamp  # noqa: PLC0415

        path = self._where()
        if path is None:
            return None, None
        try:
            with open(path, encoding="utf-8") as fh:
                failure = Failure.from_json(fh.read())
        except (OSError, ValueError, KeyError, TypeError):
            return None, None
        when = said_at(failure.at)
        if failure.code != code_stamp():
            return None, f"the failure kept from {when} was another graft's"
        if not 0 <= now - failure.at < KEPT_S:
            return None, f"the failure kept from {when} is more than a day old"
        if failure.path != path_facts(environ):
            return None, f"PATH or a directory on it changed since the failure kept from {when}"
        return failure, None


def metadata_once(
    asked: Asked,
    *,
    retry: bool,
    known: Callable[[], tuple[bytes, str] | None],
    prepare: Callable[[], tuple[bytes, str]],
    on_wait: Callable[[], None] | None = None,
) -> tuple[bytes, str]:
    """*prepare*'s METADATA and note, one graft process at a time; a failure kept or said.

    Under the sdist's lock, what another process left meanwhile answers first (*known*:
    kept metadata), then a kept failure that still answers (raised as it was said); under
    *retry* (``--refresh``, ``--reuse-builds never``) only one this run kept (a lock's other
    worker ran the hook again already). Else the hook runs, and its failure is kept
    (:func:`keepable`), or one kept before is forgotten.
    """
    with one_at_a_time(asked.cache, asked.sha256, on_wait):
        answer = known()
        if answer is not None:
            return answer
        found, passed = asked.kept(time.time(), os.environ)
        if found is not None and (not retry or found.run == asked.run):
            raise raised(found, asked.source, asked.run)
        if retry:
            passed = None
        try:
            data, note = prepare()
        except BuildError as exc:
            if keepable(exc):
                asked.keep(exc)
            raise
        asked.forget()
    return data, note if passed is None else f"{note} (run again: {passed})"


def said_at(at: float) -> str:
    """When a failure happened, as its line says it (UTC, to the minute)."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at))


def raised(failure: Failure, where: str, run: str) -> BuildError:
    """The error a kept *failure* is said with: the first one's, and, from an earlier run, so.

    Said by another process of the same run (a lock's worker), it is the first one's line
    unchanged, so the lock says it once. From an earlier run, the line says when it
    failed, that it was remembered, and how to run it again; the rerun command only while
    the unpacked sdist it names is still there.
    """
    what, hint, rerun = failure.what, failure.hint, failure.rerun
    if failure.run != run:
        what = f"{what}; remembered from {said_at(failure.at)} (--refresh runs it again)"
        tree = _rerun_tree(rerun)
        if tree is None or not os.path.isdir(tree):
            hint = "its output is as it was kept"
            if rerun is not None:  # (a lock's failure kept no tree: decision 335)
                hint += "; the unpacked sdist it failed in is gone"
            rerun = None
    return BuildError(
        what,
        where=where,
        hint=hint,
        log=failure.log,
        rerun=rerun,
        status=failure.status,
        build_env=failure.build_env,
        kept_at=failure.at,
    )


def _rerun_tree(rerun: str | None) -> str | None:
    """The directory a rerun command starts in (``cd TREE && ...``, as hooks write it)."""
    if not rerun:
        return None
    import shlex  # noqa: PLC0415

    try:
        words = shlex.split(rerun)
    except ValueError:
        return None
    return words[1] if words[:1] == ["cd"] and words[2:3] == ["&&"] else None


@contextlib.contextmanager
def one_at_a_time(
    cache: BuiltWheels, sha256: str, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the lock of the sdist with this sha256's metadata hooks (across processes)."""
    from graft._fs import flock  # noqa: PLC0415

    folder = cache.source_dir(sdist_key(sha256))
    os.makedirs(folder, exist_ok=True)
    with flock(os.path.join(folder, "metadata.lock"), on_wait):
        yield
