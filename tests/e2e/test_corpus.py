"""graft venvs of the corpus sets must equal a flat, one-wheel-after-another install."""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from packaging.utils import canonicalize_name

from .flatcompare import (
    bin_entries,
    compare_import_reports,
    compare_launchers,
    compare_metadata,
    compare_record_rows,
    compare_script_help,
    compare_scripts,
    compare_sys_path,
    compare_trees,
    directory_links_of,
    environment_report,
    format_differences,
    import_names,
    import_report,
    installer_problems,
    launcher_target,
    record_problems,
    walk_tree,
)
from .harness import (
    Collision,
    CorpusEnvs,
    corpus_params,
    member_bytes,
    spec_for,
    wheel_members,
    wheel_top_level,
)

if TYPE_CHECKING:
    from .venvs import Venv
    from .wheelcache import WheelSet

pytestmark = pytest.mark.e2e

ALL_SETS = corpus_params()
PLAN_ACTIONS = frozenset(
    {
        "mkdir",
        "link_dir",
        "link_file",
        "copy_file",
        "write_file",
        "write_launcher",
        "install_script",
        "write_record",
    }
)


def dist_name(reported: object) -> str:
    """A distribution as the plan names it (``pyjwt``, ``PyJWT``, ``pyjwt==2.13.0``)."""
    match = re.match(r"[A-Za-z0-9._-]+", str(reported).strip())
    return canonicalize_name(match.group(0) if match else str(reported))


def both(graft_venv: Venv, flat_venv: Venv) -> list[tuple[str, Venv]]:
    return [("graft", graft_venv), ("flat", flat_venv)]


def assert_no_differences(diffs: list[str], what: str) -> None:
    assert not diffs, f"{len(diffs)} {what}:\n{format_differences(diffs)}"


# --------------------------------------------------------------------------------------
# Generic: every set


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_graft_sync_succeeds(corpus_envs: CorpusEnvs, set_file: Path) -> None:
    build = corpus_envs.graft_build(set_file)
    assert build.run.returncode == 0, build.run.describe()
    assert build.venv is not None, f"exit 0 but no bin/python:\n{build.run.describe()}"


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_files_equal_flat(graft_venv: Venv, flat_venv: Venv) -> None:
    """a) same files (through links), same bytes, same executable bit."""
    assert_no_differences(compare_trees(graft_venv, flat_venv), "file differences")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_record_and_installer(
    corpus_envs: CorpusEnvs, set_file: Path, graft_venv: Venv, flat_venv: Venv
) -> None:
    """graft's own RECORDs match the venv's files; INSTALLER is ``graft``."""
    lost = corpus_envs.collisions(set_file).keys()
    assert_no_differences(record_problems(flat_venv, lost), "problems in the flat reference")
    problems = record_problems(graft_venv, lost) + installer_problems(graft_venv, "graft")
    assert_no_differences(problems, "RECORD/INSTALLER problems in the graft venv")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_record_rows_equal_flat(graft_venv: Venv, flat_venv: Venv) -> None:
    """Each RECORD lists the flat install's rows, hashes and sizes (plus directory links)."""
    (site_packages,) = graft_venv.prefix.glob("lib/python*/site-packages")
    links = directory_links_of(graft_venv.prefix, site_packages)
    diffs = compare_record_rows(graft_venv, flat_venv, directory_links=links)
    assert_no_differences(diffs, "RECORD row differences")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_launchers_equal_uv(corpus_envs: CorpusEnvs, set_file: Path, graft_venv: Venv) -> None:
    """Every console-script launcher uv writes, graft writes: same ``module:attr`` call, a
    shebang naming the venv's own python (uv writes its launchers with its own template)."""
    uv_venv = corpus_envs.uv(set_file)
    launchers = [n for n in bin_entries(uv_venv) if launcher_target(uv_venv.bin / n)]
    assert_no_differences(compare_launchers(graft_venv, uv_venv), "launcher differences")
    # the scripts each set runs are entry-point launchers: the comparison saw them
    assert set(spec_for(set_file).help_scripts) <= set(launchers)


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_imports_equal_flat(
    corpus_envs: CorpusEnvs, set_file: Path, graft_venv: Venv, flat_venv: Venv
) -> None:
    """b) every top-level name (and children of merged packages) imports from the same
    prefix-relative place, or fails the same way."""
    names = import_names(graft_venv, flat_venv)
    expand = spec_for(set_file).expand
    actual = import_report(graft_venv, names, expand, corpus_envs.env(graft_venv))
    expected = import_report(flat_venv, names, expand, corpus_envs.env(flat_venv))
    assert_no_differences(compare_import_reports(actual, expected), "import differences")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_metadata_and_sys_path_equal_flat(
    corpus_envs: CorpusEnvs, graft_venv: Venv, flat_venv: Venv
) -> None:
    """c) importlib.metadata: distributions, entry points, files(); e) sys.path."""
    actual = environment_report(graft_venv, corpus_envs.env(graft_venv))
    expected = environment_report(flat_venv, corpus_envs.env(flat_venv))
    (site_packages,) = graft_venv.prefix.glob("lib/python*/site-packages")
    links = directory_links_of(graft_venv.prefix, site_packages)
    diffs = compare_metadata(actual, expected, directory_links=links)
    diffs += compare_sys_path(actual, expected)
    assert_no_differences(diffs, "metadata / sys.path differences")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_console_scripts(
    corpus_envs: CorpusEnvs, set_file: Path, graft_venv: Venv, flat_venv: Venv
) -> None:
    """d) same bin/ entries; shebangs name the venv's own python; some scripts run."""
    diffs = compare_scripts(graft_venv, flat_venv)
    diffs += compare_script_help(
        graft_venv,
        flat_venv,
        spec_for(set_file).help_scripts,
        (corpus_envs.env(graft_venv), corpus_envs.env(flat_venv)),
    )
    assert_no_differences(diffs, "console script differences")


