"""PEP 517 hooks, called through ``pyproject-hooks`` in a build interpreter, output captured.

The hooks run in a separate interpreter (a build environment's, or the target's with
``--no-build-isolation``), by the standard-library-only script ``pyproject-hooks`` ships;
nothing of graft runs there. Their output (stdout and stderr, interleaved) is kept and shown
only when a hook fails: in full, with a command that repeats the failing hook by hand.

A build works in a directory of its own: ``out/`` for the wheel and ``tmp/`` as ``TMPDIR``
(and, for an sdist, ``src/`` for the unpacked tree). A hook that leaves anything else in that
directory, or names a wheel that is not a plain file in ``out/``, wrote outside its output
directory: one error, and nothing of it is kept.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from graft.build.hook_warnings import warnings_to
from graft.build.stop import current_stop
from graft.errors import BuildError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graft.build.project import BuildSystem

#: What a hook builds: ``get_requires_for_build_<kind>``, ``build_<kind>``.
Kind = Literal["wheel", "editable", "sdist"]
#: Variables a build environment does not inherit (they would reach outside it).
_ISOLATION_DROPS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH")
#: A failed hook's hint where no rerun command follows it (its unpacked sdist is not kept).
OUTPUT_ONLY = "its whole output is above"
#: A failed hook's hint: the command line prints its output and the rerun command before it
#: (``--json`` gives them as ``log`` and ``rerun``: graft.cli.error_output).
OUTPUT_SHOWN = f"{OUTPUT_ONLY}; rerun it by hand with the command shown"


@dataclass(frozen=True, slots=True)
class HookEnv:
    """Where the hooks run: the interpreter, what goes first on ``PATH``, the scratch dir."""

    python: str
    path_prefix: tuple[str, ...]  # the build environment's bin/ (empty without isolation)
    scratch: str  # TMPDIR for the build
    isolated: bool = True
    holds: tuple[str, ...] = ()  # the build environment's "name==version" (isolated only)
    python_version: str = ""  # the target's X.Y.Z, for a failed hook's hint (decision 424)


class _HookFailedError(Exception):
    """The hook process exited with a failure (the output is in the caller's log)."""

    def __init__(self, cmd: Sequence[str], returncode: int) -> None:
        super().__init__(returncode)
        self.cmd = list(cmd)
        self.returncode = returncode


@dataclass
class Backend:
    """One source tree's backend, called in one :class:`HookEnv`; the log of every call."""

    tree: str
    system: BuildSystem
    env: HookEnv
    label: str  # the source as the user named it, for errors
    config_settings: dict[str, str | list[str]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def _caller(self) -> Any:
        from pyproject_hooks import BuildBackendHookCaller  # noqa: PLC0415

        return BuildBackendHookCaller(
            self.tree,
            self.system.backend,
            backend_path=list(self.system.backend_path) or None,
            runner=self._run,
            python_executable=self.env.python,
        )

    def _environ(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        environ = dict(os.environ)
        if self.env.isolated:
            for name in _ISOLATION_DROPS:
                environ.pop(name, None)
            environ["PYTHONNOUSERSITE"] = "1"
        if self.env.path_prefix:
            environ["PATH"] = os.pathsep.join(
                [*self.env.path_prefix, environ.get("PATH", os.defpath)]
            )
        environ["TMPDIR"] = self.env.scratch
        environ.pop("PIP_REQUIRE_VIRTUALENV", None)
        environ.update(extra or {})
        return environ

    def _run(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        stop = current_stop()
        process = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=self._environ(extra_environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        if stop is not None and not stop.started(process):
            process.kill()  # (stopped before it began: ends at once)
        try:
            output, _ = process.communicate()
        finally:
            if stop is not None:
                stop.ended(process)
        self.log.append(output.decode("utf-8", "replace"))
        if process.returncode != 0:
            raise _HookFailedError(cmd, process.returncode)

    def requires(self, kind: Kind = "wheel") -> list[str]:
        """``get_requires_for_build_wheel`` (``_editable``, ``_sdist``): more build requirements."""
        hook = f"get_requires_for_build_{kind}"
        result: list[str] = self._call(hook, lambda c: getattr(c, hook)(self._settings()))
        return [str(r) for r in result]

    def prepare_metadata(self, directory: str, editable: bool = False) -> str:
        """``prepare_metadata_for_build_wheel`` (or ``_editable``): the ``.dist-info`` path."""
        hook = (
            "prepare_metadata_for_build_editable"
            if editable
            else "prepare_metadata_for_build_wheel"
        )
        name: str = self._call(hook, lambda c: getattr(c, hook)(directory, self._settings()))
        return os.path.join(directory, name)

    def build(self, out_dir: str, editable: bool = False) -> str:
        """``build_wheel`` (or ``build_editable``) into *out_dir*; the wheel's path.

        The wheel must be a plain file directly in *out_dir*, and nothing but *out_dir*,
        the source tree and the scratch directory may have appeared beside *out_dir*.
        """
        hook = "build_editable" if editable else "build_wheel"
        work = os.path.dirname(os.path.abspath(out_dir))
        before = set(os.listdir(work))
        name: str = self._call(hook, lambda c: getattr(c, hook)(out_dir, self._settings()))
        return self._built(out_dir, name, before)

    def build_sdist(self, out_dir: str) -> str:
        """``build_sdist`` into *out_dir*; the sdist's path, checked as :meth:`build` checks."""
        work = os.path.dirname(os.path.abspath(out_dir))
        before = set(os.listdir(work))
        name: str = self._call("build_sdist", lambda c: c.build_sdist(out_dir, self._settings()))
        return self._built(out_dir, name, before, "sdist")

    def requires_then_build(self, out_dir: str) -> tuple[list[str], str | None]:
        """``get_requires_for_build_wheel`` and then ``build_wheel``, in one backend process.

        pyproject-hooks runs one interpreter per hook, each importing the backend again (for
        setuptools, a run of ``setup.py`` each). Here pyproject-hooks' own in-process module
        runs both hooks in one interpreter: the build is attempted in the environment as it
        is. Returns the requirements the first hook named and the wheel's path, or None
        when the build failed after the hook named requirements (the caller then grows the
        environment, if they apply, and builds again; if none applies, the failure is an
        error). A failure of the first hook is an error as from :meth:`requires`.

        The in-process module is pyproject-hooks' private part: a release that changes it
        (the module, its hook functions, its input) leaves no first answer, and then the
        hooks run through the public API, one process each, wheel None (built by the caller).
        """
        from graft.build import hook_sequence  # noqa: PLC0415

        try:
            from pyproject_hooks._in_process import _in_proc_script_path  # noqa: PLC0415
        except ImportError:
            return self.requires(), None

        work = os.path.dirname(os.path.abspath(out_dir))
        before = set(os.listdir(work))
        calls = [
            ["get_requires_for_build_wheel", {"config_settings": self._settings()}],
            ["build_wheel", {"wheel_directory": out_dir, "config_settings": self._settings()}],
        ]
        control, script, environ = hook_sequence.prepared(self.env.scratch, calls, self.system)
        failed: _HookFailedError | None = None
        with _in_proc_script_path() as hooks_script:  # type: ignore[no-untyped-call]
            try:
                self._run([self.env.python, script, str(hooks_script), control], self.tree, environ)
            except _HookFailedError as exc:
                failed = exc
        first, second = hook_sequence.outputs(control, len(calls), self.log)
        if first is not None and first.get("hook_failed"):  # its output is in the log, once
            raise self._failed("get_requires_for_build_wheel", failed)
        if first is None or first.get("no_backend") or first.get("hook_missing"):
            # the backend failed (then pyproject-hooks' own call says so in its words), or
            # this pyproject-hooks' in-process protocol is not the one the sequence knows
            return self.requires(), None
        requires = [str(r) for r in first.get("return_val") or []]
        if failed is not None or second is None or "return_val" not in second:
            if requires:
                return requires, None
            raise self._failed("build_wheel", failed)
        return requires, self._built(out_dir, str(second["return_val"]), before)

    def _failed(self, hook: str, exc: _HookFailedError | None) -> BuildError:
        status = exc.returncode if exc is not None else None
        shown = "?" if status is None else status
        return BuildError(
            f"{hook} of {self.system.backend} failed (exit status {shown})",
            where=self.label,
            hint=self._failure_hint(),
            log="".join(self.log),
            rerun=self.rerun_command(hook),
            status=status,
            build_env=self.env.holds,
        )

    def _failure_hint(self) -> str:
        """A failed hook's hint: where its output is, then any cause it and the environment show.

        (:func:`graft.build.hints.missing_module`: a module its build requirement dropped;
        :func:`~graft.build.hints.removed_module`: one the interpreter's standard library did;
        :func:`~graft.build.hints.missing_header`: a C header the compiler did not find;
        :func:`~graft.build.hints.old_c_api`: a name of an older Python's C API.)
        """
        from graft.build import hints  # noqa: PLC0415 - a failed hook only

        log = "".join(self.log)
        cause = (
            hints.missing_module(log, self.env.holds, self.env.python_version)
            or hints.removed_module(log)
            or hints.missing_header(log, self.env.python_version)
            or hints.old_c_api(log, self.env.python_version)
        )
        return f"{OUTPUT_SHOWN}; {cause}" if cause else OUTPUT_SHOWN

    def _built(self, out_dir: str, name: str, before: set[str], what: str = "wheel") -> str:
        """The wheel (or sdist) *name* the build hook returned, checked (see :meth:`build`)."""
        work = os.path.dirname(os.path.abspath(out_dir))
        after = set(os.listdir(work))
        strays = sorted(after - before)
        path = os.path.join(out_dir, name) if name and os.sep not in name else ""
        suffixes = (".tar.gz", ".zip") if what == "sdist" else (".whl",)
        if strays or not name.endswith(suffixes) or not path or not _plain_file(path):
            said = f"{', '.join(strays)} beside it" if strays else f"its {what} is {name!r}"
            raise BuildError(
                f"the build wrote outside its output directory ({said}); nothing was kept",
                where=self.label,
                hint=f"the backend must write only the {what} it names into the directory given",
                log="".join(self.log),
            )
        return path

    def _settings(self) -> dict[str, str | list[str]] | None:
        return dict(self.config_settings) or None

    def _call(self, hook: str, call: Any) -> Any:
        from pyproject_hooks import BackendUnavailable, HookMissing  # noqa: PLC0415

        try:
            # pyproject-hooks re-raises the backend's warnings here: they belong in the log
            # (a sink per thread: builds run two at a time, and catch_warnings is global)
            with warnings_to(self.log):
                return call(self._caller())
        except _HookFailedError as exc:
            raise BuildError(
                f"{hook} of {self.system.backend} failed (exit status {exc.returncode})",
                where=self.label,
                hint=self._failure_hint(),
                log="".join(self.log),
                rerun=self.rerun_command(hook),
                status=exc.returncode,
                build_env=self.env.holds,
            ) from None
        except BackendUnavailable as exc:
            from graft.build.hints import backend_unavailable  # noqa: PLC0415 - failed only

            self.log.append(exc.traceback)
            what, hint = backend_unavailable(self.system.backend, exc.traceback)
            raise BuildError(
                what,
                where=self.label,
                hint=hint,
                log="".join(self.log),
                rerun=self.rerun_command(hook),
                status=0,  # (the hook process ended, saying the backend would not import)
                build_env=self.env.holds,
            ) from None
        except HookMissing as exc:
            raise BuildError(
                f"the build backend {self.system.backend!r} has no {exc.hook_name} hook",
                where=self.label,
                hint="editable installs need a PEP 660 backend"
                if "editable" in exc.hook_name
                else None,
            ) from None

    def rerun_command(self, hook: str) -> str:
        """A shell command that calls *hook* as the build did, for a person to rerun."""
        module, _, obj = self.system.backend.partition(":")
        target = f"importlib.import_module({module!r})"
        for part in obj.split(".") if obj else ():
            target = f"getattr({target}, {part!r})"
        settings = repr(dict(self.config_settings)) if self.config_settings else "None"
        paths = [os.path.join(self.tree, p) for p in self.system.backend_path]
        code = f"import importlib, sys; sys.path[:0] = {paths!r}; "
        if hook in _WRITES_A_DIRECTORY:
            # Into a new temporary directory, never into the tree: a local project's tree
            # is the user's own directory.
            code += (
                "import tempfile; out = tempfile.mkdtemp(prefix='graft-rerun-'); "
                f"print(out, {target}.{hook}(out, {settings}))"
            )
        else:
            code += f"print({target}.{hook}({settings}))"
        prefix = ""
        if self.env.path_prefix:
            prefix = f"PATH={shlex.quote(os.pathsep.join(self.env.path_prefix))}:$PATH "
        return (
            f"cd {shlex.quote(self.tree)} && {prefix}"
            f"{shlex.quote(self.env.python)} -c {shlex.quote(code)}"
        )


#: The hooks whose first argument is the directory they write into.
_WRITES_A_DIRECTORY = frozenset(
    {
        "build_wheel",
        "build_editable",
        "build_sdist",
        "prepare_metadata_for_build_wheel",
        "prepare_metadata_for_build_editable",
    }
)


def config_dict(pairs: Sequence[tuple[str, str]]) -> dict[str, str | list[str]]:
    """``--config-settings`` pairs as PEP 517 wants them: a key given twice holds a list."""
    out: dict[str, str | list[str]] = {}
    for key, value in pairs:
        seen = out.get(key)
        if seen is None:
            out[key] = value
        elif isinstance(seen, list):
            seen.append(value)
        else:
            out[key] = [seen, value]
    return out


def _plain_file(path: str) -> bool:
    return os.path.isfile(path) and not os.path.islink(path)
