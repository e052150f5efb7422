"""The comparison harness checked on its own, without graft.

A second flat reference must compare equal to the first (the probes are deterministic), and
an independent installer (uv, copying) must agree with the reference up to what is known to
be uv's own: its ``uv_cache.json`` and ``.lock`` files and its console-script template.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.utils import canonicalize_name

from .flatcompare import (
    compare_import_reports,
    compare_metadata,
    compare_scripts,
    compare_sys_path,
    compare_trees,
    environment_report,
    format_differences,
    import_names,
    import_report,
    launcher_target,
    record_problems,
)
from .harness import CorpusEnvs, corpus_params, spec_for
from .venvs import build_flat_reference

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .venvs import Venv

pytestmark = pytest.mark.e2e

ALL_SETS = corpus_params()


def all_differences(
    corpus_envs: CorpusEnvs, set_file: Path, a: Venv, b: Venv, labels: tuple[str, str]
) -> list[str]:
    diffs = compare_trees(a, b, labels) + compare_scripts(a, b, labels)
    names = import_names(a, b)
    expand = spec_for(set_file).expand
    diffs += compare_import_reports(
        import_report(a, names, expand, corpus_envs.env(a)),
        import_report(b, names, expand, corpus_envs.env(b)),
        labels,
    )
    a_env = environment_report(a, corpus_envs.env(a))
    b_env = environment_report(b, corpus_envs.env(b))
    return diffs + compare_metadata(a_env, b_env, labels) + compare_sys_path(a_env, b_env, labels)


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_flat_reference_is_reproducible(
    corpus_envs: CorpusEnvs, set_file: Path, flat_venv: Venv, tmp_path: Path
) -> None:
    again = build_flat_reference(tmp_path / "venv", corpus_envs.wheels(set_file))
    diffs = all_differences(corpus_envs, set_file, again, flat_venv, ("again", "flat"))
    assert not diffs, format_differences(diffs)


def is_uv_specific(diff: str) -> bool:
    return (
        "uv_cache.json" in diff
        or diff == "only in uv: .lock"
        or diff.startswith("contents differ (prefix-normalized): bin/")  # launcher template
    )


_HEADERS = re.compile(r"include/site/python[0-9.]+/([^/]+)/")


def without_header_spelling(diffs: list[str]) -> list[str]:
    """*diffs* less the pairs that differ only in how the headers directory is spelled.

    uv puts a wheel's ``.data/headers`` in ``include/site/pythonX.Y/`` under the normalized
    name (``zope-proxy``), the flat reference (as pip for the usual spelling, and graft)
    under METADATA's Name (``zope.proxy``): decision 132. A line only in uv is dropped where
    the same line only in the flat reference names the same project's directory.
    """

    def same(diff: str) -> str:
        side = diff.replace("only in uv:", "only in one:").replace("only in flat:", "only in one:")
        return _HEADERS.sub(lambda m: f"include/site/H/{canonicalize_name(m[1])}/", side)

    uv = {same(d) for d in diffs if "only in uv:" in d}
    flat = {same(d) for d in diffs if "only in flat:" in d}
    return [d for d in diffs if same(d) not in uv & flat]


def about_collisions(diff: str, lost: Iterable[str]) -> bool:
    """Whether *diff* is about a colliding path or a module of a package holding one."""
    paths = [p for p in lost if not p.startswith("{")]  # site-packages-relative
    packages = {p.split("/")[0] for p in paths if "/" in p}
    if any(f"site-packages/{p}:" in diff for p in paths):
        return True
    return any(diff.startswith((f"import {pkg}.", f"import {pkg}:")) for pkg in packages)


@pytest.mark.parametrize("set_file", ALL_SETS)
def test_uv_agrees_with_flat_reference(
    corpus_envs: CorpusEnvs, set_file: Path, flat_venv: Venv
) -> None:
    uv_venv = corpus_envs.uv(set_file)
    diffs = all_differences(corpus_envs, set_file, uv_venv, flat_venv, ("uv", "flat"))
    diffs = without_header_spelling([d for d in diffs if not is_uv_specific(d)])
    lost = corpus_envs.collisions(set_file).keys()
    # uv installs in parallel: which colliding file wins is unspecified there, so the colliding
    # files and imports from their packages are left out; everything else is compared
    diffs = [d for d in diffs if not about_collisions(d, lost)]
    diffs += record_problems(uv_venv, lost)
    assert not diffs, format_differences(diffs)


def test_launcher_target_reads_scripts_only(tmp_path: Path) -> None:
    """A native executable in bin/ (ruff's, uv's) may hold the launcher's lines by chance."""
    launcher = tmp_path / "tool"
    launcher.write_bytes(
        b"#!/v/bin/python\nimport sys\nfrom tool.cli import main\n"
        b"if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    assert launcher_target(launcher) == ("tool.cli", "main", "main")
    native = tmp_path / "native"
    native.write_bytes(b"\x7fELF\x02\x01\nfrom a import b\n  sys.exit(\xc0\xff())\n")
    assert launcher_target(native) is None
