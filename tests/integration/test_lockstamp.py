"""The unchanged ``graft lock`` answered from a lock stamp (graft.cli.lockstamp), and when not."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from packaging.pylock import Pylock, PylockSelectError

from tests.conftest import run_graft
from tests.integration.test_lock_micro import at
from tests.integration.test_warm import OLD, aged
from tests.support.importtime import graft_imports
from tests.support.rangeserver import serve
from tests.support.toml import tomllib
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def links(tmp_path: Path) -> Path:
    directory = tmp_path / "wheels"
    directory.mkdir()
    make_wheel(directory, "alpha", "1.0", {"alpha.py": ""}, requires=("beta",))
    make_wheel(directory, "beta", "1.0", {"beta.py": "B = 1\n"})
    make_wheel(directory, "beta", "2.0", {"beta.py": "B = 2\n"})
    aged(*directory.iterdir(), directory)
    return directory


@pytest.fixture
def reqs(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text("alpha\n")
    aged(path)
    return path


def lock(reqs: Path, links: Path, out: Path, *extra: str | Path) -> tuple[str, set[str]]:
    """``graft lock`` as a user types it; its stderr and the modules it imported."""
    return graft_imports("lock", "-r", reqs, "--no-index", "--find-links", links, "-o", out, *extra)


@pytest.fixture
def graft_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of the test's own, so that its stamps are the test's."""
    path = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(path))
    return path


def stamps(cache: Path) -> list[Path]:
    """The lock stamps (not those for an edit of the -r files: graft.cli.lockedit)."""
    return sorted(p for p in (cache / "lock-stamps").glob("*") if not p.name.startswith("edit-"))


