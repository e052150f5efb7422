"""The prompt written into each activate script as its shell reads it (decision 242)."""

from __future__ import annotations

import subprocess

import pytest

from graft.venv.skeleton import as_shell_text

NAME = b"graft-venv-template"
PROMPT = "x $(run) `run` a\"b \\c it's !1"
SH_DOUBLE = r'VIRTUAL_ENV_PROMPT="(x \$(run) \`run\` a\"b \\c it' + "'" + r's !1) "'
CSH_DOUBLE = "setenv VIRTUAL_ENV_PROMPT \"(\"'x $(run) `run` a\"b \\c it'\\''s '\\!'1'\") \""
FISH_DOUBLE = r'set -gx VIRTUAL_ENV_PROMPT "(x \$(run) `run` a\"b \\c it' + "'" + r's !1) "'
SH_BARE = "VIRTUAL_ENV_PROMPT='x $(run) `run` a\"b \\c it'\\''s !1'"
FISH_BARE = "set -gx VIRTUAL_ENV_PROMPT 'x $(run) `run` a\"b \\\\c it\\'s !1'"
PS1_SINGLE = "$env:VIRTUAL_ENV_PROMPT = 'x $(run) `run` a\"b \\c it''s !1'"
PS1_DOUBLE = 'Write-Host "(x `$(run) ``run`` a`"b \\c it\'s !1) "'


@pytest.mark.parametrize(
    ("line", "shell", "written"),
    [
        # Python up to 3.13.0: the placeholder within double quotes
        (b'VIRTUAL_ENV_PROMPT="(NAME) "', "sh", SH_DOUBLE),
        (b'setenv VIRTUAL_ENV_PROMPT "(NAME) "', "csh", CSH_DOUBLE),
        (b'set -gx VIRTUAL_ENV_PROMPT "(NAME) "', "fish", FISH_DOUBLE),
        # later releases: shlex.quote's bare word (a safe placeholder is not quoted)
        (b"VIRTUAL_ENV_PROMPT=NAME", "sh", SH_BARE),
        (b"set -gx VIRTUAL_ENV_PROMPT NAME", "fish", FISH_BARE),
        (b"$env:VIRTUAL_ENV_PROMPT = 'NAME'", "ps1", PS1_SINGLE),
        (b'Write-Host "(NAME) "', "ps1", PS1_DOUBLE),
    ],
)
def test_each_place_is_quoted_for_its_shell(line: bytes, shell: str, written: str) -> None:
    assert as_shell_text(line.replace(b"NAME", NAME), NAME, PROMPT, shell).decode() == written


def test_a_plain_prompt_is_written_as_before() -> None:
    for line in (b'PS1="(NAME) ${PS1:-}"', b"VIRTUAL_ENV_PROMPT=NAME"):
        script = line.replace(b"NAME", NAME)
        assert as_shell_text(script, NAME, "my-env", "sh") == line.replace(b"NAME", b"my-env")
    for shell in ("sh", "csh", "fish", "ps1"):  # (a space needs nothing within double quotes)
        script = b'X "(NAME) "'.replace(b"NAME", NAME)
        assert as_shell_text(script, NAME, "my env", shell) == b'X "(my env) "'


@pytest.mark.parametrize("line", [b'X="(NAME) "', b"X=NAME", b"X='NAME'"])
def test_sh_reads_the_prompt_as_text(line: bytes) -> None:
    script = as_shell_text(line.replace(b"NAME", NAME), NAME, PROMPT, "sh")
    done = subprocess.run(
        ["sh", "-c", script.decode() + '\nprintf "%s" "$X"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == (f"({PROMPT}) " if b"(" in line else PROMPT)
