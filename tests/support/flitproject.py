"""A flit_core project directory made in a test: one module of its name, these dependencies."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def flit_project(root: Path, name: str, *deps: str, module: str, tail: str = "") -> Path:
    """*root* as project *name* 0.1: ``name/__init__.py`` holding *module*, then *tail*.

    *tail*: TOML after the ``[project]`` table (an extras table, ``[tool.uv.sources]``).
    """
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text(f'"""{name}."""\n{module}')
    listed = ", ".join(json.dumps(d) for d in deps)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["flit_core>=3.4,<4"]
            build-backend = "flit_core.buildapi"
            [project]
            name = "{name}"
            version = "0.1"
            description = "d"
            dependencies = [{listed}]
            """
        )
        + tail
    )
    return root
