"""The canonical dependency surface: formatting never matters, content always does."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graft.errors import SourceError
from graft.resolve.surface import python_allows, read_surface, surface_from_json, surface_to_json

if TYPE_CHECKING:
    from packaging.requirements import Requirement


def metadata(
    *requires: str,
    name: str = "demo",
    version: str = "1.0",
    python: str | None = None,
    extras: tuple[str, ...] = (),
    metadata_version: str = "2.1",
) -> bytes:
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    lines += [f"Provides-Extra: {e}" for e in extras]
    if python is not None:
        lines.append(f"Requires-Python: {python}")
    return ("\n".join(lines) + "\n\nA description.\n").encode()


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("numpy >=1.16.0, <2.0.0", "numpy>=1.16.0,<2.0.0"),
        ("black (==24.10.0)", "black ==24.10.0"),
        ("Typing_Extensions>=4", "typing-extensions>=4"),
        ("req[B,a]>1", "req[a,b]>1"),
        ("req[b,a,A]>1", "req[a,b]>1"),
        ("x; python_version<'3.11'", 'x ; python_version < "3.11"'),
        ("x>1,<3", "x<3,>1"),
    ],
)
def test_formatting_variants_give_equal_surfaces(left: str, right: str) -> None:
    a, b = read_surface(metadata(left)), read_surface(metadata(right))
    assert a == b
    assert hash(a) == hash(b)
    assert a.digest() == b.digest()


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("x>=1", "x>=1; sys_platform == 'win32'"),
        ("x[a]>=1", "x>=1"),
        ("x>=1,<2", "x>=1,<3"),
        ("x; extra == 'a'", "x; extra == 'b'"),
        ("x", "y"),
    ],
)
def test_real_differences_give_different_surfaces(left: str, right: str) -> None:
    a, b = read_surface(metadata(left)), read_surface(metadata(right))
    assert a != b
    assert a.digest() != b.digest()


def test_requires_python_and_extras_are_canonical() -> None:
    a = read_surface(metadata(python=">=3.8, <4", extras=("Foo_Bar", "a")))
    b = read_surface(metadata(python="<4,>=3.8", extras=("a", "foo-bar")))
    assert a == b
    assert a.requires_python == "<4,>=3.8"
    assert a.provides_extra == ("a", "foo-bar")
    assert a != read_surface(metadata(python=">=3.9, <4", extras=("a", "foo-bar")))
    assert a != read_surface(metadata(python=">=3.8, <4", extras=("a",)))


def test_line_order_and_duplicates_do_not_matter() -> None:
    a = read_surface(metadata("a>1", "b<2", "a >1"))
    b = read_surface(metadata("b<2", "a>1"))
    assert a == b
    assert a.requires_dist == ("a>1", "b<2")
    assert [str(r) for r in a.requirements] == ["a>1", "b<2"]


def test_name_and_version_are_part_of_the_surface() -> None:
    assert read_surface(metadata(name="Foo.Bar")).name == "foo-bar"
    assert read_surface(metadata(version="1.0.0")).version == "1.0.0"
    assert read_surface(metadata(version="1.0")) != read_surface(metadata(version="1.1"))


def test_a_bad_line_is_kept_aside_not_fatal() -> None:
    surface = read_surface(metadata("good>1", "bad req ]]"))
    assert surface.requires_dist == ("good>1",)
    assert surface.invalid == ("Requires-Dist: bad req ]]",)
    assert surface != read_surface(metadata("good>1"))


def test_an_invalid_requires_python_constrains_nothing() -> None:
    surface = read_surface(metadata(python=">=3.8,junk"))
    assert surface.requires_python is None
    assert surface.python_specifier is None
    assert surface.invalid == ("Requires-Python: >=3.8,junk",)
    assert python_allows(">=3.8,junk", "3.7.0")
    assert not python_allows(">=3.8", "3.7.0")
    assert python_allows(None, "3.7.0")


def test_missing_name_or_bad_version_is_an_error() -> None:
    with pytest.raises(SourceError, match="name"):
        read_surface(b"Metadata-Version: 2.1\nVersion: 1.0\n")
    with pytest.raises(SourceError, match=r"1\.0x"):
        read_surface(metadata(version="1.0x"), where="demo-1.0x.whl")


def test_url_requirements_round_trip() -> None:
    surface = read_surface(metadata("A @ https://example.invalid/a.whl ; os_name=='nt'"))
    assert surface.requires_dist == ('a @ https://example.invalid/a.whl ; os_name == "nt"',)
    assert surface.requirements[0].url == "https://example.invalid/a.whl"


# --- properties --------------------------------------------------------------------------

_NAMES = st.sampled_from(["numpy", "typing-extensions", "zope.interface", "a"])
_OPS = st.sampled_from(["==", ">=", "<=", "<", ">", "!=", "~="])
_VERSIONS = st.sampled_from(["1.0", "2.1.3", "0.9", "24.10.0"])
_MARKERS = st.sampled_from(
    [None, "python_version < '3.11'", "sys_platform == 'win32'", "extra == 'test'"]
)


@st.composite
def requirement_parts(draw: st.DrawFn) -> tuple[str, list[str], list[str], str | None]:
    name = draw(_NAMES)
    extras = draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True))
    specs = draw(st.lists(st.tuples(_OPS, _VERSIONS), max_size=2, unique_by=lambda t: t[0]))
    return name, extras, [op + v for op, v in specs], draw(_MARKERS)


def _spell(name: str, extras: list[str], specs: list[str], marker: str | None, style: int) -> str:
    """One requirement in one of several equivalent spellings."""
    if style == 1:  # upper case, underscores, spaces, parenthesised specifiers, reordered
        name = name.upper().replace("-", "_").replace(".", "_")
        extras = [e.upper() for e in reversed(extras)]
        specs = sorted(specs, reverse=True)
    text = name + (f"[{','.join(extras)}]" if extras else "")
    if specs:
        joined = ", ".join(specs) if style else ",".join(specs)
        text += f" ({joined})" if style else joined
    if marker is not None:
        text += f" ; {marker}" if style else f";{marker.replace(' ', '')}"
    return text


@given(st.lists(requirement_parts(), max_size=5), st.randoms())
def test_any_respelling_gives_an_equal_surface(
    parts: list[tuple[str, list[str], list[str], str | None]], rnd: random.Random
) -> None:
    plain = [_spell(*p, style=0) for p in parts]
    fancy = [_spell(*p, style=1) for p in parts]
    rnd.shuffle(fancy)
    a, b = read_surface(metadata(*plain)), read_surface(metadata(*fancy))
    assert a == b
    assert a.digest() == b.digest()
    # the canonical lines parse back to themselves
    again = read_surface(metadata(*a.requires_dist))
    assert again.requires_dist == a.requires_dist


@given(st.lists(requirement_parts(), min_size=1, max_size=4, unique_by=lambda p: p[0]), st.data())
def test_changing_one_requirement_changes_the_surface(
    parts: list[tuple[str, list[str], list[str], str | None]], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(parts) - 1))
    name, extras, specs, marker = parts[index]
    change = data.draw(st.sampled_from(["marker", "extra", "bound"]))
    if change == "marker":
        marker = "platform_machine == 'riscv64'" if marker is None else None
    elif change == "extra":
        extras = [*extras, "zz"]
    else:
        specs = [*specs, "<999"]
    changed = [*parts[:index], (name, extras, specs, marker), *parts[index + 1 :]]
    a = read_surface(metadata(*(_spell(*p, style=0) for p in parts)))
    b = read_surface(metadata(*(_spell(*p, style=0) for p in changed)))
    assert a != b
    assert a.digest() != b.digest()


def test_the_body_is_not_read_and_does_not_change_the_surface() -> None:
    from graft.resolve.surface import header_block

    data = metadata("a>=1; extra == 'x'", python=">=3.9", extras=("x",))
    head = header_block(data)
    assert head.endswith(b"Requires-Python: >=3.9\n")
    assert b"description" not in head
    assert read_surface(head) == read_surface(data)
    crlf = data.replace(b"\n", b"\r\n")
    assert read_surface(header_block(crlf)) == read_surface(crlf)
    # a body that looks like headers stays the body, as the email parser reads it
    tricked = data + b"Requires-Dist: evil\n"
    assert read_surface(tricked) == read_surface(data)


def test_a_surface_survives_json_and_another_form_is_refused() -> None:
    import json

    from graft.resolve.surface import surface_from_json, surface_to_json

    surface = read_surface(
        metadata("a>=1; extra == 'x'", "b[c]<2", "broken (", python=">=3.9", extras=("x",))
    )
    surface.requirements_for("x")  # (what it keeps of its reading is not written)
    surface.marked_lines("x")
    written = surface_to_json(surface)  # (the fields of SURFACE_FORM 1: kept surfaces read)
    assert set(written) == {
        *("form", "name", "version", "requires_dist", "requires_python"),
        *("provides_extra", "invalid", "variant_requires"),
    }
    again = surface_from_json(json.loads(json.dumps(written)))
    assert again == surface
    assert again is not None
    assert again.requirements == surface.requirements
    stale = {**surface_to_json(surface), "form": -1}
    assert surface_from_json(stale) is None
    missing = surface_to_json(surface)
    del missing["invalid"]
    assert surface_from_json(missing) is None
    assert surface_from_json({**surface_to_json(surface), "extra_field": 1}) is None
    assert surface_from_json("not a surface") is None


_EXTRA_MARKERS = (
    None,
    'extra == "a"',
    "extra == 'Foo_Bar'",
    '"a" == extra',
    'extra == "a" or extra == "b"',
    'extra == "b" and python_version >= "3"',
    'python_version < "3"',
    'python_version >= "3"',
    'sys_platform == "win32" or extra == "a"',
)
_ENV = {"python_version": "3.11", "sys_platform": "linux"}


def _holds(req: Requirement, extra: str) -> bool:
    return req.marker is None or req.marker.evaluate({**_ENV, "extra": extra})


@given(
    st.lists(
        st.tuples(st.sampled_from(("x", "y>=1", "z[q]<2")), st.sampled_from(_EXTRA_MARKERS)),
        max_size=8,
    )
)
def test_the_lines_left_unparsed_for_an_extra_are_lines_that_cannot_hold_for_it(
    lines: list[tuple[str, str | None]],
) -> None:
    surface = read_surface(metadata(*(f"{r}; {m}" if m else r for r, m in lines)))
    for extra in ("", "a", "b", "foo-bar"):
        every = [str(r) for r in surface.requirements if _holds(r, extra)]
        some = [str(r) for r in surface.requirements_for(extra) if _holds(r, extra)]
        assert some == every
        assert surface.requirements_for(extra) is surface.requirements_for(extra)  # (kept)


def test_extra_only_lines_are_not_parsed_for_the_base() -> None:
    surface = surface_from_json(
        surface_to_json(read_surface(metadata("x", 'y; extra == "a"', 'z; extra == "b"')))
    )
    assert surface is not None
    assert [str(r) for r in surface.requirements_for("")] == ["x"]
    assert set(surface.parsed) == {"x"}  # the other two were never parsed
    assert [str(r) for r in surface.requirements_for("a")] == ["x", 'y; extra == "a"']


def test_a_kept_line_that_no_longer_parses_is_a_one_line_error() -> None:
    kept = surface_to_json(read_surface(metadata("x>1")))
    kept["requires_dist"] = ["x>>>1"]
    surface = surface_from_json(kept)
    assert surface is not None
    with pytest.raises(SourceError, match="cannot parse the kept Requires-Dist line"):
        surface.requirements_for("")
