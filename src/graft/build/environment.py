"""A build's backend in its build environment, made through *make_env*, grown as asked.

The build environment is a venv of the build requirements (``[build-system] requires``,
pinned by the constraints), one per interpreter and set of requirements under
``<cache>/build-envs/``; what ``get_requires_for_build_wheel`` names beyond them (asked once
per process for a source, its inputs and an interpreter) makes a second one. Without build
isolation the backend runs in the target interpreter itself.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from graft.build.hooks import Backend, HookEnv, Kind, config_dict
from graft.build.project import ConstraintClashError, constrain, origin

if TYPE_CHECKING:
    from graft.build.run import BuildEnvironment, Run
    from graft.model.target import Target


#: get_requires_for_build_<kind>'s answers in this process, by source, inputs, interpreter, kind.
_MORE_REQUIRES: dict[tuple[str, str, str, str], tuple[str, ...]] = {}


def backend_for(
    run: Run,
    target: Target,
    tree: str,
    scratch: str,
    *,
    out: str | None = None,
    sdist: bool = False,
) -> tuple[Backend, tuple[str, ...], str | None]:
    """The backend in its build environment (made, then grown by get_requires_for_build_wheel).

    With *out* (a wheel build), the build is attempted in the same backend process as
    ``get_requires_for_build_wheel`` (:meth:`Backend.requires_then_build`); its wheel is
    returned unless the hook named requirements the environment lacked (then it is thrown
    away and the caller builds in the grown environment). Otherwise the third value is None.
    With *sdist*, the environment is grown by ``get_requires_for_build_sdist`` instead.
    """
    request, source = run.request, run.source
    kind: Kind = "sdist" if sdist else "editable" if request.editable else "wheel"
    system = source.project.build_system
    settings = config_dict(request.config_settings)
    if not request.isolated:
        python = request.hook_python or target.executable
        env = HookEnv(python, (), scratch, isolated=False, python_version=target.version)
        return Backend(tree, system, env, source.label, settings), (), None
    requires = constrained(run, system.requires, target.markers)
    made = run.make_env(target, requires, _env_dir(run, target, requires))
    backend = Backend(tree, system, _hook_env(made, scratch, target), source.label, settings)
    asked = (source.key, run.inputs.key(), target.executable, kind)
    answer = _MORE_REQUIRES.get(asked)
    built = None
    if answer is None and out is not None and kind == "wheel":
        said, built = backend.requires_then_build(out)
        answer = _MORE_REQUIRES[asked] = tuple(said)
    elif answer is None:  # the hook's answer is the same for the metadata step and the build
        answer = _MORE_REQUIRES[asked] = tuple(backend.requires(kind))
    more = constrained(run, answer, target.markers)
    extra = tuple(r for r in more if r not in requires and _applies(r, target))
    if extra:
        if built is not None:  # built without them: thrown away
            os.unlink(built)
            built = None
        everything = requires + extra
        made = run.make_env(target, everything, _env_dir(run, target, everything))
        backend = Backend(tree, system, _hook_env(made, scratch, target), source.label, settings)
        backend.log.extend([f"(get_requires_for_build_{kind}: ", ", ".join(extra), ")\n"])
    # (built None, nothing extra: the build after a hook that named requirements failed; the
    # caller builds again through pyproject-hooks, which reports the failure in its words)
    return backend, made.distributions, built


def constrained(
    run: Run, requires: tuple[str, ...], markers: dict[str, str] | None
) -> tuple[str, ...]:
    """*requires* under the build constraints (:func:`constrain`), for a build's *markers*.

    A requirement the constraints leave no version of is one line naming the constraint's
    file and line, and the source whose build requires it.
    """
    try:
        return constrain(requires, run.request.constraints, markers)
    except ConstraintClashError as exc:
        exc.what = f"{exc.what} of {run.source.label}"
        exc.where = origin(run.request.constraints, run.request.constraint_wheres, exc.constraint)
        exc.hint = "loosen the constraint, or build another version of the project"
        raise


def _applies(requirement: str, target: Target) -> bool:
    """Whether a requirement's marker holds for *target* (flit_core answers with extras')."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        marker = Requirement(requirement).marker
    except InvalidRequirement:
        return True  # the environment's sync names it
    return marker is None or marker.evaluate({**target.markers, "extra": ""})


def _hook_env(env: BuildEnvironment, scratch: str, target: Target) -> HookEnv:
    return HookEnv(
        env.python,
        (env.bin_dir,),
        scratch,
        holds=env.distributions,
        python_version=target.version,
    )


def _env_dir(run: Run, target: Target, requires: tuple[str, ...]) -> str:
    """The build environment's venv: one per interpreter, set of requirements and constraints.

    The build constraints pin what the requirements need too (decision 168): an environment
    made under others is another venv, never synced over one another process may build in.
    """
    constraints = run.request.constraints
    pinned = ("constraints", *sorted(constraints)) if constraints else ()
    text = "\0".join([target.real_executable, target.version, *sorted(requires), *pinned])
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    parent = os.path.join(run.cache.cache_dir, "build-envs")
    os.makedirs(parent, exist_ok=True)
    return os.path.join(parent, digest)
