"""``graft audit``: every finding kind, each created on purpose in a venv built for the test.

The venvs are graft venvs of wheels made on the fly (``graft sync``), and one made by
``python -m venv`` + ``pip install --no-deps --no-index``. A clean venv of either kind has no
error finding; each test then breaks one thing and asserts the finding that names it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graft.audit import AuditReport, Finding, Kind, audit_venv
from graft.store import seal
from graft.wheel.elf import read_dynamic
from tests.conftest import run_graft
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel

CC = shutil.which("cc")
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
FOREIGN_SHEBANG = "#!/usr/bin/python3\n"


# --------------------------------------------------------------------------------------
# Helpers


def sp_rel(venv: Path, path: str) -> str:
    """A site-packages path as findings spell it (venv-relative)."""
    return (site(venv) / path).relative_to(venv).as_posix()


def audit(venv: Path, *, deep: bool = False) -> AuditReport:
    return audit_venv(str(venv), deep=deep)


def of_kind(report: AuditReport, kind: Kind) -> list[Finding]:
    return [f for f in report.findings if f.kind is kind]


def one(report: AuditReport, kind: Kind, path: str | None = None) -> Finding:
    found = [f for f in of_kind(report, kind) if path is None or f.path == path]
    assert len(found) == 1, f"expected one {kind.value} at {path}, got:\n{describe(report)}"
    return found[0]


def describe(report: AuditReport) -> str:
    return "\n".join(
        f"  {f.severity} {f.kind.value} {f.path} {list(f.distributions)}: {f.detail}"
        for f in report.findings
    )


def errors_other_than(report: AuditReport, *kinds: Kind) -> list[Finding]:
    return [f for f in report.errors if f.kind not in kinds]


def entry_of(link: Path) -> Path:
    """The store entry a venv path resolves into."""
    real = Path(os.path.realpath(link))
    parts = real.parts
    index = parts.index("entries")
    return Path(*parts[: index + 2])


def audit_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graft", "audit", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


# --------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def wheel_set(wheels: Path) -> list[Path]:
    return [
        make_wheel(
            wheels,
            "alpha",
            "1.0",
            {
                "alpha/__init__.py": "VALUE = 1\n",
                "alpha/sub/mod.py": "X = 2\n",
                "alpha-1.0.data/scripts/alpha-tool": "#!python\nprint('tool')\n",
            },
            entry_points="[console_scripts]\nalpha-run = alpha:main\n",
        ),
        make_wheel(wheels, "beta", "1.0", {"beta.py": "B = 3\n"}),
        make_wheel(wheels, "ns-a", "1.0", {"ns/a/__init__.py": "A = 1\n"}),
        make_wheel(wheels, "ns-b", "1.0", {"ns/b/__init__.py": "B = 1\n"}),
    ]


def graft_venv_of(tmp_path: Path, store: Path, wheels: list[Path], name: str = "venv") -> Path:
    venv = tmp_path / name
    run_graft("sync", venv, *wheels, "--store", store)
    return venv


@pytest.fixture
def venv(tmp_path: Path, store_dir: Path, wheel_set: list[Path]) -> Path:
    return graft_venv_of(tmp_path, store_dir, wheel_set)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Mode and mtime of everything below *root* (links listed, not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            st = os.lstat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), root)] = (st.st_mode, st.st_mtime_ns)
    return out


# --------------------------------------------------------------------------------------
# Clean venvs


def test_clean_graft_venv_has_no_findings(venv: Path, store_dir: Path) -> None:
    before = snapshot(store_dir), snapshot(venv)
    report = audit(venv, deep=True)
    assert report.findings == (), describe(report)
    assert report.graft
    assert report.store == str(store_dir)
    assert report.stats["distributions"] == 4
    assert report.stats["import_names"] >= 3  # alpha, beta, ns
    assert (snapshot(store_dir), snapshot(venv)) == before, "the audit wrote something"


def test_cli_table_json_and_exit_status(tmp_path: Path, venv: Path) -> None:
    proc = audit_cli(venv, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert data["findings"] == []
    assert data["graft"] is True

    (site(venv) / "beta.py").unlink()
    table = audit_cli(venv)
    assert table.returncode == 1
    assert "missing-file" in table.stdout
    assert sp_rel(venv, "beta.py") in table.stdout
    assert "[beta==1.0]" in table.stdout
    assert "fix:" in table.stdout
    assert "1 error, 0 warnings" in table.stderr  # (singular: decision 121)
    data = json.loads(audit_cli(venv, "--json", "--deep").stdout)
    (finding,) = data["findings"]
    assert finding["kind"] == "missing-file"
    assert finding["severity"] == "error"
    assert finding["distributions"] == ["beta==1.0"]
    assert data["deep"] is True

    not_a_venv = audit_cli(tmp_path)
    assert not_a_venv.returncode == 2
    assert "not a virtual environment" in not_a_venv.stderr


def test_graft_audit_subcommand(venv: Path) -> None:
    proc = run_graft("audit", venv, "--json", check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["findings"] == []


def test_add_audit_parser_and_run_audit(venv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The API graft.cli.main wires: a subparser, and run_audit(args) -> exit status."""
    from graft.cli.audit_cmd import add_audit_parser, run_audit

    parser = argparse.ArgumentParser(prog="graft")
    add_audit_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["audit", str(venv), "--deep"])
    assert (args.command, args.venv, args.deep, args.json) == ("audit", str(venv), True, False)
    assert run_audit(args) == 0
    (venv / "bin" / "alpha-run").unlink()
    assert run_audit(parser.parse_args(["audit", str(venv), "--json"])) == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["kind"] for f in report["findings"]] == ["missing-file"]


