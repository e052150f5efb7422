"""Modules split off a longer one (decisions 345-347): each is imported only where it is used.

Run in a fresh interpreter, since this process has imported every module already: a split
whose new module another import drags in again would only have moved lines.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def _imports(code: str, *modules: str) -> dict[str, bool]:
    """Whether each of *modules* is imported after *code* runs in a new interpreter."""
    check = f"{code}\nimport sys\nprint(*(m in sys.modules for m in {modules!r}))"
    out = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout.split()
    return dict(zip(modules, (word == "True" for word in out), strict=True))


def test_an_sdist_s_name_and_static_metadata_leave_the_unpacker_out() -> None:
    """Resolution reads an sdist's name and static metadata; only a build unpacks it."""
    found = _imports(
        "from graft.build import sdist\nfrom graft.build import run",
        "graft.build.sdist",
        "graft.build.sdist_unpack",
    )
    assert found == {"graft.build.sdist": True, "graft.build.sdist_unpack": True}
    found = _imports("from graft.build import sdist", "graft.build.sdist_unpack")
    assert found == {"graft.build.sdist_unpack": False}


def test_the_no_project_error_is_imported_only_when_a_listing_is_empty() -> None:
    found = _imports(
        "from graft.resolve import explain",
        "graft.resolve.no_candidates",
        "graft.resolve.no_project",
    )
    assert found == {"graft.resolve.no_candidates": True, "graft.resolve.no_project": False}


def test_a_lock_of_plain_wheels_leaves_the_variant_choice_out(tmp_path: Path) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\n\n[[packages]]\nname = "app"\n'
        'version = "1.0"\n[[packages.wheels]]\n'
        'url = "https://example.invalid/app-1.0-py3-none-any.whl"\n'
        f'hashes = {{ sha256 = "{"a" * 64}" }}\n'
    )
    code = (
        "from graft.sources.pylock import read_pylock\n"
        "from graft.venv.foreign import foreign_target\n"
        f"(w,) = read_pylock({str(lock)!r}, foreign_target('3.11', ['manylinux_2_17_x86_64']))\n"
        "assert w.filename == 'app-1.0-py3-none-any.whl', w"
    )
    assert _imports(code, "graft.sources.pylock_variants") == {
        "graft.sources.pylock_variants": False
    }


def test_a_lock_s_refusal_is_imported_only_when_packaging_refuses(tmp_path: Path) -> None:
    """``sources/pylock_refusals.py``: a lock read without a refusal leaves it out."""
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "test"\nrequires-python = ">=3.12"\n\n'
        '[[packages]]\nname = "app"\nversion = "1.0"\n[[packages.wheels]]\n'
        'url = "https://example.invalid/app-1.0-py3-none-any.whl"\n'
        f'hashes = {{ sha256 = "{"a" * 64}" }}\n'
    )
    code = (
        "from graft.errors import SourceError\n"
        "from graft.sources.pylock import read_pylock\n"
        "from graft.venv.foreign import foreign_target\n"
        "def read(version):\n"
        "    try:\n"
        f"        read_pylock({str(lock)!r}, foreign_target(version, ['manylinux_2_17_x86_64']))\n"
        "    except SourceError as exc:\n"
        "        assert 'requires-python >=3.12 excludes' in exc.what, exc.what\n"
    )
    name = "graft.sources.pylock_refusals"
    assert _imports(f"{code}read('3.12')", name) == {name: False}
    assert _imports(f"{code}read('3.11')", name) == {name: True}


def test_a_recalled_resolution_s_result_leaves_the_stages_out() -> None:
    """The memo's recall makes a ``Located`` without importing the stages that locate one."""
    code = (
        "from graft.resolve.located import Located\n"
        "from graft.venv.foreign import foreign_target\n"
        "t = foreign_target('3.11', ['manylinux_2_17_x86_64'])\n"
        "assert Located(t, (), known_labels=('a==1',)).labels() == ('a==1',)"
    )
    assert _imports(code, "graft.resolve.locate") == {"graft.resolve.locate": False}


