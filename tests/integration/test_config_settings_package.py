"""uv's ``--config-settings-package NAME:KEY=VALUE``: NAME's builds get those settings (402).

Two sdists, ``demo`` and ``other``, in a find-links directory, each with an in-tree backend
(standard library only) that writes the ``config_settings`` it received into the wheel as
``NAME_settings.json``. What graft's venv holds is compared with what ``uv pip install``
0.13.9 installs from the same directory (where uv is at hand; else that comparison is
left out). uv gives a project's own settings first and ``-C``'s after them, a key
given more than once a list of its values in that order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import run_graft
from tests.support.inbackend import WHEEL_WRITER
from tests.support.sdistmaker import write_sdist

#: a backend that writes the config settings it got into the wheel (``NAME`` set before it)
RECORDING = WHEEL_WRITER + textwrap.dedent(
    """
    import json

    def get_requires_for_build_wheel(config_settings=None):
        return []

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        info = NAME + "-1.0.dist-info/"
        files = {
            NAME + "_settings.json": json.dumps(config_settings or {}).encode(),
            info + "METADATA": f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: 1.0\\n".encode(),
            info + "WHEEL": b"Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\n"
            b"Tag: py3-none-any\\n",
        }
        return write_wheel(wheel_directory, NAME + "-1.0-py3-none-any.whl", files)
    """
)

PYPROJECT = """\
[build-system]
requires = []
build-backend = "backend"
backend-path = ["_backend"]

[project]
name = "{name}"
version = "1.0"
"""

Settings = dict[str, object]


@pytest.fixture
def links(tmp_path: Path) -> Path:
    """``demo`` 1.0's and ``other`` 1.0's sdists, each with the recording backend."""
    folder = tmp_path / "links"
    folder.mkdir()
    for name in ("demo", "other"):
        files = {
            f"{name}-1.0/PKG-INFO": f"Metadata-Version: 2.2\nName: {name}\nVersion: 1.0\n",
            f"{name}-1.0/pyproject.toml": PYPROJECT.format(name=name),
            f"{name}-1.0/_backend/backend.py": f"NAME = {name!r}\n{RECORDING}",
        }
        write_sdist(folder / f"{name}-1.0.tar.gz", files)
    past = time.time() - 60  # not "racy": a sync leaves its memo and stamps
    for item in (*folder.iterdir(), folder):
        os.utime(item, (past, past))
    return folder


def settings(venv: Path) -> dict[str, Settings]:
    """The config settings each project's backend got, by project."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    return {
        name: json.loads((site / f"{name}_settings.json").read_text()) for name in ("demo", "other")
    }


def graft_sync(venv: Path, store: Path, links: Path, *args: str) -> str:
    """``graft sync VENV demo other ARGS`` from *links*; its stderr."""
    return run_graft(
        "sync", venv, "demo", "other", *args, "--no-index", "-f", links, "--store", store
    ).stderr


def uv_settings(tmp_path: Path, links: Path, *args: str) -> dict[str, Settings] | None:
    """What ``uv pip install demo other ARGS`` builds, into a new venv (None: no uv here)."""
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not os.access(uv, os.X_OK):
        return None
    venv = tmp_path / f"uv{len(list(tmp_path.glob('uv*')))}"
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uvcache")}
    env.pop("PIP_FIND_LINKS", None)
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True, env=env)
    run = subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "demo", "other",
         "--no-index", "-f", str(links), *args],
        check=False, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return settings(venv)


