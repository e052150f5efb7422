"""The ``$ORIGIN`` acceptance test: a native extension finds a library of another wheel.

Wheel ``nativelib`` ships ``nativelib/libs/libgreet.so``; wheel ``nativeext``
ships an extension module linked against it with ``RUNPATH
$ORIGIN/../nativelib/libs``. The dynamic loader expands ``$ORIGIN`` from the
path the module was opened by, and the kernel resolves ``..`` physically: if
``site-packages/nativeext`` were a directory link into the store, ``..`` would
be the store entry of ``nativeext``, where no ``nativelib`` lives. That is why
graft keeps every directory on the path to such a native file real and links the
file alone. The negative control proves the test can fail.

Wheel ``selfext`` is the common case (auditwheel's ``$ORIGIN/../selfext.libs``): the
library it needs ships in the same wheel, so ``..`` through a fold reaches the same
bytes and graft folds both directories, unless another wheel adds files there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.tags import sys_tags

from tests.conftest import run_graft
from tests.support.wheelmaker import make_wheel

GREETING = 4242
CALL_RESULT = GREETING * 2 + 1
RUNPATH = "$ORIGIN/../nativelib/libs"
SELF_RUNPATH = "$ORIGIN/../selfext.libs"

LIB_SOURCE = "int greet(void) { return %d; }\n" % GREETING  # noqa: UP031

EXT_SOURCE = """\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

int greet(void);

static PyObject *call(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(greet() * 2 + 1);
}