def test_the_policy_and_the_format_control_leave_the_screening_out() -> None:
    """Decision 358: the policy (and pip's FormatControl) is what the screening is given; a
    caller that makes or reads one, or limits a named source's formats, screens nothing."""
    code = (
        "from graft.resolve.policy import Policy, format_limit, format_sets\n"
        "from graft.model.requirements import ONLY_BINARY\n"
        "only, no = format_sets([(ONLY_BINARY, ':all:')])\n"
        "assert Policy(only_binary=only).builds('six') is False\n"
        "assert format_limit('six', only, no) == 'binary'"
    )
    found = _imports(code, "graft.resolve.policy", "graft.resolve.screen")
    assert found == {"graft.resolve.policy": True, "graft.resolve.screen": False}
    found = _imports("from graft.resolve import screen", "graft.resolve.policy")
    assert found == {"graft.resolve.policy": True}


def test_a_sync_s_builds_leave_graft_build_s_whole_request_out() -> None:
    """Decision 368: ``graft sync`` builds one wheel per target (``builds.build_for``) and
    prepares metadata; the sdist first, a wheel per interpreter and the output directory are
    ``graft build``'s alone, and bring the one-target build with them."""
    found = _imports(
        "from graft.builds import build_for, prepare_metadata",
        "graft.builds",
        "graft.sdist_then_wheels",
    )
    assert found == {"graft.builds": True, "graft.sdist_then_wheels": False}
    found = _imports("from graft.sdist_then_wheels import build", "graft.builds")
    assert found == {"graft.builds": True}


def test_the_variant_choice_explained_is_the_report_s() -> None:
    """Decision 368: the ``-v``/``--json`` explanation of a variant choice reads what the
    chooser learnt; it is made with the report after the downloads, not by the chooser."""
    from graft.resolve import chosen_variants, variants

    assert not hasattr(variants.VariantChooser, "explain")
    chooser = variants.VariantChooser(variants.VariantOptions(detect=False), lambda _: b"")
    assert chosen_variants.explain(chooser, {("demo", "1.0"): "demo-1.0-py3-none-any.whl"}) == (
        [],
        [],
    )


def test_a_requirements_file_s_refusals_are_imported_only_for_a_refused_line(
    tmp_path: Path,
) -> None:
    """``sources/reqfile_refusals.py``: a file whose lines are all taken leaves it out."""
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("six==1.16.0 --hash=sha256:" + "a" * 64 + "\n--pre\n")
    bad.write_text("--prefer-wheels\n")
    code = (
        "from graft.errors import UsageError\n"
        "from graft.model.requirements import Inputs\n"
        "from graft.sources.reqfile import read_requirements\n"
        "def read(path):\n"
        "    try:\n"
        "        read_requirements(path, Inputs())\n"
        "    except UsageError as exc:\n"
        "        assert 'unknown option' in exc.what, exc.what\n"
    )
    name = "graft.sources.reqfile_refusals"
    assert _imports(f"{code}read({str(good)!r})", name) == {name: False}
    assert _imports(f"{code}read({str(bad)!r})", name) == {name: True}


def test_pip_s_and_uv_s_forms_refused_are_told_from_tables_a_good_command_line_leaves_out() -> None:
    """``cli/tool_hints.py``: only a command line argparse refuses reads the hint tables."""
    code = (
        "from graft.cli.parser import parse\n"
        "def run(*argv):\n"
        "    try:\n"
        "        parse(['sync', 'v', *argv])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 2, exc.code\n"
    )
    name = "graft.cli.tool_hints"
    assert _imports(f"{code}run('six', '--color', 'never')", name) == {name: False}
    assert _imports(f"{code}run('six', '--user')", name) == {name: True}


def test_the_page_digest_s_tag_groups_leave_the_screening_out() -> None:
    """``resolve/tag_groups.py``: a page digest groups tags without the screening."""
    found = _imports(
        "from graft.resolve.page_digest import tag_groups\n"
        "assert tag_groups(['a-1-py3-none-any.whl', 'a-1.tar.gz'])[1] == [1]",
        "graft.resolve.tag_groups",
        "graft.resolve.screen",
    )
    assert found == {"graft.resolve.tag_groups": True, "graft.resolve.screen": False}


def test_a_sync_s_builder_leaves_the_build_environment_out() -> None:
    """``cli/build_venv.py``: imported once a build needs an environment, not by the builder
    every sync makes, nor by ``graft build``'s options that a sync's parser adds."""
    found = _imports(
        "from graft.cli import build_cmd, build_envs, sync_builds",
        "graft.cli.build_venv",
        "graft.sync",
    )
    assert found == {"graft.cli.build_venv": False, "graft.sync": False}


