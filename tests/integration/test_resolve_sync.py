"""``graft sync`` resolving unpinned requirements against a loopback index, as pip and uv do.

Each wheel is made in the test; the index is tests/support/rangeserver (PEP 691 JSON or
PEP 503 HTML, Range reads, no metadata files unless asked), so every METADATA comes from
range reads of the wheels, the common case on this machine's index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from graft._toml import load_toml
from tests.conftest import run_graft
from tests.support.here import SITE_PACKAGES, X_Y
from tests.support.rangeserver import Served, serve
from tests.support.venv import py
from tests.support.wheelmaker import make_wheel


@pytest.fixture
def index(wheels: Path) -> Iterator[Served]:
    """app needs lib>=1 (and speedy for its extra "fast"); lib has 1.0, 2.0 and 3.0rc1."""
    with serve() as served:
        served.add(
            make_wheel(
                wheels,
                "app",
                "1.0",
                {"app.py": "import lib\n"},
                requires=("lib>=1", 'speedy; extra == "fast"'),
                provides_extra=("fast",),
            )
        )
        served.add(make_wheel(wheels, "speedy", "0.5", {"speedy.py": ""}))
        for version in ("1.0", "2.0", "3.0rc1"):
            served.add(make_wheel(wheels, "lib", version, {"lib.py": f"V = {version!r}\n"}))
        yield served


def sync(venv: Path, served: Served, store: Path, *args: str | Path, check: bool = True) -> str:
    """``graft sync`` against *served*; its stderr (the summary), or stdout with --json."""
    proc = run_graft(
        "sync", venv, "--index-url", f"{served.url}/simple/", "--store", store, *args, check=check
    )
    return proc.stdout if "--json" in args else proc.stderr


def installed(venv: Path) -> dict[str, str]:
    code = "import importlib.metadata as m, json; print(json.dumps({d.name: d.version for d in m.distributions()}))"  # noqa: E501
    found: dict[str, str] = json.loads(py(venv, code))
    return found


def aged_past_the_racy_window(paths: Iterable[Path]) -> None:
    """Date *paths* a minute back: a memo fingerprints no file modified in the last 2 s."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past), follow_symlinks=False)


def test_an_unpinned_requirement_brings_its_dependencies_newest_first(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    out = sync(venv, index, store_dir, "app")
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}  # not the prerelease
    assert " + app==1.0" in out
    assert " + lib==2.0" in out
    # pip writes REQUESTED only for what was asked for
    site = venv / SITE_PACKAGES
    assert (site / "app-1.0.dist-info" / "REQUESTED").exists()
    assert not (site / "lib-2.0.dist-info" / "REQUESTED").exists()


def test_extras_bring_their_requirements(tmp_path: Path, store_dir: Path, index: Served) -> None:
    venv = tmp_path / "v"
    sync(venv, index, store_dir, "app[fast]")
    assert installed(venv) == {"app": "1.0", "lib": "2.0", "speedy": "0.5"}
    out = sync(tmp_path / "w", index, store_dir, "app[nosuch]")
    assert "app==1.0 (app-1.0-py3-none-any.whl) does not provide the extra 'nosuch'" in out


