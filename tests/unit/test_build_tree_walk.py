"""The names of a project tree's modules (decision 270): what an editable key and the memo read."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from graft.build.source_key import editable_key
from graft.build.tree_walk import file_names, module_names, names_digest, walked
from graft.resolve.fingerprints import fingerprint

_NAMES = st.sets(
    st.sampled_from(["a.py", "pkg/__init__.py", "pkg/m.py", "src/q/__init__.py", "z/y/x.py"]),
    max_size=5,
)


def _tree(root: Path, names: set[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("X = 1\n")


@settings(max_examples=30, deadline=None)
@given(first=_NAMES, second=_NAMES)
def test_the_digest_changes_exactly_with_the_names(first: set[str], second: set[str]) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        _tree(Path(one), first)
        _tree(Path(two), second)
        assert (module_names(one) == module_names(two)) == (first == second)


def test_contents_other_files_and_build_output_do_not_count(tmp_path: Path) -> None:
    _tree(tmp_path, {"pkg/__init__.py"})
    before = module_names(str(tmp_path))
    (tmp_path / "pkg" / "__init__.py").write_text("X = 2\n")  # an edit: read live
    (tmp_path / "pkg" / "data.json").write_text("{}")
    for ignored in ("build/lib/pkg", ".venv/lib", "dist", "x.egg-info", ".git", "pkg/__pycache__"):
        (tmp_path / ignored).mkdir(parents=True, exist_ok=True)
        (tmp_path / ignored / "mod.py").write_text("")
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "pyvenv.cfg").write_text("")  # a venv inside the project
    (tmp_path / "inner" / "site.py").write_text("")
    assert module_names(str(tmp_path)) == before
    (tmp_path / "pkg" / "new.py").write_text("")
    assert module_names(str(tmp_path)) != before


def test_the_fingerprint_follows_the_names_and_the_editable_key_does_not(tmp_path: Path) -> None:
    """The names are a record's (decision 288): a ``.pth`` editable's key walks nothing."""
    _tree(tmp_path, {"pkg/__init__.py"})
    (tmp_path / "setup.py").write_text("")
    key = editable_key(str(tmp_path))
    seen = fingerprint("modules", str(tmp_path))
    assert seen == module_names(str(tmp_path))
    (tmp_path / "pkg2").mkdir()
    (tmp_path / "pkg2" / "__init__.py").write_text("")
    assert editable_key(str(tmp_path)) == key
    assert fingerprint("modules", str(tmp_path)) != seen
    assert fingerprint("modules", str(tmp_path / "gone")) is None


def test_walked_says_which_directories_the_walk_enters(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    root = str(tmp_path)
    assert walked(root, ".")
    assert walked(root, "src")
    assert walked(root, "src/pkg")
    assert walked(root, "src/build")  # (build output only at the top)
    for left_out in ("build/__editable__.p-1.0", ".git", "x.egg-info", "venv", "src/__pycache__"):
        assert not walked(root, left_out), left_out
    assert not walked(root, "../elsewhere")
    assert not walked(root, "src/../src")


def test_file_names_follow_every_name_but_not_contents(tmp_path: Path) -> None:
    _tree(tmp_path, {"pkg/__init__.py"})
    (tmp_path / "pkg" / "a.txt").write_text("a")
    before, modules = file_names(str(tmp_path)), module_names(str(tmp_path))
    assert before != modules
    (tmp_path / "pkg" / "a.txt").write_text("edited")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "x.txt").write_text("")  # build output
    (tmp_path / ".v.graft-lock").write_text("")  # graft's lock beside a venv in the tree
    assert file_names(str(tmp_path)) == before
    (tmp_path / "pkg" / "b.txt").write_text("")
    assert file_names(str(tmp_path)) != before
    assert module_names(str(tmp_path)) == modules
    assert names_digest("files", str(tmp_path)) == file_names(str(tmp_path))
    assert names_digest("modules", str(tmp_path)) == modules
    assert names_digest("other", str(tmp_path)) is None
    assert names_digest("files", str(tmp_path / "gone")) is None
    assert fingerprint("files", str(tmp_path)) == file_names(str(tmp_path))
