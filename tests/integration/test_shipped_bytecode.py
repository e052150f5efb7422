"""Bytecode a wheel ships stays as shipped: graft compiles only what is missing, beside it, and
its clean-up of a killed compile removes only files graft could have written."""

from __future__ import annotations

import importlib.util
import py_compile
import sys
from pathlib import Path

from graft._fs import file_sha256
from graft.store import seal
from graft.store.entries import Store
from tests.conftest import run_graft
from tests.support.venv import py, site
from tests.support.wheelmaker import make_wheel

TAG = sys.implementation.cache_tag  # the target: the interpreter running graft
SOURCE = "WHERE = 'shipped'\n"


def shipped_pyc(tmp_path: Path, source: str) -> bytes:
    """What a wheel built with bytecode would ship: a checked-hash .pyc of *source*."""
    src = tmp_path / "compile" / "mod.py"
    src.parent.mkdir()
    src.write_text(source)
    out = tmp_path / "compile" / "mod.pyc"
    py_compile.compile(
        str(src),
        cfile=str(out),
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )
    return out.read_bytes()


def sync(venv: Path, store: Path, *wheel_paths: Path) -> None:
    run_graft("sync", venv, *wheel_paths, "--store", store, "--no-deps", "-q")


def verify_clean(store: Path) -> None:
    proc = run_graft("store", "verify", "--store", store, check=False)
    assert proc.returncode == 0, proc.stderr  # 1 on any entry problem


def test_shipped_bytecode_is_kept_and_the_rest_compiled_beside_it(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    pyc = shipped_pyc(tmp_path, SOURCE)
    wheel = make_wheel(
        wheels,
        "shipper",
        "1.0",
        {
            "shipper/__init__.py": "",
            "shipper/mod.py": SOURCE,
            f"shipper/__pycache__/mod.{TAG}.pyc": pyc,
            "shipper/other.py": "OTHER = 2\n",
        },
    )
    venv = tmp_path / "venv"
    sync(venv, store_dir, wheel)

    tree = store_dir / "entries" / file_sha256(str(wheel)) / "tree" / "shipper" / "__pycache__"
    assert (tree / f"mod.{TAG}.pyc").read_bytes() == pyc  # as shipped
    assert sorted(p.name for p in tree.iterdir()) == sorted(
        f"{name}.{TAG}.pyc" for name in ("__init__", "mod", "other")
    )
    verify_clean(store_dir)
    out = py(
        venv, "import shipper.mod, shipper.other; print(shipper.mod.WHERE, shipper.other.OTHER)"
    )
    assert out == "shipped 2"
    cached = importlib.util.cache_from_source(str(site(venv) / "shipper" / "mod.py"))
    assert Path(cached).read_bytes() == pyc  # the venv serves the shipped file


def test_a_listed_file_named_like_a_compile_temp_file_is_kept(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    temp_like = f"shipper/__pycache__/mod.{TAG}.pyc.123"
    wheel = make_wheel(
        wheels,
        "shipper",
        "1.0",
        {"shipper/__init__.py": "", "shipper/mod.py": SOURCE, temp_like: b"data listed in RECORD"},
    )
    sync(tmp_path / "venv", store_dir, wheel)
    tree = store_dir / "entries" / file_sha256(str(wheel)) / "tree"
    assert (tree / temp_like).read_bytes() == b"data listed in RECORD"
    assert (tree / f"shipper/__pycache__/mod.{TAG}.pyc").is_file()  # compiled beside it
    verify_clean(store_dir)


def test_temp_files_of_a_killed_compile_are_removed(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """A compile killed midway leaves its entry unsealed, without ``bytecode/<tag>.json`` and with
    temp files (and no kept plan); the next sync that plans with the entry removes them and
    compiles again."""
    temp_like = f"shipper/__pycache__/mod.{TAG}.pyc.123"
    wheel = make_wheel(
        wheels,
        "shipper",
        "1.0",
        {"shipper/__init__.py": "", "shipper/mod.py": SOURCE, temp_like: b"listed"},
    )
    sync(tmp_path / "v1", store_dir, wheel)
    entry = Store(str(store_dir)).peek(file_sha256(str(wheel)))
    assert entry is not None
    seal.unseal_tree(entry.path)  # as the killed compile left it
    cache = Path(entry.tree) / "shipper" / "__pycache__"
    (cache / f"mod.{TAG}.pyc").unlink()
    (Path(entry.path) / "bytecode" / f"{TAG}.json").unlink()
    leftovers = [
        cache / f"mod.{TAG}.pyc.140213245",  # py_compile's temp file: <cfile>.<id>
        cache / f"__init__.{TAG}.pyc.99",
        Path(entry.path) / "bytecode" / f"{TAG}.json.tmp.4242",  # graft's own: <file>.tmp.<pid>
    ]
    for path in leftovers:
        path.write_bytes(b"partial")

    other = make_wheel(wheels, "other", "1.0", {"other.py": ""})
    sync(tmp_path / "v2", store_dir, wheel, other)  # a new set: planned, so compiled first
    assert [p for p in leftovers if p.exists()] == []
    assert (Path(entry.tree) / temp_like).read_bytes() == b"listed"
    assert (cache / f"mod.{TAG}.pyc").is_file()
    assert (Path(entry.path) / "bytecode" / f"{TAG}.json").is_file()
    verify_clean(store_dir)
    assert py(tmp_path / "v2", "import shipper.mod; print(shipper.mod.WHERE)") == "shipped"