#: command lines and what each project's backend gets, as uv 0.13.9 gives it
CASES: list[tuple[tuple[str, ...], dict[str, Settings]]] = [
    (("-C", "a=1", "--config-settings-package", "demo:a=2"),
     {"demo": {"a": ["2", "1"]}, "other": {"a": "1"}}),
    (("-C", "a=1", "--config-settings-package", "demo:a=3"),  # another project value alone
     {"demo": {"a": ["3", "1"]}, "other": {"a": "1"}}),
    (("-C", "a=2", "--config-settings-package", "demo:a=1"),  # (the same pairs, sorted)
     {"demo": {"a": ["1", "2"]}, "other": {"a": "2"}}),
    (("--config-settings-package", "DEMO:b=2", "--config-settings-package", "Other:c=x:y=z",
      "--config-settings-package", "other:c=w"),
     {"demo": {"b": "2"}, "other": {"c": ["x:y=z", "w"]}}),
    (("--config-settings-package", "nothere:x=1"), {"demo": {}, "other": {}}),
]  # fmt: skip


def test_each_project_s_builds_get_its_settings_before_the_global_ones_as_uv_s(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """Each case in one venv, in turn: no memo, stamp or recorded build of another answers.

    The second case differs from the first in demo's own value alone, the third in the
    order of one key's values (the build-input key once sorted them away: demo's wheel of
    the first case was reused); then the first again, its memo recalled, and the second
    into a new venv (the replay stamp's path).
    """
    venv = tmp_path / "v"
    for args, expected in CASES:
        graft_sync(venv, store_dir, links, *args)
        assert settings(venv) == expected, args
        got = uv_settings(tmp_path, links, *args)
        assert got in (None, expected), args
    first, expected = CASES[0]
    graft_sync(venv, store_dir, links, *first)  # (its memo recalled)
    assert settings(venv) == expected
    assert "already in sync" in graft_sync(venv, store_dir, links, *first)
    second, expected = CASES[1]
    graft_sync(tmp_path / "new", store_dir, links, *second)
    assert settings(tmp_path / "new") == expected


@pytest.mark.parametrize("given", ["demo", "demo:a", "demo=a:b", ":a=1", "demo>1:a=1"])
def test_a_value_that_is_not_package_key_value_is_one_line_and_touches_nothing(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path, given: str
) -> None:
    """uv refuses each (clap's ``invalid value``, exit 2); graft says the form, in one line."""
    out = tmp_path / "pylock.toml"
    commands = (
        ("sync", tmp_path / "v", "demo", "--store", store_dir),
        ("lock", "demo", "-o", out),
        ("build", links / "demo-1.0.tar.gz", "-o", tmp_path / "out", "--store", store_dir),
    )
    for command in commands:
        run = run_graft(*command, "--no-index", "-f", links,
                        "--config-settings-package", given, check=False)  # fmt: skip
        assert run.returncode == 2, run.stderr
        (line,) = run.stderr.splitlines()
        assert line.startswith(
            f"graft: error: --config-settings-package takes PACKAGE:KEY=VALUE, not {given!r}"
        ), line
    assert not (tmp_path / "v").exists()
    assert not out.exists()
    assert not (tmp_path / "out").exists()
    assert not store_dir.exists()


def test_graft_build_gives_the_settings_to_the_project_it_names(
    tmp_path: Path, store_dir: Path, cache: Path, links: Path
) -> None:
    """``graft build SRC --config-settings-package NAME:K=V``: SRC's when NAME is its project.

    An sdist's project is its filename's; a directory's, its static ``[project] name``.
    """
    import zipfile

    project = tmp_path / "proj"
    (project / "_backend").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT.format(name="demo"))
    (project / "_backend" / "backend.py").write_text(f"NAME = 'demo'\n{RECORDING}")

    def built(source: Path, *args: str) -> Settings:
        out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}"
        run_graft("build", source, "--wheel", "-o", out, "--store", store_dir, *args)
        with zipfile.ZipFile(out / "demo-1.0-py3-none-any.whl") as zf:
            data: Settings = json.loads(zf.read("demo_settings.json"))
            return data

    for source in (project, links / "demo-1.0.tar.gz"):
        assert built(source, "-C", "k=1", "--config-settings-package", "Demo:k=2") == {
            "k": ["2", "1"]
        }
        assert built(source, "-C", "k=1", "--config-settings-package", "other:k=2") == {"k": "1"}