@pytest.fixture
def pip_venv(tmp_path: Path, wheel_set: list[Path]) -> Path:
    """``python -m venv`` + ``pip install --no-deps --no-index``, pip isolated from config."""
    venv = tmp_path / "pip-venv"
    made = subprocess.run(
        [BASE_PYTHON, "-m", "venv", str(venv)], capture_output=True, text=True, check=False
    )
    if made.returncode != 0:
        pytest.skip(f"python -m venv with pip failed (no ensurepip?): {made.stderr[-300:]}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-index", *wheel_set],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return venv


def test_pip_venv_has_no_errors(pip_venv: Path, tmp_path: Path) -> None:
    report = audit(pip_venv, deep=True)
    assert not report.errors, describe(report)
    assert not report.graft
    assert report.stats["distributions"] >= 4
    names = {d for f in report.findings for d in f.distributions}
    assert not names & {"alpha==1.0", "beta==1.0", "ns-a==1.0", "ns-b==1.0"}, describe(report)

    # a link out of a venv that graft did not make is suspicious, not an error
    outside = tmp_path / "elsewhere.py"
    outside.write_text("E = 1\n")
    (site(pip_venv) / "elsewhere.py").symlink_to(outside)
    report = audit(pip_venv)
    finding = one(report, Kind.LINK_OUTSIDE, sp_rel(pip_venv, "elsewhere.py"))
    assert finding.severity == "warning"
    assert not report.errors, describe(report)


# --------------------------------------------------------------------------------------
# Links


def test_dangling_link(venv: Path) -> None:
    link = site(venv) / "beta.py"
    link.unlink()
    link.symlink_to("gone/beta.py")
    report = audit(venv)
    finding = one(report, Kind.DANGLING_LINK, sp_rel(venv, "beta.py"))
    assert finding.severity == "error"
    assert finding.distributions == ("beta==1.0",)
    assert not of_kind(report, Kind.MISSING_FILE), "reported twice"


def test_link_outside_venv_and_store(tmp_path: Path, venv: Path) -> None:
    link = site(venv) / "beta.py"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(link, elsewhere / "beta.py")
    link.unlink()
    link.symlink_to(elsewhere / "beta.py")
    report = audit(venv)
    finding = one(report, Kind.LINK_OUTSIDE, sp_rel(venv, "beta.py"))
    assert finding.severity == "error"  # graft never makes such links
    assert finding.distributions == ("beta==1.0",)
    assert str(elsewhere / "beta.py") in finding.detail
    assert not errors_other_than(report, Kind.LINK_OUTSIDE), describe(report)


# --------------------------------------------------------------------------------------
# RECORD


def test_file_listed_in_record_but_missing(venv: Path) -> None:
    (site(venv) / "alpha-1.0.dist-info" / "METADATA").unlink()
    report = audit(venv)
    finding = one(report, Kind.MISSING_FILE, sp_rel(venv, "alpha-1.0.dist-info/METADATA"))
    assert finding.severity == "error"
    assert finding.distributions == ("alpha==1.0",)
    assert report.errors == (finding,)


