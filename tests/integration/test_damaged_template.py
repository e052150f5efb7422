"""A venv template damaged in graft's cache is made again, never copied (decision 268).

Before, every later venv of that interpreter was made from the damaged copy: a
``pyvenv.cfg`` without ``home``, an activate script of garbage.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graft.venv import skeleton
from graft.venv import template as templates
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


#: One of two syncs finding the template damaged at once, held at the moments that matter by
#: files in a directory both see (argv: its role, the directory)
_RACER = """
import os, sys, time
from graft.venv import skeleton
from graft.venv import template as templates
from graft.venv.interpreter import introspect

role, where = sys.argv[1], sys.argv[2]


def mark(name):
    open(os.path.join(where, name), "w").close()


def wait(*names):
    for _ in range(12000):  # (a bound, so that a lost step fails instead of hanging)
        if any(os.path.exists(os.path.join(where, n)) for n in names):
            return
        time.sleep(0.01)
    sys.exit(f"{role}: never saw {names}")


target = introspect(sys.executable)
if role == "second":  # found it damaged, then let the first make it anew
    intact, discard, calls = templates.intact, templates._discard, []

    def held_intact(path):
        found = intact(path)
        calls.append(found)
        if len(calls) == 1:
            mark("second-checked")
            wait("first-made")
        return found

    def held_discard(home):  # (main put aside the first's new template: held there)
        discard(home)
        mark("second-discarded")
        wait("first-copied")

    templates.intact, templates._discard = held_intact, held_discard
    print(templates.venv_template(target))
    mark("second-done")
else:
    wait("second-checked")
    path = templates.venv_template(target)
    print(path)
    mark("first-made")
    wait("second-discarded", "second-done")
    try:
        skeleton.copy_template(path, os.path.join(where, "copy"), os.path.join(where, "copy"))
    finally:
        mark("first-copied")
"""


def test_two_syncs_finding_the_template_damaged_at_once_both_use_one_made_again(
    tmp_path: Path, cache: Path
) -> None:
    """The second waits for the first's template and uses it (decision 293).

    Before (decision 268's limit): the second put aside the template the first had just
    made, while the first copied it: the first failed (``FileNotFoundError``).
    """
    import subprocess
    import sys

    from graft.venv.interpreter import introspect

    template = templates.venv_template(introspect(sys.executable))
    (Path(template) / "pyvenv.cfg").write_bytes(b"garbage")
    where = tmp_path / "steps"
    where.mkdir()
    racers = {
        role: subprocess.Popen(
            [sys.executable, "-c", _RACER, role, str(where)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in ("second", "first")
    }
    said = {role: proc.communicate(timeout=300) for role, proc in racers.items()}
    for role, proc in racers.items():
        assert proc.returncode == 0, f"{role}: {said[role][1]}"
    assert said["first"][0] == said["second"][0] == f"{template}\n"  # one template
    assert skeleton.intact(template)
    assert (where / "copy" / "pyvenv.cfg").read_text().startswith("home = ")
    assert not (where / "second-discarded").exists()  # the second never put it aside
    assert [n for n in os.listdir(cache / "venv-templates") if n.startswith(".")] == []


def test_a_template_home_cut_short_is_made_again(cache: Path) -> None:
    """A template's directory without its ``pyvenv.cfg`` (a cache cleaned by halves).

    Before (decision 293): taken for no template, the new one's rename onto the directory
    failed, and its path was returned all the same, with no ``pyvenv.cfg`` in it.
    """
    import sys

    from graft.venv.interpreter import introspect

    target = introspect(sys.executable)
    home = Path(templates._template_home(target))
    (home / "graft-venv-template" / "bin").mkdir(parents=True)
    made = templates.venv_template(target)
    assert (Path(made) / "pyvenv.cfg").read_text().startswith("home = ")
    assert skeleton.intact(made)
    assert [n for n in os.listdir(cache / "venv-templates") if n.startswith(".")] == []
