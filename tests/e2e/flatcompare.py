"""Compare a venv with a flat reference; every function returns human-readable differences.

An empty list means equal. The first venv is the one under test ("graft" in messages by
default), the second the reference ("flat").
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.machinery
import json
import os
import re
import shlex
import stat
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .venvs import Venv

PROBE = Path(__file__).with_name("probe.py")
PROBE_TIMEOUT = 600
HELP_TIMEOUT = 300

# Written per installation by each installer; never compared.
INSTALLER_OWNED = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
# The venv skeleton written by ``python -m venv`` (and whatever graft creates instead); the
# .gitignore of ``*`` that uv venv, Python 3.13's venv and graft write.
SKELETON_FILES = frozenset({"pyvenv.cfg", ".gitignore"})
SKELETON_BIN_PREFIXES = ("activate", "python", "Activate.ps1")
PREFIX_PLACEHOLDER = b"{prefix}"

Labels = tuple[str, str]
DEFAULT_LABELS: Labels = ("graft", "flat")


def format_differences(differences: Sequence[str], limit: int = 150) -> str:
    shown = list(differences[:limit])
    if len(differences) > limit:
        shown.append(f"... and {len(differences) - limit} more")
    return "\n".join(shown)


# --------------------------------------------------------------------------------------
# a) files


@dataclass(frozen=True)
class FileEntry:
    path: str  # absolute, as reached through the venv (links not resolved)
    size: int
    executable: bool


@dataclass
class Tree:
    files: dict[str, FileEntry]  # prefix-relative posix path -> entry
    problems: list[str]


def _excluded(rel_parts: tuple[str, ...]) -> bool:
    name = rel_parts[-1]
    if "__pycache__" in rel_parts or name.endswith(".pyc"):
        return True
    if len(rel_parts) == 1 and name in SKELETON_FILES:
        return True
    if len(rel_parts) == 2 and rel_parts[0] == "bin" and name.startswith(SKELETON_BIN_PREFIXES):
        return True
    return len(rel_parts) >= 2 and rel_parts[-2].endswith(".dist-info") and name in INSTALLER_OWNED


def walk_tree(prefix: Path) -> Tree:
    """Every file reachable under ``prefix``, following directory symlinks."""
    files: dict[str, FileEntry] = {}
    problems: list[str] = []
    root = str(prefix)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir_parts = () if rel_dir == "." else tuple(Path(rel_dir).parts)
        real_dir = os.path.realpath(dirpath)
        kept = []
        for name in sorted(dirnames):
            full = os.path.join(dirpath, name)
            if not rel_dir_parts and name == "lib64" and os.path.islink(full):
                continue  # venv's lib64 -> lib alias
            if name == "__pycache__":
                continue
            real = os.path.realpath(full)
            if real == real_dir or real_dir.startswith(real + os.sep):
                problems.append(f"symlink loop: {'/'.join((*rel_dir_parts, name))} -> {real}")
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            rel_parts = (*rel_dir_parts, name)
            if _excluded(rel_parts):
                continue
            full = os.path.join(dirpath, name)
            rel = "/".join(rel_parts)
            try:
                st = os.stat(full)
            except OSError as exc:
                problems.append(f"unreadable: {rel}: {exc.strerror} (-> {os.path.realpath(full)})")
                continue
            if not stat.S_ISREG(st.st_mode):
                problems.append(f"not a regular file: {rel}")
                continue
            files[rel] = FileEntry(full, st.st_size, bool(st.st_mode & stat.S_IXUSR))
    return Tree(files, problems)


def _read_normalized(entry: FileEntry, rel: str, prefix: Path) -> bytes:
    data = Path(entry.path).read_bytes()
    if rel.startswith("bin/"):
        for root in {str(prefix), os.path.realpath(prefix)}:
            data = data.replace(os.fsencode(root), PREFIX_PLACEHOLDER)
    return data


def _same_bytes(a: str, b: str) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            ca = fa.read(1 << 20)
            cb = fb.read(1 << 20)
            if ca != cb:
                return False
            if not ca:
                return True


def compare_trees(actual: Venv, expected: Venv, labels: Labels = DEFAULT_LABELS) -> list[str]:
    """Same relative paths, byte-identical contents, same executable bit.

    Scripts in ``bin/`` are compared with each venv's own prefix replaced by a placeholder
    (shebangs name the venv's interpreter); nothing else is normalized.
    """
    a_label, b_label = labels
    trees = (walk_tree(actual.prefix), walk_tree(expected.prefix))
    diffs = [f"{a_label}: {p}" for p in trees[0].problems]
    diffs += [f"{b_label}: {p}" for p in trees[1].problems]
    a_files, b_files = trees[0].files, trees[1].files
    diffs += [f"only in {a_label}: {p}" for p in sorted(a_files.keys() - b_files.keys())]
    diffs += [f"only in {b_label}: {p}" for p in sorted(b_files.keys() - a_files.keys())]
    for rel in sorted(a_files.keys() & b_files.keys()):
        a, b = a_files[rel], b_files[rel]
        if rel.startswith("bin/"):
            a_data = _read_normalized(a, rel, actual.prefix)
            b_data = _read_normalized(b, rel, expected.prefix)
            if a_data != b_data:
                diffs.append(f"contents differ (prefix-normalized): {rel}")
        elif a.size != b.size:
            diffs.append(f"size differs: {rel}: {a_label} {a.size}, {b_label} {b.size}")
        elif not _same_bytes(a.path, b.path):
            diffs.append(f"contents differ: {rel}")
        if a.executable != b.executable:
            diffs.append(
                f"executable bit differs: {rel}: {a_label} {a.executable}, {b_label} {b.executable}"
            )
    return diffs


def count_files(prefix: Path) -> int:
    return len(walk_tree(prefix).files)


# --------------------------------------------------------------------------------------
# b) imports


def _extension_suffixes() -> tuple[str, ...]:
    return tuple(sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True))


def top_level_names(site_packages: Path) -> set[str]:
    """Importable top-level names found in site-packages (packages, namespace dirs, modules)."""
    names: set[str] = set()
    ext = _extension_suffixes()
    for entry in os.scandir(site_packages):
        name = entry.name
        if entry.is_dir():  # follows symlinks
            if name.isidentifier() and name != "__pycache__":
                names.add(name)
        elif name.endswith(".py") and name[:-3].isidentifier():
            names.add(name[:-3])
        elif name.endswith(ext):
            module = name.split(".", 1)[0]
            if module.isidentifier():
                names.add(module)
    return names


def _run_probe(venv: Venv, args: list[str], env: Mapping[str, str], tmp: Path) -> dict[str, Any]:
    out = tmp / "out.json"
    proc = subprocess.run(
        [str(venv.python), "-I", str(PROBE), *args, str(out)],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
        cwd=tmp,
    )
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(
            f"probe {args[0]} failed in {venv.prefix} (exit {proc.returncode}):\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def import_report(
    venv: Venv, modules: Iterable[str], expand: Iterable[str], env: Mapping[str, str]
) -> dict[str, Any]:
    """Import each module in the venv's own interpreter (one process, in the given order)."""
    with tempfile.TemporaryDirectory(prefix="graft-probe-") as tmp:
        request = Path(tmp, "request.json")
        request.write_text(
            json.dumps({"modules": list(modules), "expand": list(expand)}), encoding="utf-8"
        )
        return _run_probe(venv, ["imports", str(request)], env, Path(tmp))


def import_names(actual: Venv, expected: Venv) -> list[str]:
    return sorted(top_level_names(actual.site_packages) | top_level_names(expected.site_packages))


def compare_import_reports(
    actual: Mapping[str, Any], expected: Mapping[str, Any], labels: Labels = DEFAULT_LABELS
) -> list[str]:
    a_label, b_label = labels
    diffs = []
    for name in sorted(actual.keys() | expected.keys()):
        a, b = actual.get(name), expected.get(name)
        if a == b:
            continue
        private = name.rsplit(".", 1)[-1].startswith("_")
        if private and a is not None and b is not None and "error" in a and "error" in b:
            continue
        diffs.append(f"import {name}: {a_label} {a}, {b_label} {b}")
    return diffs


def compare_imports(
    actual: Venv,
    expected: Venv,
    expand: Sequence[str],
    envs: tuple[Mapping[str, str], Mapping[str, str]],
    labels: Labels = DEFAULT_LABELS,
) -> list[str]:
    names = import_names(actual, expected)
    return compare_import_reports(
        import_report(actual, names, expand, envs[0]),
        import_report(expected, names, expand, envs[1]),
        labels,
    )


# --------------------------------------------------------------------------------------
# c) importlib.metadata and e) sys.path


def environment_report(venv: Venv, env: Mapping[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="graft-probe-") as tmp:
        return _run_probe(venv, ["environment"], env, Path(tmp))


def _multiset_diff(what: str, a: Iterable[Any], b: Iterable[Any], labels: Labels) -> list[str]:
    ca = Counter(json.dumps(x) for x in a)
    cb = Counter(json.dumps(x) for x in b)
    diffs = [f"{what} only in {labels[0]}: {x}" for x in sorted((ca - cb).elements())]
    diffs += [f"{what} only in {labels[1]}: {x}" for x in sorted((cb - ca).elements())]
    return diffs


def compare_metadata(
    actual: Mapping[str, Any],
    expected: Mapping[str, Any],
    labels: Labels = DEFAULT_LABELS,
    directory_links: frozenset[str] = frozenset(),
) -> list[str]:
    """Distributions, entry points, and files() of each distribution.

    *directory_links*: paths (relative to site-packages) that are directory links in the
    *actual* venv. graft's RECORD lists each one as a row of its own so that ``pip uninstall``
    removes the link (docs/decisions.md, 6); those rows, and only those, are not a difference.
    """
    diffs = _multiset_diff(
        "distribution", actual["distributions"], expected["distributions"], labels
    )
    diffs += _multiset_diff("entry point", actual["entry_points"], expected["entry_points"], labels)
    a_files: dict[str, list[str] | None] = actual["files"]
    b_files: dict[str, list[str] | None] = expected["files"]
    for dist in sorted(a_files.keys() & b_files.keys()):
        a, b = a_files[dist], b_files[dist]
        if a is None or b is None:
            if a != b:
                diffs.append(f"files() of {dist}: {labels[0]} {a!r:.60}, {labels[1]} {b!r:.60}")
            continue
        a = [f for f in a if f not in directory_links]
        diffs += _multiset_diff(f"files() of {dist}:", a, b, labels)
    return diffs


def directory_links_of(prefix: Path, site_packages: Path) -> frozenset[str]:
    """Every directory symlink in the venv, relative to *site_packages* as RECORD spells it."""
    out = set()
    for dirpath, dirnames, _files in os.walk(prefix):
        for name in dirnames:
            path = Path(dirpath) / name
            if path.is_symlink():
                out.add(Path(os.path.relpath(path, site_packages)).as_posix())
    return frozenset(out)


def compare_sys_path(
    actual: Mapping[str, Any], expected: Mapping[str, Any], labels: Labels = DEFAULT_LABELS
) -> list[str]:
    a, b = actual["sys_path"], expected["sys_path"]
    if a == b:
        return []
    return [f"sys.path differs:\n  {labels[0]}: {a}\n  {labels[1]}: {b}"]


# --------------------------------------------------------------------------------------
# d) console scripts


def bin_entries(venv: Venv) -> set[str]:
    if not venv.bin.is_dir():
        return set()
    return {n for n in os.listdir(venv.bin) if not n.startswith(SKELETON_BIN_PREFIXES)}


def script_interpreter(path: Path) -> str | None:
    """The interpreter a script's shebang names (also installer's ``/bin/sh`` trampoline)."""
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    lines = head.split(b"\n")
    first = lines[0][2:].strip().decode(errors="replace")
    second = lines[1].decode(errors="replace") if len(lines) > 1 else ""
    if first == "/bin/sh" and second.startswith("'''exec' "):
        return shlex.split(second)[1]
    return first.split()[0] if first else None


def _own_pythons(venv: Venv) -> set[str]:
    return {str(venv.python), os.path.join(os.path.realpath(venv.prefix), "bin", "python")}


def compare_scripts(actual: Venv, expected: Venv, labels: Labels = DEFAULT_LABELS) -> list[str]:
    """Same set of files in bin/; generated scripts name their own venv's bin/python."""
    a_label, b_label = labels
    a_bin, b_bin = bin_entries(actual), bin_entries(expected)
    diffs = [f"bin/{n} only in {a_label}" for n in sorted(a_bin - b_bin)]
    diffs += [f"bin/{n} only in {b_label}" for n in sorted(b_bin - a_bin)]
    for name in sorted(a_bin & b_bin):
        a_interp = script_interpreter(actual.bin / name)
        b_interp = script_interpreter(expected.bin / name)
        if b_interp in _own_pythons(expected):
            if a_interp not in _own_pythons(actual):
                diffs.append(
                    f"bin/{name}: {a_label} shebang names {a_interp!r}, "
                    f"expected its own {actual.python}"
                )
        elif a_interp != b_interp:
            diffs.append(f"bin/{name}: shebang {a_label} {a_interp!r}, {b_label} {b_interp!r}")
    return diffs


@dataclass(frozen=True)
class ScriptRun:
    returncode: int
    output: str  # stdout, then stderr; the venv prefix replaced by "{prefix}"


def run_script(venv: Venv, script: str, args: Sequence[str], env: Mapping[str, str]) -> ScriptRun:
    proc = subprocess.run(
        [str(venv.bin / script), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=HELP_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    output = proc.stdout + "\n--- stderr ---\n" + proc.stderr
    for root in {str(venv.prefix), os.path.realpath(venv.prefix)}:
        output = output.replace(root, "{prefix}")
    if env.get("AIRFLOW_HOME"):
        output = output.replace(env["AIRFLOW_HOME"], "{airflow_home}")
    return ScriptRun(proc.returncode, output)


def compare_script_help(
    actual: Venv,
    expected: Venv,
    scripts: Iterable[str],
    envs: tuple[Mapping[str, str], Mapping[str, str]],
    labels: Labels = DEFAULT_LABELS,
) -> list[str]:
    """``bin/<script> --help`` exits 0 in both venvs and prints the same (prefix-normalized)."""
    diffs = []
    for script in scripts:
        a = run_script(actual, script, ["--help"], envs[0])
        b = run_script(expected, script, ["--help"], envs[1])
        for label, run in zip(labels, (a, b), strict=True):
            if run.returncode != 0:
                diffs.append(
                    f"{label}: bin/{script} --help exited {run.returncode}:\n{run.output[-2000:]}"
                )
        if a.returncode == 0 == b.returncode and a.output != b.output:
            diffs.append(
                f"bin/{script} --help output differs:\n--- {labels[0]}\n{a.output[-1500:]}\n"
                f"--- {labels[1]}\n{b.output[-1500:]}"
            )
    return diffs


# --------------------------------------------------------------------------------------
# RECORD and INSTALLER of one venv


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def record_problems(venv: Venv, lost_paths: Iterable[str] = ()) -> list[str]:
    """Every dist-info has a RECORD, and every hashed entry matches the file in the venv.

    ``lost_paths`` (site-packages-relative, or ``{prefix}/``-relative) are files some
    distributions lost in a collision: there a RECORD may keep the loser's own hash.
    """
    problems = []
    site = venv.site_packages
    prefix_marker = PREFIX_PLACEHOLDER.decode() + "/"
    tolerated = {
        os.path.normpath(
            venv.prefix / p.removeprefix(prefix_marker) if p.startswith(prefix_marker) else site / p
        )
        for p in lost_paths
    }
    for dist_info in sorted(site.glob("*.dist-info")):
        record = dist_info / "RECORD"
        if not record.is_file():
            problems.append(f"{dist_info.name}: no RECORD")
            continue
        with record.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        for row in rows:
            if not row:
                continue
            path, digest = row[0], row[1] if len(row) > 1 else ""
            target = site / path
            if not digest:
                continue
            algorithm = digest.split("=", 1)[0]
            if algorithm != "sha256":
                problems.append(f"{dist_info.name}: unexpected hash {algorithm} for {path}")
                continue
            try:
                data = target.read_bytes()
            except OSError as exc:
                problems.append(f"{dist_info.name}: RECORD lists {path}: {exc.strerror}")
                continue
            if _record_hash(data) != digest:
                if os.path.normpath(target) in tolerated:
                    continue
                problems.append(f"{dist_info.name}: RECORD hash mismatch for {path}")
            elif len(row) > 2 and row[2] and int(row[2]) != len(data):
                problems.append(f"{dist_info.name}: RECORD size mismatch for {path}")
    return problems


def installer_problems(venv: Venv, expected: str) -> list[str]:
    problems = []
    for dist_info in sorted(venv.site_packages.glob("*.dist-info")):
        installer = dist_info / "INSTALLER"
        if not installer.is_file():
            problems.append(f"{dist_info.name}: no INSTALLER")
        elif installer.read_text(encoding="utf-8").strip() != expected:
            text = installer.read_text(encoding="utf-8").strip()
            problems.append(f"{dist_info.name}: INSTALLER is {text!r}, expected {expected!r}")
    return problems


# --------------------------------------------------------------------------------------
# launchers against uv's, and RECORD row sets against the flat install's

SCRIPTS_FROM_SITE = os.path.normpath("../../../bin") + os.sep  # RECORD's path to bin/
_LAUNCHER_IMPORT = re.compile(rb"^from ([\w.]+) import ([\w.]+)\s*$", re.MULTILINE)
_LAUNCHER_CALL = re.compile(rb"^\s+sys\.exit\((.+)\(\)\)\s*$", re.MULTILINE)


def launcher_target(path: Path) -> tuple[str, str, str] | None:
    """``(module, imported name, called expression)`` of a console-script launcher, or None.

    Parsed from the text, independently of installer (graft's launcher writer) and uv.
    """
    data = path.read_bytes()
    if not data.startswith(b"#!"):
        return None  # a native executable (ruff, uv) whose bytes may match by chance
    imported, call = _LAUNCHER_IMPORT.search(data), _LAUNCHER_CALL.search(data)
    if imported is None or call is None:
        return None
    return imported[1].decode(), imported[2].decode(), call[1].decode()


def compare_launchers(actual: Venv, reference: Venv, labels: Labels = ("graft", "uv")) -> list[str]:
    """Every launcher the reference tool generated is one in *actual*, naming the same
    ``module:attr``, with a shebang naming *actual*'s own python."""
    diffs = []
    for name in sorted(bin_entries(reference)):
        expected = launcher_target(reference.bin / name)
        if expected is None:
            continue  # a script shipped in the wheel, not a generated launcher
        path = actual.bin / name
        if not path.is_file():
            diffs.append(f"bin/{name}: launcher only in {labels[1]}")
            continue
        if launcher_target(path) != expected:
            diffs.append(f"bin/{name}: {labels[0]} {launcher_target(path)}, {labels[1]} {expected}")
        if script_interpreter(path) not in _own_pythons(actual):
            diffs.append(f"bin/{name}: {labels[0]} shebang {script_interpreter(path)!r}")
    return diffs


def record_rows(venv: Venv) -> dict[str, dict[str, tuple[str, str]]]:
    """``{dist-info name: {path: (hash, size)}}`` from every RECORD in *venv*."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for dist_info in sorted(venv.site_packages.glob("*.dist-info")):
        with (dist_info / "RECORD").open(newline="", encoding="utf-8") as f:
            rows = [row for row in csv.reader(f) if row]
        out[dist_info.name] = {
            os.path.normpath(r[0]): (r[1] if len(r) > 1 else "", r[2] if len(r) > 2 else "")
            for r in rows
        }
    return out


def compare_record_rows(
    actual: Venv,
    expected: Venv,
    *,
    directory_links: frozenset[str],
    labels: Labels = DEFAULT_LABELS,
) -> list[str]:
    """Each distribution's RECORD lists the same paths with the same hashes and sizes.

    Allowed, and only these: graft's extra rows for directory links (decision 6) and for
    ``REQUESTED`` (the flat reference does not know what was requested), rows for bytecode
    (``__pycache__``: compiled by one installer and not the other), the hash of ``INSTALLER``
    (its text names the installer) and of scripts in ``bin/`` (their shebang names each venv's
    own python; ``compare_launchers`` checks what they run).
    """
    a_rows, b_rows = record_rows(actual), record_rows(expected)
    diffs = [f"{d}: only in {labels[0]}" for d in sorted(a_rows.keys() - b_rows.keys())]
    diffs += [f"{d}: only in {labels[1]}" for d in sorted(b_rows.keys() - a_rows.keys())]
    links = {os.path.normpath(p) for p in directory_links}
    for dist in sorted(a_rows.keys() & b_rows.keys()):
        a, b = a_rows[dist], b_rows[dist]

        def kept(rows: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
            return {p: v for p, v in rows.items() if "__pycache__" not in p.split(os.sep)}

        a_kept, b_kept = kept(a), kept(b)
        extra = sorted(
            p
            for p in a_kept.keys() - b_kept.keys()
            if p not in links and not p.endswith(".dist-info/REQUESTED")
        )
        diffs += [f"{dist}: RECORD row only in {labels[0]}: {p}" for p in extra]
        diffs += [
            f"{dist}: RECORD row only in {labels[1]}: {p}"
            for p in sorted(b_kept.keys() - a_kept.keys())
        ]
        for path in sorted(a_kept.keys() & b_kept.keys()):
            if path.endswith(".dist-info/INSTALLER") or path.startswith(SCRIPTS_FROM_SITE):
                continue
            if a_kept[path] != b_kept[path]:
                diffs.append(
                    f"{dist}: RECORD {path}: {labels[0]} {a_kept[path]}, {labels[1]} {b_kept[path]}"
                )
    return diffs