def test_modified_file_size_by_default_bytes_with_deep(venv: Path) -> None:
    installer = site(venv) / "beta-1.0.dist-info" / "INSTALLER"
    assert installer.read_text() == "graft\n"
    installer.write_text("grafT\n")  # same size: only --deep sees it
    assert not of_kind(audit(venv), Kind.MODIFIED_FILE)
    finding = one(audit(venv, deep=True), Kind.MODIFIED_FILE)
    assert finding.path == sp_rel(venv, "beta-1.0.dist-info/INSTALLER")
    assert finding.distributions == ("beta==1.0",)
    assert finding.severity == "error"

    installer.write_text("grafted\n")
    finding = one(audit(venv), Kind.MODIFIED_FILE)
    assert finding.path == sp_rel(venv, "beta-1.0.dist-info/INSTALLER")
    assert "size 8" in finding.detail


def test_two_dist_infos_for_one_name(venv: Path) -> None:
    sp = site(venv)
    shutil.copytree(sp / "beta-1.0.dist-info", sp / "Beta-2.0.dist-info", symlinks=True)
    report = audit(venv)
    finding = one(report, Kind.DUPLICATE_DISTRIBUTION)
    assert finding.severity == "error"
    assert finding.distributions == ("beta==1.0", "beta==2.0")
    assert "beta-1.0.dist-info" in finding.detail
    assert "Beta-2.0.dist-info" in finding.detail


def test_collision_names_both_and_the_planners_winner(
    tmp_path: Path, store_dir: Path, wheel_set: list[Path], wheels: Path
) -> None:
    gamma = make_wheel(wheels, "gamma", "1.0", {"alpha/sub/mod.py": "X = 'gamma'\n"})
    venv = graft_venv_of(tmp_path, store_dir, [*wheel_set, gamma])
    report = audit(venv, deep=True)
    finding = one(report, Kind.COLLISION, sp_rel(venv, "alpha/sub/mod.py"))
    assert finding.severity == "warning"
    assert finding.distributions == ("alpha==1.0", "gamma==1.0")
    assert "gamma==1.0 wins" in finding.detail
    assert "the venv holds gamma==1.0's copy" in finding.detail
    assert not report.errors, describe(report)  # alpha's RECORD row keeps alpha's hash

    # plan time and audit time agree on the collision and its winner
    dry = run_graft(
        "sync", tmp_path / "dry", *wheel_set, gamma, "--store", store_dir, "--dry-run", "--json"
    )
    (planned,) = json.loads(dry.stdout)["collisions"]
    assert planned["path"] == finding.path
    assert planned["winner"] == "gamma==1.0"
    assert planned["losers"] == ["alpha==1.0"]


def test_file_against_directory_collision(
    tmp_path: Path, store_dir: Path, wheel_set: list[Path], wheels: Path
) -> None:
    as_file = make_wheel(wheels, "delta", "1.0", {"delta/thing": "a file\n"})
    as_dir = make_wheel(wheels, "epsilon", "1.0", {"delta/thing/__init__.py": "T = 1\n"})
    venv = graft_venv_of(tmp_path, store_dir, [*wheel_set, as_file, as_dir])
    report = audit(venv)
    finding = one(report, Kind.COLLISION, sp_rel(venv, "delta/thing"))
    assert finding.distributions == ("delta==1.0", "epsilon==1.0")
    assert "epsilon==1.0 wins" in finding.detail
    assert not report.errors, describe(report)


def test_unowned_files_in_site_packages(venv: Path) -> None:
    sp = site(venv)
    (sp / "stray.txt").write_text("?\n")
    (sp / "strays").mkdir()
    (sp / "strays" / "a.py").write_text("")
    (sp / "strays" / "b.py").write_text("")
    (sp / "__pycache__").mkdir(exist_ok=True)
    (sp / "__pycache__" / "nobody.cpython-311.pyc").write_bytes(b"")
    report = audit(venv)
    found = {f.path: f for f in of_kind(report, Kind.UNOWNED_FILE)}
    assert set(found) == {sp_rel(venv, "stray.txt"), sp_rel(venv, "strays")}, describe(report)
    assert all(f.severity == "info" and f.distributions == () for f in found.values())
    assert "2 files" in found[sp_rel(venv, "strays")].detail
    assert not report.errors, describe(report)