def test_a_lock_or_a_script_given_with_r_is_read_apart_from_requirements_files(
    tmp_path: Path,
) -> None:
    """``sources/reqfile_kinds.py``: a plain requirements file leaves it out."""
    plain, lock = tmp_path / "r.txt", tmp_path / "pylock.toml"
    plain.write_text("six==1.16.0\n")
    lock.write_text("")
    code = (
        "from graft.model.requirements import Inputs\n"
        "from graft.sources.reqfile import read_requirements\n"
        "inputs = Inputs()\n"
    )
    name = "graft.sources.reqfile_kinds"
    assert _imports(f"{code}read_requirements({str(plain)!r}, inputs)", name) == {name: False}
    read = f"{code}read_requirements({str(lock)!r}, inputs)\nassert inputs.pylocks, inputs"
    assert _imports(read, name) == {name: True}


def test_the_no_op_path_s_venv_state_leaves_what_a_venv_holds_and_why_it_is_rebuilt_out() -> None:
    """``venv/state.py`` is loaded by every fast path (decision 469): what a resolution reads of
    what a venv holds (``venv/holdings.py``), why a sync rebuilds it (``venv/staleness.py``)
    and the wheel a distribution came from (``venv/held.py``) are the full path's, apart."""
    moved = ("held_sites", "held_urls", "held_as", "held_metadata", "wheel_of", "why_rebuilt")
    code = (
        "from graft.venv import state\n"
        f"assert not set({moved!r}) & set(vars(state)), 'still in venv/state.py'\n"
        "assert state.up_to_date"
    )
    found = _imports(code, "graft.venv.holdings", "graft.venv.staleness", "graft.venv.held")
    assert found == dict.fromkeys(found, False)
    code = (
        "from graft.venv.holdings import held_urls\n"
        "from graft.venv.staleness import mark_stale, why_rebuilt\n"
        "from graft.venv.held import wheel_of"
    )
    assert _imports(code, "graft.venv.state") == {"graft.venv.state": True}


def test_the_materializer_leaves_the_full_path_s_readings_of_a_kept_form_out() -> None:
    """``venv/flat.py`` and ``venv/kept_flat.py`` are loaded by the edited-pin and new-venv
    paths (decision 469); what only a full sync reads of a kept flat form is
    ``venv/kept_forms.py``'s."""
    code = (
        "from graft.venv import flat\n"
        "assert not {'kept_sources', 'settled_texts'} & set(vars(flat)), 'still in flat.py'"
    )
    assert _imports(code, "graft.venv.kept_forms") == {"graft.venv.kept_forms": False}
    code = "from graft.venv.kept_forms import kept_sources, settled_texts"
    assert _imports(code, "graft.venv.kept_flat") == {"graft.venv.kept_flat": True}


def test_the_materializer_and_the_reader_of_a_kept_form_are_apart() -> None:
    """``venv/kept_flat.py`` reads a kept flat form back (``read_kept``, ``load_texts``);
    ``venv/flat.py`` carries a form out, a kept one or one a sync just compiled (a rebuild)."""
    code = (
        "from graft.venv import flat\n"
        "assert not {'read_kept', 'load_texts'} & set(vars(flat)), 'still in flat.py'"
    )
    assert _imports(code, "graft.venv.kept_flat") == {"graft.venv.kept_flat": False}
    code = "from graft.venv.kept_flat import load_texts, read_kept, read_text"
    assert _imports(code, "graft.venv.flat") == {"graft.venv.flat": False}


def test_a_real_interpreter_s_target_leaves_the_foreign_target_out() -> None:
    """``venv/foreign.py``: pip download's flags, for a dry run or a lock; the lookup and
    introspection of an interpreter on this machine (``venv/interpreter.py``) leave it out."""
    code = (
        "from graft.venv import interpreter\n"
        "assert not {'foreign_target', 'pip_platforms'} & set(vars(interpreter)), 'not moved'"
    )
    assert _imports(code, "graft.venv.foreign") == {"graft.venv.foreign": False}
    code = "from graft.venv.foreign import foreign_target, pip_platforms, python_version_parts"
    assert _imports(code, "graft.venv.interpreter") == {"graft.venv.interpreter": False}


