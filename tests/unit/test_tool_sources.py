"""pip's and uv's variables, which graft refuses or warns about rather than ignores (115, 341)."""

from __future__ import annotations

import re

import pytest

from graft._home import TOOL_CHOICE_VARIABLES, TOOL_LIMIT_VARIABLES
from graft.cli import lockstamp_file, noop
from graft.errors import UsageError
from graft.model.request import ResolveRequest
from graft.model.requirements import Inputs
from graft.resolve import memo
from graft.sources.requirements import parse_spec
from graft.sources.tool_sources import (
    ADDED_VARIABLES,
    BUILD_LIMITS,
    HASH_VARIABLES,
    LIMITS,
    LOCK_LIMITS,
    VARIABLES,
    refuse_unchecked_hashes,
    refuse_unread,
    refuse_unread_limits,
    set_variables,
    told,
    unread_additions,
    unread_choices,
)


def test_a_variable_counts_when_it_would_change_what_pip_or_uv_asks() -> None:
    environ = {
        "PIP_INDEX_URL": "https://private.example/simple/",
        "PIP_NO_INDEX": "false",  # pip's and uv's false: no change
        "UV_NO_INDEX": "1",
        "UV_INDEX": "",  # set empty: nothing
        "PIP_FIND_LINKS": " ",
        "PIP_CERT": "/etc/ssl/cert.pem",  # not a source
    }
    assert set_variables(environ) == ["PIP_INDEX_URL", "UV_NO_INDEX"]


def test_a_variable_that_only_adds_sources_beside_pypi_is_warned_not_refused() -> None:
    # pip merges PIP_FIND_LINKS and PIP_EXTRA_INDEX_URL with PyPI by best version (uv reads no
    # PIP_* at all): a machine-wide PIP_FIND_LINKS must not stop every graft sync
    environ = {"PIP_FIND_LINKS": "/opt/wheels", "PIP_EXTRA_INDEX_URL": "https://x.example/"}
    refuse_unread(_inputs(), environ)
    assert unread_additions(_inputs(), environ) == (
        "PIP_EXTRA_INDEX_URL and PIP_FIND_LINKS are set, and graft reads no pip or uv variable:"
        " it asked PyPI alone (to use them, pass --extra-index-url URL or --find-links DIR)"
    )
    assert unread_additions(_inputs(), {"UV_FIND_LINKS": "/w"}) is not None
    assert unread_additions(_inputs(find_links=["/wheels"]), environ) is None, "graft's own"
    assert unread_additions(_inputs(), {"PIP_INDEX_URL": "https://x.example/"}) is None
    with pytest.raises(UsageError):  # (that one replaces PyPI: refused)
        refuse_unread(_inputs(), {"PIP_INDEX_URL": "https://x.example/"})


def _inputs(**fields: object) -> Inputs:
    inputs = Inputs(**fields)  # type: ignore[arg-type]
    inputs.wanted.append(parse_spec("attrs", "command line"))
    return inputs


def test_refused_only_while_graft_would_ask_pypi_by_default() -> None:
    environ = {"UV_DEFAULT_INDEX": "https://private.example/simple/"}
    with pytest.raises(UsageError, match=r"^UV_DEFAULT_INDEX is set, and graft reads no pip"):
        refuse_unread(_inputs(), environ)
    for chosen in (
        {"index_url": "https://pypi.org/simple/"},
        {"extra_index_urls": ["https://private.example/simple/"]},
        {"find_links": ["/wheels"]},
        {"no_index": True},
    ):
        refuse_unread(_inputs(**chosen), environ)  # graft was told its sources
    refuse_unread(Inputs(pylocks=["pylock.toml"]), environ)  # a lock's files: no index asked
    refuse_unread(_inputs(), {})


def test_hash_checks_refused_unless_graft_sync_was_told_to_check_them() -> None:
    environ = {"UV_REQUIRE_HASHES": "true", "PIP_REQUIRE_HASHES": "0"}
    with pytest.raises(UsageError) as refused:
        refuse_unchecked_hashes(False, environ)
    assert str(refused.value) == (
        "UV_REQUIRE_HASHES is set, and graft reads no pip or uv variable: it would not require a"
        " hash of every distribution (pass --require-hashes, or unset it)"
    )
    refuse_unchecked_hashes(True, environ)  # --require-hashes: what the variable asks
    refuse_unchecked_hashes(False, {"PIP_REQUIRE_HASHES": "off"})


@pytest.mark.parametrize("name", VARIABLES + ADDED_VARIABLES)
def test_every_fast_path_misses_when_a_variable_changes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a sync or lock that would be refused never answers from a stamp or the memo
    for each in VARIABLES + ADDED_VARIABLES + HASH_VARIABLES:
        monkeypatch.delenv(each, raising=False)
    argv = ["sync", "/tmp/v", "attrs"]
    request = ResolveRequest(specs=("attrs",))
    before = (
        noop._context(argv),  # the sync, replay and change stamps' context
        lockstamp_file.key_of(["lock", "attrs", "-o", "/tmp/pylock.toml"]),
        memo._request_key(request, ()),
    )
    monkeypatch.setenv(name, "https://private.example/simple/")
    after = (
        noop._context(argv),
        lockstamp_file.key_of(["lock", "attrs", "-o", "/tmp/pylock.toml"]),
        memo._request_key(request, ()),
    )
    assert None not in before
    assert [a != b for a, b in zip(before, after, strict=True)] == [True, True, True]