def test_a_sync_that_downloads_leaves_its_memo_at_once(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """A wheel just downloaded is named by its content: no 2 s wait before the memo.

    A find-links wheel made just now is a user's file that may change again unseen: no memo
    (the control).
    """
    plans = store_dir / "plans"
    sync(tmp_path / "v", index, store_dir, "app")
    assert len(list(plans.glob("memo-*.json"))) == 1
    assert list(plans.glob("stamp-*"))  # the next identical sync is answered by the stamp
    assert "already in sync" in sync(tmp_path / "v", index, store_dir, "app")
    links = tmp_path / "links"
    links.mkdir()
    wheel = make_wheel(links, "solo", "1.0", {"solo.py": ""})
    aged_past_the_racy_window([links])  # its listing is old: only the wheel itself is new
    # (dated ahead: "new" however long a loaded machine takes to reach the sync's memo)
    ahead = time.time() + 3600
    os.utime(wheel, (ahead, ahead))
    run_graft("sync", tmp_path / "w", "--no-index", "-f", links, "solo", "--store", store_dir)
    assert len(list(plans.glob("memo-*.json"))) == 1  # none for the racy find-links wheel


def test_the_venv_s_versions_are_kept_unless_upgrading(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    sync(venv, index, store_dir, "lib==1.0")
    out = sync(venv, index, store_dir, "app")
    assert installed(venv) == {"app": "1.0", "lib": "1.0"}, out  # lib>=1 holds: kept
    out = sync(venv, index, store_dir, "app", "--upgrade-package", "lib")
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    assert " ~ lib 1.0 -> 2.0 (upgraded)" in out
    out = sync(venv, index, store_dir, "app", "lib<2", "--json")
    changes = json.loads(out)["changes"]
    assert changes == {
        "added": [],
        "removed": [],
        "upgraded": [],
        "downgraded": ["lib 2.0 -> 1.0"],
        "reinstalled": [],
    }
    out = sync(venv, index, store_dir, "lib", "-U")
    assert installed(venv) == {"lib": "2.0"}
    assert " - app==1.0" in out


def test_upgrade_package_takes_a_name_and_refuses_a_requirement(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """``-P 'lib<3'`` matched no project: the sync kept lib 1.0 and said nothing (uv upgrades)."""
    venv = tmp_path / "v"
    sync(venv, index, store_dir, "lib==1.0")
    out = sync(venv, index, store_dir, "app", "-P", "lib<3", check=False)
    assert out.startswith("graft: error: --upgrade-package takes a project's name, not 'lib<3'")
    assert len(out.splitlines()) == 1
    assert installed(venv) == {"lib": "1.0"}
    sync(venv, index, store_dir, "app", "-P", "LIB")  # any spelling of the name
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}


def test_constraints_limit_versions_and_add_nothing(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    constraints = tmp_path / "c.txt"
    constraints.write_text("lib<2\nspeedy==0.5\n")
    venv = tmp_path / "v"
    sync(venv, index, store_dir, "app", "-c", constraints)
    assert installed(venv) == {"app": "1.0", "lib": "1.0"}
    reqs = tmp_path / "r.txt"
    reqs.write_text("-c c.txt\napp\n")  # nested in a requirements file, relative to it
    sync(tmp_path / "w", index, store_dir, "-r", reqs)
    assert installed(tmp_path / "w") == {"app": "1.0", "lib": "1.0"}


def test_no_deps_installs_only_what_is_named(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    venv = tmp_path / "v"
    sync(venv, index, store_dir, "app", "--no-deps")
    assert installed(venv) == {"app": "1.0"}


def test_prereleases_only_when_asked_or_named(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    sync(tmp_path / "a", index, store_dir, "lib", "--pre")
    assert installed(tmp_path / "a") == {"lib": "3.0rc1"}
    sync(tmp_path / "b", index, store_dir, "lib>=3.0rc1")
    assert installed(tmp_path / "b") == {"lib": "3.0rc1"}
    sync(tmp_path / "c", index, store_dir, "lib", "--prerelease", "disallow")
    assert installed(tmp_path / "c") == {"lib": "2.0"}


def test_hash_checking_mode_needs_a_hash_for_every_distribution(
    tmp_path: Path, store_dir: Path, index: Served, wheels: Path
) -> None:
    import hashlib

    digest = hashlib.sha256((wheels / "app-1.0-py3-none-any.whl").read_bytes()).hexdigest()
    reqs = tmp_path / "r.txt"
    reqs.write_text(f"app==1.0 --hash=sha256:{digest}\n")
    out = sync(tmp_path / "v", index, store_dir, "-r", reqs, check=False)
    assert "hash-checking mode: no --hash given for lib==2.0 (required by app==1.0)" in out
    assert not (tmp_path / "v").exists()
    lib = hashlib.sha256((wheels / "lib-2.0-py3-none-any.whl").read_bytes()).hexdigest()
    reqs.write_text(f"app==1.0 --hash=sha256:{digest}\nlib==2.0 --hash=sha256:{lib}\n")
    sync(tmp_path / "v", index, store_dir, "-r", reqs)
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "2.0"}


def test_a_hash_that_no_file_of_the_pinned_version_has_is_said_with_the_files_hashes(
    tmp_path: Path, store_dir: Path, index: Served, wheels: Path
) -> None:
    """Decision 430: the version is there, its files' hashes are not the ones given.

    ``six==1.17.0 --hash=sha256:000…`` said "no version of six matches ==1.17.0", as if the
    version did not exist, naming neither the file's line nor the files' hashes; pip says
    "THESE PACKAGES DO NOT MATCH THE HASHES" with the expected and the actual sha256.
    """
    import hashlib

    venv = tmp_path / "v"
    sync(venv, index, store_dir, "lib==1.0")
    (venv / "notes.txt").write_text("mine\n")
    before = sorted(str(p) for p in venv.rglob("*"))
    wheel = wheels / "lib-2.0-py3-none-any.whl"
    reqs = tmp_path / "r.txt"
    reqs.write_text(f"# pinned\nlib==2.0 --hash=sha256:{'0' * 64}\n")
    proc = run_graft(
        "sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store_dir,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        (
            "graft: error: no file of lib==2.0 for the target has a sha256 among its --hash"
            f" values ({reqs}:2)"
        ),
        "  you asked for lib==2.0",
        f"  {wheel.name} has sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}",
        (
            "  hint: if the pin or the file changed on purpose, give its new hash (graft lock"
            " writes them); else the index serves another file than the one hashed: check it first"
        ),
    ]
    assert sorted(str(p) for p in venv.rglob("*")) == before
    assert installed(venv) == {"lib": "1.0"}
    as_json = json.loads(run_graft(
        "sync", venv, "-r", reqs, "--index-url", f"{index.url}/simple/", "--store", store_dir,
        "--json", check=False,
    ).stdout)  # fmt: skip
    assert as_json["error"].startswith("no file of lib==2.0 for the target has a sha256")


def test_a_constraints_hashes_check_its_file_and_ask_one_of_every_distribution(
    tmp_path: Path, store_dir: Path, index: Served, wheels: Path
) -> None:
    """pip-compile's hashed output as ``-c`` (pip-tools' layered files): pip checks its hashes.

    graft took the constraint's version and dropped its hashes: a file that matched none of
    them was installed. uv drops them too; pip checks them, and any of them turns on
    hash-checking mode, as a ``--hash`` on a requirement does.
    """
    import hashlib

    def digest(name: str) -> str:
        return hashlib.sha256((wheels / f"{name}-py3-none-any.whl").read_bytes()).hexdigest()

    constraints, reqs = tmp_path / "requirements.txt", tmp_path / "dev.in"
    reqs.write_text(f"-c {constraints.name}\napp\n")
    constraints.write_text(
        f"app==1.0 \\\n    --hash=sha256:{digest('app-1.0')}\n"
        f"lib==2.0 \\\n    --hash=sha256:{'0' * 64}\n    # via app\n"
    )
    out = sync(tmp_path / "v", index, store_dir, "-r", reqs, check=False)
    at = f"{constraints}:3"  # (the constraint's line: its hashes are the ones not met)
    assert f"no file of lib>=1 for the target has a sha256 among its --hash values ({at})" in out
    assert not (tmp_path / "v").exists()
    constraints.write_text(f"app==1.0 --hash=sha256:{digest('app-1.0')}\n")
    out = sync(tmp_path / "v", index, store_dir, "-r", reqs, check=False)
    assert "hash-checking mode: no --hash given for lib==2.0 (required by app==1.0)" in out
    constraints.write_text(
        f"app==1.0 --hash=sha256:{digest('app-1.0')}\nlib==2.0 --hash=sha256:{digest('lib-2.0')}\n"
    )
    sync(tmp_path / "v", index, store_dir, "-r", reqs)
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "2.0"}


def test_a_urls_own_sha256_checks_its_file_and_asks_no_other_hash(
    tmp_path: Path, store_dir: Path, index: Served, wheels: Path
) -> None:
    """``pip freeze`` writes ``name @ file:///…whl#sha256=…`` beside plain pins: pip and uv
    install it; graft took the fragment for a ``--hash`` and asked one of every other line."""
    import hashlib

    made = wheels / "app-1.0-py3-none-any.whl"
    right = hashlib.sha256(made.read_bytes()).hexdigest()
    reqs = tmp_path / "frozen.txt"
    reqs.write_text(f"app @ {made.as_uri()}#sha256={right}\nlib==2.0\n")
    sync(tmp_path / "v", index, store_dir, "-r", reqs)
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "2.0"}
    reqs.write_text(f"app @ {made.as_uri()}#sha256={'0' * 64}\nlib==2.0\n")
    out = sync(tmp_path / "w", index, store_dir, "-r", reqs, check=False)
    assert "has sha256" in out
    assert "not the hash given here" in out
    assert not (tmp_path / "w").exists()


def test_require_hashes_on_the_command_line_as_pip_and_uv_take_it(
    tmp_path: Path, store_dir: Path, index: Served, wheels: Path
) -> None:
    # `pip install --require-hashes -r r.txt`: refused by argparse before, as an unknown option
    import hashlib

    reqs = tmp_path / "r.txt"
    reqs.write_text("app==1.0\n")
    out = sync(tmp_path / "v", index, store_dir, "--require-hashes", "-r", reqs, check=False)
    assert out.splitlines()[0] == (
        f"graft: error: hash-checking mode: no --hash given for app==1.0 ({reqs}:1),"
        " lib==2.0 (required by app==1.0) (with any --hash, every distribution needs one (as pip"
        " requires); pin and hash them all, e.g. from a lock)"
    )
    assert not (tmp_path / "v").exists()
    out = sync(tmp_path / "v", index, store_dir, "app", "--require-hashes", check=False)
    assert "hash-checking mode: no --hash given for app==1.0 (command line)" in out
    sync(tmp_path / "v", index, store_dir, "-r", reqs)  # without it: no hash needed
    digests = {
        name: hashlib.sha256((wheels / f"{name}-py3-none-any.whl").read_bytes()).hexdigest()
        for name in ("app-1.0", "lib-2.0")
    }
    reqs.write_text(
        "".join(f"{n.replace('-', '==')} --hash=sha256:{d}\n" for n, d in digests.items())
    )
    sync(tmp_path / "w", index, store_dir, "--require-hashes", "-r", reqs)
    assert installed(tmp_path / "w") == {"app": "1.0", "lib": "2.0"}


def test_pip_and_uv_require_hashes_variables_are_refused_without_the_flag(
    tmp_path: Path,
    store_dir: Path,
    index: Served,
    wheels: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # decision 115: CI's PIP_REQUIRE_HASHES=1 makes pip refuse what has no hash; graft read no
    # pip variable and installed it
    import hashlib

    reqs = tmp_path / "r.txt"
    reqs.write_text("app==1.0\nlib==2.0\n")
    sync(tmp_path / "v", index, store_dir, "-r", reqs)  # (a no-op stamp to miss next)
    monkeypatch.setenv("PIP_REQUIRE_HASHES", "1")
    line = (
        "graft: error: PIP_REQUIRE_HASHES is set, and graft reads no pip or uv variable: it"
        " would not require a hash of every distribution (pass --require-hashes, or unset it)"
    )
    for venv in (tmp_path / "v", tmp_path / "w"):
        assert sync(venv, index, store_dir, "-r", reqs, check=False).splitlines() == [line]
    assert not (tmp_path / "w").exists()
    digests = {
        name: hashlib.sha256((wheels / f"{name}-py3-none-any.whl").read_bytes()).hexdigest()
        for name in ("app-1.0", "lib-2.0")
    }
    reqs.write_text(
        "".join(f"{n.replace('-', '==')} --hash=sha256:{d}\n" for n, d in digests.items())
    )
    sync(tmp_path / "w", index, store_dir, "--require-hashes", "-r", reqs)
    assert installed(tmp_path / "w") == {"app": "1.0", "lib": "2.0"}


def test_pip_and_uv_limits_and_choices_are_refused_or_warned_about_not_ignored(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    # decision 341: a CI job's PIP_ONLY_BINARY=:all: (no build backend may run), UV_CONSTRAINT
    # or UV_EXCLUDE_NEWER was ignored without a word, past the stamps too
    sync(tmp_path / "v", index, store_dir, "lib")  # (the stamps to miss next)
    monkeypatch.setenv("PIP_ONLY_BINARY", ":all:")
    line = (
        "graft: error: PIP_ONLY_BINARY is set, and graft reads no pip or uv variable: it would"
        " not limit builds as pip or uv would (pass graft --only-binary or --no-build itself,"
        " or unset it)"
    )
    for venv in (tmp_path / "v", tmp_path / "w"):
        assert sync(venv, index, store_dir, "lib", check=False).splitlines() == [line]
    assert not (tmp_path / "w").exists()
    sync(tmp_path / "w", index, store_dir, "lib", "--only-binary", ":all:")
    assert installed(tmp_path / "w") == {"lib": "2.0"}
    monkeypatch.delenv("PIP_ONLY_BINARY")
    monkeypatch.setenv("UV_EXCLUDE_NEWER", "2020-01-01")
    out = run_graft("lock", "lib", "-o", "-", "--index-url", f"{index.url}/simple/", check=False)
    assert out.returncode == 2
    assert out.stderr.startswith("graft: error: UV_EXCLUDE_NEWER is set,")
    monkeypatch.delenv("UV_EXCLUDE_NEWER")
    monkeypatch.setenv("UV_RESOLUTION", "lowest")
    warned = (
        "graft: warning: UV_RESOLUTION is set, and graft reads no pip or uv variable: it"
        " resolved highest (pass --resolution lowest)"
    )
    assert warned in sync(tmp_path / "v", index, store_dir, "lib").splitlines()
    again = sync(tmp_path / "v", index, store_dir, "lib")  # (the no-op stamp says it again)
    assert warned in again.splitlines()
    assert "already in sync" in again
    assert installed(tmp_path / "v") == {"lib": "2.0"}


@pytest.mark.parametrize("html", [False, True], ids=["pep691", "pep503"])
def test_the_index_s_yanked_and_requires_python_are_honoured(
    tmp_path: Path, store_dir: Path, wheels: Path, html: bool
) -> None:
    with serve() as served:
        served.html = html
        served.add_wheel(make_wheel(wheels, "lib", "1.0"))
        served.add_wheel(make_wheel(wheels, "lib", "2.0"), yanked="broken")
        served.add_wheel(make_wheel(wheels, "lib", "1.5"), requires_python=">=4")
        assert "is yanked" not in sync(tmp_path / "v", served, store_dir, "lib")
        assert installed(tmp_path / "v") == {"lib": "1.0"}
        said = sync(tmp_path / "w", served, store_dir, "lib==2.0")  # a pin may take a yanked
        assert installed(tmp_path / "w") == {"lib": "2.0"}  # file, with a warning (as pip, uv)
        warned = "graft: warning: lib==2.0 (lib-2.0-py3-none-any.whl) is yanked (reason: broken)"
        assert warned in said


def test_exclude_newer_uses_the_index_s_upload_times(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    with serve() as served:
        served.add_wheel(make_wheel(wheels, "lib", "1.0"), upload_time="2025-01-02T03:04:05Z")
        served.add_wheel(make_wheel(wheels, "lib", "2.0"), upload_time="2026-06-01T00:00:00Z")
        sync(tmp_path / "v", served, store_dir, "lib", "--exclude-newer", "2026-01-01")
        assert installed(tmp_path / "v") == {"lib": "1.0"}
        out = sync(tmp_path / "w", served, store_dir, "lib", "--exclude-newer", "soon", check=False)
        assert "--exclude-newer 'soon' is not a date, a timestamp or a span of time" in out


def test_exclude_newer_takes_a_span_before_now_as_uv_does(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """``--exclude-newer "7 days"`` (a cooldown in CI) was "not a date or timestamp"; uv
    0.13.9 takes a friendly span and an ISO 8601 duration, counted back from now, and
    refuses months and years (decision 327). No stamp answers a span later: its cutoff moves.
    """
    import datetime as dt

    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    hour_ago = before.strftime("%Y-%m-%dT%H:%M:%SZ")
    with serve() as served:
        served.add_wheel(make_wheel(wheels, "lib", "1.0"), upload_time="2025-01-02T03:04:05Z")
        served.add_wheel(make_wheel(wheels, "lib", "2.0"), upload_time=hour_ago)
        for span, version in (("1 day", "1.0"), ("P1D", "1.0"), ("1w 2d", "1.0"),
                              ("30 minutes", "2.0"), ("PT10M", "2.0")):  # fmt: skip
            venv = tmp_path / span.replace(" ", "_")
            sync(venv, served, store_dir, "lib", "--exclude-newer", span)
            assert installed(venv) == {"lib": version}, span
        plans = store_dir / "plans"
        stamps = [p.name for p in plans.iterdir() if p.name.startswith(("stamp-", "replay-"))]
        assert stamps == []
        refused = run_graft(
            "sync", tmp_path / "m", "lib", "--index-url", f"{served.url}/simple/",
            "--store", store_dir, "--exclude-newer", "6 months", check=False,
        )  # fmt: skip
        assert refused.returncode == 2
        assert refused.stderr.startswith("graft: error: --exclude-newer '6 months': months and")
        assert not (tmp_path / "m").exists()


def test_a_wheel_by_url_and_a_typo(tmp_path: Path, store_dir: Path, index: Served) -> None:
    url = f"{index.url}/lib-1.0-py3-none-any.whl"
    sync(tmp_path / "v", index, store_dir, f"lib @ {url}", "app")
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "1.0"}
    # PEP 610, as pip writes it: pip freeze says "lib @ URL", app is from the index
    probe = (
        "import importlib.metadata as m; print(m.distribution('{}').read_text('direct_url.json'))"
    )
    assert json.loads(py(tmp_path / "v", probe.format("lib"))) == {"archive_info": {}, "url": url}
    assert py(tmp_path / "v", probe.format("app")) == "None"
    out = sync(tmp_path / "w", index, store_dir, "ap", check=False)
    assert "ap" in out
    assert "Traceback" not in out
    out = sync(tmp_path / "w", index, store_dir, f"app @ {url}", check=False)
    assert "the wheel lib-1.0-py3-none-any.whl is not a distribution of app" in out


def test_each_project_comes_from_the_first_index_that_has_it(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    private = wheels / "private"
    private.mkdir()
    with serve() as extra:
        extra.add(make_wheel(private, "lib", "1.0", {"lib.py": "PRIVATE = True\n"}))
        sync(tmp_path / "v", index, store_dir, "app", "--extra-index-url", f"{extra.url}/simple/")
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "1.0"}  # never 2.0 from the other
    assert py(tmp_path / "v", "import lib; print(lib.PRIVATE)") == "True"


def test_unsafe_best_match_merges_the_indexes_as_pip_does(
    tmp_path: Path, store_dir: Path, wheels: Path, index: Served
) -> None:
    # a mirror holding only lib 1.0: first-index takes it from there; pip's way (uv's
    # unsafe-best-match) sees both indexes' files and takes the newest
    mirror_wheels = wheels / "mirror"
    mirror_wheels.mkdir()
    with serve() as mirror:
        mirror.add(make_wheel(mirror_wheels, "lib", "1.0", {"lib.py": "MIRROR = True\n"}))
        extra = ("--extra-index-url", f"{mirror.url}/simple/")
        sync(tmp_path / "first", index, store_dir, "app", *extra)
        assert installed(tmp_path / "first") == {"app": "1.0", "lib": "1.0"}
        sync(tmp_path / "best", index, store_dir, "app", *extra, "--index-strategy",
             "unsafe-best-match")  # fmt: skip
        assert installed(tmp_path / "best") == {"app": "1.0", "lib": "2.0"}
        # a file both list is the first index's (the mirror's bytes, not the other's)
        sync(tmp_path / "pin", index, store_dir, "lib==1.0", *extra, "--index-strategy",
             "unsafe-best-match")  # fmt: skip
        assert py(tmp_path / "pin", "import lib; print(lib.MIRROR)") == "True"


def test_variables_in_a_requirements_file_are_expanded_and_watched(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip's ${NAME} (a private index's token kept out of the file): expanded, and a change of
    # its value is a change of the input, which no memo or no-op stamp may answer
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(cache))
    reqs = tmp_path / "reqs.txt"
    reqs.write_text("--index-url ${TEST_INDEX}\nlib==${LIB_VERSION} ; python_version >= '3'\n")
    monkeypatch.setenv("TEST_INDEX", f"{index.url}/simple/")
    monkeypatch.setenv("LIB_VERSION", "1.0")
    venv = tmp_path / "v"
    run_graft("sync", venv, "-r", reqs, "--store", store_dir)
    assert installed(venv) == {"lib": "1.0"}
    aged_past_the_racy_window([reqs, *cache.rglob("*")])  # the next sync writes a memo
    run_graft("sync", venv, "-r", reqs, "--store", store_dir)
    assert list((store_dir / "plans").glob("memo-*.json"))
    again = run_graft("sync", venv, "-r", reqs, "--store", store_dir)
    assert "already in sync" in again.stderr
    monkeypatch.setenv("LIB_VERSION", "2.0")
    changed = run_graft("sync", venv, "-r", reqs, "--store", store_dir)
    assert "lib 1.0 -> 2.0" in changed.stderr
    assert installed(venv) == {"lib": "2.0"}
    # graft lock keeps no stamp for such a file (a stamp watches files, not variables)
    lock = tmp_path / "pylock.toml"

    def locked() -> list[str]:
        run_graft("lock", "-r", reqs, "-o", lock, "--python-version", "3.11")
        return [str(p["version"]) for p in load_toml(str(lock))["packages"]]

    assert locked() == ["2.0"]
    monkeypatch.setenv("LIB_VERSION", "1.0")
    assert locked() == ["1.0"]
    monkeypatch.delenv("LIB_VERSION")  # unset: left as written, which is no version
    out = run_graft("sync", venv, "-r", reqs, "--store", store_dir, check=False)
    assert "cannot parse requirement 'lib==${LIB_VERSION}'" in out.stderr
    assert "(${LIB_VERSION} is not set in the environment: set it, or write its value)" in (
        out.stderr
    )
    assert installed(venv) == {"lib": "2.0"}  # untouched


def test_a_requirements_file_and_a_constraints_file_by_url(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as pip reads them (Airflow installs with -c https://…/constraints-3.11.txt); a nested
    # -c is relative to the file's URL
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(cache))
    index.files["reqs.txt"] = b"app\n-c constraints.txt\n"
    index.files["constraints.txt"] = b"lib==1.0\n"
    venv = tmp_path / "v"
    sync(venv, index, store_dir, "-r", f"{index.url}/reqs.txt")
    assert installed(venv) == {"app": "1.0", "lib": "1.0"}
    aged_past_the_racy_window(cache.rglob("*"))  # a memo could be written now
    sync(venv, index, store_dir, "-r", f"{index.url}/reqs.txt")
    # read anew each time: a changed file is seen (nothing read by URL is memoized)
    index.files["constraints.txt"] = b"lib==2.0\n"
    out = sync(venv, index, store_dir, "-r", f"{index.url}/reqs.txt")
    assert "lib 1.0 -> 2.0" in out
    out = sync(venv, index, store_dir, "app", "-c", f"{index.url}/missing.txt", check=False)
    assert "no requirements file at this URL (HTTP 404)" in out
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    refused = "http://127.0.0.1:1/constraints.txt"  # (port 1: nothing listens)
    out = sync(venv, index, store_dir, "app", "-c", refused, check=False)
    assert f"graft: error: {refused}: cannot reach the requirements file's host (" in out
    assert "index" not in out.splitlines()[-1]  # (not an index: no --find-links hint)
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}


def test_the_indexes_may_come_from_the_environment(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    index: Served,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GRAFT_INDEX_URL and GRAFT_EXTRA_INDEX_URL stand for the flags (UV_INDEX_URL's way)
    private = wheels / "private"
    private.mkdir()
    monkeypatch.setenv("GRAFT_INDEX_URL", f"{index.url}/simple/")
    run_graft("sync", tmp_path / "v", "app", "--store", store_dir)
    assert installed(tmp_path / "v") == {"app": "1.0", "lib": "2.0"}
    with serve() as extra:
        extra.add(make_wheel(private, "lib", "1.0", {"lib.py": "PRIVATE = True\n"}))
        both = f"{extra.url}/simple/ {index.url}/simple/"  # in order: lib from the first
        monkeypatch.setenv("GRAFT_EXTRA_INDEX_URL", both)
        run_graft("sync", tmp_path / "w", "app", "--store", store_dir)
        assert installed(tmp_path / "w") == {"app": "1.0", "lib": "1.0"}
        # a flag given on the command line wins over its variable
        run_graft("sync", tmp_path / "x", "app", "--extra-index-url", f"{index.url}/simple/",
                  "--store", store_dir)  # fmt: skip
        assert installed(tmp_path / "x") == {"app": "1.0", "lib": "2.0"}


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"PIP_INDEX_URL": "{url}"}, "PIP_INDEX_URL is set"),
        ({"UV_INDEX_URL": "{url}", "PIP_EXTRA_INDEX_URL": "{url}"},  # (that one: a warning)
         "UV_INDEX_URL is set"),
        ({"UV_DEFAULT_INDEX": "{url}"}, "UV_DEFAULT_INDEX is set"),
        ({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "{wheels}", "UV_INDEX": "{url}"},
         "PIP_NO_INDEX and UV_INDEX are set"),
    ],
)  # fmt: skip
def test_pip_and_uv_index_variables_are_refused_where_graft_would_ask_pypi(
    tmp_path: Path,
    store_dir: Path,
    wheels: Path,
    index: Served,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    named: str,
) -> None:
    # decision 115: a private index in PIP_INDEX_URL and graft asking PyPI for the same names
    # is dependency confusion; graft reads no pip or uv variable, so it refuses to go on
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(url=f"{index.url}/simple/", wheels=wheels))
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))  # nothing cached: --offline
    venv = tmp_path / "parent" / "v"
    lock = ("lock", "app", "-o", tmp_path / "pylock.toml")
    for command in (("sync", venv, "app", "--store", store_dir), lock):
        # (--offline: were the variable ignored, graft would fail asking PyPI's cache instead)
        proc = run_graft(*command, "--offline", check=False)
        assert proc.returncode == 2, proc.stderr
        pronoun = "it" if " is " in named else "them"
        line = (
            f"graft: error: {named}, and graft reads no pip or uv variable: it would ask PyPI"
            " alone (name graft's sources: --index-url URL (or GRAFT_INDEX_URL), --extra-index-url"
            f" URL, --find-links DIR, --no-index; or unset {pronoun})"
        )
        assert proc.stderr.splitlines() == [line]
    assert not (tmp_path / "parent").exists()
    assert not (tmp_path / "pylock.toml").exists()
    # graft's own sources named in any way: the user chose them, and pip's are not asked
    monkeypatch.setenv("GRAFT_INDEX_URL", f"{index.url}/simple/")
    run_graft("sync", venv, "app", "--store", store_dir)
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    monkeypatch.delenv("GRAFT_INDEX_URL")
    run_graft("sync", tmp_path / "w", "app", "--no-index", "-f", wheels, "--store", store_dir)
    assert installed(tmp_path / "w") == {"app": "1.0", "lib": "2.0"}
    reqs = tmp_path / "reqs.txt"
    reqs.write_text(f"--index-url {index.url}/simple/\napp\n")
    run_graft("sync", tmp_path / "x", "-r", reqs, "--store", store_dir)
    assert installed(tmp_path / "x") == {"app": "1.0", "lib": "2.0"}