static PyMethodDef methods[] = {
    {"call", call, METH_NOARGS, "greet() * 2 + 1, computed through libgreet"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ext", NULL, -1, methods};

PyMODINIT_FUNC PyInit__ext(void) { return PyModule_Create(&module); }
"""

CC = shutil.which("cc")
pytestmark = pytest.mark.skipif(CC is None, reason="no C compiler (`cc`) on PATH")


@dataclass(frozen=True)
class NativeWheels:
    lib: Path  # nativelib-1.0-<tag>.whl
    ext: Path  # nativeext-1.0-<tag>.whl
    selfext: Path  # selfext-1.0-<tag>.whl: extension and library in one wheel
    intruder: Path  # intruder-1.0-<tag>.whl: adds a file to selfext.libs/
    ext_name: str  # "_ext" + EXT_SUFFIX
    build: Path  # where the objects were compiled


def _cc(*args: str | Path) -> None:
    assert CC is not None
    proc = subprocess.run([CC, *map(str, args)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"cc {' '.join(map(str, args))} failed:\n{proc.stderr}"


@pytest.fixture(scope="module")
def native_wheels(tmp_path_factory: pytest.TempPathFactory) -> NativeWheels:
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert isinstance(suffix, str)
    include = sysconfig.get_paths()["include"]
    if not os.path.isfile(os.path.join(include, "Python.h")):
        pytest.skip(f"no Python.h in {include}: the interpreter's headers are not installed")
    tag = str(next(iter(sys_tags())))
    build = tmp_path_factory.mktemp("native-build")
    libs = build / "nativelib" / "libs"
    libs.mkdir(parents=True)
    (build / "greet.c").write_text(LIB_SOURCE)
    _cc(
        "-shared", "-fPIC", "-Wl,-soname,libgreet.so", "-o", libs / "libgreet.so", build / "greet.c"
    )
    (build / "nativeext").mkdir()
    (build / "ext.c").write_text(EXT_SOURCE)
    ext_name = "_ext" + suffix
    _cc(
        "-shared",
        "-fPIC",
        f"-I{include}",
        "-o",
        build / "nativeext" / ext_name,
        build / "ext.c",
        f"-L{libs}",
        "-lgreet",
        f"-Wl,-rpath,{RUNPATH}",
        "-Wl,--enable-new-dtags",
    )
    (build / "selfext").mkdir()
    _cc(
        "-shared",
        "-fPIC",
        f"-I{include}",
        "-o",
        build / "selfext" / ext_name,
        build / "ext.c",
        f"-L{libs}",
        "-lgreet",
        f"-Wl,-rpath,{SELF_RUNPATH}",
        "-Wl,--enable-new-dtags",
    )
    out = tmp_path_factory.mktemp("native-wheels")
    selfext = make_wheel(
        out,
        "selfext",
        "1.0",
        {
            "selfext/__init__.py": "",
            f"selfext/{ext_name}": (build / "selfext" / ext_name).read_bytes(),
            "selfext.libs/libgreet.so": (libs / "libgreet.so").read_bytes(),
        },
        tag=tag,
        root_is_purelib=False,
    )
    intruder = make_wheel(out, "intruder", "1.0", {"selfext.libs/README.txt": "not a library\n"})
    lib = make_wheel(
        out,
        "nativelib",
        "1.0",
        {
            "nativelib/__init__.py": "",
            "nativelib/libs/libgreet.so": (libs / "libgreet.so").read_bytes(),
        },
        tag=tag,
        root_is_purelib=False,
    )
    ext = make_wheel(
        out,
        "nativeext",
        "1.0",
        {
            "nativeext/__init__.py": "",
            f"nativeext/{ext_name}": (build / "nativeext" / ext_name).read_bytes(),
        },
        tag=tag,
        root_is_purelib=False,
        requires=("nativelib==1.0",),
    )
    return NativeWheels(lib, ext, selfext, intruder, ext_name, build)


def _python(venv: Path, code: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}},
    )
    if check:
        assert proc.returncode == 0, f"{venv}: {code!r} failed:\n{proc.stderr}"
    return proc


CALL = "import nativeext._ext as m; print(m.call()); print(m.__file__)"


def _site(venv: Path) -> Path:
    (found,) = (venv / "lib").glob("python3*/site-packages")
    return found


def _graft_venv(venv: Path, store: Path, wheels: NativeWheels) -> Path:
    run_graft("sync", venv, wheels.lib, wheels.ext, "--store", store)
    return venv


def _flat_venv(venv: Path, wheels: NativeWheels, files: tuple[Path, ...] = ()) -> Path:
    """A copying install, by pypa/installer, into ``python -m venv --without-pip``."""
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    paths = json.loads(
        _python(venv, "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))").stdout
    )
    scheme = {
        "purelib": paths["purelib"],
        "platlib": paths["platlib"],
        "headers": os.path.join(paths["include"], "nativeext"),
        "scripts": paths["scripts"],
        "data": paths["data"],
    }
    destination = SchemeDictionaryDestination(
        scheme, interpreter=str(venv / "bin" / "python"), script_kind="posix"
    )
    for wheel in files or (wheels.lib, wheels.ext):
        with WheelFile.open(wheel) as source:
            install(source, destination, additional_metadata={"INSTALLER": b"tests\n"})
    return venv


def test_extension_finds_its_library_through_origin(
    tmp_path: Path, store_dir: Path, native_wheels: NativeWheels
) -> None:
    graft_venv = _graft_venv(tmp_path / "graft-venv", store_dir, native_wheels)
    flat_venv = _flat_venv(tmp_path / "flat-venv", native_wheels)

    graft_out = _python(graft_venv, CALL).stdout.split()
    flat_out = _python(flat_venv, CALL).stdout.split()
    assert graft_out[0] == flat_out[0] == str(CALL_RESULT)

    sp = _site(graft_venv)
    # the module is imported from the venv, through the venv's real package directory
    assert graft_out[1] == str(sp / "nativeext" / native_wheels.ext_name)
    path = sp / "nativeext"
    assert path.is_dir(), path
    assert not path.is_symlink(), f"{path} is folded: $ORIGIN/.. would leave the venv"
    ext = sp / "nativeext" / native_wheels.ext_name
    assert ext.is_symlink(), f"{ext} should be linked into the store"
    assert Path(os.path.realpath(ext)).is_relative_to(store_dir.resolve() / "entries")
    # nativelib has no $ORIGIN search path: it folds, and is still found through the venv
    assert (sp / "nativelib").is_symlink()
    # the flat venv is the reference: no links at all
    assert not any(p.is_symlink() for p in _site(flat_venv).rglob("*"))


def test_extension_carries_a_runpath(native_wheels: NativeWheels) -> None:
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("no readelf on PATH")
    proc = subprocess.run(
        [readelf, "-d", str(native_wheels.build / "nativeext" / native_wheels.ext_name)],
        capture_output=True,
        text=True,
        check=True,
    )
    runpath = [line for line in proc.stdout.splitlines() if "(RUNPATH)" in line]
    assert runpath, proc.stdout
    assert f"[{RUNPATH}]" in runpath[0]
    assert "(RPATH)" not in proc.stdout  # --enable-new-dtags: RUNPATH only
    assert "libgreet.so" in proc.stdout  # NEEDED


def test_negative_control_folded_extension_dir_cannot_find_its_library(
    tmp_path: Path, store_dir: Path, native_wheels: NativeWheels
) -> None:
    """Fold ``nativeext`` by hand in a scratch copy: ``$ORIGIN/..`` now leaves the venv."""
    graft_venv = _graft_venv(tmp_path / "graft-venv", store_dir, native_wheels)
    # a sibling, so every relative link into the store resolves exactly as in the original
    scratch = tmp_path / "scratch-venv"
    shutil.copytree(graft_venv, scratch, symlinks=True)
    sp = _site(scratch)
    ext_link = sp / "nativeext" / native_wheels.ext_name
    store_package = Path(os.path.realpath(ext_link)).parent
    assert store_package.is_relative_to(store_dir.resolve() / "entries")
    shutil.rmtree(sp / "nativeext")
    (sp / "nativeext").symlink_to(os.path.relpath(store_package, sp))

    # the control differs from the real venv only in that one directory link
    assert _python(scratch, "import nativelib, nativeext; print('ok')").stdout.strip() == "ok"
    proc = _python(scratch, CALL, check=False)
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr
    assert "libgreet.so: cannot open shared object file" in proc.stderr
    # and the untouched graft venv still works
    assert _python(graft_venv, CALL).stdout.split()[0] == str(CALL_RESULT)


def test_library_in_the_same_wheel_lets_both_directories_fold(
    tmp_path: Path, store_dir: Path, native_wheels: NativeWheels
) -> None:
    """``$ORIGIN/../selfext.libs`` through a fold reaches selfext's own entry: same bytes."""
    graft_venv = tmp_path / "graft-venv"
    run_graft("sync", graft_venv, native_wheels.selfext, "--store", store_dir)
    flat_venv = _flat_venv(tmp_path / "flat-venv", native_wheels, (native_wheels.selfext,))
    call = CALL.replace("nativeext", "selfext")
    assert _python(graft_venv, call).stdout.split()[0] == str(CALL_RESULT)
    assert _python(flat_venv, call).stdout.split()[0] == str(CALL_RESULT)
    sp = _site(graft_venv)
    assert (sp / "selfext").is_symlink()
    assert (sp / "selfext.libs").is_symlink()


def test_another_wheel_in_the_library_directory_keeps_the_path_real(
    tmp_path: Path, store_dir: Path, native_wheels: NativeWheels
) -> None:
    """A second wheel adds to ``selfext.libs/``: a fold would hide it, so selfext stays real."""
    wheels = (native_wheels.selfext, native_wheels.intruder)
    graft_venv = tmp_path / "graft-venv"
    run_graft("sync", graft_venv, *wheels, "--store", store_dir)
    call = CALL.replace("nativeext", "selfext")
    assert _python(graft_venv, call).stdout.split()[0] == str(CALL_RESULT)
    sp = _site(graft_venv)
    for directory in ("selfext", "selfext.libs"):
        assert (sp / directory).is_dir()
        assert not (sp / directory).is_symlink(), directory
    assert (sp / "selfext.libs" / "README.txt").is_symlink()
    assert (sp / "selfext.libs" / "libgreet.so").is_symlink()
