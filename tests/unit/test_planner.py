from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from graft.errors import PlanError
from graft.model.record import EntryPoint, OriginSearch, WheelRecord
from graft.plan.planner import plan
from graft.plan.types import (
    CopyFile,
    InstallScript,
    LinkDir,
    LinkFile,
    MakeDir,
    Plan,
    Policy,
    VenvLayout,
    WriteFile,
    WriteLauncher,
    WriteRecord,
)

from .records import LAYOUT, SP, wheel

if TYPE_CHECKING:
    from graft.model.request import LinkMode


def by_dest(p: Plan) -> dict[str, object]:
    return {a.dest: a for a in p.actions}


def test_single_owner_package_is_one_link() -> None:
    w = wheel("alpha", ["alpha/__init__.py", "alpha/sub/mod.py", "alpha/data/x.txt"])
    actions = by_dest(plan([w], LAYOUT))
    link = actions[f"{SP}/alpha"]
    assert isinstance(link, LinkDir)
    assert link.source == f"{w.tree}/alpha"
    assert not any(d.startswith(f"{SP}/alpha/") for d in actions)


def test_dist_info_is_real_with_generated_files() -> None:
    w = wheel("alpha", ["alpha/__init__.py"])
    actions = by_dest(plan([w], LAYOUT))
    base = f"{SP}/alpha-1.0.dist-info"
    assert isinstance(actions[base], MakeDir)
    assert isinstance(actions[f"{base}/METADATA"], LinkFile)
    installer = actions[f"{base}/INSTALLER"]
    assert isinstance(installer, WriteFile)
    assert installer.content == b"graft\n"
    assert isinstance(actions[f"{base}/REQUESTED"], WriteFile)
    record = actions[f"{base}/RECORD"]
    assert isinstance(record, WriteRecord)
    paths = {row.path for row in record.rows}
    assert {"alpha/__init__.py", "alpha", "alpha-1.0.dist-info/RECORD"} <= paths


def test_not_requested_has_no_requested_file() -> None:
    w = wheel("alpha", ["alpha/__init__.py"], requested=False)
    assert f"{SP}/alpha-1.0.dist-info/REQUESTED" not in by_dest(plan([w], LAYOUT))


def test_namespace_shared_by_two_wheels_is_a_real_directory() -> None:
    a = wheel("jaraco-classes", ["jaraco/classes/__init__.py", "jaraco/classes/properties.py"])
    b = wheel("jaraco-functools", ["jaraco/functools/__init__.py"])
    actions = by_dest(plan([a, b], LAYOUT))
    assert isinstance(actions[f"{SP}/jaraco"], MakeDir)
    # each portion one level down, so that pip uninstall of one finds the other's file in
    # jaraco/ and leaves it (decision 131); what lies deeper stays one link
    for portion in ("classes", "functools"):
        assert isinstance(actions[f"{SP}/jaraco/{portion}"], MakeDir)
        assert isinstance(actions[f"{SP}/jaraco/{portion}/__init__.py"], LinkFile)
    assert isinstance(actions[f"{SP}/jaraco/classes/properties.py"], LinkFile)


def test_a_namespace_of_many_portions_exposes_two() -> None:
    portions = [wheel(f"ns-{x}", [f"ns/{x}/__init__.py", f"ns/{x}/sub/m.py"]) for x in "abcd"]
    actions = by_dest(plan(portions, LAYOUT))
    kinds = [type(actions[f"{SP}/ns/{x}"]) for x in "abcd"]
    assert kinds == [MakeDir, MakeDir, LinkDir, LinkDir]  # (decision 131)
    assert all(isinstance(actions[f"{SP}/ns/{x}/sub"], LinkDir) for x in "ab")


def test_regular_package_spanning_wheels_merges_recursively() -> None:
    core = wheel("azure-core", ["azure/core/__init__.py", "azure/core/tracing/__init__.py"])
    plugin = wheel("azure-core-tracing", ["azure/core/tracing/ext/otel.py"])
    actions = by_dest(plan([core, plugin], LAYOUT))
    for real in ("azure", "azure/core", "azure/core/tracing"):
        assert isinstance(actions[f"{SP}/{real}"], MakeDir), real
    assert isinstance(actions[f"{SP}/azure/core/tracing/__init__.py"], LinkFile)
    # pip uninstall azure-core leaves the plugin's file in a copy: it must find it here too,
    # not only azure-core's __init__.py beside a link it does not enter (decision 131)
    assert isinstance(actions[f"{SP}/azure/core/tracing/ext"], MakeDir)
    otel = actions[f"{SP}/azure/core/tracing/ext/otel.py"]
    assert isinstance(otel, LinkFile)
    assert otel.source == f"{plugin.tree}/azure/core/tracing/ext/otel.py"