def test_a_private_index_with_credentials_in_its_url_or_in_netrc(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # https://user:token@host/simple/ as pip and uv take it: the pages link to files on the
    # same host without credentials, which are fetched with the index's
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(cache))
    with serve() as private:
        private.credentials = "alice:s3cr%t"
        private.add(make_wheel(wheels, "lib", "1.0"))
        host = private.url.removeprefix("http://")
        url = f"http://alice:s3cr%25t@{host}/simple/"
        out = run_graft("sync", tmp_path / "v", "lib", "--index-url", url, "--store", store_dir)
        assert installed(tmp_path / "v") == {"lib": "1.0"}
        assert "s3cr" not in out.stderr + out.stdout
        aged_past_the_racy_window(cache.rglob("*"))  # the next sync writes a memo
        run_graft("sync", tmp_path / "v2", "lib", "--index-url", url, "--store", store_dir)
        assert list((store_dir / "plans").glob("memo-*.json"))
        assert private.wheel_requests()  # the file came from the private host, with the token
        lock = tmp_path / "pylock.toml"
        run_graft("lock", "lib", "--index-url", url, "-o", lock, "--python-version", "3.11")
        written = lock.read_text()
        assert "s3cr" not in written
        assert "alice" not in written
        # nor in any file graft keeps: the store's memos and plans, the cache's pages
        kept = [p for p in (*store_dir.rglob("*"), *cache.rglob("*")) if p.is_file()]
        assert kept
        assert not [p for p in kept if b"s3cr" in p.read_bytes()]
        # without credentials (and not from the cache): one line with what to do
        bare = f"http://{host}/simple/"
        monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "other-cache"))
        refused = run_graft("sync", tmp_path / "x", "lib", "--index-url", bare,
                            "--store", store_dir, check=False)  # fmt: skip
        assert refused.returncode == 1
        assert "index answered HTTP 401" in refused.stderr
        assert "~/.netrc" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "x").exists()
        # the netrc file gives the host its login, as pip and uv read it
        netrc = tmp_path / "netrc"
        netrc.write_text("machine 127.0.0.1 login alice password s3cr%t\n")
        netrc.chmod(0o600)
        monkeypatch.setenv("NETRC", str(netrc))
        monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "fresh-cache"))
        run_graft("sync", tmp_path / "y", "lib", "--index-url", bare, "--store", store_dir)
        assert installed(tmp_path / "y") == {"lib": "1.0"}


