"""Type checkers resolve the same modules, with the same types, in a graft venv as in a flat one.

PEP 561 resolution walks site-packages itself (no import system), so a link farm must look
like a flat install to it too: ``py.typed`` inside the ``jaraco`` namespace, a ``google``
regular package with ``google.protobuf`` grafted in, the azure namespace, and jwt's collision.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .harness import CorpusEnvs, corpus_params
from .wheelcache import set_name

if TYPE_CHECKING:
    from .flatcompare import Labels
    from .venvs import Venv

pytestmark = pytest.mark.e2e

TIMEOUT = 600

# Per set: a module that imports from the set's packages and reveals what they resolve to.
PROGRAMS = {
    "jaraco": """\
import jaraco.classes.properties
import jaraco.functools
import more_itertools
from jaraco.classes.properties import classproperty

reveal_type(jaraco.functools.compose)
reveal_type(jaraco.functools.once)
reveal_type(classproperty)
reveal_type(more_itertools.first)
reveal_locals()
""",
    "google-protobuf": """\
import google
import google.protobuf
import google.protobuf.message
from google.protobuf import json_format

reveal_type(google.protobuf.message.Message.SerializeToString)
reveal_type(json_format.MessageToJson)
reveal_type(google.protobuf.__version__)
""",
    "azure": """\
import azure.core
from azure.core.tracing.ext.opentelemetry_span import OpenTelemetrySpan
from azure.core.pipeline.policies import RetryPolicy
from azure.identity import DefaultAzureCredential

reveal_type(OpenTelemetrySpan)
reveal_type(OpenTelemetrySpan.start)
reveal_type(RetryPolicy.increment)
reveal_type(DefaultAzureCredential.get_token)
reveal_type(azure.core.__version__)
""",
    "jwt": """\
import jwt

reveal_type(jwt.encode)
reveal_type(jwt.decode)
reveal_type(jwt.PyJWKClient)
""",
}

SETS = corpus_params(only=tuple(PROGRAMS))


def normalize(output: str, venv: Venv, program_dir: Path) -> str:
    for root in {str(venv.prefix), os.path.realpath(venv.prefix)}:
        output = output.replace(root, "{prefix}")
    return output.replace(str(program_dir), "{program_dir}")


def write_program(tmp_path: Path, set_file: Path) -> Path:
    program = tmp_path / "program" / "check_resolution.py"
    program.parent.mkdir()
    program.write_text(PROGRAMS[set_name(set_file)], encoding="utf-8")
    return program


def run_mypy(venv: Venv, program: Path, work: Path, env: dict[str, str], *options: str) -> str:
    """mypy from the dev venv, resolving third-party modules through ``venv``'s python."""
    work.mkdir()
    config = work / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")  # not the repo's strict settings
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--python-executable",
            str(venv.python),
            "--cache-dir",
            str(work / "cache"),
            "--no-error-summary",
            "--show-column-numbers",
            "--hide-error-context",
            *options,
            str(program),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        cwd=work,
        env=env,
    )
    if proc.returncode not in (0, 1) or proc.stderr.strip():
        pytest.fail(f"mypy crashed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return f"exit {proc.returncode}\n{normalize(proc.stdout, venv, program.parent)}"


def assert_same_output(outputs: dict[str, str], labels: Labels = ("graft", "flat")) -> None:
    a, b = (outputs[label] for label in labels)
    assert a == b, f"type checker output differs:\n--- {labels[0]}\n{a}\n--- {labels[1]}\n{b}"


@pytest.mark.parametrize("set_file", SETS)
def test_mypy_resolves_like_flat(
    corpus_envs: CorpusEnvs, set_file: Path, graft_venv: Venv, flat_venv: Venv, tmp_path: Path
) -> None:
    """PEP 561 resolution (py.typed decides), and for packages without py.typed (protobuf)
    also ``--follow-untyped-imports``, so their real types are revealed and compared."""
    program = write_program(tmp_path, set_file)
    outputs = {}
    for label, venv in (("graft", graft_venv), ("flat", flat_venv)):
        outputs[label] = run_mypy(venv, program, tmp_path / label, corpus_envs.env(venv))
    # The reference itself must resolve the set's packages, or the comparison proves nothing.
    assert "Revealed type is" in outputs["flat"], outputs["flat"]
    assert "import-not-found" not in outputs["flat"], outputs["flat"]
    if set_name(set_file) != "google-protobuf":  # protobuf ships no py.typed
        assert "import-untyped" not in outputs["flat"], outputs["flat"]
    assert_same_output(outputs)
    if "import-untyped" not in outputs["flat"]:
        return
    followed = {}
    for label, venv in (("graft", graft_venv), ("flat", flat_venv)):
        work = tmp_path / f"{label}-follow-untyped"
        env = corpus_envs.env(venv)
        followed[label] = run_mypy(venv, program, work, env, "--follow-untyped-imports")
    assert "import-untyped" not in followed["flat"], followed["flat"]
    assert 'Revealed type is "Any"' not in followed["flat"], followed["flat"]
    assert_same_output(followed)


def find_pyright() -> str | None:
    """``$GRAFT_PYRIGHT``, or ``pyright`` next to the test interpreter or on PATH."""
    explicit = os.environ.get("GRAFT_PYRIGHT")
    if explicit:
        return explicit
    beside = Path(sys.executable).with_name("pyright")
    if beside.exists():
        return str(beside)
    return shutil.which("pyright")


@pytest.mark.parametrize("set_file", SETS)
def test_pyright_resolves_like_flat(
    corpus_envs: CorpusEnvs, set_file: Path, graft_venv: Venv, flat_venv: Venv, tmp_path: Path
) -> None:
    pyright = find_pyright()
    if pyright is None:
        pytest.skip("pyright not installed (pip install pyright; set GRAFT_PYRIGHT)")
    program = write_program(tmp_path, set_file)
    outputs = {}
    for label, venv in (("graft", graft_venv), ("flat", flat_venv)):
        proc = subprocess.run(
            [pyright, "--pythonpath", str(venv.python), str(program)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            cwd=program.parent,
            env=corpus_envs.env(venv),
        )
        if proc.returncode not in (0, 1):
            pytest.fail(f"pyright failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        outputs[label] = f"exit {proc.returncode}\n{normalize(proc.stdout, venv, program.parent)}"
    assert 'Type of "' in outputs["flat"], outputs["flat"]
    assert_same_output(outputs)