# --------------------------------------------------------------------------------------
# The plan: graft sync --dry-run --json


def _plan(corpus_envs: CorpusEnvs, set_file: Path) -> dict[str, Any]:
    dry = corpus_envs.dry_run(set_file)
    assert dry.run.returncode == 0, dry.run.describe()
    try:
        plan: dict[str, Any] = json.loads(dry.run.stdout)
    except json.JSONDecodeError as exc:
        pytest.fail(f"--dry-run --json stdout is not JSON ({exc}):\n{dry.run.describe()}")
    return plan


def _collision_location(path: str, venv: Path, flat_venv: Venv) -> str:
    """A reported collision path in the form ``expected_collisions`` uses."""
    if os.path.isabs(path):
        path = os.path.relpath(path, venv)
    path = posixpath.normpath(path.replace(os.sep, "/"))
    site_rel = flat_venv.site_packages.relative_to(flat_venv.prefix).as_posix() + "/"
    if path.startswith(site_rel):
        return path[len(site_rel) :]
    return "{prefix}/" + path


def collision_differences(
    reported: list[dict[str, Any]], expected: dict[str, Collision], venv: Path, flat_venv: Venv
) -> list[str]:
    winners: dict[str, set[str]] = {}
    losers: dict[str, set[str]] = {}
    for item in reported:
        location = _collision_location(str(item["path"]), venv, flat_venv)
        winners.setdefault(location, set()).add(dist_name(item["winner"]))
        losers.setdefault(location, set()).add(dist_name(item["loser"]))
    diffs = [f"collision not reported: {p}" for p in sorted(expected.keys() - winners.keys())]
    diffs += [
        f"reported collision is not one (same bytes, or one owner): {p}"
        for p in sorted(winners.keys() - expected.keys())
    ]
    for location in sorted(expected.keys() & winners.keys()):
        want = expected[location]
        if winners[location] != {want.winner}:
            diffs.append(f"{location}: winner {sorted(winners[location])}, expected {want.winner}")
        if not losers[location] <= want.losers:
            diffs.append(f"{location}: losers {sorted(losers[location])} not in {want.losers}")
    return diffs


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_dry_run_plan(corpus_envs: CorpusEnvs, set_file: Path, flat_venv: Venv) -> None:
    """The JSON plan is well-formed and reports exactly the real collisions, last name wins."""
    plan = _plan(corpus_envs, set_file)
    dry = corpus_envs.dry_run(set_file)
    problems = []
    if not isinstance(plan.get("actions"), list) or not isinstance(plan.get("collisions"), list):
        pytest.fail(f"plan lacks 'actions'/'collisions' lists: keys {sorted(plan)}")
    for action in plan["actions"]:
        kind, dest = action.get("action"), action.get("dest")
        if kind not in PLAN_ACTIONS:
            problems.append(f"unknown action {kind!r}: {action}")
        if not isinstance(dest, str) or dest.startswith("/") or ".." in dest.split("/"):
            problems.append(f"dest is not a venv-relative posix path: {action}")
    if not plan["actions"]:
        problems.append("plan has no actions for a fresh venv")
    problems += collision_differences(
        plan["collisions"], corpus_envs.collisions(set_file), dry.venv, flat_venv
    )
    assert_no_differences(problems, "plan problems")


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_dry_run_changes_nothing(corpus_envs: CorpusEnvs, set_file: Path) -> None:
    dry = corpus_envs.dry_run(set_file)
    assert dry.run.returncode == 0, dry.run.describe()
    assert not dry.venv.exists(), f"--dry-run created {dry.venv}"
    assert_no_differences(dry.store_changes, "store entries changed by --dry-run")


