"""Which editable wheels map their modules by name (graft.build.editable_wheel, decision 288).

The shapes are those of the editable wheels graft built with the real backends
(setuptools 75.3.0, hatchling 1.27.0, flit_core 3.10.1): a ``.pth`` naming a source
directory reads a module added at once, anything else maps what its build found.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from graft._fs import file_sha256
from graft.build.assessment import Assessment
from graft.build.cache import BuildInputs, BuiltRecord, BuiltWheels
from graft.build.editable_wheel import changed, linked_sources, mapped, maps_names
from graft.build.intree import editable_reads
from graft.build.recorded import earlier
from graft.build.reuse import Builder
from graft.build.tree_walk import module_names
from graft.venv.foreign import foreign_target

ROOT = "/p/proj"

#: (member, its .pth text or None, whether it maps names), as the backends write them
SHAPES = (
    ("proj-1.0.dist-info/METADATA", None, False),
    ("__editable__.proj-1.0.pth", f"{ROOT}/src\n", False),  # setuptools, src layout
    ("proj.pth", f"{ROOT}", False),  # flit_core: the root
    ("_proj.pth", f"# a comment\n\n{ROOT}/src\n", False),  # hatchling's default
    ("proj/blob.bin", None, False),  # hatchling's force-include: data (decision 272)
    ("proj-1.0.data/scripts/tool.py", None, False),
    ("proj-1.0.data/data/share/proj/thing.txt", None, False),
    ("__editable___proj_1_0_finder.py", None, True),  # setuptools' finder
    ("__editable__.proj-1.0.pth", "import __editable___proj_1_0_finder; x.install()\n", True),
    ("_proj.pth", "import _editable_impl_proj\n", True),  # hatchling's dev-mode-exact
    ("_editable_impl_proj.py", None, True),
    ("__editable__.s-1.0.pth", f"{ROOT}/build/__editable__.s-1.0-py3-none-any\n", True),  # strict
    ("out.pth", "/elsewhere/src\n", True),  # outside the tree
    ("rel.pth", "src\n", True),  # relative to site-packages
    ("venv.pth", f"{ROOT}/.venv/lib\n", True),
    ("up.pth", f"{ROOT}/../other\n", True),
    ("proj-1.0.data/purelib/proj_impl.py", None, True),
    ("proj_native.cpython-312-x86_64-linux-gnu.so", None, True),
    ("proj-1.0.data/data/lib/site.pth", "x\n", True),  # a .pth that is not at the top
)


def _maps(shapes: list[tuple[str, str | None, bool]]) -> bool:
    members = [member for member, _, _ in shapes]
    pth = {member: text for member, text, _ in shapes if text is not None}
    return maps_names(members, pth, ROOT)


@settings(max_examples=80, deadline=None)
@given(chosen=st.lists(st.sampled_from(SHAPES), max_size=4, unique_by=lambda s: s[0]))
def test_a_wheel_maps_names_exactly_when_one_of_its_members_does(
    chosen: list[tuple[str, str | None, bool]],
) -> None:
    assert _maps(chosen) == any(maps for _, _, maps in chosen)


def test_each_shape_alone() -> None:
    for shape in SHAPES:
        assert _maps([shape]) == shape[2], shape


def _wheel(path: Path, members: dict[str, str]) -> str:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return str(path)


def test_what_is_recorded_of_a_tree_follows_its_wheel(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "src" / "proj").mkdir(parents=True)
    (root / "src" / "proj" / "__init__.py").write_text("")
    pth = _wheel(tmp_path / "a.whl", {"proj.pth": f"{root}/src\n", "proj-1.dist-info/RECORD": ""})
    assert mapped(pth, str(root)) == ()
    finder = _wheel(
        tmp_path / "b.whl",
        {"p.pth": "import __editable___p_finder\n", "__editable___p_finder.py": "MAPPING = {}"},
    )
    assert mapped(finder, str(root)) == (("modules", ".", module_names(str(root))),)
    broken = tmp_path / "c.whl"
    broken.write_bytes(b"not a zip")
    assert mapped(str(broken), str(root)) == (("modules", ".", module_names(str(root))),)


def test_changed_says_where_the_names_moved(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    root = str(tmp_path)
    recorded = (("modules", ".", module_names(root)),)
    assert changed(recorded, root) is None
    (tmp_path / "pkg" / "data.json").write_text("{}")  # not a module
    assert changed(recorded, root) is None
    (tmp_path / "pkg2.py").write_text("")
    assert changed(recorded, root) == ("modules", ".")
    now = module_names(root)
    for untrusted in (("other", ".", now), ("modules", "../x", now), ("modules", "build", now)):
        assert changed((untrusted,), root) == untrusted[:2]


def _inputs() -> BuildInputs:
    return BuildInputs("setuptools.build_meta", ("setuptools",), (), (), (), isolated=True)


def test_a_record_that_maps_names_is_reused_only_while_they_hold(tmp_path: Path) -> None:
    tree = tmp_path / "proj"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "__init__.py").write_text("")
    wheel = _wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {"pkg.pth": "import f\n", "f.py": ""})
    sha = file_sha256(wheel)
    cache = BuiltWheels(str(tmp_path / "cache"))
    cache.keep_wheel(wheel, sha)
    names = (("modules", ".", module_names(str(tree))),)
    record = BuiltRecord(
        "editable-abc",
        _inputs().key(),
        "pkg-1.0-py3-none-any.whl",
        sha,
        Builder("cpython", "3.12"),
        Assessment(False, (), ()),
        _inputs(),
        ("setuptools==75.3.0",),
        left_in_tree=(),
        mapped=names,
    )
    assert BuiltRecord.from_json(record.to_json()) == record
    cache.keep_record(record)
    target = foreign_target("3.12", ["linux_x86_64"], "cp")

    def found() -> str | None:
        found = earlier(
            cache, "editable-abc", _inputs().key(), target, str(tree), assessment=record.assessment
        )
        return None if found.reusable else found.refused[1].why if found.refused else "none"

    assert found() is None
    (tree / "pkg" / "new.py").write_text("")
    assert found() == "its wheel maps the tree's modules by name, and the tree's changed"
    reads = editable_reads(str(tree), (), names)
    assert reads is not None
    assert ("modules", str(tree)) in reads
    assert editable_reads(str(tree), (), (("modules", "../x", "d"),)) is None


def test_a_pth_editable_watches_no_names(tmp_path: Path) -> None:
    """A ``.pth`` of source directories: its memo walks nothing (fails before 288)."""
    with tempfile.TemporaryDirectory() as tree:
        (Path(tree) / "setup.py").write_text("")
        reads = editable_reads(tree, ())
        assert reads is not None
        assert [kind for kind, _ in reads if kind == "modules"] == []


def _strict(root: Path, files: list[str]) -> Path:
    """A project whose ``build/`` holds a link tree as setuptools' strict mode makes it."""
    link_tree = root / "build" / "__editable__.pkg-1.0-py3-none-any"
    for rel in files:
        source = root / "src" / rel
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("x\n")
        (link_tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (link_tree / rel).symlink_to(source)
    return link_tree


def test_a_link_tree_has_the_files_of_what_it_links_into_recorded(tmp_path: Path) -> None:
    """Strict mode links package data too: a data file added needs a build (decision 289)."""
    root = tmp_path / "proj"
    link_tree = _strict(root, ["pkg/__init__.py", "pkg/a.txt", "pkg/sub/__init__.py", "one.py"])
    (root / "README.md").write_text("")
    wheel = _wheel(tmp_path / "s.whl", {"__editable__.pkg-1.0.pth": f"{link_tree}\n"})
    recorded = mapped(wheel, str(root))
    assert [(kind, rel) for kind, rel, _ in recorded] == [("modules", "."), ("files", "src")]
    assert changed(recorded, str(root)) is None
    (root / "README.md").write_text("edited")  # contents, and files outside: not watched
    (root / "CHANGES.md").write_text("")
    assert changed(recorded, str(root)) is None
    (root / "src" / "pkg" / "sub" / "b.txt").write_text("b\n")
    assert changed(recorded, str(root)) == ("files", "src")


def test_the_directories_a_link_tree_leads_into_are_the_fewest(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    link_tree = _strict(root, ["pkg/__init__.py", "pkg/a.txt", "pkg/sub/__init__.py"])
    assert linked_sources(str(link_tree), str(root)) == ("src/pkg",)
    (root / "other").mkdir()
    (root / "other" / "o.py").write_text("")
    (link_tree / "o.py").symlink_to(root / "other" / "o.py")
    assert linked_sources(str(link_tree), str(root)) == ("other", "src/pkg")
    (link_tree / "copied.txt").write_text("")  # a copy, not a link: the whole tree
    assert linked_sources(str(link_tree), str(root)) == (".",)
    (link_tree / "copied.txt").unlink()
    (tmp_path / "out.py").write_text("")
    (link_tree / "out.py").symlink_to(tmp_path / "out.py")  # into another tree: the whole
    assert linked_sources(str(link_tree), str(root)) == (".",)