def test_a_deeper_link_of_the_other_wheel_is_exposed_where_pip_looks() -> None:
    core = wheel("core", ["pkg/__init__.py", "pkg/a.py"])
    plugin = wheel("plugin", ["pkg/plugins/x/deep.py", "pkg/plugins/x/y/z.py"])
    actions = by_dest(plan([core, plugin], LAYOUT))
    assert isinstance(actions[f"{SP}/pkg/plugins"], MakeDir)
    assert isinstance(actions[f"{SP}/pkg/plugins/x"], MakeDir)
    assert isinstance(actions[f"{SP}/pkg/plugins/x/deep.py"], LinkFile)
    assert isinstance(actions[f"{SP}/pkg/plugins/x/y"], LinkDir)
    # alone, the plugin's directory is one link again
    alone = by_dest(plan([plugin], LAYOUT))
    assert isinstance(alone[f"{SP}/pkg"], LinkDir)


def test_identical_files_are_not_a_collision() -> None:
    init = "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
    a = wheel("ns-a", {"ns/__init__.py": init, "ns/a.py": "a"})
    b = wheel("ns-b", {"ns/__init__.py": init, "ns/b.py": "b"})
    p = plan([a, b], LAYOUT, Policy(collisions="error"))
    assert p.collisions == ()
    link = by_dest(p)[f"{SP}/ns/__init__.py"]
    assert isinstance(link, LinkFile)
    assert link.source.startswith(b.tree)  # the later name provides the shared file


def test_collision_winner_is_the_name_that_sorts_last() -> None:
    jwt = wheel("jwt", {"jwt/__init__.py": "jwt", "jwt/only_jwt.py": "x"})
    pyjwt = wheel("pyjwt", {"jwt/__init__.py": "pyjwt", "jwt/only_pyjwt.py": "y"})
    for order in ([jwt, pyjwt], [pyjwt, jwt]):
        p = plan(order, LAYOUT)
        (collision,) = p.collisions
        assert collision.path == f"{SP}/jwt/__init__.py"
        assert collision.winner == "pyjwt==1.0"
        assert collision.losers == ("jwt==1.0",)
        actions = by_dest(p)
        init = actions[f"{SP}/jwt/__init__.py"]
        assert isinstance(init, LinkFile)
        assert init.source.startswith(pyjwt.tree)
        assert f"{SP}/jwt/only_jwt.py" in actions  # the union stays, as with a copying install
        assert f"{SP}/jwt/only_pyjwt.py" in actions


def test_collision_policy_error_refuses_with_both_names() -> None:
    jwt = wheel("jwt", {"jwt/__init__.py": "jwt"})
    pyjwt = wheel("pyjwt", {"jwt/__init__.py": "pyjwt"})
    with pytest.raises(PlanError, match=r"jwt==1\.0 and pyjwt==1\.0"):
        plan([jwt, pyjwt], LAYOUT, Policy(collisions="error"))


def test_file_against_directory_is_a_collision() -> None:
    a = wheel("aaa", {"thing": "file"})
    b = wheel("bbb", {"thing/inner.py": "dir"})
    p = plan([a, b], LAYOUT)
    (collision,) = p.collisions
    assert collision.reason == "file-vs-directory"
    assert collision.winner == "bbb==1.0"
    assert f"{SP}/thing/inner.py" in by_dest(p) or isinstance(by_dest(p)[f"{SP}/thing"], LinkDir)


def test_native_library_keeps_its_path_real() -> None:
    w = wheel(
        "numpyish",
        [
            "numpyish/__init__.py",
            "numpyish/core/_multiarray.cpython-311-x86_64-linux-gnu.so",
            "numpyish/core/api.py",
            "numpyish/linalg/__init__.py",
            "numpyish.libs/libopenblas.so.0",
        ],
    )
    actions = by_dest(plan([w], LAYOUT))
    assert isinstance(actions[f"{SP}/numpyish"], MakeDir)
    assert isinstance(actions[f"{SP}/numpyish/core"], MakeDir)
    so = actions[f"{SP}/numpyish/core/_multiarray.cpython-311-x86_64-linux-gnu.so"]
    assert isinstance(so, LinkFile)
    assert isinstance(actions[f"{SP}/numpyish/linalg"], LinkDir)  # no native code below
    assert isinstance(actions[f"{SP}/numpyish.libs"], MakeDir)
    assert isinstance(actions[f"{SP}/numpyish.libs/libopenblas.so.0"], LinkFile)