# --------------------------------------------------------------------------------------
# Seed specifics: each checked in the graft venv, and the flat reference must agree


def run_ok(corpus_envs: CorpusEnvs, label: str, venv: Venv, code: str) -> list[str]:
    proc = corpus_envs.python(venv, code)
    if proc.returncode == 0:
        return []
    return [f"{label}: python -c {code!r} exited {proc.returncode}:\n{proc.stderr[-2500:]}"]


@pytest.mark.parametrize("set_file", corpus_params(only=("jaraco",)))
def test_jaraco_namespace(corpus_envs: CorpusEnvs, graft_venv: Venv, flat_venv: Venv) -> None:
    problems = []
    for label, venv in both(graft_venv, flat_venv):
        jaraco = venv.site_packages / "jaraco"
        if jaraco.is_symlink() or not jaraco.is_dir():
            problems.append(f"{label}: {jaraco} is not a real directory (symlink or missing)")
        if (jaraco / "__init__.py").exists():
            problems.append(f"{label}: {jaraco}/__init__.py exists; jaraco is a PEP 420 namespace")
        problems += run_ok(
            corpus_envs,
            label,
            venv,
            "import jaraco, jaraco.classes.properties, jaraco.functools\n"
            "assert getattr(jaraco, '__file__', None) is None, jaraco.__file__",
        )
    assert_no_differences(problems, "jaraco problems")


@pytest.mark.parametrize("set_file", corpus_params(only=("azure",)))
def test_azure_tracing_ext(corpus_envs: CorpusEnvs, graft_venv: Venv, flat_venv: Venv) -> None:
    code = "from azure.core.tracing.ext.opentelemetry_span import OpenTelemetrySpan"
    problems = []
    for label, venv in both(graft_venv, flat_venv):
        problems += run_ok(corpus_envs, label, venv, code)
    assert_no_differences(problems, "azure problems")


@pytest.mark.parametrize("set_file", corpus_params(only=("google-protobuf",)))
def test_google_protobuf_merged(
    corpus_envs: CorpusEnvs, wheel_set: WheelSet, graft_venv: Venv, flat_venv: Venv
) -> None:
    init_bytes = member_bytes(wheel_set, "google", "google/__init__.py")
    problems = []
    for label, venv in both(graft_venv, flat_venv):
        init = venv.site_packages / "google" / "__init__.py"
        if not init.is_file():
            problems.append(f"{label}: no {init} (google 1.9.3 ships a regular package)")
        elif init.read_bytes() != init_bytes:
            problems.append(f"{label}: {init} is not google 1.9.3's")
        problems += run_ok(
            corpus_envs,
            label,
            venv,
            "import google, google.protobuf, google.protobuf.message\n"
            "import os, sys\n"
            "assert google.__file__.startswith(sys.prefix + os.sep), google.__file__",
        )
    assert_no_differences(problems, "google/protobuf problems")


@pytest.mark.parametrize("set_file", corpus_params(only=("jwt",)))
def test_jwt_collision(
    corpus_envs: CorpusEnvs,
    set_file: Path,
    wheel_set: WheelSet,
    graft_venv: Venv,
    flat_venv: Venv,
) -> None:
    """PyJWT and jwt both ship jwt/: pyjwt (sorts last) wins, and graft says so."""
    plan = _plan(corpus_envs, set_file)
    jwt_collisions = [c for c in plan["collisions"] if "jwt/" in f"/{c['path']}"]
    problems = []
    if not jwt_collisions:
        problems.append(f"no collision under jwt/ in the plan: {plan['collisions']}")
    for item in jwt_collisions:
        winner, loser = dist_name(item["winner"]), dist_name(item["loser"])
        if (winner, loser) != ("pyjwt", "jwt"):
            problems.append(f"collision {item}: expected winner pyjwt over jwt")
    sync = corpus_envs.graft_build(set_file).run
    output = sync.stdout + sync.stderr
    if "jwt/" not in output or "pyjwt" not in output.lower():
        problems.append(
            f"graft sync --collisions warn did not report the jwt/ collision:\n{sync.describe()}"
        )
    pyjwt_init = member_bytes(wheel_set, "pyjwt", "jwt/__init__.py")
    for label, venv in both(graft_venv, flat_venv):
        proc = corpus_envs.python(venv, "import jwt; print(jwt.__file__)")
        if proc.returncode != 0:
            problems.append(f"{label}: import jwt failed:\n{proc.stderr[-2000:]}")
            continue
        path = Path(proc.stdout.strip())
        if not path.is_file():
            problems.append(f"{label}: jwt.__file__ {path} does not exist")
        elif path.read_bytes() != pyjwt_init:
            problems.append(f"{label}: jwt/__init__.py is not PyJWT's")
    assert_no_differences(problems, "jwt problems")


