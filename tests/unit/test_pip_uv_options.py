"""pip 26.3's and uv 0.13.9's install and compile options, as ``graft sync`` and ``lock`` take them.

Decisions 435-438: a sweep of ``pip install --help``, ``uv pip install --help``, ``uv pip
sync --help`` and ``uv pip compile --help`` found uv's ``--config-setting`` an ambiguous
abbreviation, ``--system-certs``, pip's ``--root-user-action`` and ``--only-deps`` and the
rest refused as unknown with no word on what to use.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path

import pytest

from graft.cli.only_deps import dependencies_only
from graft.cli.parser import parse
from graft.errors import UsageError


def _refusal(argv: list[str]) -> str:
    """The one line argparse's error prints for *argv* (which must be refused)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        parse(argv)
    assert exited.value.code == 2
    (line,) = err.getvalue().splitlines()
    return line


_COMMANDS = (["sync", "v", "six"], ["lock", "six"], ["build", "."])


@pytest.mark.parametrize("command", _COMMANDS)
def test_uv_s_config_setting_is_config_settings(command: list[str]) -> None:
    # main: "ambiguous option: --config-setting could match --config-settings, ..."
    args = parse([*command, "--config-setting", "a=b", "-C", "c=d", "--config-settings=e=f"])
    assert args.config_settings == ["a=b", "c=d", "e=f"]


@pytest.mark.parametrize("command", _COMMANDS)
@pytest.mark.parametrize("flag", ["--system-certs", "--native-tls"])
def test_uv_s_system_certificates_flags_are_taken(command: list[str], flag: str) -> None:
    assert parse([*command, flag]).system_certs is True


def test_uv_pip_compile_s_short_python_is_the_lock_s_python_version() -> None:
    assert parse(["lock", "six", "-p", "3.12", "-p3.11"]).python_version == ["3.12", "3.11"]


@pytest.mark.parametrize("command", _COMMANDS)
def test_pip_s_options_that_ask_what_graft_does_anyway_are_taken(command: list[str]) -> None:
    argv = [*command, "--no-color", "--root-user-action=ignore", "--disable-pip-version-check"]
    args = parse([*argv, "--progress-bar", "on"])
    assert (args.no_color, args.root_user_action, args.no_progress) == (True, "ignore", False)
    assert parse([*argv, "--progress-bar", "off"]).no_progress is True


def test_pip_s_install_warnings_and_virtualenv_check_are_taken_by_sync() -> None:
    argv = ["sync", "v", "six", "--no-warn-script-location", "--no-warn-conflicts"]
    assert parse([*argv, "--require-virtualenv"]).specs == ["six"]


@pytest.mark.parametrize("command", _COMMANDS)
@pytest.mark.parametrize(
    ("option", "hint"),
    [
        (["--system"], "into the interpreter itself"),  # (not --system-certs)
        (["--root", "/r"], "under another root"),  # (not --root-user-action)
        (["--root=/r"], "under another root"),
    ],
)
def test_options_graft_now_has_longer_forms_of_are_still_refused(
    command: list[str], option: list[str], hint: str
) -> None:
    line = _refusal([*command, *option])
    assert f"unrecognized arguments: {option[0].partition('=')[0]} " in line
    assert hint in line


_HINTS = {
    ("--upgrade-strategy", "eager"): "-U upgrades every package (pip's eager)",
    ("--ignore-installed",): "--reinstall installs every package again",
    ("-I",): "pip's --ignore-installed: -U picks versions",
    ("--prefer-binary",): "graft takes the newest version allowed, wheel or sdist",
    ("--torch-backend", "cu126"): "--extra-index-url https://download.pytorch.org/whl/cpu",
    ("--fork-strategy", "fewest"): "graft lock resolves each environment",
    ("--src", "/s"): "clone it, then -e DIR",
    ("--no-cache-dir",): "pip's --no-cache: graft's venvs link into its store",
    ("--report", "-"): "--dry-run --json",
    ("--check",): "graft audit VENV checks a venv",
    ("--output-format", "json"): "--json prints the summary as JSON",
    ("--proxy", "http://p"): "HTTPS_PROXY=URL",
    ("--timeout", "5"): "GRAFT_HTTP_TIMEOUT=SECONDS",
    ("--config-file", "uv.toml"): "graft reads no configuration file",
    ("--isolated",): "graft reads no configuration file",
    ("--project", "p"): "-r DIR/pyproject.toml",
    ("--no-editable",): "name the directory without -e",
    ("--ignore-requires-python",): "graft installs only releases whose Requires-Python",
    ("--managed-python",): "give another by its path (--python PATH)",
    ("--no-managed-python",): "give another by its path (--python PATH)",
    ("--all-releases", "x"): "--prerelease-package NAME=allow",
    ("--only-final", "x"): "--prerelease-package NAME=disallow",
    ("--upgrade-group", "dev"): "-P NAME for each project of the group",
    ("--hash", "sha256:0"): "--hash goes on its requirement's line of a -r file",
    ("--log", "f"): "-v says timings",
}


@pytest.mark.parametrize("command", [["sync", "v", "six"], ["lock", "six"]])
@pytest.mark.parametrize(("option", "hint"), list(_HINTS.items()))
def test_pip_and_uv_options_graft_has_not_say_what_to_use(
    command: list[str], option: tuple[str, ...], hint: str
) -> None:
    # main: "unrecognized arguments: OPTION (see graft sync --help)"
    line = _refusal([*command, *option])
    assert f"unrecognized arguments: {option[0]}" in line
    assert hint in line
    assert "--help" not in line


