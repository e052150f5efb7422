"""A venv template damaged in graft's cache is made again, never copied (decision 268).

Before, every later venv of that interpreter was made from the damaged copy: a
``pyvenv.cfg`` without ``home``, an activate script of garbage.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graft.venv import skeleton
from tests.conftest import run_graft
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


def _template(cache: Path) -> Path:
    (found,) = cache.glob("venv-templates/*/graft-venv-template")
    return found


@pytest.mark.parametrize(
    ("member", "damage"),
    [
        ("pyvenv.cfg", b"garbage"),
        ("bin/activate", b""),
        ("bin/activate.fish", None),  # removed
        (".graft-template-path", b"/elsewhere"),
    ],
)
def test_a_damaged_template_is_made_again(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    cache: Path,
    member: str,
    damage: bytes | None,
) -> None:
    make_wheel(wheels, "app", "1.0", {"app/__init__.py": "A = 1\n"})
    rest = ("app", "-f", wheels, "--no-index", "--store", store_dir)
    run_graft("sync", tmp_path / "first", *rest)
    good = (tmp_path / "first" / "bin" / "activate").read_text()
    template = _template(cache)
    path = template / member
    if damage is None:
        path.unlink()
    else:
        path.write_bytes(damage)
    for name in ("second", "third"):  # a new venv (the replay's fast path), then a full sync
        venv = tmp_path / name
        run_graft("sync", venv, *rest, *(("--reinstall",) if name == "third" else ()))
        config = (venv / "pyvenv.cfg").read_text()
        assert config.startswith("home = "), config
        assert (venv / "bin" / "activate").read_text() == good.replace("first", name)
        assert (venv / "bin" / "activate.fish").is_file()
        assert not (venv / ".graft-template-sums").exists()
        assert py(venv, "import app, sys; print(app.A, sys.prefix)") == f"1 {venv}"
    assert skeleton.intact(str(_template(cache)))  # (made again, and listed)
    assert not [n for n in os.listdir(template.parent.parent) if n.startswith(".tmp-")]


def test_a_template_without_its_list_is_not_intact(tmp_path: Path) -> None:
    """A template made before the list existed is made again once."""
    template = tmp_path / "t"
    (template / "bin").mkdir(parents=True)
    (template / "pyvenv.cfg").write_text("home = /x\n")
    (template / ".graft-template-path").write_text(str(template))
    (template / "bin" / "python").symlink_to("/usr/bin/python3")
    assert not skeleton.intact(str(template))
    (template / ".graft-template-sums").write_bytes(skeleton._listing(str(template)))
    assert skeleton.intact(str(template))
    (template / "bin" / "python").unlink()
    (template / "bin" / "python").symlink_to("/usr/bin/python2")
    assert not skeleton.intact(str(template))  # a link retargeted
