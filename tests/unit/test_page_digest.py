"""A page's digest, kept with it, reads exactly as the listing read name by name."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from graft.resolve.admit import by_version
from graft.resolve.artifacts import ArtifactFile, parse_wheel, stated_tags
from graft.resolve.environments import DEFAULT_PYTHONS, matrix
from graft.resolve.first_offered import first_offered
from graft.resolve.listing import Listing, digested
from graft.resolve.page_digest import digest
from graft.resolve.policy import Policy
from graft.resolve.screenmemo import _listing
from graft.resolve.tag_groups import grouped_by_tags

NAMES = (
    "lib-1.0-py3-none-any.whl",
    "lib-1.0.0-cp39-abi3-win_amd64.whl",  # another spelling of 1.0
    "lib-1.0.tar.gz",
    "lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
    "lib-2.0-1-py3-none-any.whl",
    "lib-2.0-py3-none-any-x86_64_v3.whl",  # a variant label (PEP 825)
    "lib-2.0.post1-py2.py3-none-any.whl",
    "lib-3.0b1-py3-none-any.whl",
    "lib-3.0b1.tar.gz",
    "lib-10.0-cp312-cp312-macosx_11_0_arm64.whl",
    "lib-nonsense-py3-none-any.whl",
    "lib-1.0-too-many-fields-py3-none-any.whl",
    "lib-2.0-variants.json",
    "lib-0.9.zip",
)
PYTHONS = (None, ">=3.10", "<3.12", ">=3.8")
SPECS = ("", ">=1.0", "==2.0", "<2", "!=10.0", ">=3.0b1")


def _row(name: str, python: str | None) -> list[Any]:
    return [name, f"https://files.invalid/{name}", "0" * 64, python, None, None, None, None]


def _file(row: Sequence[Any]) -> ArtifactFile:
    return ArtifactFile(row[0], row[1], (("sha256", row[2]),), requires_python=row[3])


def _three(rows: list[list[Any]]) -> tuple[Listing, Listing, tuple[ArtifactFile, ...]]:
    """The rows with their digest (through JSON, as kept), without one, and as files."""
    kept = json.loads(json.dumps(digest(rows)))
    return Listing(rows, _file, kept), Listing(rows, _file), tuple(map(_file, rows))


listings = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(PYTHONS)),
    max_size=14,
    unique_by=lambda r: r[0],
).map(lambda pairs: [_row(name, python) for name, python in pairs])


@settings(max_examples=150, deadline=None)
@given(listings, st.sampled_from(SPECS), st.sampled_from([None, "1", "2.0", "3.0b1", "7"]))
def test_a_kept_digest_reads_as_the_names_do(
    rows: list[list[Any]], spec: str, preferred: str | None
) -> None:
    kept, fresh, files = _three(rows)
    answers = []
    for listing in (kept, fresh, files):
        grouped = by_version(listing)
        versions = list(grouped.versions)
        wanted = None if preferred is None else Version(preferred)
        answers.append(
            (
                versions,
                list(grouped.releases(wanted)),
                {v: [f.filename for f in grouped.stating(v)] for v, _ in versions},
                grouped.stating(Version("99")),
                [f.filename for f in grouped.admitted([SpecifierSet(spec)])],
                grouped_by_tags(listing),
                _listing(listing),
                grouped_by_tags(grouped.admitted([SpecifierSet(spec)])),
                _listing(grouped.admitted([SpecifierSet(spec)])),
            )
        )
    assert answers[0] == answers[1] == answers[2]
    versions, releases, *_ = answers[0]
    assert [v for v, _ in versions] == sorted({v for v, _ in versions}, reverse=True)
    if preferred is not None and Version(preferred) in dict(versions):
        assert releases[0][0] == Version(preferred)
    # every tag set a name states, and no other (a variant wheel's parsed whole)
    listed = _listing(kept)
    stated = {stated_tags(r[0]) or getattr(parse_wheel(r[0]), "tags", None) for r in rows}
    assert set(listed.tag_sets) == stated - {None}
    assert set(listed.pythons) == {r[3] for r in rows if r[3]}


@settings(max_examples=150, deadline=None)
@given(listings, st.data())
def test_the_releases_specifiers_admit_read_their_rows_digest_from_the_whole_one(
    rows: list[list[Any]], data: st.DataObject
) -> None:
    kept, _, _ = _three(rows)
    at = sorted(data.draw(st.sets(st.integers(0, len(rows) - 1)))) if rows else []
    subset = kept.subset(at)
    made = json.loads(json.dumps(digest([rows[i] for i in at])))
    assert digested(subset, "tags") == made["tags"]  # (groups in the order first seen)
    assert digested(subset, "pythons") == made["pythons"]
    assert subset.filenames() == [rows[i][0] for i in at]
    assert all(subset[i] is kept[p] for i, p in enumerate(at))  # the whole's files, made once
    assert list(subset[::2]) == [kept[p] for p in at[::2]]


def test_a_subset_of_a_digest_without_tag_groups_reads_them_from_the_names() -> None:
    rows = [_row(name, ">=3.10") for name in NAMES[:5]]
    whole = Listing(rows, _file, {"pythons": [">=3.10"]})
    subset = whole.subset([1, 3])
    assert digested(subset, "tags") is None
    assert digested(subset, "pythons") == [">=3.10"]
    fresh = Listing([rows[1], rows[3]], _file)
    assert grouped_by_tags(subset) == grouped_by_tags(fresh)


def test_the_newest_release_is_answered_parsing_only_what_it_reads() -> None:
    rows = [_row(f"lib-{minor}.0-py3-none-any.whl", None) for minor in range(300)]
    kept, _, _ = _three(rows)
    env = matrix(DEFAULT_PYTHONS)[0]
    found = first_offered(
        kept.filenames()[0].split("-")[0],  # type: ignore[arg-type]
        kept,
        [SpecifierSet(">=1")],
        env.target,
        Policy(),
        tag_rank=env.target.tag_rank(),
    )
    assert found is not None
    assert found[0] == Version("299.0")
    grouped = by_version(kept)
    assert sum(v is not None for v in grouped._parsed) == 1
    assert grouped.stating(Version("7")) == [kept[7]]  # a binary search: a few more
    assert sum(v is not None for v in grouped._parsed) <= 10


def test_a_range_deep_in_a_listing_is_answered_parsing_only_around_its_bounds() -> None:
    """Decision 225: ``botocore>=1.33.13,<1.34.0`` (a boto3 release's own, asked once per
    release backtracked through) read every newer release first, each parsed and asked."""
    rows = [_row(f"lib-{minor}.0-py3-none-any.whl", None) for minor in range(300)]
    kept, _, _ = _three(rows)
    env = matrix(DEFAULT_PYTHONS)[0]
    found = first_offered(
        kept.filenames()[0].split("-")[0],  # type: ignore[arg-type]
        kept,
        [SpecifierSet(">=10,<12")],
        env.target,
        Policy(),
        tag_rank=env.target.tag_rank(),
    )
    assert found is not None
    assert found[0] == Version("11.0")
    assert sum(v is not None for v in by_version(kept)._parsed) <= 12  # (289 before)
