"""``graft sync``'s builder: sources built by :mod:`graft.builds`, wired by the command line.

The resolution stage asks a :class:`graft.model.request.SourceBuilder` for wheels of the
sources it meets; this one builds them as ``graft build`` does (isolated build environments
made by ``graft sync`` itself, the reuse rule, the built-wheel records) for the one target
of the sync. Build environments resolve their requirements from the sync's own indexes and
find-links; a build requirement is never built from source itself. A recorded build (or
kept metadata) is looked up first, by :mod:`graft.cli.recorded_builds`. The line each build
starts with is :mod:`graft.cli.build_progress`'.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

from graft.cli.build_progress import BuildProgress
from graft.cli.per_project import (
    isolated,
    package_settings,
    sdist_project,
    settings_for,
    unisolated,
)

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from concurrent.futures import Future

    from graft.build.run import BuildEnvironment, BuildRequest
    from graft.cli.build_envs import SharedEnvs
    from graft.model.built import BuiltWheel
    from graft.model.target import Target


class SyncBuilds:
    """Builds (or reuses) wheels of sources for ``graft sync``, with ``graft build``'s rule."""

    def __init__(
        self,
        args: argparse.Namespace,
        chain: tuple[str, ...] = (),
        envs: SharedEnvs | None = None,
        *,
        compile_built: bool = True,
        keep_failed: bool = True,
        run: str | None = None,
    ) -> None:
        self.args = args
        # the sources whose build environments this builder builds for, outermost first:
        # a build requirement only an sdist provides is built too, never one of these
        self.chain = chain
        # builds of build requirements run on the thread that holds the environments' lock
        self.parallel = not chain
        self.settings: tuple[tuple[str, str], ...] = ()
        self.constraints: tuple[str, ...] = ()
        # the --build-constraint files and those their -r/-c lines name (decision 470), the
        # sha256 of the bytes each was read with, the ${NAME}s they expanded, and FILE:LINE
        # of each constraint (decision 476)
        self.constraint_files: tuple[str, ...] = ()
        self.constraint_digests: tuple[tuple[str, str], ...] = ()
        self.constraint_variables: tuple[str, ...] = ()
        self.constraint_wheres: tuple[str, ...] = ()
        if args.config_settings or args.build_constraint:  # checked now, not at a build
            # (imported only then: every sync makes a builder, and most never build)
            from graft.cli.build_cmd import _settings  # noqa: PLC0415
            from graft.cli.build_constraints import read_constraints  # noqa: PLC0415

            self.settings = _settings(args.config_settings)
            read = read_constraints(args.build_constraint)
            self.constraints, self.constraint_files = read.texts, read.files
            self.constraint_digests, self.constraint_wheres = read.digests, read.wheres
            self.constraint_variables = read.variables
        # --config-settings-package's, by project (decision 402): checked now too
        self.package_settings = package_settings(args)
        self.progress = BuildProgress(
            args.quiet or args.json,
            verbose=args.verbose,
            progress=not getattr(args, "no_progress", False),
        )
        # a built wheel's bytecode is compiled as it is stored, since a sync plans with it next
        # (a dry run too); a lock reads only its METADATA
        self.compile = compile_built
        # a failed hook's unpacked sdist, kept for its rerun command; not by a lock (its
        # metadata hooks and its build environments' wheels), which passes such a failure
        # over for the environments it leaves (decision 335)
        self.keep_failed = keep_failed
        # one answer per source and interpreter in a sync: an sdist the resolver read
        # METADATA from is asked for again when it is installed; a build under way in
        # another thread (an early one) is waited for, never started twice
        self._done: dict[tuple[str, str, bool], Future[BuiltWheel]] = {}
        self._done_lock = threading.Lock()
        if envs is None:
            from graft.cli.build_envs import SharedEnvs  # noqa: PLC0415

            envs = SharedEnvs(args)
        self._envs = envs
        # this run, as a kept failure names the run that kept it: a lock's worker processes,
        # forked with this builder, say a failure another one met as it was first said
        self.run = run or f"{os.getpid()}-{time.time_ns()}"

    def options(self) -> tuple[str, ...]:
        """The build options every answer depends on: a resolution memo's key holds them."""
        return (
            f"config-settings={list(self.settings)!r}",
            *(f"package-settings={given!r}" for given in [self.package_settings] if given),
            f"build-constraints={list(self.constraints)!r}",
            f"isolated={not self.args.no_build_isolation}",
            *(f"unisolated={names}" for names in [unisolated(self.args)] if names),
            f"reuse-builds={self.args.reuse_builds}",
        )

    def reads(self) -> tuple[tuple[str, str], ...]:
        """The ``--build-constraint`` files and their nested ones, by their bytes (470).

        And the ``${NAME}`` variables they expanded (decision 476): a stamp whose files are
        unchanged is no answer once one of them is set otherwise.
        """
        files = tuple(("content", path) for path in self.constraint_files)
        return files + tuple(("env", name) for name in self.constraint_variables)

    def read_digests(self) -> tuple[tuple[str, str], ...]:
        """The sha256 of the bytes each file of :meth:`reads` was read with (decision 476)."""
        return self.constraint_digests

    def wheel(self, source: str, target: Target, *, editable: bool = False) -> BuiltWheel:
        """A wheel of *source* for *target*: a recorded build the rule allows, or a new one.

        Answered once per source and interpreter: a second caller (another thread) waits for
        the first one's answer, or its error.
        """
        key = (os.path.abspath(source), target.executable, editable)
        with self._done_lock:
            answer = self._done.get(key)
            mine = answer is None
            if answer is None:
                from concurrent.futures import Future  # noqa: PLC0415

                answer = self._done[key] = Future()
        if not mine:
            return answer.result()
        try:
            built = self._wheel(source, target, editable=editable)
        except BaseException as exc:
            answer.set_exception(exc)
            raise
        answer.set_result(built)
        return built

    def _wheel(self, source: str, target: Target, *, editable: bool) -> BuiltWheel:
        from graft.model.built import BuiltWheel  # noqa: PLC0415

        recorded = self._recorded(source, target, editable=editable)
        if recorded is not None:  # (a reuse builds nothing: no cycle)
            return recorded
        self._no_cycle(source)
        from graft.builds import build_for  # noqa: PLC0415
        from graft.cli.recorded_builds import variable_reads  # noqa: PLC0415

        outcome = build_for(
            self._request(source, target, editable=editable),
            target,
            self._env_maker(source),
            keep_failed=self.keep_failed,
        )
        note = (
            f"{outcome.action} {outcome.filename} for {outcome.interpreter}: {outcome.why};"
            f" source: {outcome.assessment.describe()}"
        )
        if outcome.differences is not None:  # --reuse-builds verify
            found = "; ".join(str(d) for d in outcome.differences) or "no difference"
            note += f"; verify: {found}"
        # what a memo watches: an sdist's build, and a pure project's editable build, are
        # reused while their keys hold (the variables the build reads pick the input key)
        reads = None
        pure = not outcome.assessment.may_differ
        if self.args.reuse_builds != "auto":
            pass
        elif not editable and os.path.isfile(source):
            reads = variable_reads(outcome.assessment)
        elif editable and pure and outcome.left_in_tree is not None:
            from graft.build.intree import editable_reads  # noqa: PLC0415

            left = editable_reads(source, outcome.left_in_tree, outcome.mapped)
            reads = None if left is None else (*left, *variable_reads(outcome.assessment))
        return BuiltWheel(outcome.path, outcome.sha256, note, reads)

    def metadata(self, source: str, target: Target) -> tuple[bytes, str]:
        """The METADATA of a wheel of the sdist *source* for *target*: recorded or prepared.

        An sdist's hooks run in one graft process at a time, so a lock's workers wait for
        one answer (its kept metadata, or its kept failure); a failure is kept, and said
        again while nothing that decides it changed (:mod:`graft.build.failed`, decision 254).
        """
        known = self.known_metadata(source, target)
        if known is not None:
            return known
        from graft.builds import prepare_metadata  # noqa: PLC0415

        self._no_cycle(source)
        request = self._request(source, target, editable=False)
        make = self._env_maker(source)
        if not os.path.isfile(source) or not isolated(self.args, source):  # (none kept: 254)
            return prepare_metadata(request, target, make, keep_failed=self.keep_failed)
        from graft._home import cache_root  # noqa: PLC0415
        from graft.build.cache import BuiltWheels  # noqa: PLC0415
        from graft.build.failed import Asked, metadata_once  # noqa: PLC0415
        from graft.cli.recorded_builds import sdist_sha256  # noqa: PLC0415

        cache, sha = BuiltWheels(cache_root()), sdist_sha256(source)
        settings = self._settings(source)
        asked = Asked(cache, source, sha, target, settings, self.constraints, self.run)
        return metadata_once(
            asked,
            retry=self.args.reuse_builds == "never" or getattr(self.args, "refresh", False),
            known=lambda: self.known_metadata(source, target),
            prepare=lambda: prepare_metadata(request, target, make, keep_failed=self.keep_failed),
            on_wait=lambda: self.progress.waiting_for_hook(source),
        )

    def known_metadata(self, source: str, target: Target) -> tuple[bytes, str] | None:
        """A recorded build's METADATA, or one kept from the hook: without importing builds.

        A wheel of *source* already answered (or being answered: an early build, waited for)
        comes first; a recorded build found here is kept as the answer of :meth:`wheel`.
        """
        recorded = self._answered(source, target)
        if recorded is not None:
            from graft.sources.localwheel import read_local_metadata  # noqa: PLC0415

            return read_local_metadata(recorded.path)[1], recorded.note
        if self.args.reuse_builds == "never" or not os.path.isfile(source):
            return None
        from graft.cli.recorded_builds import kept_metadata  # noqa: PLC0415

        return kept_metadata(
            source,
            target,
            self._settings(source),
            isolated=isolated(self.args, source),
            constraints=self.constraints,
        )

    def recorded(self, source: str, target: Target) -> BuiltWheel | None:
        """:meth:`wheel`'s answer for the sdist *source* where it builds nothing (a dry run)."""
        return self._answered(source, target)

    def _answered(self, source: str, target: Target) -> BuiltWheel | None:
        """:meth:`wheel`'s answer if asked already (its error raised), else a recorded build."""
        key = (os.path.abspath(source), target.executable, False)
        with self._done_lock:
            answer = self._done.get(key)
        if answer is not None:
            return answer.result()
        recorded = self._recorded(source, target, editable=False)
        if recorded is not None:
            from concurrent.futures import Future  # noqa: PLC0415

            with self._done_lock:
                if key not in self._done:
                    self._done[key] = Future()
                    self._done[key].set_result(recorded)
        return recorded

    def _no_cycle(self, source: str) -> None:
        """A source already being built further out needs itself to build: an error."""
        name = sdist_project(source)
        if name in self.chain:
            cycle = " -> ".join((*self.chain[self.chain.index(name) :], name))
            from graft.errors import BuildError  # noqa: PLC0415

            raise BuildError(
                f"build requirement cycle: {cycle}",
                where=source,
                hint="a project whose build needs itself cannot be built from source;"
                " provide a wheel of it (--find-links)",
            )

    def _request(self, source: str, target: Target, *, editable: bool) -> BuildRequest:
        from graft.build.run import BuildRequest  # noqa: PLC0415

        return BuildRequest(
            source=source,
            reuse=self.args.reuse_builds,
            config_settings=self._settings(source),
            isolated=isolated(self.args, source),
            store=self.args.store,
            constraints=self.constraints,
            constraint_wheres=self.constraint_wheres,
            reporter=self.progress,
            editable=editable,
            compile=self.compile,  # compiled while others build: the sync installs it next
            hook_python=self._hook_python(source, target),
        )

    def _settings(self, source: str) -> tuple[tuple[str, str], ...]:
        """The config settings *source* builds with: its project's, then ``-C``'s (402)."""
        return settings_for(source, self.settings, self.package_settings)

    def _hook_python(self, source: str, target: Target) -> str | None:
        """Without build isolation, the venv's own interpreter, if it is *target*'s.

        pip and uv run the hooks in the environment they install into, so that what it
        holds serves the build (setuptools, flit_core, torch for flash-attn). None (the
        target interpreter itself): isolated builds, a venv not made yet or of another
        interpreter, a build requirement's own build.
        """
        venv = getattr(self.args, "venv", None)
        if isolated(self.args, source) or self.chain or not venv:
            return None
        python = os.path.join(os.path.abspath(venv), "bin", "python")
        if not os.path.isfile(os.path.join(venv, "pyvenv.cfg")) or not os.path.isfile(python):
            return None
        if os.path.realpath(python) != os.path.realpath(target.real_executable):
            return None
        return python

    def _recorded(self, source: str, target: Target, *, editable: bool) -> BuiltWheel | None:
        """A recorded build of an sdist file the rule lets serve *target*, found cheaply.

        The warm path: the recorded-build lookup (:mod:`graft.cli.recorded_builds`), without
        importing :mod:`graft.builds`, the evidence scan or the PEP 517 hooks.
        """
        if editable or self.args.reuse_builds != "auto" or not os.path.isfile(source):
            return None
        from graft.cli.recorded_builds import recorded_build  # noqa: PLC0415

        return recorded_build(
            source,
            target,
            self._settings(source),
            isolated=isolated(self.args, source),
            constraints=self.constraints,
        )

    def _env_maker(self, source: str) -> Callable[[Target, tuple[str, ...], str], BuildEnvironment]:
        """The build environments of *source*'s builds, synced with a builder of their own."""
        # a build requirement: the build environment installs it next
        chain = (*self.chain, sdist_project(source))
        inner = SyncBuilds(self.args, chain, self._envs, run=self.run, keep_failed=self.keep_failed)

        def make(target: Target, requires: tuple[str, ...], venv: str) -> BuildEnvironment:
            from graft.cli.build_venv import for_source  # noqa: PLC0415

            return for_source(source, lambda: self._envs.get(target, requires, venv, inner))

        return make
