"""Core metadata files (PEP 658/714) and the pieces of resuming a download, without a network."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from graft.errors import PlanError, SourceError
from graft.model.requirements import Wanted
from graft.resolve.deps import check_before_download
from graft.sources.candidates import Candidate
from graft.sources.coremeta import (
    CoreMetadata,
    _checked,
    check_wheel_agrees,
    from_filename,
)
from graft.sources.fetch import _range_start
from graft.sources.simple_api import advertised_metadata
from graft.venv.foreign import foreign_target
from tests.support.wheelmaker import make_wheel

HEX = "ab" * 32


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, ""),  # PEP 691 JSON
        (False, None),
        ({"sha256": HEX.upper()}, f"sha256={HEX}"),
        ({"md5": HEX, "sha512": "cd" * 64}, "sha512=" + "cd" * 64),
        ({"md5": HEX}, ""),  # announced, with no hash graft checks
        ("true", ""),  # PEP 658 HTML attribute
        (None, ""),  # a bare attribute
        ("false", None),
        (f"sha256={HEX}", f"sha256={HEX}"),
        ("sha256=not-hex", ""),
        ("garbage", ""),  # malformed: announced without a hash, as pip reads it
    ],
)
def test_what_an_index_page_says_about_a_metadata_file(value: object, expected: str | None) -> None:
    assert advertised_metadata(value) == expected


@pytest.mark.parametrize(
    ("header", "start"),
    [("bytes 100-199/200", 100), ("bytes 0-9/10", 0), ("bytes */200", None), (None, None)],
)
def test_content_range_start(header: str | None, start: int | None) -> None:
    assert _range_start(header) == start


def test_a_metadata_file_is_read_with_the_filename_s_name_and_version() -> None:
    data = (
        b"Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0.0\n"
        b"Requires-Dist: baz>=2\nRequires-Dist: qux; extra == 'x'\nRequires-Python: >=3.8\n"
    )
    meta = _checked("foo_bar-1.0-py3-none-any.whl", data, "u")
    assert meta == CoreMetadata(
        "foo_bar-1.0-py3-none-any.whl",
        "foo-bar",
        "1.0",
        ("baz>=2", "qux; extra == 'x'"),
        ">=3.8",
    )
    assert meta.label == "foo-bar==1.0"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Metadata-Version: 2.1\nVersion: 1.0\n", "has no Name or Version"),
        (b"Name: foo\nVersion: 1.1\n", "describes foo 1.1, not foo 1.0"),
        (b"Name: other\nVersion: 1.0\n", "describes other 1.0, not foo 1.0"),
    ],
)
def test_a_metadata_file_that_does_not_describe_the_wheel_is_refused(
    data: bytes, message: str
) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        _checked("foo-1.0-py3-none-any.whl", data, "http://x/foo-1.0-py3-none-any.whl.metadata")
    assert "\n" not in str(caught.value)


def test_the_wheel_s_own_metadata_must_agree(tmp_path: Path) -> None:
    good = make_wheel(tmp_path, "agree", "1.0")
    meta = from_filename(good.name)
    assert meta is not None
    check_wheel_agrees(str(good), meta, "here")
    liar = make_wheel(
        tmp_path, "agree", "2.0", dist_info_name="agree-1.0", filename="agree-1.0-py2-none-any.whl"
    )
    with pytest.raises(SourceError, match=r"its METADATA says agree 2\.0"):
        check_wheel_agrees(str(liar), meta, "here")
    broken = tmp_path / "agree-1.0-py3-none-any.whl"
    broken.write_bytes(b"not a zip")
    check_wheel_agrees(str(broken), meta, "here")  # ingest reports an unreadable wheel


def test_the_check_before_download_needs_no_metadata_file_to_pass_through(
    tmp_path: Path,
) -> None:
    # No candidate offers a metadata file: nothing is fetched (there is no server) or checked.
    target = foreign_target("3.12", ["manylinux_2_17_x86_64"])
    want = Wanted(canonicalize_name("needs"), "1.0", frozenset(), frozenset(), "cli")
    candidate = Candidate("needs-1.0-py3-none-any.whl", "http://127.0.0.1:9/x.whl", HEX, False)
    assert check_before_download([(want, candidate)], target, False, str(tmp_path), False) == {}


def test_the_check_before_download_reads_cached_metadata_files_offline(tmp_path: Path) -> None:
    from graft.sources.coremeta import cache_path

    target = foreign_target("3.12", ["manylinux_2_17_x86_64"])
    want = Wanted(canonicalize_name("needs"), "1.0", frozenset(), frozenset(), "cli")
    other = Wanted(canonicalize_name("other"), "1.0", frozenset(), frozenset(), "cli")
    data = b"Metadata-Version: 2.1\nName: needs\nVersion: 1.0\nRequires-Dist: other>=2\n"
    candidate = Candidate(
        "needs-1.0-py3-none-any.whl", "http://127.0.0.1:9/n.whl", HEX, False, core_metadata=""
    )
    plain = Candidate("other-1.0-py3-none-any.whl", "http://127.0.0.1:9/o.whl", None, False)
    path = Path(cache_path(candidate, str(tmp_path)))
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    chosen = [(want, candidate), (other, plain)]
    with pytest.raises(PlanError, match=r"needs==1.0 requires other>=2, but other==1.0 is pinned"):
        check_before_download(chosen, target, False, str(tmp_path), True)
    used = check_before_download(chosen, target, True, str(tmp_path), True)  # --no-deps
    assert set(used) == {candidate.url}
    path.unlink()  # offline and not cached: no check before download
    assert check_before_download(chosen, target, False, str(tmp_path), True) == {}