# --------------------------------------------------------------------------------------
# Imports and start-up


REDIRECT = """\
import importlib.machinery, importlib.util, sys

class Redirect:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "ns":
            return importlib.util.spec_from_file_location(
                "ns", {init!r}, submodule_search_locations=[{where!r}])
        return None

sys.meta_path.insert(0, Redirect)
"""


def test_static_and_runtime_disagree(tmp_path: Path, venv: Path) -> None:
    """A start-up hook (as editable installs use) makes ``ns`` import from elsewhere, while
    a static walk of site-packages (what mypy and pyright see) finds the namespace package."""
    elsewhere = tmp_path / "elsewhere" / "ns"
    elsewhere.mkdir(parents=True)
    (elsewhere / "__init__.py").write_text("")
    sp = site(venv)
    (sp / "redirect_ns.py").write_text(
        REDIRECT.format(init=str(elsewhere / "__init__.py"), where=str(elsewhere))
    )
    (sp / "redirect-ns.pth").write_text("import redirect_ns\n")
    report = audit(venv)
    finding = one(report, Kind.IMPORT_MISMATCH, sp_rel(venv, "ns"))
    assert finding.severity == "error"
    assert finding.distributions == ("ns-a==1.0", "ns-b==1.0")
    assert f"namespace ['{sp_rel(venv, 'ns')}']" in finding.detail
    assert str(elsewhere / "__init__.py") in finding.detail
    assert "the import system finds package" in finding.detail
    assert "(by Redirect)" in finding.detail
    one(report, Kind.PTH_IMPORT, sp_rel(venv, "redirect-ns.pth"))
    assert not errors_other_than(report, Kind.IMPORT_MISMATCH), describe(report)


NSPKG = (
    "import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('ns',));"
    "m = sys.modules.setdefault('ns', types.ModuleType('ns'));"
    "mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)\n"
)


def test_namespace_made_at_start_up_by_an_nspkg_pth(venv: Path) -> None:
    """setuptools' ``-nspkg.pth`` puts a spec-less ``ns`` module into sys.modules at start-up:
    ``import ns`` returns it, and it agrees with the static walk (one portion, here)."""
    (site(venv) / "ns-nspkg.pth").write_text(NSPKG)
    report = audit(venv)
    assert not of_kind(report, Kind.IMPORT_MISMATCH), describe(report)
    one(report, Kind.PTH_IMPORT, sp_rel(venv, "ns-nspkg.pth"))
    assert not report.errors, describe(report)


