"""uv's overrides and excludes applied to requirements (graft.resolve.overrides, 388, 389)."""

from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from graft.model.requirements import Inputs
from graft.resolve.overrides import Overrides, of_inputs, roots, top_level_extra
from graft.sources.requirements import parse_spec


@pytest.mark.parametrize(
    ("marker", "gate"),
    [
        ('extra == "x"', "x"),
        ('extra == "Fast_Path" and python_version < "3.12"', "fast-path"),
        ('python_version < "3.12" and extra == "x"', "x"),
        ('"x" == extra', "x"),
        ('(extra == "x" and os_name == "nt") or (extra == "x" and os_name == "posix")', "x"),
        ('extra == "x" or extra == "y"', None),  # (neither holds in every alternative)
        ('extra != "x"', None),
        ('python_version < "3.12"', None),
        ('extra == "x" or python_version < "3.12"', None),
    ],
)
def test_the_extra_a_marker_is_gated_on_as_uv_finds_it(marker: str, gate: str | None) -> None:
    assert top_level_extra(Marker(marker)) == gate


def overrides(*lines: str, excludes: tuple[str, ...] = ()) -> Overrides:
    return of_inputs(read_into(*lines, excludes=excludes))


def applied(given: Overrides, *lines: str) -> list[str]:
    return [str(r) for r in given.apply([Requirement(line) for line in lines])]


def test_an_override_replaces_every_requirement_on_its_project_and_drops_its_marker() -> None:
    given = overrides("b>=2", 'b[x]<1 ; python_version < "3"')
    assert applied(given, 'B<2 ; os_name == "nt"', "c") == [
        "b>=2",
        'b[x]<1; python_version < "3"',
        "c",
    ]


def test_a_requirement_of_an_extra_stays_one_of_that_extra() -> None:
    given = overrides("b>=2", 'b<3 ; os_name == "nt"')
    assert applied(given, 'b<2 ; extra == "opt" and python_version < "3.12"') == [
        'b>=2; extra == "opt"',
        'b<3; extra == "opt" and os_name == "nt"',
    ]


def test_an_excluded_project_is_dropped_whatever_its_requirement() -> None:
    given = overrides("b>=2", excludes=("b", "c"))
    assert applied(given, "b<2", 'c ; extra == "x"', "d") == ["d"]


def read_into(*lines: str, excludes: tuple[str, ...] = ()) -> Inputs:
    inputs = Inputs()
    inputs.overrides = [parse_spec(line, "o.txt:1", base=None) for line in lines]
    inputs.excludes = [parse_spec(name, "x.txt:1", base=None).name for name in excludes]
    return inputs


def test_the_roots_are_overridden_and_excluded_too() -> None:
    given = read_into("b==2.0", excludes=("c",))
    wanted = [parse_spec(text, "command line", base=None) for text in ("b<2", "c", "d")]
    out = roots(wanted, given)
    assert [(w.name, w.specifier, w.version) for w in out] == [
        ("b", "==2.0", "2.0"),
        ("d", "", None),
    ]
    assert roots(wanted, Inputs()) == wanted


def test_a_root_naming_a_file_is_replaced_and_an_override_may_name_a_wheel() -> None:
    # as uv replaces them (decision 397): the root's URL goes, the override's URL comes
    url = "https://example.invalid/b-1.0-py3-none-any.whl"
    wanted = [parse_spec(f"b @ {url}", "command line", base=None)]
    (out,) = roots(wanted, read_into("b>=2"))
    assert (out.url, out.path, out.specifier, out.requested) == (None, None, ">=2", True)
    (out,) = roots([parse_spec("b<2", "command line", base=None)], read_into(f"b @ {url}"))
    assert out.url == url
    assert applied(of_inputs(read_into(f"b @ {url}")), "b<2") == [f"b @ {url}"]


def test_packaging_still_parses_a_marker_into_the_tree_top_level_extra_reads() -> None:
    # packaging has no public view of a parsed marker: top_level_extra reads its private
    # _markers (decision 398). Should a release change that form, this fails first, naming
    # why, where the cases above would fail only by their results.
    tree = getattr(Marker('extra == "x" and python_version < "3.12"'), "_markers", None)
    assert isinstance(tree, list), "packaging's Marker._markers is gone: see decision 398"
    assert [type(part).__name__ for part in tree[0]] == ["Variable", "Op", "Value"]
    assert tree[1] == "and"