NUMPYISH = [
    "numpyish/__init__.py",
    "numpyish/core/_multiarray.cpython-311-x86_64-linux-gnu.so",
    "numpyish/core/api.py",
    "numpyish.libs/libopenblas.so.0",
]
MULTIARRAY = "numpyish/core/_multiarray.cpython-311-x86_64-linux-gnu.so"


def test_origin_into_its_own_wheel_folds() -> None:
    w = wheel("numpyish", NUMPYISH, origins={MULTIARRAY: ("$ORIGIN/../../numpyish.libs",)})
    actions = by_dest(plan([w], LAYOUT))
    assert isinstance(actions[f"{SP}/numpyish"], LinkDir)
    assert isinstance(actions[f"{SP}/numpyish.libs"], LinkDir)


@pytest.mark.parametrize(
    "entry",
    [
        "$ORIGIN/../../../../lib",  # climbs out of site-packages
        "$ORIGIN/../../numpyish.libs/../numpyish.libs",  # ".." after a name
        "$ORIGIN/../../$LIB",  # another token
        "/opt/$ORIGIN/x",  # $ORIGIN not leading
        "$ORIGIN/../..",  # site-packages itself
    ],
)
def test_origin_graft_cannot_follow_keeps_the_path_real(entry: str) -> None:
    w = wheel("numpyish", NUMPYISH, origins={MULTIARRAY: (entry,)})
    actions = by_dest(plan([w], LAYOUT))
    assert isinstance(actions[f"{SP}/numpyish"], MakeDir)
    assert isinstance(actions[f"{SP}/numpyish/core"], MakeDir)
    assert isinstance(actions[f"{SP}/{MULTIARRAY}"], LinkFile)
    assert isinstance(actions[f"{SP}/numpyish.libs"], LinkDir)  # nothing in it looks around


def test_origin_into_another_wheels_directory_keeps_the_path_real() -> None:
    torchish = wheel(
        "torchish",
        ["torchish/__init__.py", "torchish/lib/libtorch_cuda.so"],
        origins={"torchish/lib/libtorch_cuda.so": ("$ORIGIN/../../nvidiaish/cublas/lib",)},
    )
    cublas = wheel("nvidiaish-cublas", ["nvidiaish/cublas/lib/libcublas.so.12"], origins={})
    actions = by_dest(plan([torchish, cublas], LAYOUT))
    assert isinstance(actions[f"{SP}/torchish"], MakeDir)
    assert isinstance(actions[f"{SP}/torchish/lib"], MakeDir)
    assert isinstance(actions[f"{SP}/torchish/__init__.py"], LinkFile)
    assert isinstance(actions[f"{SP}/nvidiaish"], LinkDir)  # one wheel, no $ORIGIN inside


def test_unreadable_native_file_keeps_the_path_real() -> None:
    w = wheel("numpyish", NUMPYISH, origins={})
    record = replace(w.record, origins=(OriginSearch(MULTIARRAY, (), readable=False),))
    actions = by_dest(plan([replace(w, record=record)], LAYOUT))
    assert isinstance(actions[f"{SP}/numpyish/core"], MakeDir)
    assert isinstance(actions[f"{SP}/numpyish.libs"], LinkDir)


def test_pycache_under_a_real_directory_is_real() -> None:
    a = wheel(
        "google",
        ["google/__init__.py"],
        bytecode=frozenset({"google/__pycache__/__init__.cpython-311.pyc"}),
    )
    b = wheel("protobuf", ["google/protobuf/__init__.py"])
    actions = by_dest(plan([a, b], LAYOUT))
    assert isinstance(actions[f"{SP}/google"], MakeDir)
    assert isinstance(actions[f"{SP}/google/__pycache__"], MakeDir)
    pyc = actions[f"{SP}/google/__pycache__/__init__.cpython-311.pyc"]
    assert isinstance(pyc, CopyFile)  # a copy py_compile may replace (compileall -f)
    assert pyc.source == f"{a.tree}/google/__pycache__/__init__.cpython-311.pyc"
    for mode in ("hardlink", "copy"):  # (a hard link or a copy is replaced as it is)
        pyc = by_dest(plan([a, b], LAYOUT, Policy(link_mode=mode)))[
            f"{SP}/google/__pycache__/__init__.cpython-311.pyc"
        ]
        assert isinstance(pyc, LinkFile)