FAKE_KEYRING = """\
import json, os, sys
with open(os.environ["KEYRING_LOG"], "a") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
args = sys.argv[1:]
if args[:1] != ["get"] or args[1] != os.environ["KEYRING_KNOWS"]:
    sys.exit(1)  # keyring's own answer when it has nothing: no output, status 1
if args[2:] == ["--mode", "creds"]:
    print("alice")
    print("s3cr%t")
elif args[2:] == ["alice"]:
    print("s3cr%t")
else:
    sys.exit(1)
"""


def test_a_private_index_with_credentials_from_the_keyring_command(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--keyring-provider subprocess``: a host that answers 401 is looked up by ``keyring
    get`` (the URL, then the host; ``--mode creds`` without a username in the index URL), as
    pip's and uv's subprocess providers do, once per host; never without the flag.
    """
    bindir = tmp_path / "bin"
    bindir.mkdir()
    keyring = bindir / "keyring"
    keyring.write_text(f"#!{sys.executable}\n{FAKE_KEYRING}")
    keyring.chmod(0o755)
    log = tmp_path / "keyring.log"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("KEYRING_LOG", str(log))

    def asked() -> list[list[str]]:
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        log.unlink(missing_ok=True)
        return calls

    def graft(venv: str, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
        monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / f"cache-{venv}"))  # pages fetched
        # two roots: their pages are asked side by side, and both meet the 401
        return run_graft("sync", tmp_path / venv, "lib", "other", "--index-url", url,
                         "--store", store_dir, *flags, check=False)  # fmt: skip

    with serve() as private:
        private.credentials = "alice:s3cr%t"
        private.add(make_wheel(wheels, "lib", "1.0"))
        private.add(make_wheel(wheels, "other", "1.0"))
        where = private.url.removeprefix("http://")  # host:port/path
        host = where.partition("/")[0]
        bare = f"http://{where}/simple/"
        monkeypatch.setenv("KEYRING_KNOWS", host)  # by host only: the URL is asked first
        off = graft("off", bare)
        assert off.returncode == 1
        assert "index answered HTTP 401" in off.stderr
        assert "--keyring-provider subprocess" in off.stderr
        assert asked() == []  # disabled by default, as pip and uv
        on = graft("on", bare, "--keyring-provider", "subprocess")
        assert on.returncode == 0, on.stderr
        assert installed(tmp_path / "on") == {"lib": "1.0", "other": "1.0"}
        first, second = asked()  # once for the host, whichever page met the 401 first
        assert first in (["get", f"{bare}{p}/", "--mode", "creds"] for p in ("lib", "other"))
        assert second == ["get", host, "--mode", "creds"]
        assert private.wheel_requests()  # the wheel, on the same host, with the same login
        # a username in the URL: `keyring get SERVICE alice`, the password alone
        monkeypatch.setenv("GRAFT_KEYRING_PROVIDER", "subprocess")
        named = graft("named", f"http://alice@{where}/simple/")
        assert named.returncode == 0, named.stderr
        first, second = asked()
        assert first in (["get", f"{bare}{p}/", "alice"] for p in ("lib", "other"))
        assert second == ["get", host, "alice"]
        kept = [p for p in (*store_dir.rglob("*"), *tmp_path.glob("cache-*/**/*")) if p.is_file()]
        assert not [p for p in kept if b"s3cr" in p.read_bytes()]
        # a keyring that knows nothing: the same one line, and the host is asked once
        monkeypatch.setenv("KEYRING_KNOWS", "elsewhere")
        unknown = graft("unknown", bare)
        assert unknown.returncode == 1
        assert "index answered HTTP 401" in unknown.stderr
        assert len(unknown.stderr.strip().splitlines()) == 1
        assert len(asked()) == 2  # the URL and the host, once
        assert not (tmp_path / "unknown").exists()
        monkeypatch.setenv("GRAFT_KEYRING_PROVIDER", "import")
        wrong = graft("wrong", bare)
        assert wrong.returncode == 2
        assert "GRAFT_KEYRING_PROVIDER=import is not a keyring provider" in wrong.stderr


def test_a_release_uploaded_since_the_page_was_cached_is_found_by_asking_again(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user publishes lib 1.1 and asks for it within the page's TTL: graft resolves from
    its cached page first, finds no 1.1, and asks the index again (as pip asks every time;
    uv needs --refresh), once: a version that does not exist still fails as before.
    """
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    with serve() as index:
        index.etag = True
        index.add(make_wheel(wheels, "lib", "1.0"))
        url = f"{index.url}/simple/"
        run_graft("sync", tmp_path / "a", "lib==1.0", "--index-url", url, "--store", store_dir)
        assert index.pages == [200]
        run_graft("sync", tmp_path / "b", "lib", "--index-url", url, "--store", store_dir)
        assert index.pages == [200]  # the cached page answered, unasked (it is young)
        assert installed(tmp_path / "b") == {"lib": "1.0"}
        index.add(make_wheel(wheels, "lib", "1.1"))
        run_graft("sync", tmp_path / "c", "lib==1.1", "--index-url", url, "--store", store_dir)
        assert installed(tmp_path / "c") == {"lib": "1.1"}
        # asked again after the cached page failed: to learn that it changed, then read
        # (decision 226: a failure over unchanged pages is not resolved again)
        assert index.pages == [200, 200, 200]
        missing = run_graft("sync", tmp_path / "d", "lib==9.9", "--index-url", url,
                            "--store", store_dir, check=False)  # fmt: skip
        assert missing.returncode == 1
        assert "no version of lib matches ==9.9" in missing.stderr
        assert "Traceback" not in missing.stderr
        assert index.pages == [200, 200, 200, 304]  # once more: unchanged, the same answer
        assert not (tmp_path / "d").exists()


def test_refresh_asks_the_index_again_for_pages_the_cache_holds(
    tmp_path: Path, store_dir: Path, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--refresh`` (uv's flag): a young cached page is asked again (a 304 when unchanged),
    so a release uploaded since is seen by a resolution that would succeed without it; no
    memo, stamp or pin record answers in its place, and the next plain sync reads the page
    it refreshed.
    """
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "cache"))
    with serve() as index:
        index.etag = True
        index.add(make_wheel(wheels, "lib", "1.0"))
        url = f"{index.url}/simple/"

        def graft(venv: str, *args: str) -> None:
            run_graft("sync", tmp_path / venv, "lib", "--index-url", url, "--store", store_dir,
                      *args)  # fmt: skip

        graft("a")
        index.add(make_wheel(wheels, "lib", "1.1"))
        graft("b")
        assert (installed(tmp_path / "b"), index.pages) == ({"lib": "1.0"}, [200])  # cached
        graft("c", "--refresh")
        assert (installed(tmp_path / "c"), index.pages) == ({"lib": "1.1"}, [200, 200])
        graft("c", "--refresh")  # in sync, and still asked: no stamp answers for --refresh
        assert index.pages == [200, 200, 304]
        graft("d")  # the refreshed page, from the cache
        assert (installed(tmp_path / "d"), index.pages) == ({"lib": "1.1"}, [200, 200, 304])
        lock = tmp_path / "pylock.toml"
        run_graft("lock", "lib", "--index-url", url, "-o", lock, "--refresh",
                  "--python-version", "3.11")  # fmt: skip
        assert index.pages == [200, 200, 304, 304]
        assert 'version = "1.1"' in lock.read_text()


def test_requirements_from_pyproject_with_extras_and_groups(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["lib<2"]\n'
        '[project.optional-dependencies]\nFast = ["speedy"]\n'
        '[dependency-groups]\ntest = ["app"]\nall = [{include-group = "test"}, "speedy"]\n'
    )
    pyproject = project / "pyproject.toml"
    sync(tmp_path / "a", index, store_dir, "-r", pyproject)
    assert installed(tmp_path / "a") == {"lib": "1.0"}
    sync(tmp_path / "b", index, store_dir, "-r", pyproject, "--extra", "fast", "--group", "all")
    assert installed(tmp_path / "b") == {"app": "1.0", "lib": "1.0", "speedy": "0.5"}
    out = sync(tmp_path / "e", index, store_dir, "app", "--extra", "fast", check=False)
    assert "--extra fast names an extra of -r pyproject.toml or a pylock.toml" in out  # was ignored
    out = sync(tmp_path / "c", index, store_dir, "-r", pyproject, "--group", "docs", check=False)
    assert "no dependency group 'docs' (declared: all, test)" in out
    # (dynamic dependencies are its backend's to say: tests/integration/test_lock_prepared.py)
    (project / "pyproject.toml").write_text('[dependency-groups]\ntest = ["app"]\n')
    sync(tmp_path / "f", index, store_dir, "-r", pyproject, "--group", "test")
    assert installed(tmp_path / "f") == {"app": "1.0", "lib": "2.0"}  # no project: a group


PREPARING_BACKEND = """
import os
META = '''Metadata-Version: 2.1
Name: legacy
Version: 1.0
Requires-Dist: lib<2
Requires-Dist: speedy; extra == "fast"
Requires-Dist: legacy[fast]; extra == "all"
Requires-Dist: app; python_version < "3"
Provides-Extra: fast
Provides-Extra: all
'''

def _log(hook):
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "hooks.txt"), "a") as fh:
        fh.write(hook + "\\n")

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _log("prepare")
    os.mkdir(os.path.join(metadata_directory, "legacy-1.0.dist-info"))
    with open(os.path.join(metadata_directory, "legacy-1.0.dist-info", "METADATA"), "w") as fh:
        fh.write(META)
    return "legacy-1.0.dist-info"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _log("build")
    raise SystemExit("not built here")
"""


def test_a_pyproject_without_a_project_table_is_asked_its_backends_metadata(
    tmp_path: Path, store_dir: Path, index: Served
) -> None:
    """``-r pyproject.toml`` of a project only its backend describes (setup.py, poetry-core 1)
    installs the dependencies its ``prepare_metadata_for_build_wheel`` states, for the
    extras asked (an extra naming the project itself too), as ``uv pip install -r`` does:
    not the project itself, and nothing built. ``graft lock`` locks them (decision 464)."""
    project = tmp_path / "legacy"
    (project / "_backend").mkdir(parents=True)
    (project / "_backend" / "backend.py").write_text(PREPARING_BACKEND)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n'
    )
    hooks = tmp_path / "hooks.txt"
    sync(tmp_path / "a", index, store_dir, "-r", pyproject)
    assert installed(tmp_path / "a") == {"lib": "1.0"}
    assert hooks.read_text() == "prepare\n"
    sync(tmp_path / "b", index, store_dir, "-r", pyproject, "--extra", "all")
    assert installed(tmp_path / "b") == {"lib": "1.0", "speedy": "0.5"}
    assert hooks.read_text() == "prepare\n", "kept from the hook: the tree did not change"
    out = sync(tmp_path / "c", index, store_dir, "-r", pyproject, "--extra", "slow", check=False)
    assert out.strip().splitlines() == [
        f"graft: error: {pyproject}: no extra 'slow' in legacy 1.0's metadata (declared: all, fast)"
    ]
    assert not (tmp_path / "c").exists()
    lock = tmp_path / "pylock.toml"
    args = ("-r", pyproject, "--index-url", f"{index.url}/simple/", "-o", lock)
    run = run_graft("lock", *args)
    assert [line for line in lock.read_text().splitlines() if line.startswith("name = ")] == [
        'name = "lib"',
        'name = "lib-1.0-py3-none-any.whl"',
    ], run.stderr
    assert "build" not in hooks.read_text()


def test_a_group_alone_is_read_from_the_pyproject_toml_here_as_pip_and_uv_do(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["lib<2"]\n'
        '[dependency-groups]\ntest = ["app"]\nlint = ["speedy"]\n'
    )
    monkeypatch.chdir(project)
    # the group only: not the project's own dependencies (lib comes as app's, newest)
    sync(tmp_path / "a", index, store_dir, "--group", "test")
    assert installed(tmp_path / "a") == {"app": "1.0", "lib": "2.0"}
    monkeypatch.chdir(tmp_path)
    sync(tmp_path / "b", index, store_dir, "--group", f"{project / 'pyproject.toml'}:lint")
    assert installed(tmp_path / "b") == {"speedy": "0.5"}
    out = sync(tmp_path / "c", index, store_dir, "--group", "lint", check=False)
    assert "--group lint: no pyproject.toml here to read dependency groups from" in out
    assert "Traceback" not in out
    assert not (tmp_path / "c").exists()


def test_a_group_with_r_pyproject_is_that_file_s_not_the_one_here(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a guard (decision 498): uv 0.13.9 reads --group from ./pyproject.toml even beside -r
    # other/pyproject.toml (installs here's group; astral-sh/uv#14482, open, "bug"); graft
    # reads the -r file's, as its README says
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0"\ndependencies = ["lib<2"]\n'
        '[dependency-groups]\ndev = ["app"]\n'
    )
    (tmp_path / "pyproject.toml").write_text('[dependency-groups]\ndev = ["speedy"]\n')
    monkeypatch.chdir(tmp_path)
    sync(tmp_path / "a", index, store_dir, "-r", project / "pyproject.toml", "--group", "dev")
    assert installed(tmp_path / "a") == {"app": "1.0", "lib": "1.0"}


def test_requires_python_of_the_index_or_of_the_wheel_each_excludes(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """Decision 29: a file is a candidate only when both the index and its METADATA admit."""
    with serve() as served:
        served.add_wheel(make_wheel(wheels, "lib", "1.0"), requires_python=">=3")
        # the index admits the target, the wheel's own METADATA does not
        served.add_wheel(make_wheel(wheels, "lib", "2.0", requires_python=">=4"))
        # the wheel admits the target, the index's per-release value does not
        served.add_wheel(make_wheel(wheels, "lib", "3.0"), requires_python=f"<{X_Y}")
        out = sync(tmp_path / "v", served, store_dir, "lib")
        assert installed(tmp_path / "v") == {"lib": "1.0"}, out
        out = sync(tmp_path / "w", served, store_dir, "lib==2.0", check=False)
        assert "Python >=4" in out


def test_an_edited_pin_recalls_the_other_projects_and_installs_what_a_fresh_sync_does(
    tmp_path: Path, store_dir: Path, index: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv = tmp_path / "v"
    first = tmp_path / "a.txt"
    first.write_text("app[fast]==1.0\nlib==2.0\nspeedy==0.5\n")
    said = sync(venv, index, store_dir, "-r", first, "-v")
    assert "pinned exactly, without search" in said
    sync(venv, index, store_dir, "-r", first)  # (the venv's versions are preferred now)
    edited = tmp_path / "b.txt"  # a new file, as after a user's edit: the memo misses
    edited.write_text("app[fast]==1.0\nlib==1.0\nspeedy==0.5\n")
    said = sync(venv, index, store_dir, "-r", edited, "-v")
    assert "METADATA read: 1 ranges;" in said  # lib's; app's, app[fast]'s and speedy's are recalled
    assert installed(venv) == {"app": "1.0", "lib": "1.0", "speedy": "0.5"}
    monkeypatch.setenv("GRAFT_CACHE_DIR", str(tmp_path / "other-cache"))  # no pin record
    fresh = tmp_path / "fresh"
    said = sync(fresh, index, store_dir, "-r", edited, "-v")
    # the control: every project read (from the store's entries, which the sha256s the
    # index lists name: decision 294)
    assert "METADATA read: 3 store" in said
    assert installed(fresh) == installed(venv)


def test_project_pages_are_asked_for_side_by_side(
    tmp_path: Path, store_dir: Path, wheels: Path
) -> None:
    """The request's projects are listed at once, and a wheel's dependencies as soon as its
    METADATA is read, not one page after another as the resolver reaches them: with each
    page answered slowly, several are under way together. Fresh cached pages are not asked
    for again (a warm resolution starts no page request)."""
    leaves = [f"leafpage{i}" for i in range(6)]
    with serve() as served:
        served.page_delay = 0.2
        for name in leaves:
            served.add(make_wheel(wheels, name, "1.0", {f"{name}.py": ""}))
        served.add(make_wheel(wheels, "hubpage", "1.0", {"hubpage.py": ""}, requires=tuple(leaves)))
        pins = [f"{name}==1.0" for name in leaves[:3]]
        sync(tmp_path / "pinned", served, store_dir, *pins)
        assert served.pages_at_once >= 2
        served.pages_at_once = 0
        sync(tmp_path / "hub", served, store_dir, "hubpage")
        assert served.pages_at_once >= 2
        assert installed(tmp_path / "hub").keys() == {"hubpage", *leaves}
        asked = len([p for p in served.paths if "/simple/" in p])
        sync(tmp_path / "again", served, store_dir, "hubpage")
        assert len([p for p in served.paths if "/simple/" in p]) == asked
