"""When a conditional locked package is installed (``graft.variants.locked``)."""

from __future__ import annotations

import pytest

from graft.errors import SourceError
from graft.model.variants import VariantProperty
from graft.variants.locked import Clause, needed, parse_needed_by
from graft.variants.markers import VariantEnvironment

LINUX = {"sys_platform": "linux", "platform_machine": "x86_64", "python_version": "3.11"}
V3 = VariantEnvironment("v3", frozenset({VariantProperty("cpu", "level", "v3")}))
SM = VariantEnvironment("sm", frozenset({VariantProperty("gpu", "sm_arch", "100_real")}))
PLAIN = VariantEnvironment("")


def test_a_clause_names_the_requirer_its_labels_and_a_variant_marker() -> None:
    by_label = Clause("demo", ("v3",))
    assert by_label.holds({"demo": V3}, LINUX)
    assert not by_label.holds({"demo": SM}, LINUX)
    assert not by_label.holds({}, LINUX)  # the requirer is not installed
    marker = Clause("demo", (), "'gpu :: sm_arch :: 120_real' in variant_properties")
    assert not marker.holds({"demo": SM}, LINUX)  # the machine lacks the value
    both = VariantEnvironment("sm", SM.properties | {VariantProperty("gpu", "sm_arch", "120_real")})
    assert marker.holds({"demo": both}, LINUX)
    assert Clause("demo", ("",)).holds({"demo": PLAIN}, LINUX)  # the non-variant wheel


def test_a_clause_without_requirer_holds_where_its_marker_does() -> None:
    assert Clause(None, (), "sys_platform == 'linux'").holds({}, LINUX)
    assert not Clause(None, (), "sys_platform == 'win32'").holds({}, LINUX)


def test_needed_is_the_least_fixed_point_over_chosen_wheels() -> None:
    chosen = {"demo": SM, "dep-a": PLAIN, "dep-b": PLAIN, "dep-c": PLAIN, "x": PLAIN, "y": PLAIN}
    conditional = {
        "dep-a": (Clause("demo", ("v3",)),),
        "dep-b": (Clause("demo", ("sm",)),),
        "dep-c": (Clause("dep-b"),),  # needed through a conditional one
        "x": (Clause("y"),),  # a cycle of conditional packages installs nothing by itself
        "y": (Clause("x"),),
    }
    assert needed(chosen, conditional, LINUX) == {"demo", "dep-b", "dep-c"}
    assert needed({**chosen, "demo": V3}, conditional, LINUX) == {"demo", "dep-a"}


def test_clauses_round_trip_and_malformed_ones_are_one_line() -> None:
    clause = Clause("demo", ("v3", ""), "'a :: b :: c' in variant_properties")
    tool = {
        "graft": {"needed-by": [clause.to_toml(), Clause(None, (), "os_name == 'nt'").to_toml()]}
    }
    assert parse_needed_by(tool, "here") == (clause, Clause(None, (), "os_name == 'nt'"))
    assert parse_needed_by({"other": {}}, "here") is None
    assert parse_needed_by(None, "here") is None
    malformed: list[list[object]] = [[], [{}], [{"requirer": 1}], ["x"], [{"labels": "v3"}]]
    for bad in malformed:
        with pytest.raises(SourceError) as info:
            parse_needed_by({"graft": {"needed-by": bad}}, "pylock.toml: dep")
        assert info.value.where == "pylock.toml: dep"