@pytest.mark.parametrize("set_file", corpus_params(only=("xds-otel",)))
def test_xds_otel(
    corpus_envs: CorpusEnvs, wheel_set: WheelSet, graft_venv: Venv, flat_venv: Venv
) -> None:
    """xds-protos' regular opentelemetry/__init__.py must not hide opentelemetry.sdk."""
    modules = [*wheel_top_level(wheel_set, "xds-protos"), "opentelemetry.sdk.trace", "xds"]
    code = "\n".join(f"import {m}" for m in modules)
    problems = []
    for label, venv in both(graft_venv, flat_venv):
        problems += run_ok(corpus_envs, label, venv, code)
    assert_no_differences(problems, "xds/opentelemetry problems")


@pytest.mark.parametrize("set_file", corpus_params(only=("airflow",)))
def test_airflow_providers_grafted(
    corpus_envs: CorpusEnvs, wheel_set: WheelSet, graft_venv: Venv, flat_venv: Venv
) -> None:
    """Provider wheels graft airflow/providers/... into the core package's directory."""
    provider_files = [
        location
        for wheel in wheel_set.wheels
        if canonicalize_name(wheel.name.split("-")[0]).startswith("apache-airflow-providers-")
        for location, _ in wheel_members(wheel)
    ]
    assert provider_files, "no provider wheels in the airflow set"
    problems = []
    for label, venv in both(graft_venv, flat_venv):
        airflow = venv.site_packages / "airflow"
        if airflow.is_symlink() or not airflow.is_dir():
            problems.append(f"{label}: {airflow} is not a real directory")
        if not (airflow / "__init__.py").is_file():
            problems.append(f"{label}: core's airflow/__init__.py missing")
        missing = [p for p in provider_files if not (venv.site_packages / p).is_file()]
        problems += [f"{label}: provider file missing: {p}" for p in missing[:20]]
        # Importing airflow itself runs its settings (and fails with this corpus's structlog),
        # so resolve the provider package with the import system's path finders instead.
        report = import_report(venv, [], ["airflow.providers"], corpus_envs.env(venv))
        spec = report.get("spec airflow.providers.http", {})
        site = venv.site_packages.relative_to(venv.prefix).as_posix()
        if spec.get("origin") != f"{{prefix}}/{site}/airflow/providers/http/__init__.py":
            problems.append(f"{label}: airflow.providers.http resolves to {spec}")
    assert_no_differences(problems, "airflow problems")


@pytest.mark.parametrize("set_file", corpus_params(only=("nvidia",)))
def test_nvidia_few_links(graft_venv: Venv, flat_venv: Venv) -> None:
    """Thousands of files, served by tens of links (init-less trees linked as directories)."""
    site = graft_venv.site_packages
    symlinks = 0
    entries = 0  # non-directory entries graft had to create (links, hardlinks, copies)
    for dirpath, dirnames, filenames in os.walk(site):
        dirnames[:] = [d for d in dirnames if d != "__pycache__" and not d.endswith(".dist-info")]
        for name in (*dirnames, *filenames):
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                symlinks += 1
            if name in filenames or os.path.islink(full):
                entries += 1
    served = len([p for p in walk_tree(graft_venv.prefix).files if "/site-packages/" in p])
    flat_served = len([p for p in walk_tree(flat_venv.prefix).files if "/site-packages/" in p])
    assert served >= 1000, f"only {served} files served (flat: {flat_served})"
    assert symlinks < 200, f"{symlinks} symlinks for {served} files: expected tens of links"
    assert entries < 200, f"{entries} files/links created for {served} files served"
