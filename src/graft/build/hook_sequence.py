"""Two PEP 517 hooks in one backend process: pyproject-hooks' in-process module, driven.

pyproject-hooks runs one interpreter per hook, each importing the backend again (for
setuptools, a run of ``setup.py`` each). :meth:`graft.build.hooks.Backend.requires_then_build`
runs ``get_requires_for_build_wheel`` and then ``build_wheel`` in one interpreter instead:
the sequence script below (standard library only) loads pyproject-hooks' own in-process
module from its file and calls each hook of ``input.json`` in turn, as that module's
``main`` calls one. This module writes the control directory it reads and reads back what
it wrote; the hooks module runs it and judges the answers.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graft.build.project import BuildSystem


def prepared(
    scratch: str, calls: list[list[Any]], system: BuildSystem
) -> tuple[str, str, dict[str, str]]:
    """A control directory in *scratch* for *calls*: (the directory, the script, its environ).

    The environment names *system*'s backend (and its ``backend-path``) as pyproject-hooks'
    own caller names them to its in-process module.
    """
    control = tempfile.mkdtemp(prefix="hooks-", dir=scratch)
    script = os.path.join(control, "graft_hooks_sequence.py")
    with open(script, "w", encoding="utf-8") as fh:
        fh.write(_SEQUENCE)
    with open(os.path.join(control, "input.json"), "w", encoding="utf-8") as fh:
        json.dump(calls, fh)
    environ = {"_PYPROJECT_HOOKS_BUILD_BACKEND": system.backend}
    if system.backend_path:
        environ["_PYPROJECT_HOOKS_BACKEND_PATH_JSON"] = json.dumps(list(system.backend_path))
    return control, script, environ


def outputs(control: str, count: int, log: list[str]) -> list[dict[str, Any] | None]:
    """What each of *count* calls left in *control* (None: nothing readable); warnings to *log*."""
    found = [_read_json(os.path.join(control, f"output-{i}.json")) for i in range(count)]
    for out in found:
        if out is not None:
            log.extend(f"BuildBackendWarning: {w}\n" for w in out.get("warnings", []))
    return found


#: Run by the build interpreter (standard library only): pyproject-hooks' in-process module,
#: loaded from its file, calls each hook of ``input.json`` in turn, writing ``output-N.json``
#: as its ``main`` writes ``output.json``; it stops after a hook the backend lacks.
_SEQUENCE = """\
import json, os, sys, warnings
from importlib.util import module_from_spec, spec_from_file_location

hooks_script, control = sys.argv[1], sys.argv[2]
here = os.path.normcase(os.path.realpath(os.path.dirname(os.path.abspath(__file__))))
sys.path[:] = [p for p in sys.path if os.path.normcase(os.path.realpath(p)) != here]
spec = spec_from_file_location("_graft_pyproject_hooks", hooks_script)
hooks = module_from_spec(spec)
spec.loader.exec_module(hooks)
with open(os.path.join(control, "input.json"), encoding="utf-8") as fh:
    calls = json.load(fh)
for i, (name, kwargs) in enumerate(calls):
    out = {}
    failure = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out["return_val"] = getattr(hooks, name)(**kwargs)
        except hooks.BackendUnavailable as exc:
            out.update(no_backend=True, traceback=exc.traceback, backend_error=exc.message)
        except hooks.HookMissing as exc:
            out.update(hook_missing=True, missing_hook_name=exc.hook_name or name)
        except BaseException as exc:  # the backend's own failure: said once, as Python says it
            out["hook_failed"] = True
            failure = exc
    out["warnings"] = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    with open(os.path.join(control, "output-%d.json" % i), "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    if failure is not None:
        raise failure
    if "return_val" not in out:
        break
"""


def _read_json(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