@pytest.mark.parametrize("command", _COMMANDS)
def test_pip_s_rare_options_that_ask_what_graft_does_anyway_are_taken(command: list[str]) -> None:
    """Decision 456: graft never prompts, and does each of pip 26.3's --use-feature choices."""
    argv = [*command, "--no-input", "--exists-action", "w", "--exists-action=a"]
    features = ["fast-deps", "inprocess-build-deps", "venv-isolation", "truststore"]
    features += ["no-binary-enable-wheel-cache", "build-constraint"]
    args = parse([*argv, *(f"--use-feature={f}" for f in features)])
    assert (args.no_input, args.exists_action, args.use_feature) == (True, ["w", "a"], features)
    assert "invalid choice: 'x'" in _refusal([*command, "--exists-action", "x"])
    assert "invalid choice: 'nope'" in _refusal([*command, "--use-feature", "nope"])


def test_uv_s_no_break_system_packages_is_taken_by_sync() -> None:
    assert parse(["sync", "v", "six", "--no-break-system-packages"]).no_break_system_packages
    line = _refusal(["lock", "six", "--no-break-system-packages"])
    assert "graft sync's: graft installs into a venv only" in line


_RARE = {  # (decision 456: each was refused as "see graft sync --help")
    ("--debug",): "-v lets an internal error end in its traceback",
    ("--no-clean",): "a failed build's unpacked sdist stays for a week",
    ("--retries", "5"): "graft makes each request up to 3 times",
    ("--retries=5",): "graft makes each request up to 3 times",
    ("--resume-retries", "5"): "continues a cut download from its last byte",
    ("--client-cert", "c.pem"): "graft sends no TLS client certificate",
    ("--use-deprecated", "legacy-resolver"): "graft has no deprecated behaviour to turn back on",
    ("--check-build-dependencies",): "installs each build requirement into a build environment",
    ("--no-require-hashes",): "a URL's own #sha256=HEX checks its file alone",
    ("--require-build-hashes",): "--only-binary :all: with --require-hashes builds nothing",
}


@pytest.mark.parametrize("command", [["sync", "v", "six"], ["lock", "six"], ["build", "."]])
@pytest.mark.parametrize(("option", "hint"), list(_RARE.items()))
def test_pip_s_rare_options_graft_has_not_say_what_graft_does(
    command: list[str], option: tuple[str, ...], hint: str
) -> None:
    line = _refusal([*command, *option])
    assert f"unrecognized arguments: {option[0]}" in line
    assert hint in line
    assert "--help" not in line


def test_uv_pip_sync_s_allow_empty_requirements_is_taken_by_sync_alone() -> None:
    assert parse(
        ["sync", "v", "-r", "e.txt", "--allow-empty-requirements"]
    ).allow_empty_requirements
    argv = ["sync", "v", "-r", "e.txt", "--allow-empty-requirements"]
    assert not parse([*argv, "--no-allow-empty-requirements"]).allow_empty_requirements
    line = _refusal(["lock", "-r", "e.txt", "--allow-empty-requirements"])
    assert "graft lock of a file listing nothing writes a lock of nothing" in line


@pytest.mark.parametrize(
    ("option", "hint"),
    [
        (("--no-binary", ":all:"), "--no-binary NAME is graft sync's"),
        (("--link-mode", "copy"), "graft lock installs nothing"),
    ],
)
def test_uv_pip_compile_s_install_options_name_graft_sync(
    option: tuple[str, ...], hint: str
) -> None:
    line = _refusal(["lock", "six", *option])
    assert hint in line


def test_only_deps_reads_each_project_directory_as_its_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\n')
    for argv in (
        ["sync", "v", "--only-deps", f"{tmp_path}[Fast,test]"],
        ["lock", "--only-dependencies", "-e", f"{tmp_path}[fast,test]"],
    ):
        args = parse(argv)
        dependencies_only(args)
        asked = (args.requirement, args.specs, args.editable, args.extra)
        assert asked == ([str(tmp_path / "pyproject.toml")], [], [], ["fast", "test"])


def test_only_deps_of_any_other_requirement_is_resolved_then_left_out(tmp_path: Path) -> None:
    """A project of an index (or a directory beside one) stays named: the sync and the lock
    resolve it and leave it out (decisions 445, 451)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\n')
    for command in (["sync", "v"], ["lock"]):
        for named in (["six"], [str(tmp_path), "flask[async]"]):
            args = parse([*command, "--only-deps", *named])
            dependencies_only(args)
            asked = (args.only_deps, args.requirement, args.specs, args.extra)
            assert asked == (True, [], named, [])


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["{d}", "-r", "r.txt"], "--only-deps cannot be combined with -r"),
        (
            ["{d}", "--requirements-from-script", "s.py"],
            "--only-deps cannot be combined with --requirements-from-script",
        ),
        (["{d}", "--group", "dev", "--no-deps"], "cannot be combined with --no-deps, --group"),
        (["{d}[a]", "{d}"], "--only-deps names directories with different extras"),
        ([], "--only-deps names no project"),
    ],
)
def test_only_deps_refuses_what_pip_refuses_and_what_is_no_project(
    tmp_path: Path, extra: list[str], said: str
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\n')
    args: argparse.Namespace = parse(
        ["sync", "v", "--only-deps", *(a.format(d=tmp_path) for a in extra)]
    )
    with pytest.raises(UsageError) as refused:
        dependencies_only(args)
    assert said in str(refused.value)