def test_pyc_follows_the_winner_of_its_source() -> None:
    pyc = frozenset({"m/__pycache__/x.cpython-311.pyc"})
    a = wheel("aaa", {"m/x.py": "a", "m/a.py": "a"}, bytecode=pyc)
    b = wheel("bbb", {"m/x.py": "b", "m/b.py": "b"}, bytecode=pyc)
    copy = by_dest(plan([a, b], LAYOUT))[f"{SP}/m/__pycache__/x.cpython-311.pyc"]
    assert isinstance(copy, CopyFile)
    assert copy.source.startswith(b.tree)


@pytest.mark.parametrize("mode", ["hardlink", "copy"])
def test_non_symlink_modes_never_fold(mode: str) -> None:
    w = wheel("alpha", ["alpha/__init__.py", "alpha/sub/mod.py"])
    p = plan([w], LAYOUT, Policy(link_mode=mode))  # type: ignore[arg-type]
    assert not any(isinstance(a, LinkDir) for a in p.actions)
    assert isinstance(by_dest(p)[f"{SP}/alpha/sub/mod.py"], LinkFile)


def test_same_wheel_twice_is_deduplicated_and_two_builds_are_refused() -> None:
    w = wheel("alpha", ["alpha/__init__.py"])
    assert len(plan([w, w], LAYOUT).distributions) == 1
    other = wheel("alpha", ["alpha/__init__.py", "alpha/x.py"], version="2.0")
    with pytest.raises(PlanError, match="two wheels for one distribution 'alpha'"):
        plan([w, other], LAYOUT)


def test_data_scheme_mapping() -> None:
    w = wheel(
        "tool",
        [
            "tool/__init__.py",
            "tool-1.0.data/scripts/tool-run",
            "tool-1.0.data/headers/tool.h",
            "tool-1.0.data/data/share/man/man1/tool.1",
            "tool-1.0.data/purelib/tool_extra.py",
        ],
    )
    actions = by_dest(plan([w], LAYOUT))
    assert isinstance(actions["bin/tool-run"], InstallScript)
    headers = actions["include/site/python3.11/tool"]
    assert isinstance(headers, LinkDir)
    assert headers.source == f"{w.tree}/tool-1.0.data/headers"
    # data directories other distributions add to stay real three levels down (decision 83)
    assert all(isinstance(actions[d], MakeDir) for d in ("share", "share/man", "share/man/man1"))
    page = actions["share/man/man1/tool.1"]
    assert isinstance(page, LinkFile)
    assert page.source == f"{w.tree}/tool-1.0.data/data/share/man/man1/tool.1"
    assert isinstance(actions[f"{SP}/tool_extra.py"], LinkFile)


@pytest.mark.parametrize("links", [True, False])
def test_data_below_lib64_lands_where_the_venv_s_link_leads(links: bool) -> None:
    # decision 410: blosc2 2.5.1's .data/data/lib64/…, which pip and uv write through the
    # venv's lib64 -> lib link, so into lib (RECORD keeps lib64); with no link (macOS),
    # into a directory lib64 of its own, as pip makes
    data = "tool-1.0.data/data/lib64"
    w = wheel("tool", ["tool/__init__.py", f"{data}/libtool.so", f"{data}/cmake/Tool/x.cmake"])
    p = plan([w], replace(LAYOUT, lib64=links))
    actions = by_dest(p)
    top = "lib" if links else "lib64"
    assert isinstance(actions[f"{top}/libtool.so"], LinkFile)
    cmake = actions[f"{top}/cmake/Tool/x.cmake"]  # (data directories real 3 levels down)
    assert isinstance(cmake, LinkFile)
    assert cmake.source == f"{w.tree}/{data}/cmake/Tool/x.cmake"
    assert ("lib64" in actions) is (not links)  # (a real directory only where no link is)
    record = actions[f"{SP}/tool-1.0.dist-info/RECORD"]
    assert isinstance(record, WriteRecord)
    rows = {row.path for row in record.rows}
    assert {"../../../lib64/libtool.so", "../../../lib64/cmake/Tool/x.cmake"} <= rows


def test_for_target_says_where_python_m_venv_links_lib64() -> None:
    from graft.venv.foreign import foreign_target

    def links(platform: str) -> bool:
        return VenvLayout.for_target("/v", foreign_target("3.12", [platform])).lib64

    assert links("manylinux_2_17_x86_64")
    assert links("manylinux_2_17_aarch64")
    assert links("manylinux_2_17_s390x")
    assert not links("manylinux_2_17_i686")
    assert not links("macosx_11_0_arm64")
    assert not links("win_amd64")