@pytest.mark.parametrize("name", HASH_VARIABLES)
def test_the_sync_stamps_miss_when_a_hash_variable_changes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (only `graft sync` refuses them: the lock stamp and the memo need not know)
    monkeypatch.delenv(name, raising=False)
    before = noop._context(["sync", "/tmp/v", "attrs"])
    monkeypatch.setenv(name, "1")
    assert before is not None
    assert noop._context(["sync", "/tmp/v", "attrs"]) != before


@pytest.mark.parametrize("name", TOOL_LIMIT_VARIABLES)
def test_a_limiting_variable_is_refused_until_graft_is_told_its_own_option(name: str) -> None:
    # decision 341: a CI job's PIP_ONLY_BINARY=:all: (no build backend may run), PIP_CONSTRAINT,
    # UV_EXCLUDE_NEWER (a cooldown)... were ignored without a word
    with pytest.raises(UsageError, match=rf"^{name} is set, and graft reads no pip or uv"):
        refuse_unread_limits(frozenset(), environ={name: "x"})
    options = LIMITS[name][1]
    assert options  # (uv's overrides and excludes too, since decisions 388 and 389)
    for option in options:
        refuse_unread_limits({option}, environ={name: "x"})  # told: the variable is not read
    said = re.escape(f"(pass graft {' or '.join(options)} itself, or unset it)")
    with pytest.raises(UsageError, match=rf"{said}$"):
        refuse_unread_limits({"--no-binary"} - set(options), environ={name: "x"})
    for unset in ("", "0", "false", ":none:"):
        refuse_unread_limits(frozenset(), environ={name: unset})
    refuse_unread_limits(frozenset(), environ={})


def test_the_refusal_names_every_variable_once_in_one_line() -> None:
    environ = {"PIP_ONLY_BINARY": ":all:", "UV_NO_BUILD": "1", "UV_CONSTRAINT": "c.txt"}
    with pytest.raises(UsageError) as refused:
        refuse_unread_limits({"--no-binary"}, environ=environ)
    assert str(refused.value) == (
        "PIP_ONLY_BINARY and UV_NO_BUILD and UV_CONSTRAINT are set, and graft reads no pip or uv"
        " variable: it would not limit builds and versions as pip or uv would (pass graft"
        " --only-binary or --no-build or -c itself, or unset them)"
    )
    # graft build reads only the build constraints
    refuse_unread_limits(frozenset(), BUILD_LIMITS, environ=environ)
    # and graft lock, which has no --no-binary, not which files an installer takes
    refuse_unread_limits(frozenset(), LOCK_LIMITS, environ={"PIP_NO_BINARY": ":all:"})
    with pytest.raises(UsageError, match=r"^PIP_ONLY_BINARY is set"):
        refuse_unread_limits(frozenset(), LOCK_LIMITS, environ={"PIP_ONLY_BINARY": ":all:"})


def test_told_reads_graft_s_options_from_the_command_line() -> None:
    import argparse

    args = argparse.Namespace(
        formats=[("only-binary", ":all:")],
        no_build=False,
        constraint=[],
        build_constraint=["b.txt"],
        exclude_newer=None,
    )
    assert told(args) == {"--only-binary", "--build-constraint"}
    assert told(argparse.Namespace()) == frozenset()


def test_choosing_variables_are_warned_about_where_graft_chose_otherwise() -> None:
    environ = {
        "PIP_PRE": "1",
        "UV_PRERELEASE": "if-necessary-or-explicit",  # uv's default: graft's if-necessary
        "UV_RESOLUTION": "lowest",
        "UV_PYTHON": "3.12",
    }
    said = unread_choices(prerelease=None, resolution="highest", python_told=False, environ=environ)
    assert said == [
        (
            "PIP_PRE is set, and graft reads no pip or uv variable: it took prereleases only"
            " where needed (pass --pre)"
        ),
        (
            "UV_RESOLUTION is set, and graft reads no pip or uv variable: it resolved highest"
            " (pass --resolution lowest)"
        ),
        (
            "UV_PYTHON is set, and graft reads no pip or uv variable: it chose the interpreter"
            " without it (pass --python or GRAFT_PYTHON)"
        ),
    ]
    # graft told the same, or its own choice: nothing to say
    assert not unread_choices(
        prerelease="allow",
        resolution="lowest",
        python_told=True,
        environ={**environ, "UV_PRERELEASE": "allow"},
    )
    assert unread_choices(
        prerelease=None, resolution="highest", python_told=True, environ={"UV_PRERELEASE": "allow"}
    ) == [
        (
            "UV_PRERELEASE is set, and graft reads no pip or uv variable: it took prereleases"
            " as --prerelease if-necessary (pass --prerelease allow)"
        )
    ]
    assert not unread_choices(
        prerelease=None, resolution="highest", python_told=False, environ={"PIP_PRE": "0"}
    )


@pytest.mark.parametrize("name", TOOL_LIMIT_VARIABLES + TOOL_CHOICE_VARIABLES)
def test_the_stamps_miss_when_a_limiting_or_choosing_variable_changes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a command line refused or warned about never answers from a stamp made without it
    monkeypatch.delenv(name, raising=False)
    lock = ["lock", "attrs", "-o", "/tmp/pylock.toml"]
    before = (noop._context(["sync", "/tmp/v", "attrs"]), lockstamp_file.key_of(lock))
    monkeypatch.setenv(name, "1")
    after = (noop._context(["sync", "/tmp/v", "attrs"]), lockstamp_file.key_of(lock))
    assert None not in before
    assert [a != b for a, b in zip(before, after, strict=True)] == [True, True]