def test_an_unchanged_lock_is_written_from_the_stamp_without_resolving(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    said, modules = lock(reqs, links, tmp_path / "pylock.a.toml")
    assert "packaging.version" in modules  # the control: the first lock resolves
    assert len(stamps(graft_cache)) == 1
    said, modules = lock(reqs, links, tmp_path / "pylock.b.toml")
    heavy = {m for m in modules if m.startswith(("packaging", "resolvelib", "graft.resolve."))}
    assert heavy == {"graft.resolve.fingerprints"}  # (standard library only)
    assert modules & {"graft.cli.lockstamp"}
    assert (tmp_path / "pylock.b.toml").read_bytes() == (tmp_path / "pylock.a.toml").read_bytes()
    assert f"into {tmp_path / 'pylock.b.toml'} in" in said
    assert 'version = "2.0"' in (tmp_path / "pylock.b.toml").read_text()  # beta's newest


def test_a_lock_with_short_options_is_answered_from_its_stamp(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    """Decision 238(f): ``-f DIR`` as pip's users write it (only ``-q``, ``-r``, ``-c`` and
    ``-C`` were read: any other short option kept no stamp)."""
    out = tmp_path / "pylock.toml"
    args = ("lock", "-r", reqs, "--no-index", "-f", links, "-o", out, "-q")
    graft_imports(*args)
    assert len(stamps(graft_cache)) == 1
    _, modules = graft_imports(*args)
    assert "packaging.version" not in modules


def test_the_stamp_leaves_an_output_that_holds_the_lock_untouched(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    out = tmp_path / "pylock.a.toml"
    lock(reqs, links, out, "-q")
    aged(out)
    _, modules = lock(reqs, links, out, "-q")
    assert "packaging.version" not in modules
    assert out.stat().st_mtime == OLD


def test_an_edited_requirement_file_locks_again(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    lock(reqs, links, tmp_path / "pylock.a.toml")
    reqs.write_text("alpha\nbeta<2\n")
    aged(reqs)
    _, modules = lock(reqs, links, tmp_path / "pylock.b.toml")
    assert "packaging.version" in modules
    assert 'version = "1.0"' in (tmp_path / "pylock.b.toml").read_text()
    assert 'version = "2.0"' not in (tmp_path / "pylock.b.toml").read_text()


def test_a_new_wheel_in_find_links_locks_again(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    lock(reqs, links, tmp_path / "pylock.a.toml")
    make_wheel(links, "beta", "3.0", {"beta.py": "B = 3\n"})
    aged(*links.iterdir(), links)
    _, modules = lock(reqs, links, tmp_path / "pylock.b.toml")
    assert "packaging.version" in modules
    assert 'version = "3.0"' in (tmp_path / "pylock.b.toml").read_text()


def test_a_wheel_rewritten_under_its_name_locks_again(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    lock(reqs, links, tmp_path / "pylock.a.toml")
    (links / "beta-2.0-py3-none-any.whl").unlink()
    make_wheel(links, "beta", "2.0", {"beta.py": "B = 'two'\n"})
    aged(*links.iterdir(), links)
    _, modules = lock(reqs, links, tmp_path / "pylock.b.toml")
    assert "packaging.version" in modules
    a, b = tmp_path / "pylock.a.toml", tmp_path / "pylock.b.toml"
    assert b.read_bytes() != a.read_bytes()  # its sha256


def test_an_output_in_another_directory_locks_again(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    lock(reqs, links, tmp_path / "pylock.a.toml")
    (tmp_path / "sub").mkdir()
    _, modules = lock(reqs, links, tmp_path / "sub" / "pylock.a.toml")
    assert "packaging.version" in modules  # wheels by path are written relative to the lock


@pytest.mark.parametrize("flag", ["-v", "--json", "--offline", "-vv", "--verb"])
def test_outputs_the_stamp_cannot_give_take_the_full_path(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path, flag: str
) -> None:
    lock(reqs, links, tmp_path / "pylock.a.toml", flag)
    _, modules = lock(reqs, links, tmp_path / "pylock.b.toml", flag)
    assert "packaging.version" in modules


def test_a_requirement_file_written_just_now_is_stamped_by_the_bytes_the_lock_read(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    """Written a moment before the lock (a script's edit): the stamp names the bytes parsed."""
    os.utime(reqs)  # "now": its mtime alone cannot tell a later rewrite from this one
    lock(reqs, links, tmp_path / "pylock.a.toml")
    assert len(stamps(graft_cache)) == 1
    _, modules = lock(reqs, links, tmp_path / "pylock.b.toml")
    assert "packaging.version" not in modules  # answered from the stamp
    reqs.write_text("alpha\nbeta<2\n")  # other bytes, a moment later: the full path
    _, modules = lock(reqs, links, tmp_path / "pylock.c.toml")
    assert "packaging.version" in modules
    assert 'version = "1.0"' in (tmp_path / "pylock.c.toml").read_text()


def test_a_file_modified_during_the_lock_leaves_no_stamp(tmp_path: Path) -> None:
    """A file the lock does not hash as it reads it (a find-links wheel) is fingerprinted
    only once it is two seconds old; one it hashed is fingerprinted by the bytes it read,
    which a rewrite since no longer matches (decision 464)."""
    import time

    from graft._sha256 import sha256_hex
    from graft.cli.lockstamp_keep import _fingerprints

    path = tmp_path / "in.txt"
    path.write_text("alpha\n")
    started = time.time_ns()
    parsed = {str(path): sha256_hex(b"alpha\n")}
    assert _fingerprints([("content", str(path))], started, parsed) is not None
    assert _fingerprints([("content", str(path))], started, {}) is None  # not hashed when read
    path.write_text("beta\n")  # rewritten between the lock's read and its stamp
    rows = _fingerprints([("content", str(path))], started, parsed)
    assert rows == [["watched", "content", str(path), sha256_hex(b"alpha\n")]]  # what was read
    assert _fingerprints([("content", str(path))], started, {str(path): ""}) is None  # mixed
    assert _fingerprints([("stat", str(path))], started, parsed) is None
    aged(path)
    assert _fingerprints([("stat", str(path))], started, {}) is not None


def test_a_damaged_stamp_takes_the_full_path(
    tmp_path: Path, graft_cache: Path, links: Path, reqs: Path
) -> None:
    lock(reqs, links, tmp_path / "pylock.a.toml")
    (stamp,) = stamps(graft_cache)
    stamp.write_bytes(stamp.read_bytes().replace(b'version = "2.0"', b'version = "9.0"'))
    _, modules = lock(reqs, links, tmp_path / "pylock.b.toml")
    assert "packaging.version" in modules
    assert (tmp_path / "pylock.b.toml").read_bytes() == (tmp_path / "pylock.a.toml").read_bytes()


def test_index_answers_older_than_a_cached_page_lock_again(
    tmp_path: Path, graft_cache: Path, wheels: Path
) -> None:
    reqs = tmp_path / "in.txt"
    reqs.write_text("beta\n")
    aged(reqs)
    with serve() as served:
        served.add(make_wheel(wheels, "beta", "1.0", {"beta.py": ""}))
        args = ("lock", "-r", reqs, "--index-url", f"{served.url}/simple/", "-q")
        run_graft(*args, "-o", tmp_path / "pylock.a.toml")
        (stamp,) = stamps(graft_cache)
        served.add(make_wheel(wheels, "beta", "2.0", {"beta.py": ""}))
        run_graft(*args, "-o", tmp_path / "pylock.b.toml")  # within the page's freshness: the stamp
        a, b = tmp_path / "pylock.a.toml", tmp_path / "pylock.b.toml"
        assert b.read_bytes() == a.read_bytes()
        lines = stamp.read_bytes().split(b"\n")
        at = next(i for i, line in enumerate(lines) if line.startswith(b"expires\0"))
        assert float(lines[at].split(b"\0")[1]) > 0  # an index answered: the stamp ages
        lines[at] = b"expires\x001.0"  # as if the lock ran long ago
        stamp.write_bytes(b"\n".join(lines))
        shutil.rmtree(graft_cache / "index")  # (and the cached page too)
        run_graft(*args, "-o", tmp_path / "pylock.c.toml")
    assert (tmp_path / "pylock.c.toml").read_bytes() != (tmp_path / "pylock.a.toml").read_bytes()


def _expire(stamp: Path) -> None:
    """Make the stamp's index answers older than a cached page, as an hour would."""
    lines = stamp.read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"expires\0"))
    assert float(lines[at].split(b"\0")[1]) > 0
    lines[at] = b"expires\x001.0"
    stamp.write_bytes(b"\n".join(lines))


@pytest.mark.parametrize("etag", [True, False], ids=["etag", "bytes"])
def test_an_aged_stamp_is_renewed_while_its_pages_are_unchanged(
    tmp_path: Path, graft_cache: Path, wheels: Path, etag: bool
) -> None:
    """Decision 85: the pages the lock's answers came from are asked again, once each."""
    reqs = tmp_path / "in.txt"
    reqs.write_text("alpha\n")
    aged(reqs)
    with serve() as served:
        served.etag = etag
        served.add(make_wheel(wheels, "alpha", "1.0", {"alpha.py": ""}, requires=("beta",)))
        served.add(make_wheel(wheels, "beta", "1.0", {"beta.py": ""}))
        out = tmp_path / "pylock.toml"
        args = ("lock", "-r", reqs, "--index-url", f"{served.url}/simple/", "-o", out)
        run_graft(*args)
        written = out.read_bytes()
        for stamp in [*stamps(graft_cache), *(graft_cache / "lock-stamps").glob("edit-*")]:
            _expire(stamp)
        served.pages.clear()
        said, modules = graft_imports(*args)
        assert not _full_path(modules), said
        assert served.pages == [304 if etag else 200] * 2  # alpha's page and beta's
        assert out.read_bytes() == written
        served.pages.clear()
        graft_imports(*args)
        assert served.pages == []  # renewed: fresh for another ten minutes
        for stamp in [*stamps(graft_cache), *(graft_cache / "lock-stamps").glob("edit-*")]:
            _expire(stamp)
        reqs.write_text("alpha>=1\n")  # an edit the proof covers, after an hour
        aged(reqs)
        said, modules = graft_imports(*args)
        assert not _full_path(modules), said
        assert out.read_bytes() == written
        for stamp in [*stamps(graft_cache), *(graft_cache / "lock-stamps").glob("edit-*")]:
            _expire(stamp)
        served.add(make_wheel(wheels, "beta", "2.0", {"beta.py": ""}))  # beta's page changes
        said, modules = graft_imports(*args)
        assert _full_path(modules), said  # (which keeps beta 1.0: the output's, preferred)


def _full_path(modules: set[str]) -> bool:
    return "resolvelib" in modules


def test_an_edit_every_locked_version_meets_keeps_the_lock_without_resolving(
    tmp_path: Path, graft_cache: Path, links: Path
) -> None:
    first = tmp_path / "in.txt"
    first.write_text("alpha\nbeta\n")
    out = tmp_path / "pylock.toml"
    aged(first)
    _, modules = lock(first, links, out)
    assert _full_path(modules)  # the control
    before = out.read_bytes()
    aged(out)
    edited = tmp_path / "edited.txt"  # a new file, as the benchmark writes each round
    edited.write_text("# round 1\nalpha\nbeta!=0.0.0\n")
    aged(edited)
    said, modules = lock(edited, links, out)
    assert not _full_path(modules)
    heavy = {m for m in modules if m.startswith(("packaging", "graft.resolve."))}
    # the specifier's parser only: no requirement, marker or tag parser, no resolver
    assert heavy <= {
        "graft.resolve.fingerprints", "packaging", "packaging._ranges", "packaging._structures",
        "packaging.specifiers", "packaging.utils", "packaging.version",
    }  # fmt: skip
    assert "packaging.requirements" not in modules
    assert "packaging.tags" not in modules
    assert out.read_bytes() == before
    assert out.stat().st_mtime == OLD
    assert f"into {out} in" in said
    # the same file again: the plain stamp, left by the edit's answer
    _, modules = lock(edited, links, out)
    assert not any(m.startswith("packaging") for m in modules)
    # and the edit undone, in yet another file: roots known to give the lock (the full
    # path's), answered without a proof, so without packaging (decision 182)
    back = tmp_path / "back.txt"
    back.write_text("alpha\nbeta\n")
    aged(back)
    _, modules = lock(back, links, out)
    assert not _full_path(modules)
    assert not any(m.startswith("packaging") for m in modules), modules
    assert out.read_bytes() == before


def test_an_edit_keeps_the_lock_where_its_project_left_a_python_out(
    tmp_path: Path, graft_cache: Path, links: Path
) -> None:
    """An environment left out because the edited project's wheels exclude its Python: the
    warning counts those wheels rather than naming the project, so the proof still holds
    (naming them cost every such edit a full resolution, 60 ms -> 400 ms on the bench)."""
    make_wheel(links, "gamma", "1.0", {"gamma.py": ""}, requires_python=">=3.12")
    aged(*links.iterdir(), links)
    first = tmp_path / "in.txt"
    first.write_text("gamma\n")
    out = tmp_path / "pylock.toml"
    aged(first)
    pythons = ("--python-version", "3.11", "--python-version", "3.12", "--platform", "linux")
    said, modules = lock(first, links, out, *pythons)
    assert _full_path(modules)  # the control
    skipped = [line for line in said.splitlines() if "not locked for cp311" in line]
    assert len(skipped) == 1, said  # (both machines, one reason: decision 158)
    assert skipped[0].endswith("(1 wheel; lock that environment alone to see)")
    aged(out)
    edited = tmp_path / "edited.txt"
    edited.write_text("# round 1\ngamma!=0.0.0\n")
    aged(edited)
    _, modules = lock(edited, links, out, *pythons)
    assert not _full_path(modules)


def test_an_edit_that_excludes_a_locked_version_resolves_again(
    tmp_path: Path, graft_cache: Path, links: Path
) -> None:
    first = tmp_path / "in.txt"
    first.write_text("alpha\nbeta\n")
    out = tmp_path / "pylock.toml"
    aged(first)
    lock(first, links, out, "-q")
    edited = tmp_path / "edited.txt"
    edited.write_text("alpha\nbeta<2\n")
    aged(edited)
    _, modules = lock(edited, links, out, "-q")
    assert _full_path(modules)
    assert 'version = "1.0"' in out.read_text()
    assert 'version = "2.0"' not in out.read_text()


@pytest.mark.parametrize("change", ["output", "upgrade", "line"])
def test_an_edit_the_proof_cannot_cover_resolves_again(
    tmp_path: Path, graft_cache: Path, links: Path, change: str
) -> None:
    first = tmp_path / "in.txt"
    first.write_text("alpha\nbeta\n")
    out = tmp_path / "pylock.toml"
    aged(first)
    lock(first, links, out, "-q")
    edited = tmp_path / "edited.txt"
    edited.write_text("alpha\nbeta!=0.0.0\n" if change != "line" else "alpha\nbeta\nbeta>=1\n")
    aged(edited)
    extra: tuple[str, ...] = ()
    if change == "output":  # another tool (or the user) wrote the output: its versions count
        out.write_bytes(out.read_bytes() + b"\n# edited\n")
    elif change == "upgrade":
        extra = ("--upgrade",)
    _, modules = lock(edited, links, out, "-q", *extra)
    assert _full_path(modules)


def test_a_requirement_file_edited_in_place_keeps_the_lock_without_resolving(
    tmp_path: Path, graft_cache: Path, links: Path
) -> None:
    """The user's own loop: edit requirements.in, run the same `graft lock` again."""
    reqs = tmp_path / "requirements.in"
    reqs.write_text("alpha\nbeta\n")
    out = tmp_path / "pylock.toml"
    aged(reqs)
    lock(reqs, links, out, "-q")
    before = out.read_bytes()
    reqs.write_text("alpha>=1\nbeta\n")
    aged(reqs)
    _, modules = lock(reqs, links, out, "-q")
    assert not _full_path(modules)
    assert out.read_bytes() == before
    reqs.write_text("alpha>=1\nbeta<2\n")  # now the lock must change
    aged(reqs)
    _, modules = lock(reqs, links, out, "-q")
    assert _full_path(modules)
    assert out.read_bytes() != before


def test_an_edit_of_a_lock_started_later_is_not_answered_where_it_widens(
    tmp_path: Path, graft_cache: Path, links: Path
) -> None:
    """A series locked from a later release says ``left-out`` in its stamp (decision 157).

    ``low`` 2.0, which ``top`` needs, excludes 3.11.0 and 3.11.1, so ``low>=2`` locks 3.11
    from 3.11.2 on (the failure met the dependency: decision 202's first case). Widening it
    to ``low>=1`` keeps every locked version, but makes 3.11.0 lockable (low 1.0): the edit
    proof must not answer it from the stamp, as it would were nothing left out.
    """
    make_wheel(links, "top", "1.0", {"top.py": ""}, requires=("low",))
    make_wheel(links, "low", "1.0", {"low.py": ""})
    spec = "!=3.11.0,!=3.11.1,>=3.8"
    make_wheel(links, "low", "2.0", {"low.py": ""}, requires_python=spec)
    aged(*links.iterdir(), links)
    first = tmp_path / "in.txt"
    first.write_text("top\nlow>=2\n")
    out = tmp_path / "pylock.toml"
    aged(first)
    pythons = ("--python-version", "3.11", "--platform", "linux")
    said, modules = lock(first, links, out, *pythons)
    assert _full_path(modules)  # the control
    assert "locked from 3.11.2 on, without 3.11.0-3.11.1: low 2.0 requires Python" in said
    assert all(m.endswith('python_full_version >= "3.11.2"') for m in _environments(out))
    parsed = Pylock.from_dict(tomllib.loads(out.read_text()))
    parsed.validate()
    assert at(parsed, "3.11", 2) == {"top": "1.0", "low": "2.0"}
    for micro in (0, 1):
        with pytest.raises(PylockSelectError):
            at(parsed, "3.11", micro)
    aged(out)
    edited = tmp_path / "edited.txt"
    edited.write_text("top\nlow>=1\n")
    aged(edited)
    said, modules = lock(edited, links, out, *pythons)
    assert _full_path(modules)
    assert "locked from" not in said
    assert not any("python_full_version" in m for m in _environments(out))
    parsed = Pylock.from_dict(tomllib.loads(out.read_text()))
    assert at(parsed, "3.11", 1) == {"top": "1.0", "low": "1.0"}
    assert at(parsed, "3.11", 2) == {"top": "1.0", "low": "2.0"}


def _environments(out: Path) -> list[str]:
    return list(tomllib.loads(out.read_text())["environments"])


def test_an_edit_of_a_lock_that_left_out_a_release_without_its_extra_resolves_again(
    tmp_path: Path, graft_cache: Path, links: Path
) -> None:
    """Windows left out for ``acc`` 1.0, which lacks ``fast`` (decision 233): it resolved,
    and an edit of another root may let it reach 2.0, which the edit proof (made for
    environments with no resolution) cannot rule out; such a lock keeps no edit stamp."""
    make_wheel(links, "acc", "1.0", {"acc.py": ""})
    make_wheel(
        links, "acc", "2.0", {"acc.py": ""},
        requires=('fastlib; extra == "fast"',), provides_extra=("fast",),
    )  # fmt: skip
    make_wheel(links, "fastlib", "1.0", {"fastlib.py": ""}, tag="py3-none-manylinux_2_17_x86_64")
    aged(*links.iterdir(), links)
    first = tmp_path / "in.txt"
    first.write_text("acc[fast]\nbeta\n")
    out = tmp_path / "pylock.toml"
    aged(first)
    pythons = ("--python-version", "3.12", "--platform", "linux", "--platform", "windows")
    said, modules = lock(first, links, out, *pythons)
    assert _full_path(modules)  # the control
    assert "does not provide the extra 'fast' (acc 2.0, locked for other" in said, said
    aged(out)
    edited = tmp_path / "edited.txt"
    edited.write_text("acc[fast]\nbeta!=0.0.0\n")  # (answered were nothing left out so)
    aged(edited)
    _, modules = lock(edited, links, out, *pythons)
    assert _full_path(modules)