def test_console_scripts_use_the_venv_python() -> None:
    ep = EntryPoint("alpha-cli", "alpha.cli:main", "console_scripts")
    w = wheel("alpha", ["alpha/__init__.py"], entry_points=(ep,))
    p = plan([w], LAYOUT)
    script = by_dest(p)["bin/alpha-cli"]
    assert isinstance(script, WriteLauncher)
    assert (script.name, script.value, script.group) == ("alpha-cli", "alpha.cli:main", ep.group)
    assert p.python == "/venv/bin/python"  # what the materializer renders the launcher for
    record = by_dest(p)[f"{SP}/alpha-1.0.dist-info/RECORD"]
    assert isinstance(record, WriteRecord)
    (row,) = [r for r in record.rows if r.path.endswith("bin/alpha-cli")]
    assert row.dest == "bin/alpha-cli"  # hashed by the materializer after rendering


def test_plan_json_is_stable() -> None:
    a = wheel("jaraco-classes", ["jaraco/classes/__init__.py"])
    b = wheel("jaraco-functools", ["jaraco/functools/__init__.py"])
    assert plan([a, b], LAYOUT).to_json() == plan([b, a], LAYOUT).to_json()


SPOILED: dict[str, Callable[[WheelRecord], WheelRecord]] = {
    "name-dotdot": lambda r: replace(r, display_name="../../../../escape"),
    "name-empty": lambda r: replace(r, display_name=""),
    "dist-info-path": lambda r: replace(r, dist_info="../x-1.0.dist-info"),
    "data-dir-dotdot": lambda r: replace(r, data_dir=".."),
}


@pytest.mark.parametrize("spoil", sorted(SPOILED))
def test_a_record_name_that_is_not_one_path_segment_is_refused(spoil: str) -> None:
    """A store entry ingested before ingest checked these names cannot write outside."""
    w = wheel("tool", ["tool/__init__.py", "tool-1.0.data/headers/tool.h"])
    bad = replace(w, record=SPOILED[spoil](w.record))
    with pytest.raises(PlanError, match="would write outside its directory") as info:
        plan([bad], LAYOUT)
    assert info.value.where == "tool-1.0-py3-none-any.whl"


def test_an_entry_point_name_from_an_old_record_cannot_leave_bin() -> None:
    ep = EntryPoint("../../evil", "tool:main", "console_scripts")
    with pytest.raises(PlanError, match=re.escape("'../../evil' would write outside")):
        plan([wheel("tool", ["tool/__init__.py"], entry_points=(ep,))], LAYOUT)


@pytest.mark.parametrize(
    ("archive", "owned"),
    [
        ("tool-1.0.data/data/pyvenv.cfg", "pyvenv.cfg"),
        ("tool-1.0.data/data/bin/python3.11", "bin/python3.11"),
        ("tool-1.0.data/scripts/activate.fish", "bin/activate.fish"),
        ("tool-1.0.data/data/lib64", "lib64"),
        ("tool-1.0.data/data/lib", "lib"),
        ("tool-1.0.data/data/pyvenv.cfg/x", "pyvenv.cfg"),
    ],
)
def test_a_data_file_where_the_venv_has_its_own_is_refused(archive: str, owned: str) -> None:
    w = wheel("tool", ["tool/__init__.py", archive])
    what = re.escape(f"{archive} would replace the venv's own {owned} (")
    with pytest.raises(PlanError, match=what) as info:
        plan([w], LAYOUT)
    assert info.value.where == "tool-1.0-py3-none-any.whl"


@pytest.mark.parametrize("name", ["python", "python3", "pypy3.10", "python3.13t", "Activate.ps1"])
def test_a_script_named_like_the_interpreter_or_activate_is_refused(name: str) -> None:
    ep = EntryPoint(name, "tool:main", "console_scripts")
    with pytest.raises(PlanError, match=re.escape(f"would replace the venv's own bin/{name} (")):
        plan([wheel("tool", ["tool/__init__.py"], entry_points=(ep,))], LAYOUT)


@pytest.mark.parametrize("name", ["python-tool", "pythonista", "ipython", "activate-global"])
def test_scripts_merely_resembling_the_skeleton_are_planned(name: str) -> None:
    ep = EntryPoint(name, "tool:main", "console_scripts")
    p = plan([wheel("tool", ["tool/__init__.py"], entry_points=(ep,))], LAYOUT)
    assert isinstance(by_dest(p)[f"bin/{name}"], WriteLauncher)


