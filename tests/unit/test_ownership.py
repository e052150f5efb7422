"""The rule for directories a store may live in (pure; no file system)."""

from __future__ import annotations

import stat

from graft._fs import DirectoryFacts, chain_problem, part_problem

ME, OTHER = 1000, 4242
DIR = stat.S_IFDIR


def d(path: str, mode: int, uid: int = 0) -> DirectoryFacts:
    return DirectoryFacts(path, DIR | mode, uid)


def test_a_private_chain_is_trusted() -> None:
    chain = [d("/", 0o755), d("/home", 0o755), d("/home/me", 0o700, ME), d("/home/me/s", 0o755, ME)]
    assert chain_problem(chain, ME) is None


def test_a_world_writable_directory_in_the_chain_is_named() -> None:
    chain = [d("/", 0o755), d("/srv", 0o777), d("/srv/s", 0o755, ME)]
    found = chain_problem(chain, ME)
    assert found is not None
    assert found.path == "/srv"
    assert "writable by other users" in found.problem


def test_a_sticky_directory_is_trusted_only_above_what_is_ours() -> None:
    ours = [d("/", 0o755), d("/tmp", 0o1777), d("/tmp/s", 0o755, ME)]
    assert chain_problem(ours, ME) is None
    theirs = [d("/", 0o755), d("/tmp", 0o1777), d("/tmp/s", 0o755, OTHER)]
    found = chain_problem(theirs, ME)
    assert found is not None
    assert found.path == "/tmp"  # anyone could have made /tmp/s first
    assert chain_problem([d("/", 0o755), d("/tmp", 0o1777)], ME) is not None  # the store itself


def test_a_foreign_owner_is_named() -> None:
    found = chain_problem([d("/", 0o755), d("/home/x", 0o755, OTHER)], ME)
    assert found is not None
    assert found.path == "/home/x"
    assert f"uid {OTHER}" in found.problem


def test_group_write_is_allowed() -> None:
    assert chain_problem([d("/", 0o755), d("/team", 0o2775, ME)], ME) is None


def test_parts_must_be_real_private_directories() -> None:
    assert part_problem(d("/s/tmp", 0o755, ME), ME) is None
    link = part_problem(DirectoryFacts("/s/tmp", stat.S_IFLNK | 0o777, ME), ME)
    assert link is not None
    assert "symbolic link" in link.problem
    assert part_problem(d("/s/tmp", 0o1777, ME), ME) is not None  # no sticky exception inside
    assert part_problem(d("/s/tmp", 0o755, OTHER), ME) is not None