def test_namespace_children_are_probed_without_running_package_code(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """Shared package directories below the top level are compared too; nothing is imported."""
    boom = "raise SystemExit('package code ran')\n"
    venv = graft_venv_of(
        tmp_path,
        store_dir,
        [
            make_wheel(
                wheels, "core", "1.0", {"top/__init__.py": boom, "top/plug/__init__.py": ""}
            ),
            make_wheel(wheels, "plug-x", "1.0", {"top/plug/x/__init__.py": boom}),
            make_wheel(wheels, "plug-y", "1.0", {"top/plug/y.py": boom}),
        ],
    )
    report = audit(venv)
    assert report.findings == (), describe(report)
    assert report.stats["import_names"] == 2  # top, top.plug


def test_pth_import_line(venv: Path) -> None:
    (site(venv) / "startup.pth").write_text("# a comment\n../elsewhere\nimport os; os.sep\n")
    report = audit(venv)
    finding = one(report, Kind.PTH_IMPORT, sp_rel(venv, "startup.pth"))
    assert finding.severity == "warning"
    assert "import os; os.sep" in finding.detail
    assert "PEP 829" in finding.hint
    assert not report.errors, describe(report)


# --------------------------------------------------------------------------------------
# Scripts and the interpreter


def test_console_script_runs_another_interpreter(venv: Path) -> None:
    script = venv / "bin" / "alpha-run"
    lines = script.read_text().splitlines(keepends=True)
    assert lines[0] == f"#!{venv}/bin/python\n"
    script.write_text(FOREIGN_SHEBANG + "".join(lines[1:]))
    report = audit(venv)
    finding = one(report, Kind.FOREIGN_INTERPRETER, "bin/alpha-run")
    assert finding.severity == "error"
    assert finding.distributions == ("alpha==1.0",)
    assert "/usr/bin/python3" in finding.detail
    # the rewritten .data script still names the venv's python
    assert not [f for f in of_kind(report, Kind.FOREIGN_INTERPRETER) if f.path != "bin/alpha-run"]


def test_moved_venv_scripts_name_the_old_interpreter(tmp_path: Path, venv: Path) -> None:
    copy = tmp_path / "copied"
    shutil.copytree(venv, copy, symlinks=True)  # a sibling: relative store links still resolve
    report = audit(copy)
    paths = {f.path for f in of_kind(report, Kind.FOREIGN_INTERPRETER) if f.severity == "error"}
    assert paths == {"bin/alpha-run", "bin/alpha-tool"}, describe(report)


def test_wheel_given_shebang_is_a_warning(
    tmp_path: Path, store_dir: Path, wheel_set: list[Path], wheels: Path
) -> None:
    tool = make_wheel(
        wheels,
        "tool",
        "1.0",
        {"tool-1.0.data/scripts/tool-legacy": FOREIGN_SHEBANG + "print('legacy')\n"},
        executable=frozenset({"tool-1.0.data/scripts/tool-legacy"}),
    )
    venv = graft_venv_of(tmp_path, store_dir, [*wheel_set, tool])
    report = audit(venv)
    finding = one(report, Kind.FOREIGN_INTERPRETER, "bin/tool-legacy")
    assert finding.severity == "warning"
    assert "as its wheel says" in finding.detail
    assert not report.errors, describe(report)


def test_interpreter_that_does_not_run(venv: Path) -> None:
    for name in os.listdir(venv / "bin"):
        if name.startswith("python"):
            (venv / "bin" / name).unlink()
    report = audit(venv)
    finding = one(report, Kind.INTERPRETER_FAILED)
    assert finding.severity == "error"
    assert not of_kind(report, Kind.IMPORT_MISMATCH)


# --------------------------------------------------------------------------------------
# The store


def test_store_entry_missing(venv: Path) -> None:
    entry = entry_of(site(venv) / "beta.py")
    seal.unseal_tree(str(entry.parent))
    seal.remove_tree(str(entry))
    report = audit(venv)
    finding = one(report, Kind.STORE_ENTRY_MISSING, str(entry))
    assert finding.severity == "error"
    assert finding.distributions == ("beta==1.0",)
    one(report, Kind.DANGLING_LINK, sp_rel(venv, "beta.py"))


def test_store_file_deleted_and_edited(venv: Path) -> None:
    entry = entry_of(site(venv) / "alpha" / "__init__.py")
    seal.unseal_tree(str(entry))
    tree = entry / "tree"
    (tree / "alpha" / "sub" / "mod.py").unlink()
    report = audit(venv)
    deleted = one(report, Kind.STORE_ENTRY_MODIFIED, str(tree / "alpha" / "sub" / "mod.py"))
    assert deleted.detail == "missing"
    assert deleted.distributions == ("alpha==1.0",)
    one(report, Kind.MISSING_FILE, sp_rel(venv, "alpha/sub/mod.py"))

    init = tree / "alpha" / "__init__.py"
    os.chmod(init, 0o644)
    init.write_text("VALUE = 2\n")  # same size: --deep only
    paths = {f.path for f in of_kind(audit(venv), Kind.STORE_ENTRY_MODIFIED)}
    assert paths == {deleted.path}
    deep = audit(venv, deep=True)
    edited = one(deep, Kind.STORE_ENTRY_MODIFIED, str(init))
    assert "hash" in edited.detail
    one(deep, Kind.MODIFIED_FILE, sp_rel(venv, "alpha/__init__.py"))

    init.write_text("VALUE = 22\n")
    grown = one(audit(venv), Kind.STORE_ENTRY_MODIFIED, str(init))
    assert "size 11" in grown.detail


# --------------------------------------------------------------------------------------
# Native libraries


def _cc(*args: str | Path) -> None:
    assert CC is not None
    proc = subprocess.run([CC, *map(str, args)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def native_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``nativelib`` ships libgreet.so; ``nativeuse`` a library that needs it through
    ``RUNPATH $ORIGIN/../nativelib/libs``; ``needy`` one that needs a library nobody ships."""
    if CC is None:
        pytest.skip("no C compiler (`cc`) on PATH")
    build = tmp_path_factory.mktemp("audit-native")
    (build / "greet.c").write_text("int greet(void) { return 42; }\n")
    (build / "use.c").write_text("int greet(void);\nint use(void) { return greet(); }\n")
    (build / "missing.c").write_text("int missing(void) { return 1; }\n")
    (build / "needy.c").write_text("int missing(void);\nint needy(void) { return missing(); }\n")
    for name in ("greet", "missing"):
        soname = f"-Wl,-soname,lib{name}.so"
        _cc("-shared", "-fPIC", soname, "-o", build / f"lib{name}.so", build / f"{name}.c")
    _cc(
        "-shared", "-fPIC", "-o", build / "libuse.so", build / "use.c", f"-L{build}", "-lgreet",
        "-Wl,-rpath,$ORIGIN/../nativelib/libs", "-Wl,--enable-new-dtags",
    )  # fmt: skip
    _cc(
        "-shared", "-fPIC", "-o", build / "libneedy.so", build / "needy.c", f"-L{build}",
        "-lmissing", "-Wl,-rpath,$ORIGIN", "-Wl,--enable-new-dtags",
    )  # fmt: skip
    out = tmp_path_factory.mktemp("audit-native-wheels")
    files = {
        "nativelib": {"nativelib/libs/libgreet.so": build / "libgreet.so"},
        "nativeuse": {"nativeuse/libuse.so": build / "libuse.so"},
        "needy": {"needy/libneedy.so": build / "libneedy.so"},
    }
    return {
        name: make_wheel(
            out,
            name,
            "1.0",
            {f"{name}/__init__.py": "", **{k: v.read_bytes() for k, v in members.items()}},
            root_is_purelib=False,
        )
        for name, members in files.items()
    }


def test_elf_reader(native_wheels: dict[str, Path], tmp_path: Path, store_dir: Path) -> None:
    venv = graft_venv_of(tmp_path, store_dir, list(native_wheels.values()))
    use = read_dynamic(str(site(venv) / "nativeuse" / "libuse.so"))
    assert use is not None
    assert "libgreet.so" in use.needed
    assert use.runpath == ("$ORIGIN/../nativelib/libs",)
    assert use.rpath == ()
    assert use.elf_class in {32, 64}
    greet = read_dynamic(str(site(venv) / "nativelib" / "libs" / "libgreet.so"))
    assert greet is not None
    assert greet.soname == "libgreet.so"
    assert read_dynamic(str(site(venv) / "nativeuse" / "__init__.py")) is None


def test_native_dependency_missing_everywhere(
    native_wheels: dict[str, Path], tmp_path: Path, store_dir: Path
) -> None:
    venv = graft_venv_of(tmp_path, store_dir, list(native_wheels.values()))
    report = audit(venv)
    finding = one(report, Kind.NATIVE_UNRESOLVED)
    assert finding.path == sp_rel(venv, "needy/libneedy.so")
    assert finding.severity == "warning"  # nothing about the venv can fix a missing library
    assert finding.distributions == ("needy==1.0",)
    assert "libmissing.so" in finding.detail
    assert not report.errors, describe(report)


def test_native_dependency_unreachable_through_a_folded_directory(
    native_wheels: dict[str, Path], tmp_path: Path, store_dir: Path
) -> None:
    """Fold ``nativeuse`` into one link to the store, as graft must not: ``$ORIGIN/..`` then
    lands in the store entry, where no ``nativelib`` is (test_native.py's negative control)."""
    venv = graft_venv_of(
        tmp_path, store_dir, [native_wheels["nativelib"], native_wheels["nativeuse"]]
    )
    assert not audit(venv).findings
    sp = site(venv)
    store_package = Path(os.path.realpath(sp / "nativeuse" / "libuse.so")).parent
    shutil.rmtree(sp / "nativeuse")
    (sp / "nativeuse").symlink_to(os.path.relpath(store_package, sp))
    report = audit(venv)
    finding = one(report, Kind.NATIVE_UNRESOLVED, sp_rel(venv, "nativeuse/libuse.so"))
    assert finding.severity == "error"
    assert finding.distributions == ("nativeuse==1.0",)
    assert "libgreet.so" in finding.detail
    assert "lexically" in finding.detail
    assert report.errors == (finding,), describe(report)


# --------------------------------------------------------------------------------------
# Dependencies


def test_requirements_not_met_are_found_as_pip_check_finds_them(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    app = make_wheel(
        wheels,
        "app",
        "1.0",
        requires=(
            "lib>=2",
            "helper",
            'winonly; sys_platform == "win32"',  # not for this interpreter
            'extra-dep; extra == "more"',  # only with an extra
        ),
    )
    lib1, lib2 = make_wheel(wheels, "lib", "1.0"), make_wheel(wheels, "lib", "2.0")
    helper = make_wheel(wheels, "helper", "1.0")
    venv = graft_venv_of(tmp_path, store_dir, [app, lib2, helper])
    report = audit(venv)
    assert not of_kind(report, Kind.MISSING_DEPENDENCY), describe(report)
    assert not of_kind(report, Kind.UNMET_DEPENDENCY), describe(report)
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    assert subprocess.run([*pip, "check"], capture_output=True, check=False).returncode == 0

    subprocess.run([*pip, "uninstall", "-q", "-y", "helper"], check=True)
    quiet = ["install", "-q", "--no-deps", "--no-index", "--force-reinstall"]
    subprocess.run([*pip, *quiet, str(lib1)], check=True)
    report = audit(venv)
    dist_info = sp_rel(venv, "app-1.0.dist-info")
    missing = one(report, Kind.MISSING_DEPENDENCY, dist_info)
    assert missing.detail == "app==1.0 requires helper, which is not installed"
    unmet = one(report, Kind.UNMET_DEPENDENCY, dist_info)
    assert unmet.detail == "app==1.0 requires lib>=2, but lib 1.0 is installed"
    assert unmet.distributions == ("app==1.0", "lib==1.0")
    assert {f.kind for f in report.errors} == {Kind.MISSING_DEPENDENCY, Kind.UNMET_DEPENDENCY}
    said = subprocess.run([*pip, "check"], capture_output=True, text=True, check=False)
    assert said.returncode == 1  # the independent reference agrees on both
    assert "app 1.0 requires helper, which is not installed." in said.stdout
    assert "app 1.0 has requirement lib>=2, but you have lib 1.0." in said.stdout


def test_an_edited_distribution_file_s_fix_is_a_sync_which_keeps_the_user_s_files(
    tmp_path: Path, store_dir: Path, wheel_set: list[Path]
) -> None:
    # the hint said "remove it and sync again": removing the venv loses a user's own files,
    # and a sync alone restores the distribution's
    venv = graft_venv_of(tmp_path, store_dir, wheel_set)
    (site(venv) / "mine.py").write_text("M = 1\n")
    edited = site(venv) / "beta.py"
    edited.unlink()  # as `sed -i` or an editor replaces the link with a file of its own
    edited.write_text("B = 4  # patched while debugging\n")
    table = audit_cli(venv)
    assert "modified-file" in table.stdout
    assert "sync it again, which restores" in " ".join(table.stdout.split())
    assert "remove it and sync" not in table.stdout
    again = run_graft("sync", venv, *wheel_set, "--store", store_dir).stderr
    assert "already in sync" not in again
    assert audit_cli(venv).returncode == 0
    assert py(venv, "import beta, mine; print(beta.B, mine.M)") == "3 1"


def test_a_pyvenv_cfg_that_is_not_utf8_is_one_line(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """An internal error (UnicodeDecodeError) before; a usage error, as for no pyvenv.cfg."""
    venv = tmp_path / "v"
    wheel = make_wheel(wheels, "app", "1.0", {"app.py": ""})
    run_graft("sync", venv, wheel, "--no-index", "--store", store_dir)
    (venv / "pyvenv.cfg").write_bytes(b"\xff\xfe\x00home = /x\n")
    for extra in ((), ("--json",)):
        got = run_graft("audit", venv, *extra, check=False)
        assert got.returncode == 2, got.stderr
        said = json.loads(got.stdout)["message"] if extra else got.stderr.strip()
        assert said.startswith(f"{'' if extra else 'graft: error: '}{venv}: cannot read its")
        assert "not UTF-8 text" in said
        assert "internal error" not in said