def test_a_second_dist_info_through_data_is_refused() -> None:
    w = wheel("tool", ["tool/__init__.py", f"tool-1.0.data/data/{SP}/other-1.0.dist-info/METADATA"])
    with pytest.raises(PlanError, match=re.escape("would install other-1.0.dist-info")):
        plan([w], LAYOUT)


def test_directories_others_add_to_stay_real_with_one_owner() -> None:
    w = wheel(
        "one",
        [
            "google/protobuf/__init__.py",  # a namespace portion: google stays real
            "google/cloud/storage/__init__.py",  # and so does a namespace inside it
            "one.libs/libone.so.1",  # no module inside, not an identifier: folds
            "nvidiaish/cublas/lib/libcublas.so.12",  # no module inside: folds
            "one-1.0.data/data/share/jupyter/kernels/one/kernel.json",
            "one-1.0.data/data/etc/jupyter/jupyter_server_config.d/one.json",
            "one-1.0.data/data/etc/one/deep/conf.d/x.conf",
        ],
        origins={},
    )
    actions = by_dest(plan([w], LAYOUT))
    real = [f"{SP}/google", f"{SP}/google/cloud", "share/jupyter/kernels", "etc/one/deep/conf.d"]
    real += ["etc/jupyter/jupyter_server_config.d", "share/jupyter/kernels/one"]
    assert all(isinstance(actions[d], MakeDir) for d in real), [actions[d] for d in real]
    folded = [f"{SP}/google/protobuf", f"{SP}/google/cloud/storage", f"{SP}/one.libs"]
    folded += [f"{SP}/nvidiaish"]
    assert all(isinstance(actions[d], LinkDir) for d in folded), [actions[d] for d in folded]
    assert isinstance(actions["etc/jupyter/jupyter_server_config.d/one.json"], CopyFile)
    # a kernel spec, which `ipykernel install --sys-prefix` removes and writes again
    assert isinstance(actions["share/jupyter/kernels/one/kernel.json"], CopyFile)


def test_configuration_files_are_copies_in_real_directories_whatever_the_link_mode() -> None:
    """``etc/`` below the data directory: tools rewrite those files (decision 90)."""
    w = wheel(
        "one",
        [
            "one/__init__.py",
            "one-1.0.data/data/etc/one/deep/er/conf.json",  # one owner, deep: still real
            "one-1.0.data/data/etcetera/x.txt",  # not the configuration directory
        ],
        origins={},
    )
    modes: tuple[LinkMode, ...] = ("symlink", "hardlink", "copy")
    for mode in modes:
        actions = by_dest(plan([w], LAYOUT, Policy(link_mode=mode)))
        real = ["etc", "etc/one", "etc/one/deep", "etc/one/deep/er"]
        assert all(isinstance(actions[d], MakeDir) for d in real), [actions[d] for d in real]
        copied = actions["etc/one/deep/er/conf.json"]
        assert isinstance(copied, CopyFile), copied
        assert copied.source.endswith("/one-1.0.data/data/etc/one/deep/er/conf.json")
        assert not isinstance(actions.get("etcetera/x.txt"), CopyFile)


@pytest.mark.parametrize(
    ("declared", "installed"),
    [
        # pip 23.2.1's wheel, built on 3.11: pip and uv install pip3.12 in a 3.12 venv
        (("pip", "pip3", "pip3.11"), {"pip", "pip3", "pip3.12"}),
        (("pip",), {"pip", "pip3", "pip3.12"}),
        (("easy_install", "easy_install-3.8"), {"easy_install", "easy_install-3.12"}),
        (("pip3.11", "pipx"), {"pip3.11", "pipx"}),  # no bare pip: as declared
    ],
)
def test_pips_versioned_launchers_are_named_for_the_venvs_python(
    declared: tuple[str, ...], installed: set[str]
) -> None:
    layout = replace(
        LAYOUT,
        purelib="lib/python3.12/site-packages",
        platlib="lib/python3.12/site-packages",
        include_site="include/site/python3.12",
    )
    eps = tuple(
        EntryPoint(name, "pip._internal.cli.main:main", "console_scripts") for name in declared
    )
    p = plan([wheel("pip", ["pip/__init__.py"], entry_points=eps)], layout)
    launchers = {a.dest for a in p.actions if isinstance(a, WriteLauncher)}
    assert launchers == {f"bin/{name}" for name in installed}