def test_a_venv_copied_from_its_template_leaves_the_template_s_making_out() -> None:
    """``venv/template.py`` makes the template (a subprocess, a lock, a damaged one put aside);
    the edited-pin and new-venv paths copy the one a full sync recorded with
    ``venv/skeleton.py`` alone (decision 469)."""
    code = (
        "from graft.venv import skeleton\n"
        "assert not {'venv_template', 'made_template'} & set(vars(skeleton)), 'not moved'\n"
        "assert skeleton.copy_template and skeleton.intact"
    )
    assert _imports(code, "graft.venv.template") == {"graft.venv.template": False}


def test_the_checks_of_a_kept_form_leave_the_flat_form_out() -> None:
    """``plan/kept_checks.py``: what a kept plan, flat form or journal may hold, read by
    ``plan/flat.py``'s ``from_json``, the plan cache and the journal; a journal's reader needs
    no flat form."""
    code = (
        "from graft.plan.kept_checks import checked_dest, checked_dests, expected_launcher_body\n"
        "from graft.plan import kept_checks\n"
        "assert kept_checks.checked_text('a') == 'a'"
    )
    found = _imports(code, "graft.plan.flat", "graft.plan.types")
    assert found == {"graft.plan.flat": False, "graft.plan.types": False}
    assert _imports("from graft.plan import flat", "graft.plan.kept_checks") == {
        "graft.plan.kept_checks": True
    }


def test_the_journal_of_a_change_leaves_the_decision_to_change_out() -> None:
    """``venv/journal.py``: an in-place change carried out and rolled forward (``update``,
    ``recover``); ``graft audit``, which reads only ``JOURNAL``, and a roll forward need no
    diff, no kept flat form and no skeleton (``venv/incremental.py``'s)."""
    found = _imports(
        "from graft.venv.journal import JOURNAL, recover, update, without_state",
        "graft.venv.incremental",
        "graft.plan.diff",
        "graft.venv.kept_flat",
    )
    assert found == dict.fromkeys(found, False)
    code = (
        "from graft.venv import incremental\n"
        "assert not {'update', 'recover', 'JOURNAL'} & set(incremental.__all__), 'still there'"
    )
    assert _imports(code, "graft.venv.journal") == {"graft.venv.journal": True}


def test_a_sync_s_builder_looks_up_recorded_builds_only_once_a_source_is_met() -> None:
    """``cli/recorded_builds.py``: the recorded-build lookup, which the builder every sync
    makes imports only when asked for a source; the lookup needs no builds."""
    code = (
        "from graft.cli import sync_builds\n"
        "assert not {'_sha256', '_variable_reads'} & set(vars(sync_builds)), 'still there'"
    )
    found = _imports(code, "graft.cli.recorded_builds")
    assert found == {"graft.cli.recorded_builds": False}
    found = _imports(
        "from graft.cli.recorded_builds import kept_metadata, recorded_build, sdist_sha256",
        "graft.builds",
        "graft.build.hooks",
        "graft.build.recorded",
    )
    assert found == {
        "graft.builds": False,
        "graft.build.hooks": False,
        "graft.build.recorded": False,
    }


def test_a_sync_for_this_machine_leaves_the_reads_here_out() -> None:
    """``resolve/read_here.py`` (split off ``sdists.py``): only a lock or a foreign target
    reads with the interpreter running graft; a sync's stages and its sdists' reads do not
    import it. (A guard: it passes before the split too.)"""
    found = _imports(
        "from graft.resolve import locate, named_sources, resolve_wanted, sdists",
        "graft.resolve.sdists",
        "graft.resolve.read_here",
    )
    assert found == {"graft.resolve.sdists": True, "graft.resolve.read_here": False}


def test_the_resolution_stage_leaves_the_source_stage_out() -> None:
    """``resolve/source_stage.py`` (split off ``locate.py``): ``locate`` makes it when a
    source is first met, so importing the stages brings neither it nor ``named_sources``.
    (A guard: it passes before the split too.)"""
    found = _imports(
        "from graft.resolve import locate",
        "graft.resolve.locate",
        "graft.resolve.source_stage",
        "graft.resolve.named_sources",
    )
    assert found == {
        "graft.resolve.locate": True,
        "graft.resolve.source_stage": False,
        "graft.resolve.named_sources": False,
    }
