"""PEP 723 inline script metadata read as PEP 723 says (decision 432): no network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft.errors import SourceError, UsageError
from graft.model.requirements import Inputs
from graft.model.target import Target
from graft.sources.script import REGEX, is_script, parse_script, read_script, refuse_python

# PEP 723's own example
PEP_EXAMPLE = """\
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "requests<3",
#   "rich",
# ]
# ///

import requests
from rich.pretty import pprint
"""


def test_the_pep_example_gives_its_dependencies_and_range() -> None:
    script = parse_script(PEP_EXAMPLE, "s.py")
    assert script.dependencies == ("requests<3", "rich")
    assert script.requires_python == ">=3.11"
    assert script.where == "s.py:1"


def test_the_regex_is_pep_723s_reference() -> None:
    pep = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
    assert pep == REGEX


def test_a_block_of_another_type_is_not_read_and_the_script_block_is_found_after_it() -> None:
    text = (
        "#!/usr/bin/env python\n# /// pyproject\n# [project]\n# ///\nx = 1\n"
        '# /// script\n# dependencies = ["six"]\n# ///\n'
    )
    script = parse_script(text, "s.py")
    assert script.dependencies == ("six",)
    assert script.line == 6


def test_a_bare_hash_line_is_an_empty_line_of_the_block() -> None:
    text = '# /// script\n#\n# dependencies = [\n#\n#   "six",\n# ]\n#\n# ///\n'
    assert parse_script(text, "s.py").dependencies == ("six",)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("import six\n", "s.py: no inline script metadata"),
        ('# /// pyproject\n# dependencies = ["six"]\n# ///\n', "s.py: no inline script metadata"),
        ('x = 1\n# /// script\n# dependencies = ["six"]\n', "s.py:2: this '# /// script' block"),
        ('# /// script\ndependencies = ["six"]\n# ///\n', "s.py:1: this '# /// script' block"),
        (
            '# /// script\n# dependencies = ["a"]\n# ///\nx = 1\n# /// script\n#\n# ///\n',
            "s.py:5: a second '# /// script' block (the first is at line 1)",
        ),
        (  # (adjacent: PEP 723's expression runs them into one block)
            '# /// script\n# dependencies = ["a"]\n# ///\n# /// script\n# x = 1\n# ///\n',
            "s.py:4: a second '# /// script' block (the first is at line 1)",
        ),
        ('# /// script\n# dependencies = ["six"\n# ///\n', "s.py:1: the script block is not"),
        ('# /// script\n# dependencies = "six"\n# ///\n', "s.py:1: the script block's dep"),
        ("# /// script\n# dependencies = [1]\n# ///\n", "s.py:1: the script block's dep"),
        ("# /// script\n# requires-python = 3\n# ///\n", "s.py:1: the script block's requires"),
        ('# /// script\n# requires-python = "3.x"\n# ///\n', "s.py:1: the script block's req"),
    ],
)
def test_a_script_without_a_good_block_is_one_line_naming_the_file(text: str, said: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_script(text, "s.py")
    line = str(raised.value)
    assert line.startswith(said), line
    assert "\n" not in line


def test_bad_toml_names_the_block_and_the_file_line_its_lines_count_from() -> None:
    with pytest.raises(UsageError) as raised:
        parse_script('x = 1\n# /// script\n# dependencies = ["six"\n# ///\n', "s.py")
    assert raised.value.where == "s.py:2"
    assert "its line 1 is the file's line 3" in raised.value.what


def test_a_script_is_named_by_its_extension_as_uv_decides() -> None:
    assert is_script("s.py")
    assert is_script("dir/tool.pyw")
    assert not is_script("requirements.txt")
    assert is_script("https://example.org/s.py")  # (as uv pip install -r reads it: 447)
    assert is_script("https://example.org/s.py?token=1")
    assert not is_script("https://example.org/requirements.txt")
    assert not is_script("https://example.org/py")


_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4})?", fullmatch=True)
_DEPS = st.lists(
    st.tuples(_NAMES, st.sampled_from(["", ">=1", "==2.0", "<3,>=1", "[x]"])).map(
        lambda pair: pair[0] + pair[1]
    ),
    max_size=6,
)


@given(
    before=st.lists(st.sampled_from(["import os", "x = 1", "#!/usr/bin/env python", ""])),
    deps=_DEPS,
    python=st.sampled_from([None, ">=3.9", ">=3.10,<4"]),
    crlf=st.booleans(),
)
def test_any_block_gives_back_what_was_written_into_it(
    before: list[str], deps: list[str], python: str | None, crlf: bool
) -> None:
    lines = [*before, "# /// script"]
    if python is not None:
        lines.append(f"# requires-python = {json.dumps(python)}")
    lines += ["# dependencies = [", *(f"#   {json.dumps(d)}," for d in deps), "# ]", "# ///"]
    text = "\n".join([*lines, "print('hi')", ""])
    inputs = Inputs()
    if crlf:
        text = text.replace("\n", "\r\n")
    path = Path(_scratch()) / "s.py"
    path.write_bytes(text.encode())
    script = read_script(str(path), inputs)
    assert script.dependencies == tuple(deps)
    assert script.requires_python == (None if python is None else _normal(python))
    assert script.line == len(before) + 1
    assert [w.name for w in inputs.wanted] == [re.split(r"[<>=\[]", d)[0] for d in deps]
    assert inputs.files_read == [str(path)]
    assert inputs.scripts == [(f"{path}:{len(before) + 1}", script.requires_python)]


def _normal(value: str) -> str:
    from packaging.specifiers import SpecifierSet

    return str(SpecifierSet(value))


_SCRATCH: list[str] = []


def _scratch() -> str:
    """One directory for every example (hypothesis runs a test many times in one tmp_path)."""
    if not _SCRATCH:
        import tempfile

        _SCRATCH.append(tempfile.mkdtemp(prefix="graft-script-"))
    return _SCRATCH[0]


def test_tool_uv_is_warned_about_as_ignored(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    path.write_text(
        '# /// script\n# dependencies = ["six"]\n# [tool.uv]\n# exclude-newer = "2020-01-01"\n'
        "# [tool.other]\n# x = 1\n# ///\n"
    )
    inputs = Inputs()
    read_script(str(path), inputs)
    said = (
        f"{path}:1: the script's [tool.uv] (exclude-newer) is ignored, as uv pip ignores it"
        " (it is uv run's); give such settings on the command line"
    )
    assert inputs.warnings == [said]


def _target(version: str) -> Target:
    return Target(
        executable="/usr/bin/python3",
        real_executable="/usr/bin/python3",
        version=version,
        implementation="cpython",
        cache_tag=None,
        tags=("py3-none-any",),
        markers={},
        scheme={},
    )


def test_a_requires_python_that_excludes_the_target_is_refused_naming_the_script() -> None:
    scripts = [("a.py:1", None), ("s.py:3", ">=3.13")]
    refuse_python(scripts, _target("3.13.0"))
    with pytest.raises(SourceError) as raised:
        refuse_python(scripts, _target("3.12.1"))
    assert str(raised.value) == (
        "s.py:3: the script's requires-python >=3.13 excludes the target's Python 3.12.1"
        " (sync with a --python the script allows (>=3.13))"
    )
